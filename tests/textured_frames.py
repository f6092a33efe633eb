"""Frames with a known looming for the hip-growth tests: a textured 640x480 image scaled about a point, and
landmarks that put the hips there (shared by tests/test_image_motion.py and tests/test_growth_later.py)."""

from __future__ import annotations

import cv2
import numpy as np

from hipvision.landmarks import NUM_LANDMARKS, Landmark as L

SIZE = (640, 480)  # width, height
CENTRE = (300.0, 250.0)


def texture(seed: int = 3) -> np.ndarray:
    """A grey 640x480 image with blobs a few pixels across (trackable by optical flow)."""
    rng = np.random.default_rng(seed)
    noise = (rng.random((SIZE[1], SIZE[0])) * 255).astype(np.uint8)
    blurred = cv2.GaussianBlur(noise, (0, 0), 2.0)
    return cv2.normalize(blurred, None, 0, 255, cv2.NORM_MINMAX)


def warp(image: np.ndarray, scale: float, about=CENTRE, shift=(0.0, 0.0)) -> np.ndarray:
    """``image`` scaled by ``scale`` about ``about`` (pixels), then shifted by ``shift`` pixels."""
    cx, cy = about
    m = np.array([[scale, 0, cx * (1 - scale) + shift[0]], [0, scale, cy * (1 - scale) + shift[1]]])
    return cv2.warpAffine(image, m, (image.shape[1], image.shape[0]), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)


def hip_landmarks(hip_px=CENTRE, thigh_px: float = 90.0) -> np.ndarray:
    """(33, 3) normalised landmarks: hips either side of ``hip_px``, knees ``thigh_px`` below them."""
    w, h = SIZE
    lm = np.full((NUM_LANDMARKS, 3), 0.5)
    hx, hy = hip_px
    for i, dx in ((L.LEFT_HIP, -8), (L.RIGHT_HIP, 8)):
        lm[i] = ((hx + dx) / w, hy / h, 0)
    for i, dx in ((L.LEFT_KNEE, -8), (L.RIGHT_KNEE, 8)):
        lm[i] = ((hx + dx) / w, (hy + thigh_px) / h, 0)
    return lm


def zoomed_sample_frames(video, scales) -> list[np.ndarray]:
    """Frame 0 of ``video`` (a sample with a person), zoomed about its centre by each of ``scales`` (BGR)."""
    cap = cv2.VideoCapture(str(video))
    ok, image = cap.read()
    cap.release()
    assert ok, video
    h, w = image.shape[:2]
    return [cv2.warpAffine(image, cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, s), (w, h), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE) for s in scales]
