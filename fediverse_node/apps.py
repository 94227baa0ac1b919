from django.apps import AppConfig


class FediverseNodeConfig(AppConfig):
    name = "fediverse_node"
    verbose_name = "fediverse-node"

    def ready(self) -> None:
        # Importing the Celery app here makes `shared_task` bind to it in every process.
        from . import celery  # noqa: F401
