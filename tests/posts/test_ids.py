"""Post ids: unique within a process even when a batch takes them all in one millisecond."""

import threading

from posts.ids import next_id


def test_ids_drawn_in_one_burst_are_unique_and_growing():
    # a batch of new posts takes its ids in a tight loop: with 16 random bits per millisecond alone, 10,000 ids
    # in a few milliseconds drew the same id many times
    ids = [next_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)


def test_ids_from_threads_of_one_process_never_meet():
    drawn: list[list[int]] = [[] for _ in range(4)]

    def draw(out: list[int]) -> None:
        out.extend(next_id() for _ in range(5_000))

    threads = [threading.Thread(target=draw, args=(out,)) for out in drawn]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [pk for out in drawn for pk in out]
    assert len(set(every)) == len(every)


def test_ids_keep_their_time_order():
    first = next_id()
    later = next_id(at=((first >> 16) + 5.5) / 1000)  # half a millisecond from the edge: float rounding
    assert later > first
    assert later >> 16 == (first >> 16) + 5
