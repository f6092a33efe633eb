"""Scene scripts: what the rendered person does, frame by frame, and the truth it implies (numpy only).

A video is a list of segments played one after another (hard cuts between them):

* `Seated`: sitting on a box; hip internal-rotation *efforts* per leg (swing in,
  hold, return). IR is in degrees, positive = foot lateral (internal rotation),
  negative = external rotation.
* `Quadruped`: on hands and knees; the hip midpoint moves in the body's
  horizontal plane — *circle sets*, optional forward/back *rocking*, pauses and
  sit-backs. Offsets are in cm: forward = toward the head, right = the person's right.
  Clockwise = forward → right → back → left, seen from above with the head at 12 o'clock.
* `Standing`: standing still with a little sway.

`evaluate` turns a script into per-frame tracks (`Tracks`) and the truth lists
(efforts, circles) with times on the video's clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LEGS = ("left", "right")
DIRECTIONS = ("clockwise", "counterclockwise")


def smoothstep(x: np.ndarray) -> np.ndarray:
    """Minimum-jerk ramp 0→1 for x in 0..1 (clipped outside)."""
    x = np.clip(x, 0.0, 1.0)
    return x ** 3 * (10 - 15 * x + 6 * x ** 2)


@dataclass(frozen=True)
class Effort:
    """One IR effort of one leg: rotate in over ``rise_s``, hold ``hold_s``, return over ``fall_s``.

    Times are seconds from the start of the segment; ``angle_deg`` is the held angle
    (+ = internal rotation). ``tremor_deg`` is the size of a slow wobble during the hold.
    """

    leg: str
    angle_deg: float
    start_s: float
    rise_s: float = 0.8
    hold_s: float = 2.0
    fall_s: float = 0.8
    tremor_deg: float = 0.6

    def __post_init__(self) -> None:
        if self.leg not in LEGS:
            raise ValueError(f"leg must be one of {LEGS}, got {self.leg!r}")
        if min(self.rise_s, self.hold_s, self.fall_s) <= 0:
            raise ValueError("rise_s, hold_s and fall_s must be positive")

    @property
    def hold_start_s(self) -> float:
        return self.start_s + self.rise_s

    @property
    def hold_end_s(self) -> float:
        return self.hold_start_s + self.hold_s

    @property
    def end_s(self) -> float:
        return self.hold_end_s + self.fall_s

    def angle_at(self, t_s: np.ndarray) -> np.ndarray:
        """(T,) angle in degrees at segment times ``t_s`` (0 outside the effort)."""
        t = np.asarray(t_s, float)
        up = smoothstep((t - self.start_s) / self.rise_s)
        down = 1.0 - smoothstep((t - self.hold_end_s) / self.fall_s)
        envelope = np.where(t < self.hold_end_s, up, down)
        hold = (t >= self.hold_start_s) & (t <= self.hold_end_s)
        wobble = self.tremor_deg * np.sin(2 * np.pi * (t - self.hold_start_s) / max(self.hold_s, 1e-6) * 2)
        return self.angle_deg * envelope + np.where(hold, wobble, 0.0)


@dataclass(frozen=True)
class Seated:
    """Sitting on a box edge for ``duration_s`` with IR ``efforts`` (either leg, possibly overlapping)."""

    duration_s: float
    efforts: tuple[Effort, ...] = ()
    lean_deg: float = 3.0
    heading_deg: float = 0.0
    drift_deg: float = 0.0
    kind: str = field(default="seated", init=False)


@dataclass(frozen=True)
class CircleSet:
    """``count`` pelvis circles in one direction, starting ``start_s`` into the segment.

    The path is an ellipse centred ``centre_forward_cm`` in front of the neutral
    spot, with semi-axes ``radius_forward_cm`` (forward/back) and ``radius_right_cm``
    (sideways). Each circle takes ``period_s`` times its entry in ``tempo_jitter``
    (1.0 when absent). The set starts and ends at the neutral spot: a ``lead_s``
    straight move out to the front of the ellipse and back in.
    """

    direction: str
    count: int
    start_s: float
    period_s: float = 2.8
    radius_forward_cm: float = 8.0
    radius_right_cm: float = 8.0
    centre_forward_cm: float = 0.0
    lead_s: float = 0.6
    tempo_jitter: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if self.count < 1 or self.period_s <= 0 or self.lead_s <= 0:
            raise ValueError("count must be >= 1 and period_s, lead_s positive")

    def periods_s(self) -> np.ndarray:
        """(count,) duration of each circle, seconds."""
        j = np.ones(self.count) if not self.tempo_jitter else np.asarray(self.tempo_jitter[:self.count], float)
        if len(j) != self.count:
            raise ValueError("tempo_jitter needs one entry per circle")
        return self.period_s * j

    @property
    def circles_start_s(self) -> float:
        return self.start_s + self.lead_s

    @property
    def circles_end_s(self) -> float:
        return self.circles_start_s + float(self.periods_s().sum())

    @property
    def end_s(self) -> float:
        return self.circles_end_s + self.lead_s

    def point(self, theta_rad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(forward_cm, right_cm) on the ellipse at phase ``theta_rad`` (0 = front; + = clockwise)."""
        return (self.centre_forward_cm + self.radius_forward_cm * np.cos(theta_rad),
                self.radius_right_cm * np.sin(theta_rad))

    def mean_radius_cm(self) -> float:
        """Mean distance of the path from its centre over one circle (= radius for a circle)."""
        theta = np.linspace(0, 2 * np.pi, 721)[:-1]
        f, r = self.point(theta)
        return float(np.mean(np.hypot(f - self.centre_forward_cm, r)))


@dataclass(frozen=True)
class Hold:
    """Hold the pelvis at an offset (e.g. a sit-back toward the heels) between ``start_s`` and ``end_s``.

    Moves there over ``move_s`` and back over ``move_s`` (inside the window).
    """

    start_s: float
    end_s: float
    forward_cm: float = -14.0
    right_cm: float = 0.0
    move_s: float = 0.8


@dataclass(frozen=True)
class Rocking:
    """Forward/back rocking (no circling): ``forward = amplitude * sin(2π t / period)`` between start and end."""

    start_s: float
    end_s: float
    amplitude_cm: float = 8.0
    period_s: float = 2.5
    sideways_cm: float = 0.5


@dataclass(frozen=True)
class Quadruped:
    """On hands and knees for ``duration_s``: circle sets, holds and rocking (non-overlapping)."""

    duration_s: float
    circle_sets: tuple[CircleSet, ...] = ()
    holds: tuple[Hold, ...] = ()
    rocking: tuple[Rocking, ...] = ()
    heading_deg: float = 90.0
    kind: str = field(default="quadruped", init=False)


@dataclass(frozen=True)
class Standing:
    """Standing still for ``duration_s`` with a slow sway of ``sway_cm``."""

    duration_s: float
    sway_cm: float = 1.0
    heading_deg: float = 0.0
    kind: str = field(default="standing", init=False)


Segment = Seated | Quadruped | Standing


@dataclass
class Tracks:
    """Per-frame state of a scripted video (T frames).

    Attributes:
        t_s: (T,) frame times, seconds.
        segment: (T,) index of the segment each frame belongs to.
        ir_left_deg, ir_right_deg: (T,) hip IR per leg (NaN outside seated segments).
        forward_cm, right_cm: (T,) pelvis offset (NaN outside quadruped segments).
        rep: (T,) 1-based circle number being drawn, 0 when none.
        sway: (T, 2) standing sway (forward, right) in cm (NaN outside standing segments).
    """

    t_s: np.ndarray
    segment: np.ndarray
    ir_left_deg: np.ndarray
    ir_right_deg: np.ndarray
    forward_cm: np.ndarray
    right_cm: np.ndarray
    rep: np.ndarray
    sway: np.ndarray


def segment_starts(segments: list[Segment] | tuple[Segment, ...]) -> np.ndarray:
    """(N + 1,) start time of each segment on the video clock, plus the end."""
    return np.concatenate([[0.0], np.cumsum([s.duration_s for s in segments])])


def frame_count(segments, fps: float) -> int:
    """Number of frames of the whole script at ``fps``."""
    return int(round(segment_starts(segments)[-1] * fps))


def _quadruped_track(seg: Quadruped, t: np.ndarray, first_rep: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    fwd, right, rep = np.zeros_like(t), np.zeros_like(t), np.zeros(len(t), int)
    number = first_rep
    for cs in seg.circle_sets:
        f0, r0 = cs.point(0.0)
        lead_in = (t >= cs.start_s) & (t < cs.circles_start_s)
        k = smoothstep((t[lead_in] - cs.start_s) / cs.lead_s)
        fwd[lead_in], right[lead_in] = k * f0, k * r0
        edges = cs.circles_start_s + np.concatenate([[0.0], np.cumsum(cs.periods_s())])
        sign = 1.0 if cs.direction == "clockwise" else -1.0
        for i in range(cs.count):
            sel = (t >= edges[i]) & (t < edges[i + 1])
            theta = sign * 2 * np.pi * (t[sel] - edges[i]) / (edges[i + 1] - edges[i])
            fwd[sel], right[sel] = cs.point(theta)
            rep[sel] = number
            number += 1
        lead_out = (t >= cs.circles_end_s) & (t < cs.end_s)
        k = 1.0 - smoothstep((t[lead_out] - cs.circles_end_s) / cs.lead_s)
        fwd[lead_out], right[lead_out] = k * f0, k * r0
    for h in seg.holds:
        sel = (t >= h.start_s) & (t < h.end_s)
        k = np.minimum(smoothstep((t[sel] - h.start_s) / h.move_s), 1 - smoothstep((t[sel] - h.end_s + h.move_s) / h.move_s))
        fwd[sel], right[sel] = k * h.forward_cm, k * h.right_cm
    for rk in seg.rocking:
        sel = (t >= rk.start_s) & (t < rk.end_s)
        ramp = np.minimum(smoothstep((t[sel] - rk.start_s) / 0.5), 1 - smoothstep((t[sel] - rk.end_s + 0.5) / 0.5))
        fwd[sel] = ramp * rk.amplitude_cm * np.sin(2 * np.pi * (t[sel] - rk.start_s) / rk.period_s)
        right[sel] = ramp * rk.sideways_cm * np.sin(2 * np.pi * (t[sel] - rk.start_s) / (rk.period_s * 3.7))
    return fwd, right, rep


def evaluate(segments, fps: float) -> Tracks:
    """Per-frame tracks of ``segments`` (played back to back) at ``fps``."""
    starts = segment_starts(segments)
    n = frame_count(segments, fps)
    t = np.arange(n) / fps
    seg_idx = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(segments) - 1)
    nan = np.full(n, np.nan)
    tracks = Tracks(t, seg_idx, nan.copy(), nan.copy(), nan.copy(), nan.copy(), np.zeros(n, int),
                    np.full((n, 2), np.nan))
    first_rep = 1
    for i, seg in enumerate(segments):
        sel = seg_idx == i
        local = t[sel] - starts[i]
        if isinstance(seg, Seated):
            for leg, out in (("left", tracks.ir_left_deg), ("right", tracks.ir_right_deg)):
                phase = 0.0 if leg == "left" else 1.7
                angle = seg.drift_deg * np.sin(2 * np.pi * local / 6.3 + phase)
                for e in seg.efforts:
                    if e.leg == leg:
                        angle += e.angle_at(local)
                out[sel] = angle
        elif isinstance(seg, Quadruped):
            f, r, rep = _quadruped_track(seg, local, first_rep)
            tracks.forward_cm[sel], tracks.right_cm[sel] = f, r
            tracks.rep[sel] = rep
            first_rep += sum(cs.count for cs in seg.circle_sets)
        elif isinstance(seg, Standing):
            w = 2 * np.pi * local
            tracks.sway[sel] = seg.sway_cm * np.stack([np.sin(w / 4.1), 0.6 * np.sin(w / 5.3 + 1.0)], axis=1)
    return tracks


def effort_truth(segments) -> list[dict]:
    """Every IR effort on the video clock: leg, hold window (start_s/end_s), motion window, held angle."""
    starts = segment_starts(segments)
    out = []
    for i, seg in enumerate(segments):
        if not isinstance(seg, Seated):
            continue
        for e in sorted(seg.efforts, key=lambda e: (e.start_s, e.leg)):
            off = starts[i]
            out.append({"leg": e.leg, "start_s": round(off + e.hold_start_s, 3), "end_s": round(off + e.hold_end_s, 3),
                        "move_start_s": round(off + e.start_s, 3), "move_end_s": round(off + e.end_s, 3),
                        "held_deg": round(e.angle_deg, 2), "peak_deg": round(e.angle_deg + abs(e.tremor_deg), 2)
                        if e.angle_deg >= 0 else round(e.angle_deg, 2), "segment": i})
    return out


def circle_truth(segments) -> list[dict]:
    """Every full circle on the video clock: number, direction, start/end, radius and shape."""
    starts = segment_starts(segments)
    out = []
    for i, seg in enumerate(segments):
        if not isinstance(seg, Quadruped):
            continue
        for cs in seg.circle_sets:
            edges = starts[i] + cs.circles_start_s + np.concatenate([[0.0], np.cumsum(cs.periods_s())])
            for k in range(cs.count):
                out.append({
                    "index": len(out) + 1, "direction": cs.direction,
                    "start_s": round(float(edges[k]), 3), "end_s": round(float(edges[k + 1]), 3),
                    "duration_s": round(float(edges[k + 1] - edges[k]), 3),
                    "radius_cm": round(cs.mean_radius_cm(), 2),
                    "radius_forward_cm": cs.radius_forward_cm, "radius_right_cm": cs.radius_right_cm,
                    "centre_forward_cm": cs.centre_forward_cm,
                    "area_cm2": round(float(np.pi * cs.radius_forward_cm * cs.radius_right_cm), 1),
                    "sit_back_cm": round(max(0.0, cs.radius_forward_cm - cs.centre_forward_cm), 2),
                    "segment": i,
                })
    return out
