from django.urls import path

from . import pin, views

app_name = "mapview"

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map.geojson", views.map_geojson, name="geojson"),
    path("members/<str:handle>/pin/", pin.pin_edit, name="pin"),
]
