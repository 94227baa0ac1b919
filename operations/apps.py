from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """An app so that Django finds the node's management commands (operations/management/commands)."""

    name = "operations"
    verbose_name = "Betrieb"
