"""Scripts for the pelvis of a synthetic quadruped: holds, circles (round or elliptical), rocking, sit-backs,
fidgets and standing up, timed at a frame rate, with the true reps and partial circles they contain."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Hold:
    """Stay still in the start position (hips over knees)."""

    duration_s: float = 1.5


@dataclass(frozen=True)
class Circles:
    """``n`` turns of the pelvis (a fractional ``n`` ends with a partial circle).

    The ellipse has equal-area radius ``radius_m`` (semi-axes radius/√ratio and
    radius·√ratio), so the true radius is ``radius_m`` whatever ``minor_ratio``.
    """

    n: float
    radius_m: float = 0.10
    clockwise: bool = True
    period_s: float | tuple[float, float] = 4.0  # seconds per turn, or (first, last) changing linearly
    minor_ratio: float = 1.0
    major_axis_deg: float = 0.0  # 0 = long axis forward–back, 90 = side to side
    start_deg: float = 180.0  # 0 forward, 90 right, 180 back
    centre_back_m: float = 0.0  # circle centre behind the start position (sitting back)
    pauses: tuple[tuple[float, float], ...] = ()  # (turns done, seconds still)
    lead_s: float = 0.6  # move from the current position to the circle
    return_to_centre: bool = True


@dataclass(frozen=True)
class Rock:
    """Rock back and forth along a line (not a circle): ``n`` cycles."""

    n: int = 5
    amplitude_m: float = 0.08
    period_s: float = 3.0
    axis_deg: float = 0.0  # 0 forward–back, 90 side to side


@dataclass(frozen=True)
class SitBack:
    """Sit back toward the heels (straight back, ``back_m``), hold, and come forward to the start position,
    as between two sets: ``move_s`` each way, ``hold_s`` still at the back."""

    back_m: float = 0.14
    hold_s: float = 1.5
    move_s: float = 0.8


@dataclass(frozen=True)
class Fidget:
    """Small random shifts of the pelvis (std about ``amplitude_m``)."""

    duration_s: float = 10.0
    amplitude_m: float = 0.01
    seed: int = 0


@dataclass(frozen=True)
class StandUp:
    """Get up, stand (swaying) and get back down into the start position."""

    duration_s: float = 6.0
    transition_s: float = 1.5


@dataclass(frozen=True)
class TrueRep:
    direction: str  # "clockwise" | "counterclockwise"
    start_s: float
    end_s: float
    radius_m: float
    roundness: float


@dataclass(frozen=True)
class TruePartial:
    direction: str
    fraction: float


@dataclass
class PelvisScript:
    """Per-frame pelvis path and the answers the analysis should find.

    Attributes:
        t_s: (T,) seconds.
        offset_m: (T, 2) pelvis offset from the start position, [forward, right], metres.
        stand: (T,) 0 = on hands and knees, 1 = standing (blend during transitions).
        reps, partials: the true complete circles and partial circles.
    """

    t_s: np.ndarray
    offset_m: np.ndarray
    stand: np.ndarray
    reps: list[TrueRep] = field(default_factory=list)
    partials: list[TruePartial] = field(default_factory=list)

    @property
    def clockwise(self) -> int:
        return sum(r.direction == "clockwise" for r in self.reps)

    @property
    def counterclockwise(self) -> int:
        return sum(r.direction == "counterclockwise" for r in self.reps)

    @property
    def directions(self) -> list[str]:
        return [r.direction for r in self.reps]


def _ellipse_point(seg: Circles, theta_deg: float) -> np.ndarray:
    a = seg.radius_m / np.sqrt(seg.minor_ratio)
    b = seg.radius_m * np.sqrt(seg.minor_ratio)
    m = np.radians(seg.major_axis_deg)
    u = np.radians(theta_deg) - m
    lx, ly = a * np.cos(u), b * np.sin(u)
    return np.array([lx * np.cos(m) - ly * np.sin(m) - seg.centre_back_m, lx * np.sin(m) + ly * np.cos(m)])


def _smoothstep(s: np.ndarray) -> np.ndarray:
    s = np.clip(s, 0.0, 1.0)
    return s * s * (3 - 2 * s)


class _Builder:
    def __init__(self, fps: float):
        self.dt = 1.0 / fps
        self.pos: list[np.ndarray] = []
        self.stand: list[float] = []
        self.reps: list[TrueRep] = []
        self.partials: list[TruePartial] = []

    @property
    def t(self) -> float:
        return len(self.pos) * self.dt

    @property
    def here(self) -> np.ndarray:
        return self.pos[-1] if self.pos else np.zeros(2)

    def add(self, p: np.ndarray, stand: float = 0.0) -> None:
        self.pos.append(np.asarray(p, float))
        self.stand.append(stand)

    def move_to(self, target: np.ndarray, duration_s: float) -> None:
        start = self.here.copy()
        n = int(round(duration_s / self.dt))
        for k in range(1, n + 1):
            self.add(start + (target - start) * _smoothstep(k / n))

    def hold(self, duration_s: float) -> None:
        here = self.here.copy()
        for _ in range(int(round(duration_s / self.dt))):
            self.add(here)

    def circles(self, seg: Circles) -> None:
        sign = 1.0 if seg.clockwise else -1.0
        direction = "clockwise" if seg.clockwise else "counterclockwise"
        p0, p1 = (seg.period_s, seg.period_s) if np.isscalar(seg.period_s) else seg.period_s
        start = _ellipse_point(seg, seg.start_deg)
        if np.linalg.norm(start - self.here) > 1e-9:
            self.move_to(start, seg.lead_s)
        turns, pauses = 0.0, sorted(seg.pauses)
        rep_start = self.t
        while turns < seg.n - 1e-12:
            if pauses and turns >= pauses[0][0]:
                self.hold(pauses.pop(0)[1])
            period = p0 + (p1 - p0) * min(turns / max(seg.n, 1e-9), 1.0)
            step = min(self.dt / period, seg.n - turns)
            before = turns
            turns += step
            self.add(_ellipse_point(seg, seg.start_deg + sign * 360.0 * turns))
            if np.floor(turns + 1e-9) > np.floor(before + 1e-9):
                self.reps.append(TrueRep(direction, rep_start, self.t, seg.radius_m, seg.minor_ratio))
                rep_start = self.t
        frac = seg.n - np.floor(seg.n + 1e-9)
        if frac > 1e-6:
            self.partials.append(TruePartial(direction, float(frac)))
        if seg.return_to_centre:
            self.move_to(np.zeros(2), seg.lead_s)

    def rock(self, seg: Rock) -> None:
        axis = np.array([np.cos(np.radians(seg.axis_deg)), np.sin(np.radians(seg.axis_deg))])
        self.move_to(np.zeros(2), 0.3)
        n = int(round(seg.n * seg.period_s / self.dt))
        for k in range(1, n + 1):
            self.add(axis * seg.amplitude_m * np.sin(2 * np.pi * k * self.dt / seg.period_s))

    def fidget(self, seg: Fidget) -> None:
        rng = np.random.default_rng(seg.seed)
        n = int(round(seg.duration_s / self.dt))
        t = np.arange(1, n + 1) * self.dt
        path = np.zeros((n, 2))
        for _ in range(6):
            f = rng.uniform(0.1, 1.0)
            path += rng.normal(0, 1, 2) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))[:, None]
        path *= seg.amplitude_m / max(float(path.std()), 1e-9)
        path *= _smoothstep(np.minimum(t, t[-1] - t + self.dt) / 0.5)[:, None]  # start and end in place
        start = self.here.copy()
        for p in path:
            self.add(start + p)

    def stand_up(self, seg: StandUp) -> None:
        self.move_to(np.zeros(2), 0.3)
        n = int(round(seg.duration_s / self.dt))
        ramp = seg.transition_s
        for k in range(1, n + 1):
            t = k * self.dt
            s = _smoothstep(min(t, seg.duration_s - t) / ramp)
            self.add(np.zeros(2), float(s))


def pelvis_script(segments: list, *, fps: float = 30.0) -> PelvisScript:
    """Turn a list of segments into a per-frame pelvis path and the true reps."""
    b = _Builder(fps)
    b.add(np.zeros(2))
    for seg in segments:
        if isinstance(seg, Hold):
            b.hold(seg.duration_s)
        elif isinstance(seg, Circles):
            b.circles(seg)
        elif isinstance(seg, Rock):
            b.rock(seg)
        elif isinstance(seg, Fidget):
            b.fidget(seg)
        elif isinstance(seg, StandUp):
            b.stand_up(seg)
        elif isinstance(seg, SitBack):
            b.move_to(np.array([-seg.back_m, 0.0]), seg.move_s)
            b.hold(seg.hold_s)
            b.move_to(np.zeros(2), seg.move_s)
        else:
            raise TypeError(f"unknown script segment {seg!r}")
    n = len(b.pos)
    return PelvisScript(np.arange(n) / fps, np.array(b.pos), np.array(b.stand), b.reps, b.partials)


# ---------------------------------------------------------------- skeleton
