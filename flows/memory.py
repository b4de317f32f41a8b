"""Hand memory the flow has freed back to the operating system.

The flow validates a large table in many chunks of pandas frames. Freed, their memory mostly
stays with the C allocator, fragmented, and the process's resident size climbs chunk after chunk
although the live data does not: the high-water mark then grows with the corpus. glibc's
malloc_trim returns the free pages (Dask's workers do the same); Arrow's pool is released too.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools

import pyarrow as pa


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, or None where there is none (macOS, musl, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> bool:
    """Return freed heap pages to the system; True when the C allocator could be asked."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
