from __future__ import annotations

import threading

import pytest

from aaa_middleware.dedupe import MemoryDedupeStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_claim_is_true_once():
    store = MemoryDedupeStore(10)
    assert store.claim("a", 60)
    assert not store.claim("a", 60)
    assert "a" in store


def test_release_lets_the_key_be_claimed_again():
    store = MemoryDedupeStore(10)
    store.claim("a", 60)
    store.release("a")
    assert "a" not in store
    assert store.claim("a", 60)
    store.release("never-claimed")  # harmless


def test_ttl_expiry_with_injected_clock():
    clock = Clock()
    store = MemoryDedupeStore(10, clock=clock)
    assert store.claim("a", 60)
    clock.now += 59.9
    assert not store.claim("a", 60)
    clock.now += 0.2
    assert "a" not in store
    assert store.claim("a", 60)


def test_expired_keys_make_room_first():
    clock = Clock()
    store = MemoryDedupeStore(3, clock=clock)
    for key in "abc":
        store.claim(key, 10)
    clock.now += 11
    store.claim("d", 10)
    assert len(store) == 3
    assert "d" in store
    assert not any(key in store for key in "abc")


def test_bounded_evicts_oldest():
    store = MemoryDedupeStore(3, clock=Clock())
    for key in "abcd":
        assert store.claim(key, 60)
    assert len(store) == 3
    assert "a" not in store
    assert all(key in store for key in "bcd")
    assert store.claim("a", 60)  # forgotten, so a very late copy runs again
    assert "b" not in store


def test_max_entries_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        MemoryDedupeStore(0)


def test_concurrent_claims_admit_exactly_one():
    store = MemoryDedupeStore(1000)
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def contend() -> None:
        barrier.wait()
        wins.extend(store.claim(f"k{i}", 60) for i in range(200))

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(True) == 200
