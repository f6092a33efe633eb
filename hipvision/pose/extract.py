"""Frames → `PoseSequence`: the builder and the extraction loop (any input → poses: `hipvision.pose.inputs`)."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable
from contextlib import nullcontext

import numpy as np

from hipvision.progress import ProgressFactory, progress_or_silent
from hipvision.landmarks import NUM_LANDMARKS
from hipvision.pose.growth_later import LaterGrowth
from hipvision.pose.landmarker import FramePose, PoseTracker
from hipvision.sequence import PoseSequence
from hipvision.io.sources import Frame, FrameSource


class SequenceBuilder:
    """Accumulates `FramePose` values (one per frame, in time order) into a `PoseSequence`.

    Used by `extract` and by the live loop. Frames without a person are kept as
    NaN rows so indices stay aligned with the source's frames. Each pose's
    ``hip_growth`` is kept too (the sequence's ``hip_growth`` is always an array, NaN where unknown).

    The rows go into preallocated numpy blocks (no per-frame Python objects are kept): about 2.1 kB
    per frame, e.g. 230 MB for an hour at 30 fps. ``expected_frames`` (a file's frame count) sizes them
    once; without it, or past it, they grow by half when full.
    """

    _FIRST_ROWS = 64

    def __init__(self, *, fps: float, frame_size: tuple[int, int], source: str, model: str,
                 expected_frames: int | None = None) -> None:
        self.fps = float(fps)
        self.frame_size = (int(frame_size[0]), int(frame_size[1]))
        self.source = source
        self.model = model
        self._n = 0
        rows = max(1, int(expected_frames)) if expected_frames else 0
        self._t = np.empty(rows)
        self._image = np.empty((rows, NUM_LANDMARKS, 3))
        self._vis = np.empty((rows, NUM_LANDMARKS))
        self._pres = np.empty((rows, NUM_LANDMARKS))
        self._world = np.empty((rows, NUM_LANDMARKS, 3))
        self._growth = np.empty(rows)

    def __len__(self) -> int:
        return self._n

    def _grow(self) -> None:
        rows = max(self._FIRST_ROWS, len(self._t) + len(self._t) // 2)
        for name in ("_t", "_image", "_vis", "_pres", "_world", "_growth"):
            old = getattr(self, name)
            block = np.empty((rows, *old.shape[1:]))
            block[:self._n] = old[:self._n]
            setattr(self, name, block)

    def append(self, pose: FramePose) -> None:
        """Add the next frame's pose; its timestamp must be later than the previous one.

        Raises:
            ValueError: timestamps not strictly increasing, or arrays of the wrong shape.
        """
        if self._n and not pose.timestamp_s > self._t[self._n - 1]:
            raise ValueError(f"frame at {pose.timestamp_s:.4f} s is not after the previous one "
                             f"({self._t[self._n - 1]:.4f} s)")
        if pose.image.shape != (NUM_LANDMARKS, 3) or pose.world.shape != (NUM_LANDMARKS, 3):
            raise ValueError("FramePose landmarks must have shape (33, 3)")
        if self._n == len(self._t):
            self._grow()
        i = self._n
        self._t[i] = pose.timestamp_s
        self._image[i] = pose.image
        self._vis[i] = pose.visibility
        self._pres[i] = pose.presence
        self._world[i] = pose.world
        # duck-typed poses (test doubles, replays) may not carry it: unknown
        self._growth[i] = getattr(pose, "hip_growth", math.nan)
        self._n += 1

    def fill_growth(self, later: LaterGrowth) -> None:
        """Write the growths computed after the fact (`PoseTracker.growth_later`, rows counted from this
        builder's first frame) into the frames appended so far."""
        later.fill(self._growth[:self._n])

    def build(self, *, copy: bool = True) -> PoseSequence:
        """The sequence of every frame appended so far: a copy (the builder can keep growing afterwards),
        or with ``copy=False`` views of the builder's blocks, for a caller that drops the builder (no second
        copy of the landmarks in memory; the builder must not be appended to afterwards)."""
        n = self._n
        take = (lambda a: a[:n].copy()) if copy else (lambda a: a[:n])
        return PoseSequence(
            timestamps_s=take(self._t), image=take(self._image), visibility=take(self._vis),
            presence=take(self._pres), world=take(self._world),
            frame_size=self.frame_size, fps=self.fps, source=self.source, model=self.model,
            hip_growth=take(self._growth),
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
    total = source.frame_count
    if max_frames is not None:
        total = max_frames if total is None else min(total, max_frames)
    builder = SequenceBuilder(fps=source.fps, frame_size=source.frame_size, source=source.description,
                              model=tracker.model_name, expected_frames=total)
    # a file that nobody reads frame by frame (no on_frame): the hip growth's flow waits until after the loop (a
    # live source keeps it on the worker thread: the store's cap would stall the camera while it is computed)
    defer = on_frame is None and not getattr(source, "is_live", False) and hasattr(tracker, "growth_later")
    later = tracker.growth_later() if defer else nullcontext()
    with later as growth_later:
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
        if growth_later is not None:
            builder.fill_growth(growth_later)
    seq = builder.build(copy=False)
    return dataclasses.replace(seq, meta={**seq.meta, **source_meta(source)})


def source_meta(source: FrameSource) -> dict:
    """What a sequence keeps about the ``source`` it was read from (after reading): a video file's absolute path
    (``video_path``), and ``frames_read``/``frames_announced`` when it ended short of its frame count (kept in the
    .npz too, reported by `input_warnings`)."""
    meta = {}
    video_path = getattr(source, "video_path", None)  # sources that are not files (and test doubles) have none
    if video_path is not None:
        meta["video_path"] = str(video_path)
    short = source.ended_early() if hasattr(source, "ended_early") else None
    if short is not None:
        meta.update(frames_read=short[0], frames_announced=short[1])
    return meta


def one_pass(source: FrameSource, model: str | os.PathLike | None = None, *,
             progress: ProgressFactory | None = None) -> PoseSequence:
    """``source`` (open; its reader starts now, while the model loads) through one `PoseTracker`, start to end."""
    if hasattr(source, "start"):
        source.start()
    with PoseTracker(model) as tracker:
        return extract(source, tracker, progress=progress)


def input_warnings(seq: PoseSequence) -> list[str]:
    """Plain-language problems with the input itself, from what `extract` noted in ``seq.meta``:
    a video that ended before the frame count it announced (cut short, or frames it could not decode)."""
    read, announced = seq.meta.get("frames_read"), seq.meta.get("frames_announced")
    if isinstance(read, int) and isinstance(announced, int) and read < announced:
        return [f"the video ended early or has damaged frames: only {read} of its {announced} frames could be read"]
    return []


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
