"""Quality of hip circles: size, shape, sit-back, spine stillness, smoothness, verdicts.

All inputs are arrays in the body's horizontal frame ([forward, right], metres)
from `hipvision.core.circles.trajectory`; outputs are in centimetres, degrees,
seconds and percentages of the torso length (shoulder midpoint to hip midpoint).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def polygon_moments(xy: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Area, centroid and second moments of the region a closed path encloses.

    Args:
        xy: (N, 2) vertices in order (the path is closed from the last point back
            to the first). NaN rows are ignored.

    Returns:
        area: signed area (positive when the path turns from +x toward +y; for
            [forward, right] that is clockwise seen from above), units².
        centroid: (2,) centre of the enclosed region.
        cov: (2, 2) covariance of the region (area second moments / area): an
            ellipse with semi-axes a, b has eigenvalues a²/4 and b²/4, however
            unevenly its outline was sampled.
    """
    xy = np.asarray(xy, float)
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    if len(xy) < 3:
        return 0.0, np.full(2, np.nan), np.full((2, 2), np.nan)
    mean = xy.mean(axis=0)
    x, y = (xy - mean).T
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    c = x * y1 - x1 * y
    area = c.sum() / 2.0
    if abs(area) < 1e-15:
        return 0.0, mean, np.full((2, 2), np.nan)
    cx = ((x + x1) * c).sum() / (6 * area)
    cy = ((y + y1) * c).sum() / (6 * area)
    ixx = ((x * x + x * x1 + x1 * x1) * c).sum() / 12  # ∫ x² dA
    iyy = ((y * y + y * y1 + y1 * y1) * c).sum() / 12
    ixy = ((x * y1 + 2 * x * y + 2 * x1 * y1 + x1 * y) * c).sum() / 24
    cov = np.array([[ixx / area - cx * cx, ixy / area - cx * cy],
                    [ixy / area - cx * cy, iyy / area - cy * cy]])
    return float(area), mean + np.array([cx, cy]), cov


def roundness_from_cov(cov: np.ndarray) -> float:
    """Minor/major axis ratio (0..1, 1 = circle) of a region with covariance ``cov``."""
    if not np.all(np.isfinite(cov)):
        return math.nan
    ev = np.linalg.eigvalsh(cov)
    if ev[-1] <= 0:
        return math.nan
    return float(math.sqrt(max(ev[0], 0.0) / ev[-1]))


def loop_roundness(xy: np.ndarray) -> float:
    """Minor/major axis ratio (0..1) of a loop: of its enclosed region, or of its points' spread if
    that is rounder.

    A hook where the loop starts makes the closed outline cross itself, and the region's moments
    can then come out degenerate (0.04 for a 6 cm loop on a rendered 45° video); the spread of the
    path's points still shows the loop. A line is flat either way. 0.0 when neither is defined.
    """
    xy = np.asarray(xy, float)
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    if len(xy) < 3:
        return 0.0
    candidates = [roundness_from_cov(polygon_moments(xy)[2]), roundness_from_cov(np.cov(xy.T))]
    return max([r for r in candidates if math.isfinite(r)], default=0.0)


def sparc(speed: np.ndarray, fs_hz: float, *, max_cutoff_hz: float = 10.0, amplitude_threshold: float = 0.05,
          pad_level: int = 4) -> float:
    """Spectral arc length (SPARC, Balasubramanian et al. 2015) of a speed profile.

    Dimensionless and **negative; closer to 0 is smoother**. A steady circle at
    even speed scores about -1.5; stop-and-go motion -3 or lower. The spectrum is
    cut at the last frequency (≤ ``max_cutoff_hz``) whose normalised magnitude is
    above ``amplitude_threshold``.
    """
    v = np.asarray(speed, float)
    v = v[np.isfinite(v)]
    if len(v) < 4 or not np.any(v > 0):
        return math.nan
    nfft = int(2 ** (math.ceil(math.log2(len(v))) + pad_level))
    freq = np.arange(nfft // 2 + 1) * fs_hz / nfft
    mag = np.abs(np.fft.rfft(v, nfft))
    mag = mag / mag.max()
    keep = freq <= max_cutoff_hz
    freq, mag = freq[keep], mag[keep]
    above = np.flatnonzero(mag >= amplitude_threshold)
    last = above[-1] if len(above) else len(mag) - 1
    freq, mag = freq[:last + 1], mag[:last + 1]
    if len(freq) < 2:
        return math.nan
    df = np.diff(freq) / (freq[-1] - freq[0])
    return float(-np.sum(np.sqrt(df ** 2 + np.diff(mag) ** 2)))


@dataclass(frozen=True)
class VerdictThresholds:
    """When a rep earns a coaching cue instead of "good circle" (checked in this order)."""

    min_radius_pct_torso: float = 12.0  # "make the circle bigger"
    min_sit_back_ratio: float = 0.5  # sit-back below this × radius: "sit further back"
    max_spine_cm: float = 2.5  # shoulders moving more than this and ...
    max_spine_ratio: float = 0.3  # ... more than this × radius: "keep the shoulders still"
    min_roundness: float = 0.5  # "make it rounder"
    min_smoothness: float = -3.0  # SPARC below this: "move more smoothly"
    min_duration_s: float = 2.5  # "slow down"


@dataclass(frozen=True)
class RepQuality:
    """Measures of one circle (see `rep_quality`)."""

    radius_cm: float
    radius_pct_torso: float
    area_cm2: float
    roundness: float
    sit_back_cm: float
    peak_hip_flexion_deg: float
    spine_motion_cm: float
    smoothness: float
    duration_s: float
    verdict: str


def rep_quality(t_s: np.ndarray, pelvis_m: np.ndarray, shoulders_m: np.ndarray, hip_flexion_deg: np.ndarray,
                torso_m: float, *, neutral_forward_m: float = 0.0,
                thresholds: VerdictThresholds = VerdictThresholds()) -> RepQuality:
    """Measure one circle from its samples.

    Args:
        t_s: (N,) seconds.
        pelvis_m: (N, 2) pelvis [forward, right], metres; forward is 0 with the hips
            over the knees and negative behind them.
        shoulders_m: (N, 3) shoulder midpoint relative to the wrists, metres.
        hip_flexion_deg: (N,) 180° minus the shoulder–hip–knee angle (90° = thigh
            square to the trunk; larger = sitting back).
        torso_m: torso length, metres.
        neutral_forward_m: forward position of the pelvis at the start (0 = over the knees).

    Radius is the equal-area radius √(area/π) of the enclosed region; roundness the
    minor/major axis ratio of that region; sit-back the furthest the pelvis got
    behind its start position; spine motion √2 × RMS distance of the shoulders from their
    mean (equals the radius if they circled); smoothness is `sparc` of the pelvis
    speed.
    """
    t = np.asarray(t_s, float)
    area, _, cov = polygon_moments(pelvis_m)
    radius = math.sqrt(abs(area) / math.pi)
    sh = np.asarray(shoulders_m, float)
    sh = sh[np.all(np.isfinite(sh), axis=1)]
    spine = math.sqrt(2.0 * np.mean(np.sum((sh - sh.mean(axis=0)) ** 2, axis=1))) if len(sh) else math.nan
    fwd = pelvis_m[:, 0]
    sit_back = float(max(0.0, neutral_forward_m - np.nanmin(fwd))) if np.any(np.isfinite(fwd)) else math.nan
    flex = float(np.nanmax(hip_flexion_deg)) if np.any(np.isfinite(hip_flexion_deg)) else math.nan
    smooth = math.nan
    if len(t) >= 4:
        speed = np.linalg.norm(np.gradient(pelvis_m, t, axis=0), axis=1)
        smooth = sparc(speed, 1.0 / float(np.median(np.diff(t))))
    duration = float(t[-1] - t[0]) if len(t) else math.nan
    q = RepQuality(
        radius_cm=100 * radius, radius_pct_torso=100 * radius / torso_m if torso_m > 0 else math.nan,
        area_cm2=1e4 * abs(area), roundness=roundness_from_cov(cov), sit_back_cm=100 * sit_back,
        peak_hip_flexion_deg=flex, spine_motion_cm=100 * spine, smoothness=smooth, duration_s=duration, verdict="",
    )
    return RepQuality(**{**q.__dict__, "verdict": verdict(q, thresholds)})


#: A rep's verdict when the body was misread (a camera low behind the hips, `confidence.seen_from_low_behind`): no
#: cue, and no "good circle" either.
NOT_JUDGED = "not judged from this camera"


def verdict(q: RepQuality, th: VerdictThresholds = VerdictThresholds(), *, roundness_measured: bool = True) -> str:
    """The one most useful cue for a rep, or "good circle"; without ``roundness_measured`` (half of the circle
    was not measured from the camera: `CircleRep.size_estimated`) no cue about its roundness."""
    if q.radius_pct_torso < th.min_radius_pct_torso:
        return "make the circle bigger"
    if q.sit_back_cm < th.min_sit_back_ratio * q.radius_cm:
        return "sit further back"
    if q.spine_motion_cm > max(th.max_spine_cm, th.max_spine_ratio * q.radius_cm):
        return "keep the shoulders still"
    if roundness_measured and q.roundness < th.min_roundness:
        return "make it rounder"
    if q.smoothness < th.min_smoothness:
        return "move more smoothly"
    if q.duration_s < th.min_duration_s:
        return "slow down"
    return "good circle"


@dataclass(frozen=True)
class StartPosition:
    ok: bool | None
    shoulders_over_hands_cm: float
    hips_over_knees_cm: float
    message: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def start_position(pelvis_m: np.ndarray, shoulders_m: np.ndarray, *, tolerance_cm: float) -> StartPosition:
    """Check the start position from the frames before the first circle.

    Args:
        pelvis_m: (N, 2) pelvis [forward, right] relative to the knees, metres.
        shoulders_m: (N, 3) shoulder midpoint relative to the wrists [forward, right, up], metres.
    Only the forward distances are used (toward the head; the side-to-side ones matter less and
    are often seen only in depth); "ok" when both are within ``tolerance_cm`` (`CirclesSettings.start_tolerance_cm`).
    """
    pel = np.asarray(pelvis_m, float)[:, 0]
    sh = np.asarray(shoulders_m, float)[:, 0]
    pel, sh = pel[np.isfinite(pel)], sh[np.isfinite(sh)]
    if not len(pel) or not len(sh):
        return StartPosition(None, math.nan, math.nan, "not seen")
    p, s = float(np.median(pel)), float(np.median(sh))
    hips_cm, sh_cm = 100 * abs(p), 100 * abs(s)
    cues = []
    if sh_cm > tolerance_cm:
        cues.append(f"bring the shoulders {'back' if s > 0 else 'forward'} over the hands ({sh_cm:.0f} cm off)")
    if hips_cm > tolerance_cm:
        cues.append(f"bring the hips {'back' if p > 0 else 'forward'} over the knees ({hips_cm:.0f} cm off)")
    ok = not cues
    return StartPosition(ok, sh_cm, hips_cm, "good start position: shoulders over hands, hips over knees"
                         if ok else "; ".join(cues))


@dataclass(frozen=True)
class Protocol:
    target_per_direction: int
    missing: dict[str, int]
    message: str

    def to_dict(self) -> dict:
        return {"target_per_direction": self.target_per_direction, "missing": dict(self.missing),
                "message": self.message}


def protocol(clockwise: int, counterclockwise: int, *, partials: int = 0, target_per_direction: int = 5) -> Protocol:
    """Compare the counts with the set (``target_per_direction`` each way) and say what is missing."""
    counts = {"clockwise": clockwise, "counterclockwise": counterclockwise}
    missing = {k: max(0, target_per_direction - v) for k, v in counts.items()}
    names = {"clockwise": "clockwise", "counterclockwise": "counter-clockwise"}
    if not any(missing.values()):
        msg = f"set complete: {clockwise} clockwise and {counterclockwise} counter-clockwise"
        extra = [f"{v - target_per_direction} extra {names[k]}" for k, v in counts.items() if v > target_per_direction]
        if extra:
            msg += f" ({', '.join(extra)})"
    else:
        todo = [f"{v} more {names[k]}" for k, v in missing.items() if v]
        msg = (f"{clockwise} clockwise and {counterclockwise} counter-clockwise of {target_per_direction} each: "
               f"do {' and '.join(todo)}")
    if partials:
        msg += f"; {partials} unfinished circle{'s' if partials > 1 else ''} not counted"
    return Protocol(target_per_direction, missing, msg)
