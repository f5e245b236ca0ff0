"""Open live streams per client address: counted, capped, given back once."""

from consult.live.stream_slots import StreamSlots


def test_an_address_gets_at_most_the_limit_and_others_are_unaffected():
    slots = StreamSlots(2)
    assert slots.acquire("10.0.0.1") and slots.acquire("10.0.0.1")
    assert slots.acquire("10.0.0.1") is None
    assert slots.acquire("10.0.0.2") is not None
    assert slots.open_count("10.0.0.1") == 2 and slots.open_count("10.0.0.2") == 1


def test_a_release_called_twice_gives_back_one_slot():
    slots = StreamSlots(1)
    release = slots.acquire("10.0.0.1")
    assert release is not None and slots.acquire("10.0.0.1") is None
    release()
    release()
    assert slots.open_count("10.0.0.1") == 0
    again = slots.acquire("10.0.0.1")
    assert again is not None and slots.open_count("10.0.0.1") == 1
    release()  # the old release must not free the new stream's slot
    assert slots.open_count("10.0.0.1") == 1
