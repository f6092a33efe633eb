"""The per-frame measurement shared by files and the live tracker: posture, knee anchors, angle, reason.

For each frame:

1. **Posture** of the whole person (`rotation_posture.seated_posture`) and how far the
   knees travelled lately (`rotation_frame.knee_travel`).
2. **First pass** with the pose model's own knees (`first_pass`): angle and reasons. Frames
   that pass with the shank hanging near vertical are *rest* frames; their knees give each
   leg's anchor (`rotation_anchor`).
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
from hipvision.core.rotation_anchor import anchor_agrees, knee_anchors, rest_mask, with_knees
from hipvision.core.rotation_frame import Reason, angles_image, angles_world, frame_reasons, knee_travel, steady
from hipvision.core.rotation_posture import posture_steady, seated_posture
from hipvision.core.rotation_view import CameraView, default_view, estimate_view_image, estimate_view_world, \
    knee_line_roll_deg

#: Knees that travelled more than this many shank lengths in 0.5 s are moving (when not anchored).
MAX_TRAVEL = 0.35
#: Reasons that still show a seated person facing the camera (usable to estimate the camera view).
POSTURE_OK = (int(Reason.OK), int(Reason.IMPLAUSIBLE), int(Reason.OUT_OF_FRAME))


def roll_view(px: np.ndarray, frame_size: tuple[int, int], *, hfov_deg: float) -> CameraView:
    """Roll-only view (pitch = yaw = 0) from the median tilt of the knee and hip lines of ``px`` (T, 33, 2)."""
    base = default_view(frame_size, hfov_deg=hfov_deg)
    roll = g.circular_median_deg(knee_line_roll_deg(px)) if len(px) else float("nan")
    return CameraView(roll if np.isfinite(roll) else 0.0, 0.0, 0.0, base.focal_px, base.centre_px, "roll", 0)


def _moving(travel: np.ndarray | None) -> np.ndarray | None:
    if travel is None:
        return None
    with np.errstate(invalid="ignore"):
        return np.asarray(travel, float) > MAX_TRAVEL


def first_pass(px: np.ndarray, visibility: np.ndarray, frame_size: tuple[int, int], view: CameraView,
               posture: np.ndarray, travel: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Angles (..., 2) degrees and reasons (..., 2) with the model's own knees."""
    ang = angles_image(px, view)
    return ang, frame_reasons(px, visibility, frame_size, view, ang, seated=posture, moving=_moving(travel))


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


def anchored_pass(px: np.ndarray, visibility: np.ndarray, world: np.ndarray | None, frame_size: tuple[int, int],
                  view: CameraView, world_view: CameraView | None, estimator: str, posture: np.ndarray,
                  travel: np.ndarray | None, anchors: np.ndarray) -> Pass:
    """Angle and reasons with each knee at its anchor ((..., 2, 2) pixels, NaN = none).

    A leg with an anchor is MOVING when its knee landmark is away from it (`anchor_agrees`);
    a leg without one when the knees travelled (``travel`` > `MAX_TRAVEL`).
    """
    has = np.isfinite(anchors).all(-1)
    agree = anchor_agrees(px, anchors)
    use = has & agree
    pxa = with_knees(px, anchors, use)
    moving = _moving(travel)
    moving = ~agree if moving is None else np.where(has, ~agree, np.asarray(moving)[..., None])
    if estimator == "world" and world is not None and world_view is not None:
        ang = angles_world(world, world_view)
    else:
        ang = angles_image(pxa, view)
    reasons = frame_reasons(pxa, visibility, frame_size, view, ang, seated=posture, moving=moving)
    return Pass(np.where(reasons == int(Reason.OK), ang, np.nan), reasons, pxa, use)


def fit_view(px: np.ndarray, anchored_px: np.ndarray, both_rest: np.ndarray, seated: np.ndarray,
             frame_size: tuple[int, int], *, hfov_deg: float, fit_pitch_yaw: bool,
             min_frames: int = 15) -> CameraView:
    """Camera view fitted on the frames where both legs rest (the model's own knees are right there,
    and every frame adds independent landmark noise), or, with fewer than ``min_frames`` of those,
    on all seated frames with anchored knees.

    Args:
        px, anchored_px: (T, 33, 2) pixels, the model's and with knees anchored; both_rest, seated: (T,) bool.
    """
    if np.count_nonzero(both_rest) >= min_frames:
        return estimate_view_image(px[both_rest], frame_size, hfov_deg=hfov_deg, fit_pitch_yaw=fit_pitch_yaw)
    return estimate_view_image(anchored_px[seated], frame_size, hfov_deg=hfov_deg, fit_pitch_yaw=fit_pitch_yaw)


def measure_recording(t_s: np.ndarray, px: np.ndarray, visibility: np.ndarray, world: np.ndarray,
                      frame_size: tuple[int, int], *, estimator: str = "image", hfov_deg: float = 60.0,
                      fit_pitch_yaw: bool = True) -> tuple[Pass, CameraView]:
    """Every frame of a recording: (anchored pass with steadiness applied, camera view used).

    Args:
        t_s: (T,) seconds; px: (T, 33, 2) pixels; visibility: (T, 33); world: (T, 33, 3) metres.
        estimator, hfov_deg, fit_pitch_yaw: see `rotation_result.Settings`.
    """
    t = np.asarray(t_s, float)
    first = roll_view(px, frame_size, hfov_deg=hfov_deg)
    posture = seated_posture(px, visibility, world, first)
    travel = knee_travel(t, px)
    ang1, r1 = first_pass(px, visibility, frame_size, first, posture, travel)
    rest = rest_mask(ang1, r1 == int(Reason.OK))
    anchors = knee_anchors(t, px, rest, backfill=True)
    trial = anchored_pass(px, visibility, world, frame_size, first, None, "image", posture, travel, anchors)
    seated = np.isin(trial.reasons, POSTURE_OK).any(axis=-1)
    view = fit_view(px, trial.px, rest.all(-1), seated, frame_size, hfov_deg=hfov_deg, fit_pitch_yaw=fit_pitch_yaw)
    world_view = estimate_view_world(world[seated]) if estimator == "world" else None
    final = anchored_pass(px, visibility, world, frame_size, view, world_view, estimator, posture, travel, anchors)
    reasons = steady(t, final.reasons, posture_ok=posture_steady(t, posture))
    raw = np.where(reasons == int(Reason.OK), final.raw_deg, np.nan)
    return Pass(raw, reasons, final.px, final.anchored), view
