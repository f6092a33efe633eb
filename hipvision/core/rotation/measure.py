"""The per-frame measurement shared by files and the live tracker: posture, knee anchors, angle, reason.

For each frame:

1. **Posture** of the whole person (`seated.seated_posture`, `seated_state`) and
   how far the knees travelled lately (`seated.knee_travel`).
2. **First pass** with the pose model's own knees (`first_pass`): angle and reasons. Frames
   that pass, with the person steadily seated and the shank hanging near vertical for the
   last half second, are *rest* frames; their knees give each leg's anchor (`anchor`).
3. **Anchored pass** (`anchored_pass`): the knees are replaced by their anchors (when the
   model's knee agrees with them) and the angle and the reasons are computed again; a knee
   that left its anchor makes the leg MOVING.

Files run these over the whole recording (`measure_recording`, which also fits the camera
view on the anchored seated frames); `RotationTracker` runs them frame by frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipvision.core import geometry as g
from hipvision.core.rotation.anchor import anchor_agrees, knee_anchors, rest_mask, steady_rest, with_knees
from hipvision.core.rotation.frame import Reason, angles_image, angles_world, frame_reasons, steady, \
    thigh_drop_limit
from hipvision.core.rotation.seated import facing_world, hips_still, knee_travel, seated_posture, seated_state
from hipvision.core.rotation.summary import rest_angle
from hipvision.core.rotation.view import MAX_PITCH_DEG, CameraView, default_view, estimate_view_image, \
    estimate_view_world, knee_line_roll_deg

#: Knees that travelled more than this many shank lengths in 0.5 s are moving (when not anchored).
MAX_TRAVEL = 0.35
#: Reasons that still show a seated person facing the camera (usable to estimate the camera view).
POSTURE_OK = (int(Reason.OK), int(Reason.IMPLAUSIBLE), int(Reason.OUT_OF_FRAME))


def roll_view(px: np.ndarray, frame_size: tuple[int, int], *, hfov_deg: float) -> CameraView:
    """Roll-only view (pitch = yaw = 0) from the median tilt of the knee and hip lines of ``px`` (T, 33, 2)."""
    base = default_view(frame_size, hfov_deg=hfov_deg)
    roll = g.circular_median_deg(knee_line_roll_deg(px)) if len(px) else float("nan")
    return CameraView(roll if np.isfinite(roll) else 0.0, 0.0, 0.0, base.focal_px, base.centre_px, "roll", 0)


@dataclass(frozen=True)
class Person:
    """Person-level tests of a frame (``(...)`` bool, or one frame's scalars).

    Attributes:
        seated: sits upright (`seated.seated_state`). facing: faces the camera
        (`seated.facing_world`). travel: `seated.knee_travel`, shank lengths (None = not known).
    """

    seated: np.ndarray
    facing: np.ndarray
    travel: np.ndarray | None

    @property
    def moving(self) -> np.ndarray | None:
        """Knees travelled more than `MAX_TRAVEL` (None when not known)."""
        if self.travel is None:
            return None
        with np.errstate(invalid="ignore"):
            return np.asarray(self.travel, float) > MAX_TRAVEL


def first_pass(px: np.ndarray, visibility: np.ndarray, frame_size: tuple[int, int], view: CameraView,
               person: Person, *, max_thigh_drop: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Angles (..., 2) degrees and reasons (..., 2) with the model's own knees (``max_thigh_drop``: see
    `frame.frame_reasons`)."""
    ang = angles_image(px, view)
    return ang, frame_reasons(px, visibility, frame_size, view, ang, seated=person.seated, facing=person.facing,
                              moving=person.moving, max_thigh_drop=max_thigh_drop)


@dataclass(frozen=True)
class Pass:
    """One anchored measurement. Shapes (..., 2) are (left, right).

    Attributes:
        raw_deg: angle, degrees, NaN where the reason is not OK.
        reasons: `Reason` codes (int).
        px: (..., 33, 2) the pixel landmarks used, knees anchored where the anchor held.
        anchored: bool, the leg's knee came from its anchor.
    """

    raw_deg: np.ndarray
    reasons: np.ndarray
    px: np.ndarray
    anchored: np.ndarray
    height_hint_deg: float = float("nan")   # `height_hint_deg` of the recording (NaN: not estimated)


def anchored_pass(px: np.ndarray, visibility: np.ndarray, world: np.ndarray | None, frame_size: tuple[int, int],
                  view: CameraView, world_view: CameraView | None, estimator: str, person: Person,
                  anchors: np.ndarray, *, max_thigh_drop: float | None = None) -> Pass:
    """Angle and reasons with each knee at its anchor ((..., 2, 2) pixels, NaN = none).

    A leg with an anchor is MOVING when its knee landmark is away from it (`anchor_agrees`);
    a leg without one when the knees travelled (`Person.moving`). ``max_thigh_drop``: see `frame.frame_reasons`.
    """
    has = np.isfinite(anchors).all(-1)
    agree = anchor_agrees(px, anchors)
    use = has & agree
    pxa = with_knees(px, anchors, use)
    moving = person.moving
    moving = ~agree if moving is None else np.where(has, ~agree, np.asarray(moving)[..., None])
    if estimator == "world" and world is not None and world_view is not None:
        ang = angles_world(world, world_view)
    else:
        ang = angles_image(pxa, view)
    reasons = frame_reasons(pxa, visibility, frame_size, view, ang, seated=person.seated, facing=person.facing,
                            moving=moving, max_thigh_drop=max_thigh_drop)
    return Pass(np.where(reasons == int(Reason.OK), ang, np.nan), reasons, pxa, use)


#: Frames (evenly spaced) the camera-height hint is fitted on: it only sets the thigh test's limit, and
#: `estimate_view_image`'s 240 would double the time of a file's analysis.
HINT_FRAMES = 60


def height_hint_deg(px: np.ndarray, seated: np.ndarray, frame_size: tuple[int, int], *, hfov_deg: float) -> float:
    """How far above knee height the camera looks down from, degrees, for the per-leg thigh test of the first
    passes (`frame.thigh_drop_limit`), before any frame has passed them: the pitch of a view fitted on the
    frames where the person-level tests say seated (``seated``, (T,) bool), model knees and all, with no
    limit on the pitch (one beyond `view.MAX_PITCH_DEG` says the camera is too high to measure from);
    NaN when there are no such frames or the fit fails.
    """
    frames = np.asarray(px, float)[np.asarray(seated, bool)]
    if len(frames) == 0:
        return float("nan")
    view = estimate_view_image(frames, frame_size, hfov_deg=hfov_deg, max_pitch_deg=89.0, max_frames=HINT_FRAMES)
    return float(view.pitch_deg) if view.source == "image" else float("nan")


def hint_thigh_drop(hint_deg: float) -> float:
    """The per-leg thigh-drop limit for a camera-height hint (`height_hint_deg`, degrees): `frame.thigh_drop_limit`
    of it, the level limit when it is unknown (NaN) or beyond `view.MAX_PITCH_DEG` (too high to measure: the
    result then says so)."""
    return thigh_drop_limit(hint_deg if hint_deg <= MAX_PITCH_DEG else 0.0)  # NaN compares False


def fit_view(rest_px: np.ndarray, rest_deg: np.ndarray, seated_px: np.ndarray, frame_size: tuple[int, int], *,
             hfov_deg: float, fit_pitch_yaw: bool, calm_deg: float = 2.0, min_frames: int = 15) -> CameraView:
    """The camera view, fitted on frames where both legs rest when there are enough of them.

    Resting, the model's own knees are right (no slide) and the hanging shanks add a
    vertical to the roll cues; only frames whose angles lie within ``calm_deg`` of each
    leg's `rest_angle` count (not a foot on its way out). With fewer than ``min_frames`` of
    those the fit uses all seated frames, knees anchored, without the shank cue.

    Args:
        rest_px: (N, 33, 2) pixels of frames where both legs rest (`anchor.rest_mask`);
        rest_deg: (N, 2) their first-pass angles, degrees; seated_px: (M, 33, 2) anchored seated frames.
    """
    rest_px = np.asarray(rest_px, float).reshape(-1, 33, 2)
    rest_deg = np.asarray(rest_deg, float).reshape(-1, 2)
    calm = np.ones(len(rest_px), bool)
    for k in range(2):
        with np.errstate(invalid="ignore"):
            calm &= np.abs(rest_deg[:, k] - rest_angle(rest_deg[:, k])) <= calm_deg
    if np.count_nonzero(calm) >= min_frames:
        return estimate_view_image(rest_px[calm], frame_size, hfov_deg=hfov_deg, fit_pitch_yaw=fit_pitch_yaw,
                                   at_rest=True)
    return estimate_view_image(np.asarray(seated_px, float).reshape(-1, 33, 2), frame_size, hfov_deg=hfov_deg,
                               fit_pitch_yaw=fit_pitch_yaw)


def measure_recording(t_s: np.ndarray, px: np.ndarray, visibility: np.ndarray, world: np.ndarray,
                      frame_size: tuple[int, int], *, estimator: str = "image", hfov_deg: float = 60.0,
                      fit_pitch_yaw: bool = True) -> tuple[Pass, CameraView]:
    """Every frame of a recording: (anchored pass with steadiness applied, camera view used).

    Args:
        t_s: (T,) seconds; px: (T, 33, 2) pixels; visibility: (T, 33); world: (T, 33, 3) metres.
        estimator, hfov_deg, fit_pitch_yaw: see `result.Settings`.
    """
    t = np.asarray(t_s, float)
    first = roll_view(px, frame_size, hfov_deg=hfov_deg)
    upright, bent = seated_posture(px, visibility, world, first)
    seated, state = seated_state(t, upright, bent, hips_still(t, px))
    person = Person(seated, np.asarray(facing_world(world)), knee_travel(t, px))
    hint = height_hint_deg(px, state & np.asarray(person.facing, bool), frame_size, hfov_deg=hfov_deg) \
        if fit_pitch_yaw else float("nan")
    drop = hint_thigh_drop(hint)
    ang1, r1 = first_pass(px, visibility, frame_size, first, person, max_thigh_drop=drop)
    rest = steady_rest(t, rest_mask(ang1, (r1 == int(Reason.OK)) & state[:, None]))
    anchors = knee_anchors(t, px, rest, backfill=True)
    trial = anchored_pass(px, visibility, world, frame_size, first, None, "image", person, anchors,
                          max_thigh_drop=drop)
    seated = np.isin(trial.reasons, POSTURE_OK).any(axis=-1)
    both = rest.all(-1)
    view = fit_view(px[both], ang1[both], trial.px[seated], frame_size, hfov_deg=hfov_deg, fit_pitch_yaw=fit_pitch_yaw)
    world_view = estimate_view_world(world[seated]) if estimator == "world" else None
    final = anchored_pass(px, visibility, world, frame_size, view, world_view, estimator, person, anchors)
    reasons = steady(t, final.reasons, posture_ok=state)
    raw = np.where(reasons == int(Reason.OK), final.raw_deg, np.nan)
    return Pass(raw, reasons, final.px, final.anchored, hint), view
