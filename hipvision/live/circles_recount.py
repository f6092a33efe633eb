"""The live circles counts, from the file analysis re-run on the poses so far on a worker thread.

`BackgroundRecount.step` is called on the live loop's thread once per frame: it takes the counts of the
latest finished analysis and, every ``every_s`` of frame time when none is running, hands the frames of
the next one (`hipvision.core.circles.recount.RecountWindow`) to a worker thread. Frames may arrive faster
than the analysis runs (a video played as a camera): the counts are always those of the latest *finished*
analysis. `final` waits for the worker and analyses every frame: the saved result, and the last counts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import numpy as np

from hipvision.core.circles import CircleRep, CirclesResult, CirclesSettings, analyze_circles
from hipvision.core.circles.recount import DIRECTIONS, RecountWindow, SteadyCounts
from hipvision.core.posture_check import RECORDING
from hipvision.sequence import PoseSequence, effective_fps


#: Seconds before the end of an analysis's frames within which an unsure circle ended makes the next analysis
#: come sooner (`BackgroundRecount`): the frames there are still smoothed from one side (a 1.5 Hz zero-phase
#: low-pass), which is what swings such a circle across the gate (`hip_circles_behind`: its first circle, closed
#: 4.47 s, unsure in the analyses of the frames to 5.40 and 5.47 s, not from 5.53 s on).
UNSURE_RECENT_S = 2.0


class BackgroundRecount:
    """Counts to show live, each from a finished `analyze_circles` of the frames so far (see the module)."""

    def __init__(self, *, settings: CirclesSettings = CirclesSettings(), every_s: float = 0.5,
                 unsure_every_s: float = 0.1, window: RecountWindow | None = None,
                 steady: SteadyCounts | None = None, pool: Executor | None = None,
                 command_input: str = RECORDING,
                 wording: Callable[[CirclesResult], CirclesResult] | None = None) -> None:
        """``every_s``: frame time between analyses, seconds (``unsure_every_s`` after one that did not show a
        circle ended in its last `UNSURE_RECENT_S` because it hung on one gate crossing,
        `CirclesResult.unsure_reps`: the next frames usually settle it); ``steady``: when the analyses' counts
        change what is shown (default `SteadyCounts()`: up at once, down only after 2 s of analyses below);
        ``pool``: runs them (default: one worker thread; `FrameTimePool` replays on frame time);
        ``command_input``: how the commands a wrong-posture result names take their input (a live run's own, e.g.
        "--camera 0"; `posture_check.PostureMismatch`); ``wording``: applied to each analysis (a session's
        `in_session`: the advice moves the person, not the camera)."""
        self.settings, self.every_s, self.unsure_every_s = settings, every_s, unsure_every_s
        self.command_input = command_input
        self.wording = wording
        self.window = window if window is not None else RecountWindow()
        self.steady = steady if steady is not None else SteadyCounts()
        self.counts: dict[str, int] = dict.fromkeys(DIRECTIONS, 0)
        self.latest: CirclesResult | None = None  # the latest finished analysis (its confidence, for the view)
        self.last_rep: CircleRep | None = None  # the latest circle counted (its verdict and size, for the view)
        self.costs: list[tuple[int, float]] = []  # (frames analysed, milliseconds) of each analysis
        self._pool = pool if pool is not None else ThreadPoolExecutor(max_workers=1,
                                                                      thread_name_prefix="hipvision-recount")
        self._running: Future | None = None
        self._last_start_t = -math.inf

    def step(self, t_s: float, frames: Callable[[], PoseSequence]) -> bool:
        """Once per frame (``t_s``: its time): take a finished analysis, start the next when due.

        ``frames`` builds the sequence of every frame so far (called only when an analysis starts).
        Returns True when the counts changed.
        """
        changed = False
        if self._running is not None and self._running.done():
            result, t_end = self._running.result()
            self._running = None
            changed = self._take(result, t_end)
        every_s = self.unsure_every_s if self._just_unsure() else self.every_s
        if self._running is None and t_s - self._last_start_t >= every_s:
            seq = self._window_of(frames())
            if len(seq) >= 2:
                self._last_start_t = t_s
                self._running = self._pool.submit(self._analyse, seq)
        return changed

    def final(self, seq: PoseSequence) -> CirclesResult:
        """Wait for the running analysis, then analyse every frame of ``seq``: the saved result; the counts
        become its counts."""
        if self._running is not None:
            self._running.result()
            self._running = None
        result, _ = self._analyse(effective_fps(seq), open_end=False)
        self.latest = result
        self.counts = {"clockwise": result.clockwise, "counterclockwise": result.counterclockwise}
        self.last_rep = result.reps[-1] if result.reps else None
        return result

    def close(self) -> None:
        """Stop the worker (a running analysis is finished and dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._running = None

    def _just_unsure(self) -> bool:
        """Whether the latest analysis left out a circle that ended in its last `UNSURE_RECENT_S` as unsure."""
        r = self.latest
        return (r is not None and len(r.t_s) > 0
                and any(r.reps[i].end_s >= r.t_s[-1] - UNSURE_RECENT_S for i in r.unsure_reps))

    def _take(self, result: CirclesResult, t_end: float) -> bool:
        analysed = self.window.update(result.reps, t_end, open_reps=result.open_reps,
                                      unsure=tuple(sorted({*result.unsure_reps, *result.held_reps})))
        counts = self.steady.update(analysed, t_end, self.window.newest_end_s)
        done = result.reps[:len(result.reps) - result.open_reps]
        # the last circle counted, from an analysis whose counts are those shown (the circles settled before its
        # frames stay shown)
        if analysed == counts and (done or not any(counts.values())):
            self.last_rep = done[-1] if done else None
        self.latest = result
        changed = counts != self.counts
        self.counts = counts
        return changed

    def _window_of(self, seq: PoseSequence) -> PoseSequence:
        start = int(np.searchsorted(seq.timestamps_s, self.window.start_s)) if len(seq) else 0
        return effective_fps(seq.slice(start, len(seq)) if start > 0 else seq)

    def _analyse(self, seq: PoseSequence, *, open_end: bool = True) -> tuple[CirclesResult, float]:
        """``open_end``: the recording goes on after ``seq`` (the set under way is not judged by its end)."""
        t0 = time.perf_counter()
        result = analyze_circles(seq, settings=self.settings, open_end=open_end, command_input=self.command_input)
        if self.wording is not None:
            result = self.wording(result)
        self.costs.append((len(seq), 1000 * (time.perf_counter() - t0)))
        return result, float(seq.timestamps_s[-1]) if len(seq) else -math.inf


class FrameTimePool(Executor):
    """Runs each analysis at once on the caller's thread, but reports it finished only once the frame clock
    ``now_s`` (set by the caller before each frame) has passed its start plus ``lag_s(frames analysed)``:
    a replay on frame time, deterministic, of a machine on which an analysis of n frames takes ``lag_s(n)``
    seconds (tests, benchmarks). ``lag_s=None``: finished at the next frame."""

    def __init__(self, lag_s: Callable[[int], float] | None = None) -> None:
        self.lag_s = lag_s
        self.now_s = -math.inf

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = _ClockedFuture(self, self.now_s)
        seq = args[0] if args else None
        future.ready_s = self.now_s + (self.lag_s(len(seq)) if self.lag_s is not None and seq is not None else 0.0)
        future.set_result(fn(*args, **kwargs))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass


class _ClockedFuture(Future):
    def __init__(self, pool: FrameTimePool, start_s: float) -> None:
        super().__init__()
        self.pool, self.ready_s = pool, start_s

    def done(self) -> bool:
        return super().done() and self.pool.now_s >= self.ready_s
