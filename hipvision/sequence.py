"""`PoseSequence`: the one data container between the pose model and the analyses.

Parallel arrays over T frames. A frame in which no person was found is kept as
a NaN row (never dropped), so indices stay aligned with the source's frames.

Coordinate conventions
----------------------
image : (T, 33, 3)
    x, y normalised to the frame width and height (0..1, origin top-left,
    y pointing down); z is MediaPipe's relative depth (same scale as x,
    smaller = nearer the camera).
world : (T, 33, 3), metres
    MediaPipe world landmarks: origin between the hips, x toward image-right,
    y down, z away from the camera.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from hipvision.landmarks import NUM_LANDMARKS

SCHEMA_VERSION = 1
#: Largest frame side (pixels) a sequence may claim; far beyond any camera.
MAX_FRAME_PX = 1_000_000


@dataclass(frozen=True, eq=False)
class PoseSequence:
    """Landmarks of one subject over time.

    Attributes:
        timestamps_s: (T,) seconds from the start of the source, strictly increasing.
        image: (T, 33, 3) normalised image landmarks (see module docstring).
        visibility: (T, 33) 0..1, likelihood the landmark is visible.
        presence: (T, 33) 0..1, likelihood the landmark is in the frame.
        world: (T, 33, 3) world landmarks in metres (see module docstring).
        frame_size: (width, height) of the source frames in pixels.
        fps: nominal frame rate of the source (frames per second).
        source: human-readable description of where the frames came from.
        model: name of the pose model that produced the landmarks.
        meta: free-form extra information (saved with the sequence).
        hip_growth: (T,) optional: relative growth of the image region around the hips from the
            previous frame (dimensionless log-scale change, + = grew, i.e. came closer to the
            camera; NaN where unknown), measured from the frames by `hipvision.pose.image_motion`,
            not by the pose model; None when not measured.
    """

    timestamps_s: np.ndarray
    image: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    frame_size: tuple[int, int]
    fps: float
    source: str = ""
    model: str = ""
    meta: dict = field(default_factory=dict)
    hip_growth: np.ndarray | None = None

    def __post_init__(self) -> None:
        t = self.timestamps_s
        n = len(t)
        expected = {
            "timestamps_s": (n,),
            "image": (n, NUM_LANDMARKS, 3),
            "visibility": (n, NUM_LANDMARKS),
            "presence": (n, NUM_LANDMARKS),
            "world": (n, NUM_LANDMARKS, 3),
        }
        if self.hip_growth is not None:
            expected["hip_growth"] = (n,)
        for name, shape in expected.items():
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.shape != shape:
                got = getattr(arr, "shape", type(arr).__name__)
                raise ValueError(f"PoseSequence.{name} must have shape {shape}, got {got}")
        if not np.all(np.isfinite(t)):
            raise ValueError("PoseSequence.timestamps_s must be finite")
        if n > 1 and not np.all(np.diff(t) > 0):
            raise ValueError("PoseSequence.timestamps_s must be strictly increasing")
        if not (isinstance(self.fps, (int, float, np.number)) and math.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"PoseSequence.fps must be a positive number, got {self.fps!r:.40}")
        size = self.frame_size
        if not (isinstance(size, (tuple, list)) and len(size) == 2
                and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v <= MAX_FRAME_PX
                        for v in size)):
            raise ValueError(f"PoseSequence.frame_size must be (width, height) in pixels, got {size!r:.60}")
        object.__setattr__(self, "frame_size", (int(size[0]), int(size[1])))

    def __len__(self) -> int:
        return len(self.timestamps_s)

    @property
    def detected(self) -> np.ndarray:
        """(T,) bool: a person was found in the frame."""
        return ~np.isnan(self.image[:, :, 0]).all(axis=1)

    @property
    def detection_rate(self) -> float:
        """Fraction of frames (0..1) with a person."""
        return float(self.detected.mean()) if len(self) else 0.0

    @property
    def duration_s(self) -> float:
        """Seconds from the first to the last frame."""
        return float(self.timestamps_s[-1] - self.timestamps_s[0]) if len(self) > 1 else 0.0

    def image_px(self) -> np.ndarray:
        """(T, 33, 2) image landmarks in pixels (x right, y down)."""
        w, h = self.frame_size
        return self.image[:, :, :2] * np.array([w, h], dtype=float)

    def slice(self, start: int, stop: int) -> "PoseSequence":
        """Frames ``start:stop`` as a new sequence (same source and model)."""
        sl = np.s_[start:stop]
        return PoseSequence(
            timestamps_s=self.timestamps_s[sl], image=self.image[sl],
            visibility=self.visibility[sl], presence=self.presence[sl],
            world=self.world[sl], frame_size=self.frame_size, fps=self.fps,
            source=self.source, model=self.model, meta=dict(self.meta),
            hip_growth=None if self.hip_growth is None else self.hip_growth[sl],
        )

    @classmethod
    def concatenate(cls, pieces: "list[PoseSequence]") -> "PoseSequence":
        """Consecutive pieces of one source (time order, at least one) as one sequence; frame size, fps, source,
        model and meta are the first piece's; ``hip_growth`` is kept when every piece has it."""
        if not pieces:
            raise ValueError("PoseSequence.concatenate needs at least one piece")
        first = pieces[0]
        growth = (None if any(p.hip_growth is None for p in pieces)
                  else np.concatenate([p.hip_growth for p in pieces]))
        return cls(
            timestamps_s=np.concatenate([p.timestamps_s for p in pieces]),
            image=np.concatenate([p.image for p in pieces]),
            visibility=np.concatenate([p.visibility for p in pieces]),
            presence=np.concatenate([p.presence for p in pieces]),
            world=np.concatenate([p.world for p in pieces]),
            frame_size=first.frame_size, fps=first.fps, source=first.source, model=first.model,
            meta=dict(first.meta), hip_growth=growth,
        )

    @classmethod
    def empty(cls, n: int, *, fps: float, frame_size: tuple[int, int],
              timestamps_s: np.ndarray | None = None, source: str = "", model: str = "") -> "PoseSequence":
        """A sequence of ``n`` frames with no person in any of them (all NaN)."""
        t = np.arange(n) / fps if timestamps_s is None else np.asarray(timestamps_s, float)
        nan3 = np.full((n, NUM_LANDMARKS, 3), np.nan)
        return cls(t, nan3.copy(), np.zeros((n, NUM_LANDMARKS)), np.zeros((n, NUM_LANDMARKS)),
                   nan3.copy(), frame_size, fps, source, model)


def effective_fps(seq: PoseSequence) -> PoseSequence:
    """``seq`` with ``fps`` set to the rate its frames actually came at (median step), as a live
    camera that drops frames under load delivers fewer than it announces; unchanged if < 2 frames."""
    if len(seq) < 2:
        return seq
    step = float(np.median(np.diff(seq.timestamps_s)))
    return dataclasses.replace(seq, fps=1.0 / step) if step > 0 else seq
