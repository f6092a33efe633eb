"""Live counts that are the saved counts: the file analysis re-run on the poses so far, at a bounded cost.

The saved result of a live run is `analyze_circles` of every frame. A live view that shows the counts of
the same analysis, re-run on the frames so far, cannot drift from it. Re-running it on everything costs
about 1 ms per frame (5 minutes at 20 fps: about 6 s on 2 cores), so `RecountWindow` bounds it: circles
that ended more than ``horizon_s`` before the newest frame are *settled* (their counts are kept), and each
analysis looks only at the frames from ``margin_s`` before the last settled circle on (room for the
moving centre and the depth windows to settle before the circles that still count). A circle of a window
analysis is new when its middle lies after the settled point (the window's own version of the last
settled circle does not).

    window = RecountWindow()
    seq = everything.slice_from(window.start_s)      # the frames to analyse (adapter side)
    counts = window.update(analyze_circles(seq).reps, t_end_s=seq.timestamps_s[-1])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DIRECTIONS = ("clockwise", "counterclockwise")


@dataclass
class RecountWindow:
    """Which frames the next live re-analysis looks at, and the counts to show from each (seconds)."""

    horizon_s: float = 20.0  # circles that ended this long before the newest frame are settled
    margin_s: float = 10.0  # an analysis starts this long before the settled point
    settled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DIRECTIONS, 0))
    cut_s: float = -math.inf  # circles whose middle is before this are settled (counted in ``settled``)

    @property
    def start_s(self) -> float:
        """Analyse the frames from this time on (-inf: all of them)."""
        return self.cut_s - self.margin_s

    def update(self, reps: list, t_end_s: float) -> dict[str, int]:
        """Counts to show after an analysis of the frames from `start_s` to ``t_end_s``.

        ``reps``: its circles (anything with ``direction``, ``start_s`` and ``end_s``), in time order.
        Circles of it that ended ``horizon_s`` before ``t_end_s`` are settled for the next analyses.
        """
        new = [r for r in reps if (r.start_s + r.end_s) / 2 > self.cut_s]
        shown = dict(self.settled)
        for r in new:
            shown[r.direction] += 1
        done = [r for r in new if r.end_s <= t_end_s - self.horizon_s]
        if done:
            for r in done:
                self.settled[r.direction] += 1
            self.cut_s = max(r.end_s for r in done)
        elif not new and t_end_s - self.horizon_s > self.cut_s:
            self.cut_s = t_end_s - self.horizon_s  # nothing circling lately: do not look back further
        return shown
