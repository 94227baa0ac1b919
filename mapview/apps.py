from django.apps import AppConfig


class MapviewConfig(AppConfig):
    name = "mapview"
    verbose_name = "Mitgliederkarte"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers
