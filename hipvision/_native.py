"""Silencing what native libraries (MediaPipe/absl, TFLite, FFmpeg) print straight to stderr."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def silence_stderr_fd(enabled: bool = True) -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the duration (no-op when not ``enabled``).

    Keep the block short: Python output to stderr from other threads is hidden too
    while it is active. Where fd 2 is unusable (embedded interpreters) nothing is done.
    """
    if not enabled:
        yield
        return
    os.environ.setdefault("GLOG_minloglevel", "2")
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
