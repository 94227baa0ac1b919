"""Celery tasks of the posts room: the sweep that sends the Updates of local polls."""

from celery import shared_task

from .services.poll_updates import polls_federate


@shared_task
def housekeeping_sweep_polls() -> None:
    polls_federate()
