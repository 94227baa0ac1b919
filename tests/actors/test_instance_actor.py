"""The instance actor is made on first use; a burst of first requests must not trip over each other doing so."""

import threading

import pytest
from django.db import connection

from actors.models import Actor
from actors.services.local import INSTANCE_ACTOR_USERNAME, instance_actor

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_first_uses_make_one_instance_actor():
    # Seen under the inbox benchmark: the first POSTs of an unknown peer each fetched its key, each tried to
    # create the instance actor that signs the fetch, and all but one answered 500 (unique uri).
    assert not Actor.objects.filter(username=INSTANCE_ACTOR_USERNAME).exists()
    start = threading.Barrier(6)
    found: list[int] = []
    errors: list[BaseException] = []

    def first_use() -> None:
        try:
            start.wait()
            found.append(instance_actor().id)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(found)) == 1 and len(found) == 6
    assert Actor.objects.filter(username=INSTANCE_ACTOR_USERNAME).count() == 1
