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
from hipvision.core.rotation.seated import recent_fraction
from hipvision.core.rotation.view import CameraView, frontal_direction
from hipvision.landmarks import LEG, SIDES, Landmark as L

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


#: What a leg's frames showed when they were rejected for this reason, in plain words (a result's warnings).
REASON_SEEN = {
    Reason.NO_PERSON: "nobody was found",
    Reason.NOT_VISIBLE: "the leg was not seen clearly",
    Reason.OUT_OF_FRAME: "the knee or foot was at the edge of the picture",
    Reason.NOT_FACING: "the person was seen turned away",
    Reason.NOT_SEATED: "the leg was not seen in the seated position",
    Reason.IMPLAUSIBLE: "the angle read beyond what a hip turns",
    Reason.MOVING: "the knee was seen moving",
    Reason.STRAY: "the seated posture was not seen steadily",
}
#: What to change when frames are rejected for a reason (the live view's coaching message, `stream.coaching_message`).
SETUP_MESSAGES = {
    Reason.NO_PERSON: "Sit facing the camera so that it can see you",
    Reason.OUT_OF_FRAME: "Feet out of view: move the camera back",
    Reason.NOT_VISIBLE: "Keep your whole body in view, head to feet",
    Reason.NOT_FACING: "Turn to face the camera square on",
    Reason.NOT_SEATED: "Sit on a table edge, thighs pointing at the camera, shanks hanging",
    Reason.MOVING: "Keep your knees still: only the foot moves",
}


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


def steady(t_s: np.ndarray, reasons: np.ndarray, *, posture_ok: np.ndarray | None = None, window_s: float = 0.3,
           min_fraction: float = 0.34) -> np.ndarray:
    """(T, 2) reasons with OK frames turned to STRAY unless the leg was OK in at least
    ``min_fraction`` of the frames of the preceding ``window_s`` seconds (this one included;
    fewer at the very start) and, when given, ``posture_ok`` (T,) holds (the person-level
    posture was seen steadily: `seated.posture_steady`).

    Causal, so a live tracker gets the same answer from its recent history; keeps a pose
    model's odd frame (a standing person's thighs looking short for an instant) from counting.
    """
    r = np.asarray(reasons, int).copy()
    if len(r) == 0:
        return r
    ok = r == int(Reason.OK)
    keep = recent_fraction(t_s, ok, window_s=window_s) >= min_fraction
    if posture_ok is not None:
        keep &= np.asarray(posture_ok, bool).reshape((len(r),) + (1,) * (r.ndim - 1))
    r[ok & ~keep] = int(Reason.STRAY)
    return r


#: The per-leg thigh-drop test's limit seen level, in shank lengths (`thigh_drop_limit`).
LEVEL_THIGH_DROP = 1.0
#: How far a seated thigh may drop beyond its geometric tan(pitch), shank lengths: MediaPipe puts seated hips
#: high (a thigh seen from 35° above dropped 0.8-0.98 S on rendered people, tan 35° = 0.70), thighs are longer
#: or shorter than shanks and slope.
THIGH_DROP_SLACK = 0.5


def thigh_drop_limit(pitch_deg: float, *, level: float = LEVEL_THIGH_DROP, slack: float = THIGH_DROP_SLACK) -> float:
    """The most a seated thigh (hip → knee) may drop in the picture, in image shank lengths, for a camera
    ``pitch_deg`` above knee height (+ = looking down).

    A thigh pointing at the camera, seen from above, drops tan(pitch) × thigh/shank shank lengths (the shank
    hangs and is foreshortened by cos(pitch), the thigh shows sin(pitch) of its length): 1.0 at 45°,
    1.2 at 50°, 1.7 at 60°. A fixed limit (``level``) then rejects every seated frame of a camera 45° or more
    above the knees as "not seated". The limit is ``max(level, tan(pitch) + slack)``: ``level`` up to 27°.
    A standing person's thigh drops about one shank length from any height; from a high camera the image
    cannot tell them apart and the person-level tests (`seated`, world landmarks) do.
    """
    return float(max(level, np.tan(np.radians(min(max(pitch_deg, 0.0), 80.0))) + slack))


def frame_reasons(px: np.ndarray, visibility: np.ndarray, frame_size: tuple[int, int], view: CameraView,
                  angles_deg: np.ndarray, *, seated: np.ndarray | None = None, facing: np.ndarray | None = None,
                  moving: np.ndarray | None = None,
                  min_visibility: float = 0.5, max_angle_deg: float = 70.0, border_frac: float = 0.01,
                  max_thigh_drop: float | None = None, max_thigh_side: float = 1.0) -> np.ndarray:
    """``(..., 2)`` `Reason` codes (int) for each leg (left, right).

    Args:
        px: (..., 33, 2) pixel landmarks (knees anchored or not, see `anchor`);
            visibility: (..., 33) 0..1.
        frame_size: (width, height) pixels.
        view: camera view (its roll defines the image's vertical).
        angles_deg: (..., 2) angles from `angles_image`/`angles_world`.
        seated: (...) bool, the person-level posture test (`seated.seated_state`);
            False → NOT_SEATED. None = not tested.
        facing: (...) bool, the person faces the camera (`seated.facing_world`);
            False → NOT_FACING. None = not tested.
        moving: (...) or (..., 2) bool, the knee(s) moved (`knee_travel`, or a knee away from its
            anchor) → MOVING. None = not tested.
        min_visibility: a hip, knee or ankle less visible than this is "not visible".
        max_angle_deg: |angle| above this is implausible.
        border_frac: knees/ankles within this fraction of the image border are "out of frame".
        max_thigh_drop: the thigh-drop limit, shank lengths; None = `thigh_drop_limit` of the view's pitch.

    Per-leg posture tests use the image in the camera's roll-corrected axes, in units of the
    shank's image length S: the thigh (hip → knee) must point at the camera, its vertical part
    between -0.5 S and ``max_thigh_drop`` S (`thigh_drop_limit`: 1 S up to a camera 27° above knee
    height; a thigh seen from 35° above drops 0.8–0.98 S: MediaPipe puts seated hips high) and its sideways part under
    ``max_thigh_side`` S (about 1 S seen side-on); the shank must hang down (within 78° of
    vertical), and the knees or hips must be apart (> 0.15 S) — a person in profile shows them
    on top of each other. Standing people and people turned away are told apart by the
    person-level tests (``seated``, ``facing``), which see depth.
    """
    px = np.asarray(px, float)
    vis = np.asarray(visibility, float)
    w, h = frame_size
    if max_thigh_drop is None:
        max_thigh_drop = thigh_drop_limit(view.pitch_deg)
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
    posture = np.ones(person.shape, bool) if seated is None else np.broadcast_to(np.asarray(seated, bool),
                                                                                 person.shape)
    faces = np.ones(person.shape, bool) if facing is None else np.broadcast_to(np.asarray(facing, bool),
                                                                               person.shape)
    moved = np.zeros(reasons.shape, bool) if moving is None else np.asarray(moving, bool)
    if moved.shape != reasons.shape:
        moved = np.broadcast_to(moved[..., None], reasons.shape)
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
            leg_facing = (sideways < max_thigh_side) & (sep > 0.15) & faces
            seated_leg = (downward < max_thigh_drop) & (downward > -0.5) & (g.dot(shank, down_img) > 0.2 * s)
            plausible = np.abs(angles_deg[..., k]) <= max_angle_deg
        r = np.where(~plausible, int(Reason.IMPLAUSIBLE), int(Reason.OK))
        r = np.where(moved[..., k], int(Reason.MOVING), r)
        r = np.where(~seated_leg | ~posture, int(Reason.NOT_SEATED), r)
        r = np.where(~leg_facing, int(Reason.NOT_FACING), r)
        r = np.where(~inside, int(Reason.OUT_OF_FRAME), r)
        r = np.where(~seen, int(Reason.NOT_VISIBLE), r)
        r = np.where(~person, int(Reason.NO_PERSON), r)
        reasons[..., k] = r
    return reasons
