"""Freed memory handed back to the system between validation chunks."""
import sys

from flows import memory


def test_release_asks_the_c_allocator_on_glibc_and_is_harmless_elsewhere():
    released = memory.release_freed_memory()
    assert isinstance(released, bool)
    if sys.platform.startswith("linux") and memory._malloc_trim() is not None:
        assert released


def test_a_missing_malloc_trim_is_not_an_error(monkeypatch):
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    assert memory.release_freed_memory() is False
