"""A camera looking down on a person on all fours, in line with the body: the pelvis path from the image.

From behind or in front, the pose model's depth (world z) under-reports the hips' forward-back motion and moves
partly in step with the side-to-side one (docs/circles-accuracy.md, fifth and seventh passes). A camera that looks
down steeply sees that motion as the hips moving up and down the image instead: toward the camera is down the image.
On rendered sets filmed from a shelf (pitch 38-40°) the hips' image row followed the true sit-back with |r| 0.97-0.99,
the pose model's forward motion with r 0.66-0.88; from table height (7-16°) the image row gave |r| 0.05-0.91 and from
the floor the other sign, so it is used only where the camera is seen to look down steeply (`looks_down`). There
the whole path is taken from the image, in the camera's frame (`hip_image_motion_m`, `in_camera_frame`): the
mid-hip's image row toward the camera and its image x across, with the camera straight behind or in front, since the
pose model's body frame from behind is turned (azimuth read 153-179° on shelf renders) and turned an image depth
against the world's across axis (docs/circles-accuracy.md, tenth pass).

How steeply, from the legs: the shanks lie on the floor pointing back from the knees, so the image drop from knees to
ankles over the shank's length is foreshortened by the sine of the elevation (`floor_foreshortening`), the scale
taken from the knees' and ankles' widths across the view. Side-on the shank runs across the view and says nothing:
only views within ``max_off_line_deg`` of in line are read. On ideal projections it gives the line of sight's
elevation at the knees within 6° (`benchmarks/circles_elevation.py`); on MediaPipe's landmarks of rendered videos it
reads high (0.53-0.79 from table height, 0.93-1 from a shelf, as sines), so ``looks_down_sin`` is set between them for
this pose model, not as an angle, and the motion is scaled by an assumed elevation (``assumed_deg``). It reads higher
still for a person far away (the knees a few dozen pixels apart): it is read only where the person spans at least
``min_fill`` of the frame, as on the renders it was set on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipvision.core.circles.trajectory import windowed_mean
from hipvision.landmarks import Landmark as L


@dataclass(frozen=True)
class ElevationSettings:
    """When the pelvis path is taken from the image instead of the pose model's world (see the module docstring)."""

    max_off_line_deg: float = 45.0  # views farther than this from in front or behind cannot tell the elevation
    looks_down_sin: float = 0.87  # median `floor_foreshortening` from which the camera looks down steeply (rendered,
    # MediaPipe full: 0.53-0.79 from table height incl. the behind sample, 0.93-1.0 from a shelf)
    min_frames: int = 30  # on-all-fours frames in line needed to judge
    min_fill: float = 0.42  # the person spans at least this share of the frame (`analyze.frame_fill`): the index was
    # set on people spanning 0.48-0.66 of it; a far one's legs are drawn too steep (a session's camera 3.9 m behind
    # the hips at 13° read 0.89 at 0.27 of the frame: the path taken from the image, 2 + 3 counted for 3 + 3, `high`)
    scale_window_s: float = 6.0  # the across motions compared by `world_across_scale` are taken about their mean
    # over this window (the circles, not where the person knelt)
    max_scale: float = 2.0  # `world_across_scale` outside [1/max_scale, max_scale]: the hip width's scale is kept
    assumed_deg: float = 40.0  # the elevation the hips' image height is scaled by: the index tells that the camera
    # looks down, not how far (it read 0.93-1.0 for true 37-39° at the hips; the sizes came out 0.6 times too small)


def in_line(camera_azimuth_deg: np.ndarray, max_off_line_deg: float) -> np.ndarray:
    """(T,) bool: the camera is within ``max_off_line_deg`` of in front of the head (azimuth 0) or behind the hips
    (180) (`CircleTrack.camera_azimuth_deg`); False where unknown."""
    with np.errstate(invalid="ignore"):
        return np.abs(np.cos(np.radians(camera_azimuth_deg))) >= np.cos(np.radians(max_off_line_deg)) - 1e-9


def floor_foreshortening(image_px: np.ndarray, world: np.ndarray, camera_azimuth_deg: np.ndarray) -> np.ndarray:
    """(T,) sine of the camera's elevation (+ = looking down) from the shanks lying on the floor, meaningful in line.

    The image drop from knees to ankles (px, both legs' mean) over the image scale of the floor rectangle (the knees'
    and ankles' image widths over their world widths, px per metre: across the view, not foreshortened) and the world
    shank length. From behind the ankles are nearer the camera than the knees (lower in the image when it looks
    down), from the front farther, hence the sign from the azimuth.

    Args:
        image_px: (T, 33, 2) image landmarks, px (y down); world: (T, 33, 3) world landmarks, metres;
        camera_azimuth_deg: (T,) see `CircleTrack.camera_azimuth_deg`.
    """
    drop = np.mean([image_px[:, L[f"{s}_ANKLE"], 1] - image_px[:, L[f"{s}_KNEE"], 1] for s in ("LEFT", "RIGHT")],
                   axis=0)
    shank_m = np.mean([np.linalg.norm(world[:, L[f"{s}_ANKLE"]] - world[:, L[f"{s}_KNEE"]], axis=1)
                       for s in ("LEFT", "RIGHT")], axis=0)

    def widths(points: np.ndarray) -> np.ndarray:
        return sum(np.linalg.norm(points[:, b] - points[:, a], axis=1)
                   for a, b in ((L.LEFT_KNEE, L.RIGHT_KNEE), (L.LEFT_ANKLE, L.RIGHT_ANKLE)))

    with np.errstate(invalid="ignore", divide="ignore"):
        px_per_m = widths(image_px) / widths(world)
    toward = np.where(np.abs(camera_azimuth_deg) > 90.0, 1.0, -1.0)  # from behind the shank points at the camera
    with np.errstate(invalid="ignore", divide="ignore"):
        return toward * drop / (px_per_m * shank_m)


def looks_down(image_px: np.ndarray, world: np.ndarray, valid: np.ndarray, camera_azimuth_deg: np.ndarray, *,
               settings: ElevationSettings = ElevationSettings()) -> bool:
    """Whether the camera looks down steeply: the median `floor_foreshortening` over the ``valid`` (on all fours)
    frames seen in line (`in_line`), at least ``min_frames`` of them, is at least ``looks_down_sin``."""
    sines = floor_foreshortening(image_px, world, camera_azimuth_deg)
    use = valid & in_line(camera_azimuth_deg, settings.max_off_line_deg) & np.isfinite(sines)
    return bool(use.sum() >= settings.min_frames and np.median(sines[use]) >= settings.looks_down_sin)


def _hip_px_per_m(image_px: np.ndarray, world: np.ndarray) -> np.ndarray:
    """(T,) the hip width's image scale, px per metre (across the view from in front or behind)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.linalg.norm(image_px[:, L.RIGHT_HIP] - image_px[:, L.LEFT_HIP], axis=1)
                / np.linalg.norm(world[:, L.RIGHT_HIP] - world[:, L.LEFT_HIP], axis=1))


def hip_image_motion_m(image_px: np.ndarray, world: np.ndarray, valid: np.ndarray,
                       sin_elevation: float) -> np.ndarray:
    """(T, 2) the mid-hip's motion in the camera's frame, metres, median 0 over ``valid``: [toward the camera
    (+ = closer), to the image's right]. Toward the camera is down the image of a camera looking down,
    ``Δrow / (px per metre · sin elevation)``; the image's right is ``Δx / px per metre``; the scale is the hip
    width's (`_hip_px_per_m`, median over ``valid``)."""
    mid = (image_px[:, L.LEFT_HIP] + image_px[:, L.RIGHT_HIP]) / 2
    px_per_m = _hip_px_per_m(image_px, world)
    ok = valid & np.all(np.isfinite(mid), axis=1) & np.isfinite(px_per_m) & (px_per_m > 0)
    if not ok.any():
        return np.full((len(mid), 2), np.nan)
    motion = (mid - np.median(mid[ok], axis=0)) / float(np.median(px_per_m[ok]))
    return np.stack([motion[:, 1] / sin_elevation, motion[:, 0]], axis=-1)


def world_across_scale(t_s: np.ndarray, motion_m: np.ndarray, pelvis_m: np.ndarray, use: np.ndarray,
                       seg: np.ndarray, settings: ElevationSettings = ElevationSettings()) -> float:
    """The factor that brings the image path's motion across the view (``motion_m``'s image-right column,
    `hip_image_motion_m`; a camera in line, so the person's side-to-side motion) to the pose model's own
    side-to-side motion (``pelvis_m`` (T, 2) [forward, right], its right: in the body's own frame, so a body frame
    turned against the camera does not mix the forward motion in): the ratio of their standard deviations about
    their moving means (``settings.scale_window_s``, within each tracked segment ``seg``) over the frames ``use``; 1.0
    with fewer than ``min_frames`` of them, no motion, or a ratio outside [1/``max_scale``, ``max_scale``].

    Across the view the pose model's world motion is metric (side-on and 45° in front its across amplitude read
    1.02-1.09 of the rendered truth), while the hip width's image scale (`_hip_px_per_m`) divides by MediaPipe's
    world hip width, narrower than its image: on 25 rendered seeds from a shelf behind, the image path's side-to-side
    amplitude read 0.76 of the truth (10th-90th percentile 0.63-0.86) and the radii of its `high` circles 0.71 (1% of
    them within 15% of the truth); scaled by this factor 0.91 (0.74-1.11) and 0.82 (36% within 15%), no count or
    confidence changed there."""
    t = np.asarray(t_s, float)
    world, image = pelvis_m[:, 1], motion_m[:, 1]
    ok = np.asarray(use, bool) & np.isfinite(world) & np.isfinite(image)
    if ok.sum() < settings.min_frames:
        return 1.0
    spreads = []
    for x in (world, image):
        about = x - windowed_mean(t, x, ok, seg, window_s=settings.scale_window_s)
        spreads.append(float(np.nanstd(about[ok])))
    if not (spreads[0] > 0 and spreads[1] > 0):
        return 1.0
    factor = spreads[0] / spreads[1]
    return factor if 1.0 / settings.max_scale <= factor <= settings.max_scale else 1.0


def snapped_in_line(camera_azimuth_deg: np.ndarray) -> np.ndarray:
    """(T,) the camera straight behind (180°) or in front (0°), whichever is nearer (NaN stays NaN)."""
    return np.where(np.abs(camera_azimuth_deg) > 90.0, 180.0, np.where(np.isfinite(camera_azimuth_deg), 0.0, np.nan))


def in_camera_frame(pelvis_m: np.ndarray, camera_azimuth_deg: np.ndarray, motion_m: np.ndarray,
                    use: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pelvis_m`` (T, 2) [forward, right] and the camera azimuth (T,) with the path taken from the image in the
    frames ``use`` (and where ``motion_m``, `hip_image_motion_m`, is known): the camera straight behind or in front
    (`snapped_in_line`), the pelvis its ``motion_m`` turned into [forward, right] (from behind toward the camera is
    back and the image's right the person's right; from in front the opposite) plus the median of ``pelvis_m`` over
    those frames (the posture's offset kept)."""
    az = snapped_in_line(camera_azimuth_deg)
    replace = use & np.all(np.isfinite(motion_m), axis=1) & np.all(np.isfinite(pelvis_m), axis=1) & np.isfinite(az)
    if not replace.any():
        return pelvis_m, camera_azimuth_deg
    sign = np.where(az > 90.0, -1.0, 1.0)[:, None]  # behind: forward = -toward, right = +image right
    path = np.stack([motion_m[:, 0], -motion_m[:, 1]], axis=-1) * sign
    path = path + np.median(pelvis_m[replace], axis=0)
    return (np.where(replace[:, None], path, pelvis_m), np.where(replace, az, camera_azimuth_deg))
