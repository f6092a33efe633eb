"""Live counts that are the saved counts: the file analysis re-run on the poses so far, at a bounded cost.

The saved result of a live run is `analyze_circles` of every frame. A live view that shows the counts of
the same analysis, re-run on the frames so far, cannot drift from it. Re-running it on everything costs
about 1 ms per frame (5 minutes at 20 fps: about 6 s on 2 cores), so `RecountWindow` bounds it: once a
pause between sets (``quiet_s`` without a counted circle) lies more than ``horizon_s`` back, the circles
before it are *settled* (their counts are kept) and the next analyses start in that pause, as a recording
started there would (never in the middle of a set: an analysis that starts mid-set places its circles'
starts differently). A circle of an analysis counts when its middle lies after the settled point.

Circles an analysis closed only because the data ended while the last one was still going
(`CirclesResult.open_reps`) are left out until a later analysis sees them finished: a circle that is
turning back, or a sit-back that looks like the start of one, is not shown as done. Nor are circles that hang
on one crossing of the counter's gate (`CirclesResult.unsure_reps`, `analyze.gate_sensitive`): the saved
analysis, whose centre, circle radius and torso are medians over more frames, may fall on the other side.

    window = RecountWindow()
    seq = everything.from_time(window.start_s)     # the frames to analyse (adapter side)
    result = analyze_circles(seq)
    counts = window.update(result.reps, t_end_s=seq.timestamps_s[-1], open_reps=result.open_reps,
                           unsure=result.unsure_reps)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DIRECTIONS = ("clockwise", "counterclockwise")


@dataclass
class RecountWindow:
    """Which frames the next live re-analysis looks at, and the counts to show from each (seconds)."""

    horizon_s: float = 30.0  # a pause between sets this long before the newest frame settles what came before
    # (12 s let the next set's analyses start without the set before it, whose windows had confirmed that this
    # view under-reports depth: replaying 29 rendered videos, the shown counts ended off the saved ones in 7,
    # 3+0 for 3+3 twice; with 30 s in 2, both a circle the replay's data ended in; about 1 s per analysis at 30 fps)
    quiet_s: float = 2.0  # a pause between sets: this long between two counted circles (or after the last)
    settled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DIRECTIONS, 0))
    cut_s: float = -math.inf  # circles whose middle is before this are settled (counted in ``settled``)
    newest_end_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(DIRECTIONS, -math.inf))
    # when the newest circle each way that the latest `update` counted (not settled before) ended, seconds

    @property
    def start_s(self) -> float:
        """Analyse the frames from this time on (-inf: all of them)."""
        return self.cut_s

    def update(self, reps: list, t_end_s: float, open_reps: int = 0, unsure: tuple[int, ...] = ()) -> dict[str, int]:
        """Counts to show after an analysis of the frames from `start_s` to ``t_end_s``.

        ``reps``: its circles in time order (anything with ``direction``, ``start_s`` and ``end_s``), the
        last ``open_reps`` of them closed only because the data ended; ``unsure``: indices of circles that
        hang on one gate crossing (`CirclesResult.unsure_reps`): not counted (nor settled), but they are
        circles for finding the pauses between sets.
        """
        n_done = len(reps) - open_reps
        done = [r for r in reps[:n_done] if (r.start_s + r.end_s) / 2 > self.cut_s]
        new = [r for i, r in enumerate(reps[:n_done])
               if i not in unsure and (r.start_s + r.end_s) / 2 > self.cut_s]
        shown = dict(self.settled)
        self.newest_end_s = dict.fromkeys(DIRECTIONS, -math.inf)
        for r in new:
            shown[r.direction] += 1
            self.newest_end_s[r.direction] = max(self.newest_end_s[r.direction], r.end_s)
        cut = self._pause(done, list(reps[n_done:]), t_end_s)
        if cut is not None:
            for r in new:
                if (r.start_s + r.end_s) / 2 <= cut:
                    self.settled[r.direction] += 1
            self.cut_s = cut
        return shown

    def _pause(self, new: list, still_open: list, t_end_s: float) -> float | None:
        """A time in the latest pause between sets (``quiet_s`` or more without a counted circle) that lies
        ``horizon_s`` or more before ``t_end_s``: its middle, or ``horizon_s`` back if that is earlier (and
        still ``quiet_s / 2`` after the circle before it), or None."""
        ends = [self.cut_s] + [r.end_s for r in new]
        starts = [r.start_s for r in new] + [still_open[0].start_s if still_open else t_end_s]
        latest = t_end_s - self.horizon_s
        best = None
        for gap_start, gap_end in zip(ends, starts):
            if gap_end - gap_start >= self.quiet_s and gap_start + self.quiet_s / 2 <= latest:
                best = min((gap_start + gap_end) / 2, latest)
        return best



@dataclass
class SteadyCounts:
    """The counts to show from successive live analyses, per direction (seconds of frame time): the count shown
    goes up to what every analysis of the last ``up_after_s`` reached (0: at once), and down only once every
    analysis of the last ``down_after_s`` was below it (to the highest of them). An analysis's time is the end
    of the frames it analysed; "the last x s" reaches back to the latest analysis at least x s old, so a change
    needs analyses spanning x s, whatever their rate.

    Why: the analysis of the frames so far can count a circle and lose it again with where the data ends.
    On the squashed-depth 5 + 5 set at 45°, analysed every 0.1 s of frames, the first circle (closed 4.87 s)
    was counted at 5.3 and 5.5 s, not at 5.4 and 5.6-6.1 s, then from 6.2 s on except 6.8 s; in
    `samples/session.mp4` the first circle (closed 17.35 s) at 18.7-18.8 s, not at 18.9-20.3 s, then from
    20.4 s on. The depth rebuild needs one whole turn of the across motion between two upward zero crossings
    (`hipvision.core.circles.depth.cycle_signs`), which comes and goes with the last frames. Shown as analysed,
    the count stepped back and up again (and the spoken count repeated): in 10 of 32 replays
    (`benchmarks/live_saved.py`). Going down only after 2 s (the longest such gap measured: 1.5 s) took that to
    2 replays, both taking back the same circle that the analysis of all frames does not hold (shown for 10 s
    first), and cost no delay; waiting 0.5 s before going up as well left those 2 and added 0.5-1.2 s to the
    median delay of every replay.

        steady = SteadyCounts()
        shown = steady.update(window.update(result.reps, t_end_s, open_reps=result.open_reps), t_end_s,
                              window.newest_end_s)
    """

    up_after_s: float = 0.0
    down_after_s: float = 2.0
    fresh_s: float = 3.0  # with ``newest_end_s``: a count goes up at once only by one circle that ended this
    # recently before the analysis's last frame; any other rise waits for the next analysis to hold it too
    shown: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DIRECTIONS, 0))
    history: list[tuple[float, dict[str, int]]] = field(default_factory=list)  # (t_s, counts) of the analyses

    def update(self, counts: dict[str, int], t_s: float,
               newest_end_s: dict[str, float] | None = None) -> dict[str, int]:
        """The counts to show after an analysis of the frames up to ``t_s`` that gave ``counts``
        (``newest_end_s``: when its newest circle of each direction ended, seconds; None: every rise is fresh).

        A rise of more than one circle, or to a circle that ended more than ``fresh_s`` before ``t_s``, is
        shown only as far as the analysis before also reached: a circle closing is seen within about 1 s, so
        circles that appear seconds after they closed come from a decision about the whole recording that
        flipped with the last frames, and may flip back. `hip_circles_behind` replayed without 20% of its
        frames: the analyses of the frames to 24.00 and 24.07 s rebuilt the depth (the ratio 1.0 -> 0.22) and
        counted 3 + 3, those to 23.93 and 24.13 s 1 + 1 as saved; 3 + 3 was shown from 24.07 s to the end."""
        self.history.append((float(t_s), {k: int(counts.get(k, 0)) for k in DIRECTIONS}))
        up, down = self._since(self.up_after_s), self._since(self.down_after_s)
        before = self.history[-2][1] if len(self.history) >= 2 else dict.fromkeys(DIRECTIONS, 0)
        for k in DIRECTIONS:
            rise = min(c[k] for c in up) if up else self.shown[k]
            if rise > self.shown[k] and newest_end_s is not None and not (
                    rise == self.shown[k] + 1 and t_s - newest_end_s.get(k, -math.inf) <= self.fresh_s):
                rise = min(rise, before[k])
            if rise > self.shown[k]:
                self.shown[k] = rise
            elif down and max(c[k] for c in down) < self.shown[k]:
                self.shown[k] = max(c[k] for c in down)
        keep = max(self.up_after_s, self.down_after_s)
        while len(self.history) > 2 and self.history[1][0] <= t_s - keep:
            self.history.pop(0)
        return dict(self.shown)

    def _since(self, span_s: float) -> list[dict[str, int]]:
        """The counts of the analyses of the last ``span_s`` (back to the latest at least that old), or [] when
        no analysis is that old yet."""
        t_now = self.history[-1][0]
        if span_s <= 0:
            return [self.history[-1][1]]
        old = [i for i, (t, _) in enumerate(self.history) if t <= t_now - span_s]
        return [c for _, c in self.history[old[-1]:]] if old else []
