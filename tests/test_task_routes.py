"""Which queue each task goes to (docs/deploy.md): workers of a machine may take only some queues, and the sweeps
must not wait behind the backlog they look after."""

from django.conf import settings

from fediverse_node.celery import app


def _queue(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def test_every_periodic_task_goes_to_the_housekeeping_queue():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"inbox.tasks.housekeeping_sweep_inbox", "outbox.tasks.housekeeping_sweep_deliveries"} <= tasks
    assert {task: _queue(task) for task in tasks} == {task: "housekeeping" for task in tasks}


def test_received_activities_and_deliveries_have_queues_of_their_own():
    assert _queue("inbox.tasks.process_items") == "inbox"
    assert _queue("outbox.tasks.deliver") == "deliveries"
