"""A camera looking down on a person on all fours, in line with the body: the hips' image height as their sit-back.

From behind or in front, the pose model's depth (world z) under-reports the hips' forward-back motion and moves
partly in step with the side-to-side one (docs/circles-accuracy.md, fifth and seventh passes). A camera that looks
down steeply sees that motion as the hips moving up and down the image instead: toward the camera is down the image.
On rendered sets filmed from a shelf (pitch 38-40°) the hips' image row followed the true sit-back with |r| 0.97-0.99,
the pose model's forward motion with r 0.66-0.88; from table height (7-16°) the image row gave |r| 0.05-0.91 and from
the floor the other sign, so it is used only where the camera is seen to look down steeply (`looks_down`).

How steeply, from the legs: the shanks lie on the floor pointing back from the knees, so the image drop from knees to
ankles over the shank's length is foreshortened by the sine of the elevation (`floor_foreshortening`), the scale
taken from the knees' and ankles' widths across the view. Side-on the shank runs across the view and says nothing:
only views within ``max_off_line_deg`` of in line are read. On ideal projections it gives the line of sight's
elevation at the knees within 6° (`benchmarks/circles_elevation.py`); on MediaPipe's landmarks of rendered videos it
reads high (0.53-0.79 from table height, 0.93-1 from a shelf, as sines), so ``looks_down_sin`` is set between them for
this pose model, not as an angle, and the motion is scaled by an assumed elevation (``assumed_deg``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipvision.landmarks import Landmark as L


@dataclass(frozen=True)
class ElevationSettings:
    """When the hips' image height replaces the pose model's depth (see the module docstring)."""

    max_off_line_deg: float = 45.0  # views farther than this from in front or behind cannot tell the elevation
    looks_down_sin: float = 0.87  # median `floor_foreshortening` from which the camera looks down steeply (rendered,
    # MediaPipe full: 0.53-0.79 from table height incl. the behind sample, 0.93-1.0 from a shelf)
    min_frames: int = 30  # on-all-fours frames in line needed to judge
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
    drop = np.mean([image_px[:, L[f"{s}_ANKLE"], 1] - image_px[:, L[f"{s}_KNEE"], 1] for s in ("LEFT", "RIGHT")], axis=0)
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


def hip_height_depth_m(image_px: np.ndarray, world: np.ndarray, valid: np.ndarray, sin_elevation: float) -> np.ndarray:
    """(T,) the hips' motion toward the camera (metres, + = closer; median 0 over ``valid``) from their image row:
    down the image is toward a camera looking down, ``Δy / (px per metre · sin elevation)``, the scale from the hip
    width (across the view from in front or behind; image px over world metres, median over ``valid``)."""
    rows = (image_px[:, L.LEFT_HIP, 1] + image_px[:, L.RIGHT_HIP, 1]) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        px_per_m = (np.linalg.norm(image_px[:, L.RIGHT_HIP] - image_px[:, L.LEFT_HIP], axis=1)
                    / np.linalg.norm(world[:, L.RIGHT_HIP] - world[:, L.LEFT_HIP], axis=1))
    ok = valid & np.isfinite(rows) & np.isfinite(px_per_m) & (px_per_m > 0)
    if not ok.any():
        return np.full(len(rows), np.nan)
    return (rows - np.median(rows[ok])) / (float(np.median(px_per_m[ok])) * sin_elevation)


def with_depth(pelvis_m: np.ndarray, camera_azimuth_deg: np.ndarray, depth_m: np.ndarray,
               use: np.ndarray) -> np.ndarray:
    """(T, 2) ``pelvis_m`` [forward, right] with its component toward the camera (`depth.depth_axes`) replaced by
    ``depth_m`` in the frames ``use`` (and where ``depth_m`` is known)."""
    az = np.radians(camera_azimuth_deg)
    toward = np.stack([np.cos(az), np.sin(az)], axis=-1)
    current = np.sum(pelvis_m * toward, axis=-1)
    replace = use & np.isfinite(depth_m) & np.isfinite(current)
    step = np.where(replace, depth_m - current, 0.0)
    return np.where(replace[:, None], pelvis_m + step[:, None] * toward, pelvis_m)
