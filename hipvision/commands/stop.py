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

During a live run (`signals_on_a_thread`) the signals are blocked in every thread the run starts and taken by
one waiting thread, which hands each to the same handler on the main thread: a signal then never lands
inside native code (a live run's main thread is mostly in MediaPipe, OpenCV's text drawing or PyAV).
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
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

    def _handle(self, signum: int, frame: Any) -> None:
        if self.armed:
            self.signum = signum
            if is_shielded():  # inside a library's call back into Python (`hipvision.io.shield`): stop after it
                if not self._deferred:
                    self._deferred = True
                    when_unshielded(lambda: self._after_shield(signum))
                return
            raise SignalInterrupt
        if self.pending is not None:  # a second one while nothing can be stopped cleanly: go now
            signal.signal(signum, self._previous.get(signum, signal.SIG_DFL))
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})  # in case `signals_on_a_thread` blocked it
            signal.raise_signal(signum)
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
def signals_on_a_thread() -> Iterator[None]:
    """For the block, the stop signals (those the current CLI call handles) are blocked in the calling (main)
    thread and every thread started inside the block, native ones included, and one thread waits for them
    (`signal.sigwait`) and has the handler run on the main thread at its next Python line
    (`_thread.interrupt_main`), as a signal delivered there would. So a stop signal never interrupts native
    code: on Linux it lands on the main thread if it can, and a live run's main thread is mostly inside a
    C++ library. (A fresh-clone CI run crashed natively twice in 5 runs when a live run was stopped by a
    signal, once with the main thread inside OpenCV's `getTextSize`.)

    A blocking call on the main thread is no longer cut short by the signal (it ends first): live loops wait
    at most a frame. Child processes started in the block inherit the blocked signals; those of a live run
    (speech synthesis, the display probe) end on their own. Nothing changes off the main thread, without a
    CLI call's handler, or where the platform lacks `signal.sigwait`.
    """
    stop = _current[-1] if _current else None
    sigs = set(stop._previous) if stop is not None else set()
    if not sigs or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "sigwait"):
        yield
        return
    done = threading.Event()

    def wait() -> None:
        while True:
            signum = signal.sigwait(sigs)
            if done.is_set():
                return
            _thread.interrupt_main(signum)

    before = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    waiter = threading.Thread(target=wait, name="hipvision-signals", daemon=True)
    waiter.start()
    try:
        yield
    finally:
        done.set()
        signal.pthread_kill(waiter.ident, next(iter(sigs)))  # wakes the waiter (a signal to it alone)
        waiter.join()
        signal.pthread_sigmask(signal.SIG_SETMASK, before)  # one that came meanwhile is handled now
