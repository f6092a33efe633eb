"""Is the whole person sitting upright? Per-frame tests and how steadily they hold.

The per-leg tests of `rotation_frame.frame_reasons` look at the image; they cannot
tell a seated person from a standing one whose thighs a pose model draws short
(MediaPipe places a seated person's hips high, and a standing person seen from
below looks foreshortened). Two person-level tests do that here, both free of
image scale and camera distance:

* **Hip and knee bent** (world landmarks, metric 3D): at least one leg has the
  trunk–thigh angle (shoulder-mid → hip-mid vs hip → knee) *and* the knee angle
  (knee → hip vs knee → ankle) under ``max_flexion_deg`` (135°, halfway between
  sitting, 90°, and standing, 180°). One leg is enough: during a large IR effort
  MediaPipe often straightens the moving leg in 3D (it reads the turned shank as
  a leg swung out to the side), while the resting leg stays clearly bent.
  Measured with MediaPipe (full) on rendered people: seated 103–122°, standing
  156–171°.
* **Trunk upright** (image): hip-mid → shoulder-mid within ``max_trunk_tilt_deg``
  (45°) of the camera-roll-corrected image "up" (rejects lying down, all fours).
  Not tested when the shoulders are not seen (a camera framing hips to feet).

`posture_steady` then asks that the posture held through most (75%) of the last
0.5 s, so a walker, or a jumper landing in a crouch, who looks seated for a few
frames never counts.
"""

from __future__ import annotations

import numpy as np

from hipvision.core import geometry as g
from hipvision.core.rotation_view import CameraView
from hipvision.landmarks import LEG, Landmark as L

_SIDES = ("left", "right")


def _mid(a: np.ndarray, i: int, j: int) -> np.ndarray:
    return (a[..., i, :] + a[..., j, :]) / 2


def leg_flexion_deg(world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trunk–thigh and knee angles per leg from world landmarks, degrees.

    Args:
        world: (..., 33, 3) world landmarks (any metric frame; angles only).

    Returns:
        (hip_deg, knee_deg), each (..., 2) ordered (left, right): 180 = straight
        (standing), 90 = a right angle (sitting). NaN where a landmark is missing.
    """
    w = np.asarray(world, float)
    trunk = _mid(w, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(w, L.LEFT_HIP, L.RIGHT_HIP)
    hip, knee = [], []
    for side in _SIDES:
        h, k, a = w[..., LEG[side]["hip"], :], w[..., LEG[side]["knee"], :], w[..., LEG[side]["ankle"], :]
        hip.append(g.angle_between(trunk, k - h))
        knee.append(g.angle_between(h - k, a - k))
    return np.stack(hip, -1), np.stack(knee, -1)


def sitting_world(world: np.ndarray | None, *, max_flexion_deg: float = 135.0) -> np.ndarray | bool:
    """(...) True where at least one leg has hip and knee both bent under ``max_flexion_deg``.

    Frames without world landmarks (NaN, or ``world`` None) pass: the test then tells nothing.
    """
    if world is None:
        return True
    hip, knee = leg_flexion_deg(world)
    with np.errstate(invalid="ignore"):
        bent = ((hip < max_flexion_deg) & (knee < max_flexion_deg)).any(-1)
    unknown = ~np.isfinite(np.asarray(world, float)).all(axis=(-1, -2))
    return bent | unknown


def trunk_upright(px: np.ndarray, visibility: np.ndarray, view: CameraView, *, max_tilt_deg: float = 45.0,
                  min_visibility: float = 0.5) -> np.ndarray:
    """(...) True where the image trunk (hip-mid → shoulder-mid) is within ``max_tilt_deg`` of the
    roll-corrected "up", or where the shoulders or hips are not seen (nothing to tell).

    Args:
        px: (..., 33, 2) pixels; visibility: (..., 33) 0..1; view: its roll defines "up".
    """
    px = np.asarray(px, float)
    vis = np.asarray(visibility, float)
    up = g.rotate_2d(np.array([0.0, -1.0]), -view.roll_deg)
    trunk = _mid(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(px, L.LEFT_HIP, L.RIGHT_HIP)
    seen = (vis[..., [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]] >= min_visibility).all(-1)
    seen &= np.isfinite(trunk).all(-1)
    with np.errstate(invalid="ignore"):
        return ~seen | (g.angle_between(trunk, up) < max_tilt_deg)


def seated_posture(px: np.ndarray, visibility: np.ndarray, world: np.ndarray | None, view: CameraView, *,
                   max_flexion_deg: float = 135.0, max_trunk_tilt_deg: float = 45.0) -> np.ndarray:
    """(...) bool: the person sits upright in this frame (`sitting_world` and `trunk_upright`).

    Args:
        px: (..., 33, 2) pixel landmarks; visibility: (..., 33); world: (..., 33, 3) metres or None.
        view: camera view (its roll defines the image vertical).
    """
    ok = trunk_upright(px, visibility, view, max_tilt_deg=max_trunk_tilt_deg)
    return ok & sitting_world(world, max_flexion_deg=max_flexion_deg)


def recent_fraction(t_s: np.ndarray, flags: np.ndarray, *, window_s: float) -> np.ndarray:
    """Fraction of the frames of the last ``window_s`` seconds (this one included) where ``flags`` holds.

    Causal, so a live tracker gets the same value from its recent history. Near the start
    of a recording only the frames seen so far count.

    Args:
        t_s: (T,) seconds; flags: (T, ...) bool.

    Returns:
        (T, ...) fractions 0..1.
    """
    count, frames = _window_counts(t_s, flags, window_s=window_s)
    return count / np.minimum(frames, np.arange(1, len(count) + 1).reshape((-1,) + (1,) * (count.ndim - 1)))


def _window_counts(t_s: np.ndarray, flags: np.ndarray, *, window_s: float) -> tuple[np.ndarray, int]:
    """(count of True among the last w + 1 frames (T, ...), w + 1) for the window of ``window_s`` seconds."""
    t = np.asarray(t_s, float)
    f = np.asarray(flags, bool).astype(float)
    n = len(t)
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0
    w = max(1, int(round(window_s / dt)))
    padded = np.concatenate([np.zeros((w,) + f.shape[1:]), f])
    csum = np.cumsum(padded, axis=0)
    return csum[w:] - csum[:-w] + padded[:n], w + 1


def posture_steady(t_s: np.ndarray, posture: np.ndarray, *, window_s: float = 0.5,
                   min_fraction: float = 0.75) -> np.ndarray:
    """(T,) True where the seated posture held in at least ``min_fraction`` of the last ``window_s`` seconds.

    Before a whole window has been seen, every frame so far must show the posture: a
    recording (or live trial) that starts with the person seated is measured from its first
    frame, while one that starts otherwise, e.g. someone landing a jump in a crouch, needs
    the posture through most of a whole window.
    """
    p = np.asarray(posture, bool)
    if len(p) == 0:
        return p
    count, frames = _window_counts(t_s, p, window_s=window_s)
    clean_so_far = np.logical_and.accumulate(p)
    return (count >= min_fraction * frames) | ((np.arange(len(p)) < frames - 1) & clean_so_far)
