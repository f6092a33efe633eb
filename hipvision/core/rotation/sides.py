"""Frames in which the pose model swapped the seated person's left and right, and their labels put back.

On a person far from the camera (a shank 35–50 px long) MediaPipe sometimes labels the left side "right" and the right
side "left", for a frame or for runs of up to a second or two, in its image and world landmarks alike: the hip and
shoulder lines then point the other way in both. Rendered seated people 4.4–5.5 m away: 12% and 46% of the frames of
two videos; nearer, at most one frame in 200. Those frames read as a person turned away and were not measured, so a
leg could be "not seen" through a whole test (docs/rotation-accuracy.md, "Left and right swapped by the pose model").

The seated test is done facing the camera. A frame whose hip and shoulder lines both point the other way, in the world
landmarks (turned more than `SWAPPED_MIN_YAW_DEG` from facing) and in the picture, while more of the recording's
frames face the camera than not, is one whose labels were swapped: `restore_sides` swaps them back (files);
`RotationTracker` (live) does the same with the frames so far. A recording mostly turned away is left as it is (its
frames are then rejected as not facing, as before): which labelling is right cannot be told from the labels themselves.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from hipvision.core.rotation.seated import FACING_MAX_YAW_DEG, sideways_yaw_deg
from hipvision.landmarks import MIRROR_PERMUTATION, Landmark as L
from hipvision.sequence import PoseSequence

#: A frame's hip and shoulder lines turned more than this from facing the camera (`seated.sideways_yaw_deg`; 180 =
#: facing away) in the world landmarks count as pointing the other way. Side-on is 90°; the seated test's turned
#: cameras read up to ~40°.
SWAPPED_MIN_YAW_DEG = 130.0


def turned_and_facing(image: np.ndarray, world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T,) bools of ``(T, 33, 2+)`` image landmarks (x to the right) and ``(T, 33, 3)`` world landmarks: *turned*,
    the hip and shoulder lines point the other way, in the world (turned more than `SWAPPED_MIN_YAW_DEG`) and in the
    picture (the left hip and left shoulder on the image's left of the right ones); *facing*, the world's lines within
    `FACING_MAX_YAW_DEG` of facing the camera."""
    image, world = np.asarray(image, float), np.asarray(world, float)
    yaw = sideways_yaw_deg(world)
    with np.errstate(invalid="ignore"):
        mirrored = ((image[:, L.LEFT_HIP, 0] < image[:, L.RIGHT_HIP, 0])
                    & (image[:, L.LEFT_SHOULDER, 0] < image[:, L.RIGHT_SHOULDER, 0]))
        return (yaw > SWAPPED_MIN_YAW_DEG) & mirrored, yaw < FACING_MAX_YAW_DEG


def swapped_frames(image: np.ndarray, world: np.ndarray) -> np.ndarray:
    """(T,) True where the pose model most likely swapped left and right (module docstring): the frames
    `turned_and_facing` calls turned, when more of the frames face the camera than are so turned; all False
    otherwise."""
    turned, facing = turned_and_facing(image, world)
    if turned.sum() >= facing.sum():
        return np.zeros(len(turned), bool)
    return turned


def swap_sides(a: np.ndarray, axis: int = 0) -> np.ndarray:
    """``a`` with its left and right landmarks exchanged along ``axis``, the 33 landmarks' axis (0 for one frame's
    ``(33,)`` or ``(33, k)`` values, 1 for ``(T, 33, ...)``)."""
    return np.take(np.asarray(a), np.asarray(MIRROR_PERMUTATION), axis=axis)


def restore_sides(seq: PoseSequence) -> tuple[PoseSequence, int]:
    """``seq`` with the left and right labels of its `swapped_frames` swapped back (image, visibility, presence and
    world landmarks), and how many frames that was (0: ``seq`` itself)."""
    swapped = swapped_frames(seq.image, seq.world) if len(seq) else np.zeros(0, bool)
    n = int(swapped.sum())
    if n == 0:
        return seq, 0

    def back(a: np.ndarray) -> np.ndarray:
        a = np.array(a, copy=True)
        a[swapped] = swap_sides(a[swapped], axis=1)
        return a

    return dataclasses.replace(seq, image=back(seq.image), visibility=back(seq.visibility),
                               presence=back(seq.presence), world=back(seq.world)), n


def swapped_info(frames: int, total: int) -> str:
    """The note on ``frames`` of ``total`` frames whose left and right the pose model swapped (`sides`)."""
    return (f"the pose model swapped left and right in {frames} of {total} frames ({frames / max(total, 1):.0%}), "
            "as it does on a person small in the picture; they were swapped back")
