"""Big blocks of memory given back to the system as soon as they are freed (glibc).

glibc maps a large allocation on its own (and unmaps it when freed) only while it
is above a threshold, which rises to the size of the largest mapped block freed
so far (up to 32 MB); past that, blocks come from its heap, and a freed block in
the middle of the heap stays in the process. ``studio lint`` of a big message
makes a few copies of it in turn (the file's text, the HTML part, its decoded
HTML, a buffer while it is decoded): each one freed stayed resident, so the peak
was about 30 MB higher for a 29 MB message. A fixed threshold keeps every block
of 1 MiB or more mapped on its own (the setting ``MALLOC_MMAP_THRESHOLD_`` makes).
"""

from __future__ import annotations

import sys

M_MMAP_THRESHOLD = -3  # glibc's <malloc.h>
BIG_BLOCK = 1 << 20


def map_big_blocks() -> None:
    """Serve allocations of :data:`BIG_BLOCK` bytes or more by their own mapping
    (Linux; elsewhere, or without ``mallopt``, nothing changes)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(ctypes.c_int(M_MMAP_THRESHOLD), ctypes.c_int(BIG_BLOCK))
