"""Where a set of hip circles starts and ends: the radius of the circles being made, from a first pass.

A set starts from the still start position, moves out onto the circle, circles, and comes back (or sits
back toward the heels before the next set). The start position is near the centre of the circles, so
the moves onto and off the circle start or end *inside* it, while a circle keeps to its radius. With
the radius of the circles known around each moment (`circle_radius_reference`, from the circles a
first counting pass found), the counter's gate rises to a fraction of it
(`CounterSettings.gate_enter_of_circle`): the still start, the lead-in and the lead-out no longer turn
the phase, so the first circle starts where the circling starts and the last one ends where it closes.
"""

from __future__ import annotations

import numpy as np

from hipvision.core.circles.counting import RepSpan
from hipvision.core.circles.trajectory import CircleTrack, segments


#: How far before a tracked stretch's first circle and after its last (in circles of the stretch's median time) the
#: first pass's circle radius is held (`circle_radius_reference`).
HOLD_CIRCLES = 2.0


def circle_radius_reference(track: CircleTrack, reps: list[RepSpan], *, max_gap_s: float,
                            hold_circles: float = HOLD_CIRCLES) -> np.ndarray:
    """(T,) radius of the circles made around each frame, metres (NaN where none were found).

    Each circle's radius is the median distance of its valid samples from ``track.centre_m``; within
    each tracked stretch that has circles it is interpolated in time between their midpoints, and held
    ``hold_circles`` circles' time (the stretch's median) before the first and after the last; elsewhere NaN
    (the counter then keeps its fixed gate, so rocking and holds are judged exactly as without a first pass).

    Why not held to the stretch's ends: a set the first pass did not count took the gate of another, bigger set
    (rendered high side-on and behind from a shelf, seeds 10019 and 10013: a second set smaller than the first,
    5.4 × 4.0 cm against 5.5 × 7.1 cm and 5.5 × 6.0 against 9.2 × 7.6, under a gate at 0.45 of the first set's
    radius, dipped into it every turn and was lost: 2 + 0 for 2 + 2).
    """
    t = track.t_s
    out = np.full(len(t), np.nan)
    if not reps:
        return out
    seg = segments(t, track.valid, max_gap_s=max_gap_s)
    found: dict[int, list[tuple[float, float]]] = {}
    for span in reps:
        sl = slice(span.start_index, span.end_index + 1)
        d = (track.pelvis_m[sl] - track.centre_m[sl])[track.valid[sl]]
        r = np.hypot(d[:, 0], d[:, 1])
        r = r[np.isfinite(r)]
        if len(r):
            found.setdefault(int(seg[span.start_index]), []).append(((span.start_s + span.end_s) / 2,
                                                                     float(np.median(r))))
    for sid, pts in found.items():
        rows = seg == sid
        out[rows] = np.interp(t[rows], [p[0] for p in pts], [p[1] for p in pts])
        spans = [r for r in reps if int(seg[r.start_index]) == sid]
        reach = hold_circles * float(np.median([r.end_s - r.start_s for r in spans]))
        near = (t >= spans[0].start_s - reach) & (t <= spans[-1].end_s + reach)
        out[rows & ~near] = np.nan
    return out
