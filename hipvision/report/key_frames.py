"""Key frames for the HTML report: grab frames from the source video (cv2), overlay the skeleton, encode as JPEG.

The frames come from the source video, or from the thumbnails a live run kept (`hipvision.io.frame_store`).
Everything here degrades gracefully: a missing or unreadable video, a frame that
cannot be read or a pose that cannot be found gives fewer (or skeleton-less)
pictures and a note, never an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hipvision import draw
from hipvision.io.images import jpeg_data_uri
from hipvision.io.sources import grab_frames
from hipvision.landmarks import LEG
from hipvision.sequence import PoseSequence

if TYPE_CHECKING:
    from hipvision.io.frame_store import FrameStore

#: ``detect(images, times_s)``: for each BGR image (None = unreadable) at its time in seconds, the
#: pose as (image landmarks (33, 3) normalised, visibility (33,)), or None where nobody was found.
PoseDetector = Callable[[list["np.ndarray | None"], list[float]], list["tuple[np.ndarray, np.ndarray] | None"]]


@dataclass(frozen=True)
class KeyFrameRequest:
    """A moment to show: ``time_s`` from the source start; ``side`` ("left"/"right") highlights that shank."""

    time_s: float
    caption: str
    side: str | None = None
    leg_class: str | None = None


@dataclass
class KeyFrame:
    time_s: float
    caption: str
    src: str            # data: URI of a JPEG
    skeleton: bool


def _draw_pose(image: np.ndarray, landmarks_norm: np.ndarray, visibility: np.ndarray | None,
               side: str | None, leg_class: str | None) -> None:
    """Skeleton (and the measured shank, thick, in its class colour) via `hipvision.draw`."""
    draw.draw_skeleton(image, landmarks_norm, visibility, min_visibility=0.3)
    if side in LEG:
        h, w = image.shape[:2]
        knee, ankle = (landmarks_norm[LEG[side][k], :2] * (w, h) for k in ("knee", "ankle"))
        draw.draw_line(image, knee, ankle, color=draw.class_color(leg_class),
                       thickness=max(3, int(7 * draw.ui_scale(image))))


def _crop_to_body(image: np.ndarray, landmarks_norm: np.ndarray | None, *, margin: float = 0.3) -> np.ndarray:
    """Crop around the body (bounding box of the landmarks + ``margin`` of its size), at least 40% of the frame."""
    if landmarks_norm is None or not np.isfinite(landmarks_norm[:, :2]).any():
        return image
    h, w = image.shape[:2]
    xy = landmarks_norm[:, :2][np.isfinite(landmarks_norm[:, :2]).all(axis=1)] * (w, h)
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) * (0.5 + margin), 0.2 * w)
    half_h = max((y1 - y0) * (0.5 + margin), 0.2 * h)
    xa, xb = int(max(cx - half_w, 0)), int(min(cx + half_w, w))
    ya, yb = int(max(cy - half_h, 0)), int(min(cy + half_h, h))
    return image[ya:yb, xa:xb] if xb - xa > 16 and yb - ya > 16 else image


def _landmarks_from_sequence(poses: PoseSequence, t: float) -> tuple[np.ndarray, np.ndarray] | None:
    if len(poses) == 0:
        return None
    i = int(np.argmin(np.abs(poses.timestamps_s - t)))
    if abs(poses.timestamps_s[i] - t) > 0.25 or not poses.detected[i]:
        return None
    return poses.image[i], poses.visibility[i]


def key_frames(video: str | os.PathLike | None, requests: list[KeyFrameRequest], *,
               poses: PoseSequence | None = None, detect: "PoseDetector | None" = None,
               store: "FrameStore | None" = None) -> tuple[list[KeyFrame], list[str]]:
    """Pictures for ``requests`` with the skeleton drawn in, and notes about anything that went wrong.

    The pictures come from ``store`` (the frames a live run kept, `hipvision.io.frame_store`) when given,
    else from ``video``. Landmarks come from ``poses`` (the analysed sequence) when given, else from
    the store, else from ``detect`` (the caller's pose model run on these few frames, e.g.
    `hipvision.pose.landmarks_of_images`), else the frame is shown without a skeleton.
    """
    if not requests:
        return [], []
    times = [r.time_s for r in requests]
    stored = None
    if store is not None:
        stored = [store.nearest(t) for t in times]
        images = [None if f is None else store.decode(f) for f in stored]
        if all(img is None for img in images):
            return [], ["Key frames left out: no frame was kept near those moments."]
    elif video is None or not Path(video).is_file():
        return [], ([f"Key frames left out: the video {video} was not found."] if video else [])
    else:
        images = grab_frames(video, times)
        if all(img is None for img in images):
            return [], [f"Key frames left out: could not read frames from {video}."]
    if poses is not None:
        marks = [_landmarks_from_sequence(poses, t) for t in times]
    elif stored is not None:
        marks = [None if f is None or f.landmarks is None else (f.landmarks, f.visibility) for f in stored]
    elif detect is not None:
        marks = detect(images, times)
    else:
        marks = [None] * len(images)
    frames, notes = [], []
    for req, image, mark in zip(requests, images, marks):
        if image is None:
            notes.append(f"Could not read the frame at {req.time_s:.1f} s.")
            continue
        image = image.copy()
        if mark is not None:
            try:
                _draw_pose(image, mark[0], mark[1], req.side, req.leg_class)
            except ImportError:
                mark = None
        frames.append(KeyFrame(req.time_s, req.caption, jpeg_data_uri(_crop_to_body(image, None if mark is None
                                                                                     else mark[0])), mark is not None))
    if frames and not any(f.skeleton for f in frames):
        notes.append("No skeleton overlay: no pose was available for these frames.")
    return frames, notes
