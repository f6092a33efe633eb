"""From a filtered per-frame IR angle series to held value, peak, efforts and class.

"Held" is the highest angle *sustained* for ``hold_s`` seconds: for every
window of ``hold_s`` the window's `HOLD_PERCENTILE` (the median) is taken; the
window with the largest of those marks the hold, and held = the median of the
whole stretch around it that stays within a few degrees of that level
(`held_value`). The peak is the plain
maximum of the filtered series. Efforts are excursions from the rest angle,
either way (internal rotation above it, external below), found with hysteresis
(enter and exit thresholds differ, so jitter around one threshold never splits
or invents an effort).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLDS_DEG: dict[str, float] = {"functional": 30.0, "target": 45.0}
#: A hold window's level is this percentile of its angles: the median. (A low percentile such as the
#: 10th read 0.5–1° below holds with tremor on rendered people; one default for files, live and efforts.)
HOLD_PERCENTILE = 50.0


def classify(angle_deg: float | None) -> str | None:
    """"limited" (< 30°), "functional" (30–45°), "target" (≥ 45°), or None for a missing value."""
    if angle_deg is None or not np.isfinite(angle_deg):
        return None
    if angle_deg >= THRESHOLDS_DEG["target"]:
        return "target"
    if angle_deg >= THRESHOLDS_DEG["functional"]:
        return "functional"
    return "limited"


def borderline_mark(angle_deg: float | None, uncertainty_deg: float | None) -> float | None:
    """The 30° or 45° mark that ``angle ± uncertainty`` straddles (strictly: |angle − mark| < uncertainty),
    the nearer one if both; None when neither, or when either value is missing."""
    if angle_deg is None or uncertainty_deg is None or not np.isfinite([angle_deg, uncertainty_deg]).all():
        return None
    near = [m for m in THRESHOLDS_DEG.values() if abs(angle_deg - m) < uncertainty_deg]
    return min(near, key=lambda m: abs(angle_deg - m)) if near else None


def class_with_uncertainty(angle_deg: float | None, uncertainty_deg: float | None) -> str | None:
    """`classify` of the angle, unless ``angle ± uncertainty`` straddles a mark: then "borderline (≈30°)"
    or "borderline (≈45°)". Without an uncertainty (None/NaN) it is the plain class."""
    mark = borderline_mark(angle_deg, uncertainty_deg)
    return classify(angle_deg) if mark is None else f"borderline (≈{mark:.0f}°)"


#: The class of a measured leg that was also not measured where a larger effort may have been
#: (`status.unmeasured_interior`): its held angle is only a lower bound, so a higher class is not ruled out.
UNCONFIRMED = "unconfirmed"


def class_of_lower_bound(angle_deg: float | None, uncertainty_deg: float | None) -> str | None:
    """The class of a held angle that is only a lower bound (a larger effort may have been missed): "target" when
    even ``angle − uncertainty`` reaches 45° (a larger effort would not change it), else `UNCONFIRMED`; None for a
    missing angle. Without an uncertainty (None/NaN) the angle itself is the bound."""
    if angle_deg is None or not np.isfinite(angle_deg):
        return None
    low = angle_deg - (uncertainty_deg if uncertainty_deg is not None and np.isfinite(uncertainty_deg) else 0.0)
    return "target" if low >= THRESHOLDS_DEG["target"] else UNCONFIRMED


def window_samples(t_s: np.ndarray, hold_s: float) -> int:
    """Samples in a window of ``hold_s`` seconds at the median sampling interval of ``t_s``."""
    dt = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 1.0
    return max(2, int(round(hold_s / dt)) + 1)


def sustained_levels(t_s: np.ndarray, x: np.ndarray, *, hold_s: float,
                     percentile: float = HOLD_PERCENTILE) -> np.ndarray:
    """(T,) level sustained over the ``hold_s`` window *ending* at each sample, degrees.

    Args:
        t_s: (T,) seconds, increasing (roughly evenly spaced).
        x: (T,) filtered angle, degrees; NaN = missing (a window containing NaN gives NaN).
        hold_s: window length, seconds.
        percentile: the window's percentile taken as its level (0 = strict minimum, 50 = median).
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


def held_value(t_s: np.ndarray, x: np.ndarray, *, hold_s: float, percentile: float = HOLD_PERCENTILE,
               band_deg: float = 3.0) -> Held:
    """Highest angle sustained for ``hold_s`` (NaN value when no window is complete).

    The best window (the highest level) says where the hold is; its value is then the median of
    the samples within ``band_deg`` (or twice the window's spread, if more) below that level, over
    the stretch from the window's first to its last such sample, grown both ways while the angle
    stays in the band (the window's ramp samples below the band are not part of the hold). The best of many overlapping windows is the
    one whose noise happened to run high: its own level read +0.7° on synthetic holds with
    MediaPipe-like slow landmark wander of 1° SD (+0.0° this way).
    ``band_deg`` 0 gives the best window's own level.
    """
    t = np.asarray(t_s, float)
    x = np.asarray(x, float)
    levels = sustained_levels(t, x, hold_s=hold_s, percentile=percentile)
    if not np.isfinite(levels).any():
        return Held(float("nan"), float("nan"), float("nan"))
    i = int(np.nanargmax(levels))
    start = i - window_samples(t, hold_s) + 1
    if band_deg <= 0:
        return Held(float(levels[i]), float(t[start]), float(t[i]))
    spread = 1.4826 * float(np.median(np.abs(x[start:i + 1] - np.median(x[start:i + 1]))))
    with np.errstate(invalid="ignore"):
        inside = x >= levels[i] - max(band_deg, 2.0 * spread)
    seeds = start + np.flatnonzero(inside[start:i + 1])   # never empty: the window's median is inside
    start, stop = int(seeds[0]), int(seeds[-1])
    while start > 0 and inside[start - 1]:
        start -= 1
    while stop + 1 < len(x) and inside[stop + 1]:
        stop += 1
    kept = x[start:stop + 1][inside[start:stop + 1]]
    return Held(float(np.median(kept)), float(t[start]), float(t[stop]))


@dataclass(frozen=True)
class Effort:
    """One effort: an excursion from rest and back. Times in seconds, angles in degrees."""

    start_s: float
    end_s: float
    held_deg: float    # NaN when the effort was shorter than the hold time; negative for external rotation
    peak_deg: float    # the extreme reached: maximum (internal) or minimum (external rotation)
    hold_start_s: float = float("nan")   # the stretch the held value is the median of (`held_value`)
    hold_end_s: float = float("nan")
    internal: bool = True                # above the rest angle (internal rotation), else external
    uncertainty_deg: float = float("nan")  # 95% half-width of held_deg (`uncertainty`), NaN = not known

    @property
    def cls(self) -> str | None:
        """IR class of the held angle; None for an external-rotation effort (held below 0°)."""
        return None if self.held_deg < 0 else classify(self.held_deg)

    @property
    def class_with_uncertainty(self) -> str | None:
        """`cls`, or "borderline (≈30°)" / "borderline (≈45°)" when held ± uncertainty straddles the mark."""
        return None if self.cls is None else class_with_uncertainty(self.held_deg, self.uncertainty_deg)

    def to_dict(self) -> dict:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3),
                "held_deg": _r(self.held_deg), "uncertainty_deg": _r(self.uncertainty_deg),
                "peak_deg": _r(self.peak_deg), "class": self.class_with_uncertainty}


def _r(v: float) -> float | None:
    return round(float(v), 1) if v is not None and np.isfinite(v) else None


def rest_angle(x: np.ndarray, *, width_deg: float = 5.0, near_deg: float = 12.0) -> float:
    """Angle the leg rests at between efforts, degrees.

    The middle of the ``width_deg`` wide band holding the most samples among those within
    ``near_deg`` of vertical (a hanging shank; all samples if fewer than a tenth are). Not a
    low percentile or the median: efforts go either way and one long hold can outlast the rests.
    """
    x = np.asarray(x, float)
    x = np.sort(x[np.isfinite(x)])
    if x.size == 0:
        return float("nan")
    near = x[np.abs(x) <= near_deg]
    if near.size >= 0.1 * x.size:
        x = near
    upper = np.searchsorted(x, x + width_deg, side="right")     # samples in [x_i, x_i + width]
    i = int(np.argmax(upper - np.arange(x.size)))
    return float(np.median(x[i:upper[i]]))


#: How far from rest an excursion must go to be an effort, degrees (`find_efforts`; it ends within half of it).
EFFORT_ENTER_DEG = 6.0


def find_efforts(t_s: np.ndarray, x: np.ndarray, *, hold_s: float, rest_deg: float | None = None,
                 enter_deg: float = EFFORT_ENTER_DEG, min_duration_s: float = 0.4,
                 percentile: float = HOLD_PERCENTILE) -> list[Effort]:
    """Efforts in a filtered angle series, in time order: excursions from rest either way.

    An effort starts when the angle moves more than ``enter_deg`` away from rest and lasts,
    both ways, until it comes back within half of that (hysteresis: jitter around one
    threshold neither splits nor invents efforts). An internal-rotation effort (above rest)
    has the highest level sustained for ``hold_s`` as its held value and its maximum as its
    peak; an external-rotation effort (below rest) the lowest level sustained and its
    minimum, both negative. A NaN stretch ends an effort.

    Args:
        t_s: (T,) seconds; x: (T,) filtered angle, degrees (short gaps already filled).
        hold_s: hold time for each effort's held value, seconds.
        rest_deg: rest angle; default `rest_angle` of ``x``.
        enter_deg: how far from rest an excursion must go to be an effort (the smallest
            efforts scripted in the rendered samples are 8° external, 10° internal).
        min_duration_s: shorter excursions are ignored.
    """
    t = np.asarray(t_s, float)
    x = np.asarray(x, float)
    if not np.isfinite(x).any():
        return []
    rest = rest_angle(x) if rest_deg is None else rest_deg
    efforts: list[Effort] = []
    for sign in (1.0, -1.0):
        with np.errstate(invalid="ignore"):
            above_exit = sign * (x - rest) > enter_deg / 2
            above_enter = sign * (x - rest) > enter_deg
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
                seg_t, seg_x = t[start:stop + 1], sign * x[start:stop + 1]
                held = held_value(seg_t, seg_x, hold_s=hold_s, percentile=percentile)
                efforts.append(Effort(float(t[start]), float(t[stop]), sign * held.deg, sign * float(np.nanmax(seg_x)),
                                      held.start_s, held.end_s, sign > 0))
            i = stop + 1
    return sorted(efforts, key=lambda e: e.start_s)
