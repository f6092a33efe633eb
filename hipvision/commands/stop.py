"""Signals during a command: Ctrl-C, SIGTERM and SIGHUP all stop the run the way Ctrl-C does.

`stop_signals` (entered once per CLI call, by `hipvision.cli.main`) installs one handler for the three
signals. While a command's work runs it is *armed*: a signal raises `SignalInterrupt` (a
`KeyboardInterrupt`) in the main thread, so live runs stop and save what they have and file runs unwind
(the atomic writers remove their temporary files). Outside the work (parsing the command line,
finishing) a signal is only noted: one that came before the work stops the command as it starts
(`hipvision.commands.guard`); one after it changes nothing, the outputs being complete (a second one
ends the process at once, in case it hangs).

Signals the user set to be ignored (``nohup``, Ctrl-C of a background job) stay ignored.

A signal that lands while Python runs a callback that cannot raise (a weakref callback, a ``__del__``)
has its `SignalInterrupt` swallowed there; the unraisable hook installed with the handler hides that
(no "Exception ignored ... Traceback" on stderr) and sends the signal again, so the work still stops at
the next ordinary line. Inside a `hipvision.io.shield.shielded` block (PyAV calling back into Python while
it writes a video, a MediaPipe call) the handler raises as the block ends instead.

A live run's frame loop asks instead (`polled`): the first signal is only noted and the loop ends after the
frame it is on, as the ``q`` key ends it; a second one raises as above. No exception is then ever raised
into a live frame's work. (Live runs stopped by a signal crashed natively, twice in five fresh-clone CI runs and 6
of 190 looped runs: OpenCV's binding calls ``PyObject_Str`` inside a text call, CPython runs pending signal
handlers there, and the binding dereferences the NULL the raised exception leaves. `hipvision.draw` also shields its
text calls, for file runs.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from hipvision.io.shield import is_shielded, when_unshielded

#: Signals that stop a run as Ctrl-C does (those this platform has).
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class SignalInterrupt(KeyboardInterrupt):
    """Raised for Ctrl-C, SIGTERM and SIGHUP while armed; every ``except KeyboardInterrupt`` sees it.

    A subclass on purpose: CPython notes a plain `KeyboardInterrupt` that passes through code a C
    extension ran with ``PyRun_*`` (some imports do) and then ends the process by SIGINT at exit,
    whatever exit code the program chose.
    """


class StopSignals:
    """The handler of `STOP_SIGNALS` for one CLI call: ``signum`` is the signal that stopped the work,
    ``pending`` one that came while disarmed."""

    def __init__(self) -> None:
        self.armed = False
        self.signum: int | None = None
        self.pending: int | None = None
        self._previous: dict[int, Any] = {}
        self._previous_unraisable: Any = None
        self._deferred = False  # a signal waits for the end of a `shielded` block
        self.polled = False  # a loop asks whether to stop (`polled`): the first signal is only noted

    def _handle(self, signum: int, frame: Any) -> None:
        if self.armed:
            if self.polled and self.signum is None:
                self.signum = signum  # the loop stops after its frame
                return
            self.signum = signum
            if is_shielded():  # inside a library's call back into Python (`hipvision.io.shield`): stop after it
                if not self._deferred:
                    self._deferred = True
                    when_unshielded(lambda: self._after_shield(signum))
                return
            raise SignalInterrupt
        if self.pending is not None:  # a second one while nothing can be stopped cleanly: go now
            signal.signal(signum, self._previous.get(signum, signal.SIG_DFL))
            os.kill(os.getpid(), signum)
            return
        self.pending = signum

    def _after_shield(self, signum: int) -> None:
        """The signal that came inside a `shielded` block, handled as the block ends."""
        self._deferred = False
        self._handle(signum, None)

    def _unraisable(self, unraisable: Any) -> None:
        """`sys.unraisablehook`: a `SignalInterrupt` swallowed by a callback is sent again, silently."""
        if isinstance(unraisable.exc_value, SignalInterrupt):
            if self.armed and self.signum is not None:  # sent again once this hook has returned
                self._send_again(self.signum)
            return
        (self._previous_unraisable or sys.__unraisablehook__)(unraisable)

    @staticmethod
    def _send_again(signum: int) -> None:
        """Send ``signum`` to this process again in 10 ms (from a timer thread)."""
        again = threading.Timer(0.01, os.kill, (os.getpid(), signum))
        again.daemon = True
        again.start()

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        self._previous_unraisable = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        for sig in STOP_SIGNALS:
            previous = signal.getsignal(sig)
            if previous is signal.SIG_IGN or (sig == signal.SIGINT and previous is not signal.default_int_handler):
                continue  # ignored on purpose, or someone else's Ctrl-C handler
            self._previous[sig] = previous
            signal.signal(sig, self._handle)

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()
        if self._previous_unraisable is not None:
            sys.unraisablehook = self._previous_unraisable
            self._previous_unraisable = None


_current: list[StopSignals] = []


@contextlib.contextmanager
def stop_signals(*, restore: bool = True) -> Iterator[StopSignals]:
    """Handle the stop signals for the block (disarmed; `armed` arms them around a command's work).

    ``restore=False`` leaves the (disarmed) handler in place after the block, for a process that exits
    right after: a signal then cannot break its shutdown.
    """
    stop = StopSignals()
    stop.install()
    _current.append(stop)
    try:
        yield stop
    finally:
        _current.remove(stop)
        if restore:
            stop.restore()


@contextlib.contextmanager
def armed() -> Iterator[StopSignals]:
    """Arm the handler of the current CLI call for the block (installing one if there is none: a command
    called without `hipvision.cli.main`, as typer's test runner does)."""
    with contextlib.ExitStack() as stack:
        stop = _current[-1] if _current else stack.enter_context(stop_signals())
        stop.armed = True
        try:
            yield stop
        finally:
            stop.armed = False


@contextlib.contextmanager
def polled() -> Iterator[Callable[[], bool]]:
    """For a loop that stops cleanly when asked (a live run's frames): in the block the first stop signal of the
    current CLI call is only noted, and the callable yielded says whether one came; a second one raises
    `SignalInterrupt` as usual. Without a CLI call's handler the callable always says no."""
    stop = _current[-1] if _current else None
    if stop is None:
        yield lambda: False
        return
    before, stop.polled = stop.polled, True
    try:
        yield lambda: stop.signum is not None
    finally:
        stop.polled = before
