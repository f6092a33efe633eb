"""Frames → `PoseSequence`: the builder, the extraction loop, and "whatever the user gave us → poses"."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from hipvision.progress import ProgressFactory, progress_or_silent
from hipvision.io.files import load_sequence
from hipvision.landmarks import NUM_LANDMARKS
from hipvision.pose.landmarker import FramePose, PoseTracker
from hipvision.sequence import PoseSequence
from hipvision.io.sources import Frame, FrameSource, open_source


class SequenceBuilder:
    """Accumulates `FramePose` values (one per frame, in time order) into a `PoseSequence`.

    Used by `extract` and by the live loop. Frames without a person are kept as
    NaN rows so indices stay aligned with the source's frames. Each pose's
    ``hip_growth`` is kept too (the sequence's ``hip_growth`` is always an array, NaN where unknown).
    """

    def __init__(self, *, fps: float, frame_size: tuple[int, int], source: str, model: str) -> None:
        self.fps = float(fps)
        self.frame_size = (int(frame_size[0]), int(frame_size[1]))
        self.source = source
        self.model = model
        # one tuple per frame (t, image, visibility, presence, world, hip_growth), appended in one step so
        # that a Ctrl-C landing in `append` cannot leave the columns of different lengths
        self._rows: list[tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]] = []

    def __len__(self) -> int:
        return len(self._rows)

    def append(self, pose: FramePose) -> None:
        """Add the next frame's pose; its timestamp must be later than the previous one.

        Raises:
            ValueError: timestamps not strictly increasing, or arrays of the wrong shape.
        """
        if self._rows and not pose.timestamp_s > self._rows[-1][0]:
            raise ValueError(f"frame at {pose.timestamp_s:.4f} s is not after the previous one "
                             f"({self._rows[-1][0]:.4f} s)")
        if pose.image.shape != (NUM_LANDMARKS, 3) or pose.world.shape != (NUM_LANDMARKS, 3):
            raise ValueError("FramePose landmarks must have shape (33, 3)")
        # duck-typed poses (test doubles, replays) may not carry hip_growth: unknown
        self._rows.append((float(pose.timestamp_s), pose.image, pose.visibility, pose.presence, pose.world,
                           float(getattr(pose, "hip_growth", math.nan))))

    def build(self) -> PoseSequence:
        """The sequence of every frame appended so far (the builder can keep growing afterwards)."""
        if not self._rows:
            empty = PoseSequence.empty(0, fps=self.fps, frame_size=self.frame_size, source=self.source,
                                       model=self.model)
            return dataclasses.replace(empty, hip_growth=np.zeros(0))
        t, image, vis, pres, world, growth = zip(*self._rows)
        return PoseSequence(
            timestamps_s=np.array(t, dtype=float),
            image=np.stack(image).astype(float), visibility=np.stack(vis).astype(float),
            presence=np.stack(pres).astype(float), world=np.stack(world).astype(float),
            frame_size=self.frame_size, fps=self.fps, source=self.source, model=self.model,
            hip_growth=np.array(growth, dtype=float),
        )


def extract(source: FrameSource, tracker: PoseTracker, *, progress: ProgressFactory | None = None,
            on_frame: Callable[[Frame, FramePose], None] | None = None,
            max_frames: int | None = None, keep_on_interrupt: bool | None = None) -> PoseSequence:
    """Run ``tracker`` on every frame of ``source`` and collect the subject's landmarks.

    Args:
        source: an open frame source (the caller closes it; iterating to the end releases it).
        tracker: an open pose tracker (not closed here).
        progress: reports the frames done (see `hipvision.progress`); None = silent.
        on_frame: called with each frame and its pose, in order (drawing, live feedback).
        max_frames: stop after this many frames (None = all).
        keep_on_interrupt: Ctrl-C (`KeyboardInterrupt`) ends the reading and keeps the frames so far
            (when there are any); None = only for a live source (camera, stream). Otherwise it propagates.

    Returns:
        One row per processed frame, NaN rows where nobody was found; a video file's absolute path is
        kept in ``meta["video_path"]`` (saved with a ``.npz``, so results from it can find the video).
    """
    builder = SequenceBuilder(fps=source.fps, frame_size=source.frame_size, source=source.description,
                              model=tracker.model_name)
    total = source.frame_count
    if max_frames is not None:
        total = max_frames if total is None else min(total, max_frames)
    try:
        with progress_or_silent(progress)(f"poses: {source.description}", total) as tick:
            for frame in source:
                pose = tracker.process(frame)
                builder.append(pose)
                if on_frame is not None:
                    on_frame(frame, pose)
                tick(1)
                if max_frames is not None and len(builder) >= max_frames:
                    break
    except KeyboardInterrupt:
        keep = source.is_live if keep_on_interrupt is None else keep_on_interrupt
        if not keep or len(builder) == 0:
            raise  # a live recording ends with Ctrl-C and keeps what it has
    seq = builder.build()
    meta = dict(seq.meta)
    if source.video_path is not None:
        meta["video_path"] = str(source.video_path)
    short = source.ended_early()
    if short is not None:  # kept with the poses (and in the .npz), reported by `input_warnings`
        meta.update(frames_read=short[0], frames_announced=short[1])
    return dataclasses.replace(seq, meta=meta)


def input_warnings(seq: PoseSequence) -> list[str]:
    """Plain-language problems with the input itself, from what `extract` noted in ``seq.meta``:
    a video that ended before the frame count it announced (cut short, or frames it could not decode)."""
    read, announced = seq.meta.get("frames_read"), seq.meta.get("frames_announced")
    if isinstance(read, int) and isinstance(announced, int) and read < announced:
        return [f"the video ended early or has damaged frames: only {read} of its {announced} frames could be read"]
    return []


def poses_from_input(path: str | os.PathLike, *, model: str | os.PathLike | None = None,
                     progress: ProgressFactory | None = None) -> PoseSequence:
    """Landmarks for whatever the user gave: a ``.npz`` from ``hipvision extract`` is loaded;
    anything else (video file, image folder, camera, URL) is opened and run through the model.

    Raises:
        InputError: the input cannot be read. ModelError: the model cannot be loaded.
    """
    if isinstance(path, (str, os.PathLike)) and Path(path).suffix.lower() == ".npz":
        return load_sequence(path)
    with open_source(path) as source, PoseTracker(model) as tracker:
        return extract(source, tracker, progress=progress)


def landmarks_of_images(images: list[np.ndarray | None], times: list[float], *,
                        model: str | os.PathLike | None = None) -> list[tuple[np.ndarray, np.ndarray] | None]:
    """Run the pose model on a few still frames (in time order of ``times``, seconds): per image its
    (image landmarks (33, 3), visibility (33,)) or None. All None if the model cannot be used (a report
    picture is then shown without its skeleton). A `hipvision.report.key_frames.PoseDetector`."""
    out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(images)
    try:
        with PoseTracker(model) as tracker:
            last = -1.0
            for k in sorted(range(len(images)), key=lambda j: times[j]):
                if images[k] is None or times[k] <= last:
                    continue
                last = times[k]
                pose = tracker.process(Frame(k, float(times[k]), images[k]))
                if pose.detected:
                    out[k] = (pose.image, pose.visibility)
    except Exception:  # noqa: BLE001 - the overlay is optional; the pictures are still shown
        return [None] * len(images)
    return out
