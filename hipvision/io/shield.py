"""Stretches of work a stop signal must not break with an exception: a C library calling back into Python.

PyAV writes a video through the Python file object it was given; a `KeyboardInterrupt` raised inside one of
those callbacks cannot propagate (Cython prints it with its traceback and drops it). While `shielded` is
entered, the CLI's stop handler (`hipvision.commands.stop`) notes the signal and sends it again a moment
later instead of raising, so it stops the work once the call into the library has returned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_depth = 0


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Run the block without a stop signal's exception inside it (nested blocks are fine)."""
    global _depth
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1


def is_shielded() -> bool:
    """Whether a `shielded` block is running."""
    return _depth > 0
