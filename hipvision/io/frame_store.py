"""Thumbnails of a live run's frames, kept in memory so that its report can show key frames.

A camera leaves no video behind (unless ``--record``, which holds the annotated, mirrored view), so
the live loop hands every frame to a `FrameStore`. It keeps one JPEG every ``interval_s`` with the
pose found on it; when ``max_frames`` are held it drops every other one and doubles the interval,
so memory stays bounded however long the session (12 KB a frame on the rendered 640×480 samples; a
real camera's busier pictures take a few times more), and the whole session stays covered.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from hipvision.io.images import MAX_WIDTH_PX, encode_jpeg


@dataclass(frozen=True)
class StoredFrame:
    """One kept frame: ``time_s`` on the source's clock, the JPEG bytes, and the pose on it (or None)."""

    time_s: float
    jpeg: bytes
    landmarks: np.ndarray | None  # (33, 3) normalized image landmarks
    visibility: np.ndarray | None  # (33,)


class FrameStore:
    """Keeps evenly spaced JPEG thumbnails of a run's frames (see the module docstring)."""

    def __init__(self, *, interval_s: float = 0.2, max_frames: int = 1500, max_width_px: int = MAX_WIDTH_PX,
                 quality: int = 80) -> None:
        if interval_s <= 0 or max_frames < 2:
            raise ValueError("interval_s must be > 0 and max_frames at least 2")
        self.interval_s = float(interval_s)
        self.max_frames = int(max_frames)
        self.max_width_px = int(max_width_px)
        self.quality = int(quality)
        self._frames: list[StoredFrame] = []

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def times_s(self) -> np.ndarray:
        """(N,) times of the kept frames, seconds, increasing."""
        return np.array([f.time_s for f in self._frames], float)

    def add(self, time_s: float, image_bgr: np.ndarray, landmarks: np.ndarray | None = None,
            visibility: np.ndarray | None = None) -> bool:
        """Offer a frame (BGR, as the sources give it) and the pose on it; True if it was kept.

        Frames closer than ``interval_s`` to the last kept one are skipped. ``landmarks`` with no
        finite value (nobody found) are stored as None.
        """
        if self._frames and time_s - self._frames[-1].time_s < self.interval_s - 1e-6:
            return False
        try:
            jpeg = encode_jpeg(image_bgr, max_width_px=self.max_width_px, quality=self.quality)
        except ValueError:
            return False
        seen = landmarks is not None and bool(np.isfinite(landmarks).any())
        self._frames.append(StoredFrame(float(time_s), jpeg, np.array(landmarks, float) if seen else None,
                                        None if not seen or visibility is None else np.array(visibility, float)))
        if len(self._frames) >= self.max_frames:  # thin out: every other frame, twice the spacing
            self._frames = self._frames[::2]
            self.interval_s *= 2
        return True

    def nearest(self, time_s: float, *, max_gap_s: float | None = None) -> StoredFrame | None:
        """The kept frame nearest to ``time_s``, or None if there is none within ``max_gap_s``
        (default: the current interval)."""
        if not self._frames:
            return None
        times = self.times_s
        i = int(np.argmin(np.abs(times - time_s)))
        gap = self.interval_s if max_gap_s is None else max_gap_s
        return self._frames[i] if abs(times[i] - time_s) <= gap else None

    @staticmethod
    def decode(frame: StoredFrame) -> np.ndarray | None:
        """The stored picture as a BGR array (None if it cannot be decoded)."""
        return cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR)
