"""MediaPipe's built-in usage logging, kept off the network while a pose model is loaded.

Since 0.10.2x the MediaPipe Tasks library (``libmediapipe.so``) reports every task it runs to
Google: each ``TaskRunner`` builds a ``TasksStatsProtoLogger`` that POSTs usage records to
``https://play.googleapis.com/log`` through a libcurl linked into the library, at session start,
every minute and when the task closes (google-ai-edge/mediapipe#6291). mediapipe 1.2.x has no
switch for it: ``CreateTasksLogger`` runs unconditionally, its options carry no "enabled" flag,
and the Python ``BaseOptions`` expose nothing (checked by disassembling ``libmediapipe.so`` 1.2.3).

What the uploader does honour is libcurl's proxy environment: before connecting, libcurl reads
``https_proxy`` and refuses a proxy whose scheme it does not know ("Unsupported proxy scheme")
without resolving a name or opening a socket. So while at least one landmarker is open,
`usage_logging_blocked` sets ``https_proxy`` to such a value in the C environment (not in
``os.environ``, so Python code in this process, ``hipvision models fetch`` included, is
unaffected), and puts the previous value back when the last one closes (the final upload
happens inside ``close()``). Child processes started meanwhile inherit it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from collections.abc import Iterator

#: A proxy URL libcurl refuses before any name lookup or connection (unknown scheme).
BLOCKING_PROXY = "hipvision-no-usage-logging://mediapipe"
_VARIABLE = "https_proxy"  # libcurl reads the lower-case name first

_lock = threading.Lock()
_users = 0
_saved: bytes | None = None


class _CEnvironment:
    """getenv/setenv/unsetenv on the C library's environment, which libcurl reads (POSIX);
    elsewhere on ``os.environ``."""

    def __init__(self) -> None:
        try:
            libc = ctypes.CDLL(None)
            self._getenv, self._setenv, self._unsetenv = libc.getenv, libc.setenv, libc.unsetenv
        except (OSError, AttributeError, TypeError):  # no C library to load (Windows): os.environ
            self._getenv = None
            return
        self._getenv.argtypes, self._getenv.restype = [ctypes.c_char_p], ctypes.c_char_p
        self._setenv.argtypes, self._setenv.restype = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int], ctypes.c_int
        self._unsetenv.argtypes, self._unsetenv.restype = [ctypes.c_char_p], ctypes.c_int

    def get(self, name: str) -> bytes | None:
        if self._getenv is None:
            value = os.environ.get(name)
            return None if value is None else os.fsencode(value)
        return self._getenv(name.encode())

    def set(self, name: str, value: bytes | None) -> None:
        if self._getenv is None:
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = os.fsdecode(value)
        elif value is None:
            self._unsetenv(name.encode())
        else:
            self._setenv(name.encode(), value, 1)


_env: _CEnvironment | None = None


def _c_env() -> _CEnvironment:
    global _env
    if _env is None:
        _env = _CEnvironment()
    return _env


def block() -> None:
    """Start keeping MediaPipe's uploader off the network (reference-counted; pair with `unblock`)."""
    global _users, _saved
    with _lock:
        if _users == 0:
            env = _c_env()
            _saved = env.get(_VARIABLE)
            env.set(_VARIABLE, BLOCKING_PROXY.encode())
        _users += 1


def unblock() -> None:
    """Undo one `block`; the last one puts the previous ``https_proxy`` back."""
    global _users, _saved
    with _lock:
        if _users == 0:
            return
        _users -= 1
        if _users == 0:
            _c_env().set(_VARIABLE, _saved)
            _saved = None


def is_blocked() -> bool:
    """True while a landmarker (or a `usage_logging_blocked` block) is open."""
    with _lock:
        return _users > 0


@contextlib.contextmanager
def usage_logging_blocked() -> Iterator[None]:
    """Create, run and close MediaPipe tasks inside this block: their usage uploads fail offline."""
    block()
    try:
        yield
    finally:
        unblock()
