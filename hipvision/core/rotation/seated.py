"""Is the whole person sitting upright and facing the camera? Per-frame tests, and how steadily they hold.

The per-leg tests of `frame.frame_reasons` look at the image; they cannot
tell a seated person from a standing one whose thighs a pose model draws short
(MediaPipe places a seated person's hips high; a standing person seen from below,
or a seated one seen from above, shows thighs as long as shanks). Person-level
tests here use MediaPipe's world landmarks (metric 3D in camera-aligned axes),
which see depth, and are free of image scale and camera distance:

* **Hip and knee bent** (`sitting_world`): at least one leg has the trunk–thigh angle
  (shoulder-mid → hip-mid vs hip → knee) *and* the knee angle (knee → hip vs knee →
  ankle) under ``max_flexion_deg`` (145°). Ideal sitting is 90°, standing 180°;
  MediaPipe on rendered people read seated legs at rest as 100–122° from a level camera
  and 128–135° from 33° above, standing legs as 154–171°: 145° leaves ~10° each side.
  One leg is enough: during a large IR effort MediaPipe often straightens the moving
  leg in 3D (it reads the turned shank as a leg swung out to the side).
* **Trunk upright** (`trunk_upright`, image): hip-mid → shoulder-mid within
  ``max_trunk_tilt_deg`` (45°) of the camera-roll-corrected "up" and at least half a
  shank long (rejects lying down, all fours, hips drawn at shoulder height).
* **Facing** (`facing_world`): the hip and shoulder lines turned less than 50° out of
  the image plane (people turned 30° read 29°, side-on 85°).

`seated_state` asks that the posture held through most (75%) of the last second before
the person counts as seated, so a walker, or a jumper landing in a crouch, who looks
seated for a few frames never counts (Sports2D's demo: at most 61% in any second);
once seated, the person stays seated while the hips stay where they are (`hips_still`):
with a camera high above or both legs turned far, MediaPipe's 3D legs look straight for
seconds at a time (trunk–thigh 142–152°).
"""

from __future__ import annotations

import numpy as np

from hipvision.core import geometry as g
from hipvision.core.rotation.view import CameraView
from hipvision.landmarks import LEG, SIDES, Landmark as L



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
    for side in SIDES:
        h, k, a = w[..., LEG[side]["hip"], :], w[..., LEG[side]["knee"], :], w[..., LEG[side]["ankle"], :]
        hip.append(g.angle_between(trunk, k - h))
        knee.append(g.angle_between(h - k, a - k))
    return np.stack(hip, -1), np.stack(knee, -1)


def sitting_world(world: np.ndarray | None, *, max_flexion_deg: float = 145.0) -> np.ndarray | bool:
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


#: Hip and shoulder lines turned less than this from facing the camera (`sideways_yaw_deg`) count as facing it.
FACING_MAX_YAW_DEG = 50.0


def sideways_yaw_deg(world: np.ndarray) -> np.ndarray:
    """(...) how far the hip and shoulder lines of ``(..., 33, 3)`` world landmarks (camera-aligned axes) turn from
    facing the camera, degrees: 0 = the person's left along +x (facing), 90 = side-on, 180 = facing away (or left
    and right swapped by the pose model, `sides`); NaN where missing."""
    w = np.asarray(world, float)
    line = g.unit(w[..., L.LEFT_HIP, :] - w[..., L.RIGHT_HIP, :]) + g.unit(
        w[..., L.LEFT_SHOULDER, :] - w[..., L.RIGHT_SHOULDER, :])
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arctan2(np.abs(line[..., 2]), line[..., 0]))


def facing_world(world: np.ndarray | None, *, max_yaw_deg: float = FACING_MAX_YAW_DEG) -> np.ndarray | bool:
    """(...) True where the person faces the camera within ``max_yaw_deg``: the mean direction of the
    hip and shoulder lines in MediaPipe's world landmarks turned less than that out of the image plane
    (`sideways_yaw_deg`). Rendered people turned 30° read 29°, side-on ones 85°; the generator's
    "turned" seated condition goes to 35°. Frames without world landmarks pass (nothing to tell).
    """
    if world is None:
        return True
    yaw = sideways_yaw_deg(world)
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(yaw) | (yaw < max_yaw_deg)


def trunk_upright(px: np.ndarray, visibility: np.ndarray, view: CameraView, *, max_tilt_deg: float = 45.0,
                  min_length: float = 0.5, min_visibility: float = 0.5) -> np.ndarray:
    """(...) True where the image trunk (hip-mid → shoulder-mid) stands up: within ``max_tilt_deg`` of
    the roll-corrected "up" and at least ``min_length`` mean shank lengths long (rendered seated
    people: 0.85–1.45, camera level to 33° above); or where the shoulders or hips are not seen
    (nothing to tell).

    Args:
        px: (..., 33, 2) pixels; visibility: (..., 33) 0..1; view: its roll defines "up".
    """
    px = np.asarray(px, float)
    vis = np.asarray(visibility, float)
    up = g.rotate_2d(np.array([0.0, -1.0]), -view.roll_deg)
    trunk = _mid(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(px, L.LEFT_HIP, L.RIGHT_HIP)
    seen = (vis[..., [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]] >= min_visibility).all(-1)
    seen &= np.isfinite(trunk).all(-1)
    shank = g.nanmean(np.stack([g.norm(px[..., LEG[s]["ankle"], :] - px[..., LEG[s]["knee"], :]) for s in SIDES], -1))
    with np.errstate(invalid="ignore"):
        long_enough = ~(g.norm(trunk) < min_length * shank)          # unknown shank: nothing to tell
        return ~seen | ((g.angle_between(trunk, up) < max_tilt_deg) & long_enough)


def seated_posture(px: np.ndarray, visibility: np.ndarray, world: np.ndarray | None, view: CameraView, *,
                   max_flexion_deg: float = 145.0, max_trunk_tilt_deg: float = 45.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame posture tests: (upright, bent), each (...) bool (`trunk_upright`, `sitting_world`).

    Args:
        px: (..., 33, 2) pixel landmarks; visibility: (..., 33); world: (..., 33, 3) metres or None.
        view: camera view (its roll defines the image vertical).
    """
    upright = np.asarray(trunk_upright(px, visibility, view, max_tilt_deg=max_trunk_tilt_deg), bool)
    bent = np.broadcast_to(np.asarray(sitting_world(world, max_flexion_deg=max_flexion_deg), bool), upright.shape)
    return upright, bent


def knee_travel(t_s: np.ndarray, px: np.ndarray, *, window_s: float = 0.5,
                landmarks: tuple[int, int] = (L.LEFT_KNEE, L.RIGHT_KNEE)) -> np.ndarray:
    """(T,) how far the knees (or other ``landmarks``) moved over the last ``window_s`` seconds,
    in shank lengths.

    For each frame: the larger over both landmarks of the largest distance between the
    landmark now and the same landmark in any frame of the preceding window, divided by
    the mean image shank length now. Causal (uses past frames only), so the live tracker
    gets the same value from its recent history. NaN where it cannot be told.

    Args:
        t_s: (T,) seconds; px: (T, 33, 2) pixel landmarks.
    """
    t = np.asarray(t_s, float)
    px = np.asarray(px, float)
    n = len(t)
    if n == 0:
        return np.zeros(0)
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0
    w = min(max(1, int(round(window_s / dt))), n)  # a window longer than the recording holds all of it
    knees = px[:, list(landmarks), :]                                   # (T, 2, 2)
    padded = np.concatenate([np.full((w,) + knees.shape[1:], np.nan), knees])
    past = np.lib.stride_tricks.sliding_window_view(padded, w + 1, axis=0)[:n]  # (T, 2, 2, w+1)
    dist = g.norm(np.moveaxis(past, -1, -2) - knees[:, :, None, :])     # (T, 2, w+1)
    ok = np.isfinite(dist)
    travel = np.where(ok.any(axis=(1, 2)), np.where(ok, dist, -np.inf).max(axis=(1, 2)), np.nan)
    shank = g.nanmean(np.stack([g.norm(px[:, LEG[s]["ankle"]] - px[:, LEG[s]["knee"]]) for s in SIDES], -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return travel / shank


def hips_still(t_s: np.ndarray, px: np.ndarray, *, max_travel: float = 0.15, window_s: float = 0.5) -> np.ndarray:
    """(T,) True where neither hip moved more than ``max_travel`` shank lengths over the last ``window_s``
    seconds (`knee_travel` of the hips); False where it cannot be told.

    Measured on rendered seated people the hips travel under 0.05 shank lengths per 0.5 s;
    standing up or walking moves them far more.
    """
    travel = knee_travel(t_s, px, window_s=window_s, landmarks=(L.LEFT_HIP, L.RIGHT_HIP))
    with np.errstate(invalid="ignore"):
        return travel < max_travel


def seated_state(t_s: np.ndarray, upright: np.ndarray, bent: np.ndarray, still: np.ndarray, *,
                 was_seated: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The person-level seated state over a recording, with hysteresis. Causal.

    The person *becomes* seated when the posture (``upright & bent``) held steadily
    (`posture_steady`), and *stays* seated while the trunk is upright and either the legs
    look bent or the hips have not moved (``still``): getting up moves the hips, while
    MediaPipe's 3D legs can look straight for a while during a large rotation of both legs
    or from a camera high above.

    Args:
        t_s: (T,) seconds; upright, bent: (T,) from `seated_posture`; still: (T,) from `hips_still`.
        was_seated: the state before the first frame (a live tracker carries it over).

    Returns:
        (seated, state), each (T,) bool: ``seated`` = the posture tests pass in that frame
        (directly or by the hysteresis), frames without it are NOT_SEATED; ``state`` = the
        person is in the seated state (has been seen seated steadily), frames without it are STRAY.
    """
    upright = np.asarray(upright, bool)
    bent = np.asarray(bent, bool)
    still = np.asarray(still, bool)
    steady = posture_steady(t_s, upright & bent)
    seated = np.zeros(len(upright), bool)
    state = np.zeros(len(upright), bool)
    prev = was_seated
    for i in range(len(upright)):
        held = prev and still[i]
        seated[i] = upright[i] and (bent[i] or held)
        state[i] = prev = bool(upright[i] and (steady[i] or held))
    return seated, state


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
    pad = min(w, max(n, 1))  # a window longer than the recording holds all of it: pad no further
    padded = np.concatenate([np.zeros((pad,) + f.shape[1:]), f])
    csum = np.cumsum(padded, axis=0)
    return csum[pad:] - csum[:-pad] + padded[:n], w + 1


def posture_steady(t_s: np.ndarray, posture: np.ndarray, *, window_s: float = 1.0,
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
