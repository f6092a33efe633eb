"""Stretches of work a stop signal must not break with an exception: a C library calling back into Python.

PyAV writes a video through the Python file object it was given; a `KeyboardInterrupt` raised inside one of
those callbacks cannot propagate (Cython prints it with its traceback and drops it). MediaPipe's Python glue
half-builds an image if interrupted, whose ``__del__`` then fails. While `shielded` is entered, the CLI's stop
handler (`hipvision.commands.stop`) hands its work to `when_unshielded` instead of raising: it runs as the
outermost block is left, so the signal stops the work right after the call into the library has returned.

Per thread: a signal handler runs on the main thread and asks about the main thread's blocks.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

_local = threading.local()


def _state() -> threading.local:
    if not hasattr(_local, "depth"):
        _local.depth, _local.on_leave = 0, []
    return _local


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Run the block without a stop signal's exception inside it (nested blocks are fine); what
    `when_unshielded` queued runs as the outermost block ends (and may raise there)."""
    state = _state()
    state.depth += 1
    try:
        yield
    finally:
        state.depth -= 1
        if state.depth == 0 and state.on_leave:
            actions, state.on_leave = state.on_leave, []
            for action in actions:
                action()


def is_shielded() -> bool:
    """Whether this thread is inside a `shielded` block."""
    return _state().depth > 0


def when_unshielded(action: Callable[[], None]) -> None:
    """Run ``action`` as this thread leaves its outermost `shielded` block (at once if it is in none)."""
    state = _state()
    if state.depth == 0:
        action()
    else:
        state.on_leave.append(action)
