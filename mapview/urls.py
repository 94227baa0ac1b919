from django.urls import path

from . import views

app_name = "mapview"

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map.geojson", views.map_geojson, name="geojson"),
]
