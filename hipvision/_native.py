"""Silencing what native libraries (MediaPipe/absl, TFLite, FFmpeg) print straight to stderr.

Hidden by default; `show_native_logs` (the CLI's ``--debug``) lets all of it through.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

_shown = False  # show_native_logs() was called
_silence_lock = threading.Lock()
_silenced = 0  # silence_stderr_fd blocks open now (on any thread)
_saved_fd: int | None = None  # fd 2 as it was before the first of them


def show_native_logs(shown: bool = True) -> None:
    """Let the native libraries' own log lines through everywhere (call before opening any video)."""
    global _shown
    _shown = shown


def native_logs_shown() -> bool:
    """True after `show_native_logs`."""
    return _shown


def quiet_ffmpeg() -> None:
    """Keep FFmpeg's messages about damaged input ("partial file", "Error at MB: …") off stderr.

    OpenCV reads ``OPENCV_FFMPEG_LOGLEVEL`` once, when it first uses FFmpeg, so call this before the
    first video is opened; -8 is FFmpeg's AV_LOG_QUIET. A value the user set is kept.
    """
    if not _shown:
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


@contextlib.contextmanager
def silence_stderr_fd(enabled: bool = True) -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the duration (no-op when not ``enabled``, or after
    `show_native_logs`).

    Keep the block short: Python output to stderr from other threads is hidden too
    while it is active. Where fd 2 is unusable (embedded interpreters) nothing is done.
    Blocks may overlap, also on several threads (the pose tracker runs two models at once): the first
    one in points fd 2 away, the last one out points it back.
    """
    if not enabled or _shown:
        yield
        return
    global _silenced, _saved_fd
    with _silence_lock:
        if _silenced == 0:
            os.environ.setdefault("GLOG_minloglevel", "2")
            try:
                sys.stderr.flush()
                saved = os.dup(2)
            except (OSError, ValueError):
                saved = None
            if saved is not None:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            _saved_fd = saved
        _silenced += 1
    try:
        yield
    finally:
        with _silence_lock:
            _silenced -= 1
            if _silenced == 0 and _saved_fd is not None:
                sys.stderr.flush()
                os.dup2(_saved_fd, 2)
                os.close(_saved_fd)
                _saved_fd = None


def mute_stderr_fd() -> None:
    """Point file descriptor 2 at /dev/null for the rest of the process (no-op after `show_native_logs`).

    For a command cut short by a signal, whose one line saying what was saved must be the last: a pose model
    still being created on another thread when the signal came otherwise prints MediaPipe's start-up notes
    ("INFO: [environment.cc:36] Creating LiteRT environment …") after it, while the interpreter waits for that
    thread to end."""
    if _shown:
        return
    try:
        sys.stderr.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except (OSError, ValueError):
        pass
