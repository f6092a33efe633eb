"""From a filtered per-frame IR angle series to held value, peak, efforts and class.

"Held" is the highest angle *sustained* for ``hold_s`` seconds: for every
window of ``hold_s`` the window's low percentile (default the 10th, a robust
minimum) is taken, and held = the largest of those. The peak is the plain
maximum of the filtered series. Efforts are excursions above the rest angle,
found with hysteresis (enter and exit thresholds differ, so jitter around one
threshold never splits or invents an effort).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLDS_DEG: dict[str, float] = {"functional": 30.0, "target": 45.0}


def classify(angle_deg: float | None) -> str | None:
    """"limited" (< 30°), "functional" (30–45°), "target" (≥ 45°), or None for a missing value."""
    if angle_deg is None or not np.isfinite(angle_deg):
        return None
    if angle_deg >= THRESHOLDS_DEG["target"]:
        return "target"
    if angle_deg >= THRESHOLDS_DEG["functional"]:
        return "functional"
    return "limited"


def window_samples(t_s: np.ndarray, hold_s: float) -> int:
    """Samples in a window of ``hold_s`` seconds at the median sampling interval of ``t_s``."""
    dt = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 1.0
    return max(2, int(round(hold_s / dt)) + 1)


def sustained_levels(t_s: np.ndarray, x: np.ndarray, *, hold_s: float, percentile: float = 10.0) -> np.ndarray:
    """(T,) level sustained over the ``hold_s`` window *ending* at each sample, degrees.

    Args:
        t_s: (T,) seconds, increasing (roughly evenly spaced).
        x: (T,) filtered angle, degrees; NaN = missing (a window containing NaN gives NaN).
        hold_s: window length, seconds.
        percentile: the window's low percentile taken as its level (0 = strict minimum).
    """
    t = np.asarray(t_s, float)
    x = np.asarray(x, float)
    out = np.full(len(x), np.nan)
    if len(x) < 2:
        return out
    w = window_samples(t, hold_s)
    if len(x) < w:
        return out
    view = np.lib.stride_tricks.sliding_window_view(x, w)
    ok = np.isfinite(view).all(axis=1)
    if ok.any():
        out[w - 1:][ok] = np.percentile(view[ok], percentile, axis=1)
    return out


@dataclass(frozen=True)
class Held:
    """The best sustained angle of a stretch: value (degrees) and the window it was held in (seconds)."""

    deg: float
    start_s: float
    end_s: float


def held_value(t_s: np.ndarray, x: np.ndarray, *, hold_s: float, percentile: float = 10.0) -> Held:
    """Highest angle sustained for ``hold_s`` (NaN value when no window is complete)."""
    t = np.asarray(t_s, float)
    levels = sustained_levels(t, x, hold_s=hold_s, percentile=percentile)
    if not np.isfinite(levels).any():
        return Held(float("nan"), float("nan"), float("nan"))
    i = int(np.nanargmax(levels))
    w = window_samples(t, hold_s)
    return Held(float(levels[i]), float(t[i - w + 1]), float(t[i]))


@dataclass(frozen=True)
class Effort:
    """One effort: an excursion from rest and back. Times in seconds, angles in degrees."""

    start_s: float
    end_s: float
    held_deg: float    # NaN when the effort was shorter than the hold time
    peak_deg: float

    @property
    def cls(self) -> str | None:
        return classify(self.held_deg)

    def to_dict(self) -> dict:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3),
                "held_deg": _r(self.held_deg), "peak_deg": _r(self.peak_deg), "class": self.cls}


def _r(v: float) -> float | None:
    return round(float(v), 1) if v is not None and np.isfinite(v) else None


def rest_angle(x: np.ndarray, *, percentile: float = 20.0) -> float:
    """Angle the leg rests at between efforts: a low percentile of the series, degrees."""
    x = np.asarray(x, float)
    return float(np.nanpercentile(x, percentile)) if np.isfinite(x).any() else float("nan")


def find_efforts(t_s: np.ndarray, x: np.ndarray, *, hold_s: float, rest_deg: float | None = None,
                 min_excursion_deg: float = 10.0, enter_fraction: float = 0.25, min_duration_s: float = 0.4,
                 percentile: float = 10.0) -> list[Effort]:
    """Efforts in a filtered angle series, in time order.

    An effort starts when the angle rises above the enter threshold
    ``rest + max(min_excursion_deg, enter_fraction × (peak - rest))`` and lasts,
    both ways, until the angle falls back below the exit threshold (halfway
    between rest and enter). A NaN stretch ends an effort.

    Args:
        t_s: (T,) seconds; x: (T,) filtered angle, degrees (short gaps already filled).
        hold_s: hold time for each effort's held value, seconds.
        rest_deg: rest angle; default `rest_angle` of ``x``.
        min_duration_s: shorter excursions are ignored.
    """
    t = np.asarray(t_s, float)
    x = np.asarray(x, float)
    if not np.isfinite(x).any():
        return []
    rest = rest_angle(x) if rest_deg is None else rest_deg
    peak = float(np.nanmax(x))
    enter = rest + max(min_excursion_deg, enter_fraction * (peak - rest))
    exit_ = rest + 0.5 * (enter - rest)
    efforts: list[Effort] = []
    with np.errstate(invalid="ignore"):
        above_exit = x > exit_
        above_enter = x > enter
    i, n = 0, len(x)
    while i < n:
        if not above_enter[i]:
            i += 1
            continue
        start = i
        while start > 0 and above_exit[start - 1]:
            start -= 1
        stop = i
        while stop + 1 < n and above_exit[stop + 1]:
            stop += 1
        if t[stop] - t[start] >= min_duration_s:
            seg_t, seg_x = t[start:stop + 1], x[start:stop + 1]
            held = held_value(seg_t, seg_x, hold_s=hold_s, percentile=percentile)
            efforts.append(Effort(float(t[start]), float(t[stop]), held.deg, float(np.nanmax(seg_x))))
        i = stop + 1
    return efforts
