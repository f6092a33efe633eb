"""Per-frame seated hip IR angle of each leg, with a validity reason.

One piece of maths for files and for the live camera: every function takes
landmark arrays with any leading shape (a whole recording ``(T, 33, ...)`` or one
frame ``(33, ...)``) and returns angles ``(..., 2)`` ordered (left, right).

Sign convention
---------------
The angle is the shank's (knee → ankle) angle from the vertical in the
person's frontal plane (the plane perpendicular to the thigh), degrees.
Positive = internal rotation (IR) = the foot swings *laterally*, away from the
other leg: the right foot toward the person's right (image-left in an
unmirrored front view), the left foot toward the person's left (image-right).
Negative = external rotation (foot swings inward).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from hipvision.core import geometry as g
from hipvision.core.rotation_view import CameraView, frontal_direction
from hipvision.landmarks import LEG, Landmark as L

SIDES = ("left", "right")
#: +1 where the person's left is along +X of the body axes, -1 for the right leg.
LATERAL_SIGN = {"left": 1.0, "right": -1.0}


class Reason(IntEnum):
    """Why a leg's angle in a frame is (not) usable. Names lower-cased are the codes in CSV/JSON."""

    OK = 0
    NO_PERSON = 1      # nobody detected in the frame
    NOT_VISIBLE = 2    # hip, knee or ankle of this leg missing or barely visible
    OUT_OF_FRAME = 3   # knee or ankle at/over the image border (too close, feet cut off)
    NOT_FACING = 4     # person turned away from the camera (thighs seen from the side)
    NOT_SEATED = 5     # thigh not pointing at the camera (standing, lying) or shank not hanging
    IMPLAUSIBLE = 6    # angle beyond what a hip rotates
    MOVING = 7         # knees travelling (walking, shifting): the test keeps them still
    STRAY = 8          # passed every check, but the seated posture was not seen steadily around it

    @property
    def code(self) -> str:
        return self.name.lower()


def _leg_points(px: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    leg = LEG[side]
    return px[..., leg["hip"], :], px[..., leg["knee"], :], px[..., leg["ankle"], :]


def angles_image(px: np.ndarray, view: CameraView) -> np.ndarray:
    """``(..., 2)`` IR angle (left, right) in degrees from ``(..., 33, 2)`` pixel landmarks.

    The shank lies in the plane through the camera centre and its image line
    (normal ray_knee × ray_ankle); intersecting that plane with the frontal
    plane (normal = body Z) gives the shank's frontal-plane direction, whose
    angle from body "down" toward the leg's lateral side is the IR angle.
    NaN where a landmark is missing.
    """
    ax = view.axes
    out = []
    for side in SIDES:
        _, knee, ankle = _leg_points(px, side)
        d = frontal_direction(ax, view.rays(knee), view.rays(ankle))
        out.append(g.angle_in_plane(d, -ax[1], LATERAL_SIGN[side] * ax[0]))
    return np.stack(out, axis=-1)


def angles_world(world: np.ndarray, view: CameraView) -> np.ndarray:
    """``(..., 2)`` IR angle (left, right) in degrees from ``(..., 33, 3)`` world landmarks.

    ``view`` must hold body axes in MediaPipe's world axes (see `estimate_view_world`).
    """
    ax = view.axes
    out = []
    for side in SIDES:
        _, knee, ankle = _leg_points(world, side)
        shank = g.project_onto_plane(ankle - knee, ax[2])
        out.append(g.angle_in_plane(shank, -ax[1], LATERAL_SIGN[side] * ax[0]))
    return np.stack(out, axis=-1)


def knee_travel(t_s: np.ndarray, px: np.ndarray, *, window_s: float = 0.5) -> np.ndarray:
    """(T,) how far the knees moved over the last ``window_s`` seconds, in shank lengths.

    For each frame: the larger over both knees of the largest distance between the knee
    now and the same knee in any frame of the preceding window, divided by the mean
    image shank length now. Causal (uses past frames only), so the live tracker gets
    the same value from its recent history. NaN where it cannot be told.

    Args:
        t_s: (T,) seconds; px: (T, 33, 2) pixel landmarks.
    """
    t = np.asarray(t_s, float)
    px = np.asarray(px, float)
    n = len(t)
    if n == 0:
        return np.zeros(0)
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0
    w = max(1, int(round(window_s / dt)))
    knees = px[:, [L.LEFT_KNEE, L.RIGHT_KNEE], :]                       # (T, 2, 2)
    padded = np.concatenate([np.full((w,) + knees.shape[1:], np.nan), knees])
    past = np.lib.stride_tricks.sliding_window_view(padded, w + 1, axis=0)[:n]  # (T, 2, 2, w+1)
    dist = g.norm(np.moveaxis(past, -1, -2) - knees[:, :, None, :])     # (T, 2, w+1)
    ok = np.isfinite(dist)
    travel = np.where(ok.any(axis=(1, 2)), np.where(ok, dist, -np.inf).max(axis=(1, 2)), np.nan)
    shank = g.nanmean(np.stack([g.norm(px[:, LEG[s]["ankle"]] - px[:, LEG[s]["knee"]]) for s in SIDES], -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return travel / shank


def steady(t_s: np.ndarray, reasons: np.ndarray, *, window_s: float = 0.3, min_fraction: float = 0.34) -> np.ndarray:
    """(T, 2) reasons with OK frames turned to STRAY unless the leg was OK in at least
    ``min_fraction`` of the frames of the preceding ``window_s`` seconds (this one included;
    fewer at the very start).

    Causal, so a live tracker gets the same answer from its recent history; keeps a pose
    model's odd frame (a standing person's thighs looking short for an instant) from counting.
    """
    t = np.asarray(t_s, float)
    r = np.asarray(reasons, int).copy()
    n = len(t)
    if n == 0:
        return r
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0
    w = max(1, int(round(window_s / dt)))
    ok = (r == int(Reason.OK)).astype(float)
    padded = np.concatenate([np.zeros((w,) + ok.shape[1:]), ok])
    csum = np.cumsum(padded, axis=0)
    count = csum[w:] - csum[:-w] + padded[:n]                       # OK frames among the last w + 1
    frames = np.minimum(np.arange(1, n + 1), w + 1).reshape((n,) + (1,) * (ok.ndim - 1))  # fewer at the start
    r[(ok > 0) & (count < min_fraction * frames)] = int(Reason.STRAY)
    return r


def legs_to_torso(px: np.ndarray, visibility: np.ndarray, view: CameraView, *,
                  min_visibility: float = 0.5) -> np.ndarray:
    """(...) vertical extent hip → lowest ankle over shoulder → hip in the roll-corrected image.

    About 1.0 (0.6–1.15) for a person seated facing the camera, 1.35–1.8 standing;
    NaN when the shoulders or both ankles are not seen (then it tells nothing).
    """
    px = np.asarray(px, float)
    vis = np.asarray(visibility, float)
    down = g.rotate_2d(np.array([0.0, 1.0]), -view.roll_deg)
    y = g.dot(px, down)                                                  # (..., 33)
    y = np.where(vis >= min_visibility, y, np.nan)
    shoulders = g.nanmean(y[..., [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]])
    hips = g.nanmean(y[..., [L.LEFT_HIP, L.RIGHT_HIP]])
    ankles = np.fmax(y[..., L.LEFT_ANKLE], y[..., L.RIGHT_ANKLE])
    with np.errstate(invalid="ignore", divide="ignore"):
        torso = hips - shoulders
        return np.where(torso > 0, (ankles - hips) / np.where(torso > 0, torso, 1.0), np.nan)


def frame_reasons(px: np.ndarray, visibility: np.ndarray, frame_size: tuple[int, int], view: CameraView,
                  angles_deg: np.ndarray, *, travel: np.ndarray | None = None, min_visibility: float = 0.5,
                  max_angle_deg: float = 70.0, border_frac: float = 0.01, max_legs_to_torso: float = 1.3,
                  max_travel: float = 0.35) -> np.ndarray:
    """``(..., 2)`` `Reason` codes (int) for each leg (left, right).

    Args:
        px: (..., 33, 2) pixel landmarks; visibility: (..., 33) 0..1.
        frame_size: (width, height) pixels.
        view: camera view (its roll defines the image's vertical).
        angles_deg: (..., 2) angles from `angles_image`/`angles_world`.
        min_visibility: a hip, knee or ankle less visible than this is "not visible".
        max_angle_deg: |angle| above this is implausible.
        border_frac: knees/ankles within this fraction of the image border are "out of frame".
        travel: (...) `knee_travel` per frame (None = not checked); above ``max_travel`` → MOVING.
        max_legs_to_torso: a larger `legs_to_torso` means standing → NOT_SEATED.

    Posture tests use the image in the camera's roll-corrected axes, in units of the
    shank's image length S: the thigh (hip → knee) must be short (the thigh points at
    the camera: vertical part between -0.5 S and 0.8 S, sideways part under 0.6 S), the
    shank must hang down (within 78° of vertical), and the knees or hips must be apart
    (> 0.15 S) — a person in profile shows them on top of each other. The legs below the
    hips must not be much longer in the image than the trunk (`legs_to_torso`), which
    tells a standing person whose thighs happen to look short.
    """
    px = np.asarray(px, float)
    vis = np.asarray(visibility, float)
    w, h = frame_size
    reasons = np.full(px.shape[:-2] + (2,), int(Reason.OK))
    person = np.isfinite(px).any(axis=(-1, -2))
    # roll-corrected image axes: "right" and "down" of the body in the picture
    right_img = g.rotate_2d(np.array([1.0, 0.0]), -view.roll_deg)
    down_img = g.rotate_2d(np.array([0.0, 1.0]), -view.roll_deg)
    shank_len = []
    for side in SIDES:
        _, knee, ankle = _leg_points(px, side)
        shank_len.append(g.norm(ankle - knee))
    with np.errstate(all="ignore"):
        scale = g.nanmean(np.stack(shank_len, -1))
        sep = np.fmax(g.norm(px[..., L.LEFT_KNEE, :] - px[..., L.RIGHT_KNEE, :]),
                      g.norm(px[..., L.LEFT_HIP, :] - px[..., L.RIGHT_HIP, :])) / scale
        standing = legs_to_torso(px, vis, view, min_visibility=min_visibility) > max_legs_to_torso
        moving = (np.asarray(travel) > max_travel) if travel is not None else np.zeros(standing.shape, bool)
    for k, side in enumerate(SIDES):
        hip, knee, ankle = _leg_points(px, side)
        leg = LEG[side]
        idx = [leg["hip"], leg["knee"], leg["ankle"]]
        seen = (np.isfinite(np.stack([hip, knee, ankle], -2)).all(axis=(-1, -2))
                & (vis[..., idx] >= min_visibility).all(-1))
        inside = np.ones(seen.shape, bool)
        for p in (knee, ankle):
            with np.errstate(invalid="ignore"):
                inside &= ((p[..., 0] > border_frac * w) & (p[..., 0] < (1 - border_frac) * w)
                           & (p[..., 1] > border_frac * h) & (p[..., 1] < (1 - border_frac) * h))
        shank = ankle - knee
        thigh = knee - hip
        with np.errstate(all="ignore"):
            s = g.norm(shank)
            sideways = np.abs(g.dot(thigh, right_img)) / s
            downward = g.dot(thigh, down_img) / s
            facing = (sideways < 0.6) & (sep > 0.15)
            seated = (downward < 0.8) & (downward > -0.5) & (g.dot(shank, down_img) > 0.2 * s)
            plausible = np.abs(angles_deg[..., k]) <= max_angle_deg
        r = np.where(~plausible, int(Reason.IMPLAUSIBLE), int(Reason.OK))
        r = np.where(moving, int(Reason.MOVING), r)
        r = np.where(~seated | standing, int(Reason.NOT_SEATED), r)
        r = np.where(~facing, int(Reason.NOT_FACING), r)
        r = np.where(~inside, int(Reason.OUT_OF_FRAME), r)
        r = np.where(~seen, int(Reason.NOT_VISIBLE), r)
        r = np.where(~person, int(Reason.NO_PERSON), r)
        reasons[..., k] = r
    return reasons
