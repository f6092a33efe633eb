"""Still images as JPEG: bytes for the frame store, data URIs for the HTML report."""

from __future__ import annotations

import base64

import cv2
import numpy as np

#: Largest picture width kept or shown (frame store, report), pixels.
MAX_WIDTH_PX = 720


def encode_jpeg(image: np.ndarray, *, max_width_px: int = MAX_WIDTH_PX, quality: int = 82) -> bytes:
    """``image`` (BGR) as JPEG bytes, downscaled to ``max_width_px`` wide if wider.

    Raises:
        ValueError: OpenCV could not encode it.
    """
    h, w = image.shape[:2]
    if w > max_width_px:
        image = cv2.resize(image, (max_width_px, max(1, int(round(h * max_width_px / w)))),
                           interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode a JPEG")
    return buf.tobytes()


def jpeg_data_uri(image: np.ndarray, *, max_width_px: int = MAX_WIDTH_PX, quality: int = 82) -> str:
    """``image`` (BGR) as a ``data:image/jpeg;base64,...`` URI, downscaled to ``max_width_px``."""
    jpeg = encode_jpeg(image, max_width_px=max_width_px, quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
