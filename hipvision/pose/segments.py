"""A video file's poses in consecutive segments, each on its own thread: MediaPipe runs a call on one core.

MediaPipe's pose landmarker runs each inference on one core and lets go of the GIL meanwhile (measured on the
project's 2-core machine: 17 ms a frame of a 640×480 clip, on both cores or pinned to one alike; two landmarkers
on two threads: 1.9× the frames a second). So a file is split into `SEGMENTS` consecutive segments, each
tracked by its own `PoseTracker` on its own thread. Each reads the file from its start (the frames before its
segment are decoded for their place in the stream only, `CaptureSource.skip_to`), so frame numbers and
timestamps are those of one read.

Each segment after the first begins `WARMUP_S` before its first kept frame: its tracker finds the person there,
MediaPipe's tracking and smoothing settle, and the hip growth has a previous frame. When the segment before it
reaches that first kept frame, the two must have followed the same person over that overlap (`same_person`).
If they have not (two people and the later segment took the other one, or it found nobody where the earlier one
followed someone), the earlier segment's tracker goes on through the later segment, whose work is dropped. The
person followed is then the one a single pass would have followed, and the result differs from a single pass's
only by MediaPipe's own tracking noise in the frames after each boundary.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import os
import sys
import threading
from pathlib import Path

import numpy as np

from hipvision.io.sources import CaptureSource, open_source
from hipvision.landmarks import Landmark as L
from hipvision.pose.extract import SequenceBuilder, one_pass, source_meta
from hipvision.pose.landmarker import PoseTracker, model_path
from hipvision.progress import ProgressFactory, progress_or_silent
from hipvision.sequence import PoseSequence

#: Seconds a segment's tracker runs before its first kept frame (and the overlap compared with the segment before).
WARMUP_S = 1.0
#: Kept seconds a segment has at least: a shorter file is split into fewer segments (or none). 2 s since 2026-12-06
#: (4 s before): a 5 s clip in two segments took the whole `circles` and `rotation` commands from 0.84 and 0.89 of
#: a plain decode-and-detect script to 1.08 and 1.13 (`benchmarks/end_to_end.py --seconds 5 --base`, docs/speed.md).
MIN_SEGMENT_S = 2.0
#: Segments a long file is split into. Fixed, not one per core: the same video gives the same landmarks on every
#: machine and in `hipvision batch` (the threads share the cores there are; on one core the split costs one warm-up).
SEGMENTS = 2
#: Two trackers follow the same person over an overlap when, in at least this share of its second half's frames,
#: both found nobody or their hip centres are closer than `SAME_PERSON_TORSOS` torso lengths.
SAME_PERSON_SHARE = 0.8
SAME_PERSON_TORSOS = 0.3


def segment_count(frames: int | None, fps: float, *, wanted: int | None = None) -> int:
    """How many segments to split a file of ``frames`` frames at ``fps`` into: ``wanted`` (None = `SEGMENTS`),
    fewer so that each keeps `MIN_SEGMENT_S`; 1 for an unknown frame count."""
    if not frames or fps <= 0:
        return 1
    wanted = SEGMENTS if wanted is None else wanted
    return max(1, min(wanted, int(frames / (MIN_SEGMENT_S * fps))))


def _hip_centres(seq: PoseSequence, first: int, stop: int, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``first:stop``: (hip centres px (n, 2), NaN where nobody was found; torso lengths px (n,))."""
    image = seq.image[first:stop, :, :2] * np.asarray(size, dtype=float)
    hips = (image[:, L.LEFT_HIP] + image[:, L.RIGHT_HIP]) / 2.0
    shoulders = (image[:, L.LEFT_SHOULDER] + image[:, L.RIGHT_SHOULDER]) / 2.0
    return hips, np.linalg.norm(shoulders - hips, axis=1)


def same_person(earlier: PoseSequence, later: PoseSequence, size: tuple[int, int]) -> bool:
    """Two trackers' rows over the same frames (equal length) follow the same person: see `SAME_PERSON_SHARE`.
    Only the second half counts (the later tracker has just started)."""
    n = min(len(earlier), len(later))
    if n == 0:
        return True
    a, torso_a = _hip_centres(earlier, n // 2, n, size)
    b, torso_b = _hip_centres(later, n // 2, n, size)
    seen_a, seen_b = ~np.isnan(a).any(axis=1), ~np.isnan(b).any(axis=1)
    with np.errstate(invalid="ignore"):
        torso = np.fmax(torso_a, torso_b)
        close = seen_a & seen_b & (np.linalg.norm(a - b, axis=1) < SAME_PERSON_TORSOS * torso)
    agree = close | (~seen_a & ~seen_b)
    return bool(agree.mean() >= SAME_PERSON_SHARE)


@dataclasses.dataclass
class _Segment:
    """One segment's plan and, once its thread is done, its rows."""

    first: int  # first frame its tracker sees
    start: int  # first frame whose row is kept
    end: int  # frame it stops at (exclusive; moved on when it goes on through the next segment)
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)
    warm: threading.Event = dataclasses.field(default_factory=threading.Event)  # its overlap rows are in
    overlap: PoseSequence | None = None  # its rows of frames first..start-1 (None: it never got there)
    seq: PoseSequence | None = None  # all its rows (from ``first``), with what it kept about the file


def plan(frames: int, fps: float, count: int) -> list[_Segment]:
    """``count`` consecutive segments of about equal length over ``frames`` frames."""
    warm = max(1, int(round(WARMUP_S * fps)))
    starts = [round(k * frames / count) for k in range(count)]
    ends = starts[1:] + [sys.maxsize]  # the last one reads to the end, whatever the count announced
    return [_Segment(first=max(0, s - warm) if k else 0, start=s, end=e)
            for k, (s, e) in enumerate(zip(starts, ends))]


def extract_in_segments(path: str | os.PathLike, *, model: str | os.PathLike | None = None,
                        progress: ProgressFactory | None = None, segments: int | None = None) -> PoseSequence:
    """The `PoseSequence` of a video file, its segments tracked on ``segments`` threads at once (None = `SEGMENTS`;
    see `segment_count`; one segment is `hipvision.pose.extract.extract` on one thread, the same result).
    Ctrl-C and stop signals end every thread before they propagate.

    Raises:
        InputError: the file cannot be read. ModelError: the model cannot be loaded.
    """
    resolved = model_path(model)  # provisioned once, here, not by several threads at once
    with open_source(path) as probe:
        if not isinstance(probe, CaptureSource) or probe.is_live:
            raise ValueError(f"{path}: segments are for video files")
        count = segment_count(probe.frame_count, probe.fps, wanted=segments)
        total, fps, description = probe.frame_count, probe.fps, probe.description
        if count <= 1:
            return one_pass(probe, resolved, progress=progress)
    parts = plan(total, fps, count)
    with progress_or_silent(progress)(f"poses: {description}", total) as tick:
        advance = FrameTally(tick, total)
        with cf.ThreadPoolExecutor(max_workers=count, thread_name_prefix="hipvision-segment") as pool:
            jobs = [pool.submit(_track, path, resolved, parts, k, advance) for k in range(count)]
            try:
                _wait(jobs)
            except BaseException:
                for part in parts:
                    part.stop.set()
                    part.warm.set()
                cf.wait(jobs)
                raise
    return _joined(parts)


class FrameTally:
    """Ticks a progress task once per frame index, however many segment threads read that frame: a segment that
    goes on through the next one (another person there) reads frames the next one's thread already counted, and the
    bar must not pass the file's frame count. Thread-safe; one byte per frame."""

    def __init__(self, tick, frames: int | None = None) -> None:
        self._tick = tick
        self._seen = bytearray(frames or 0)
        self._lock = threading.Lock()

    def __call__(self, index: int) -> None:
        with self._lock:
            if index >= len(self._seen):
                self._seen.extend(bytes(index + 1 - len(self._seen)))
            if not self._seen[index]:
                self._seen[index] = 1
                self._tick(1)


def _wait(jobs: list[cf.Future]) -> None:
    """Wait for every job in short steps (the main thread stays free for Ctrl-C and stop signals); the first
    error raised by a job is raised here."""
    pending = set(jobs)
    while pending:
        done, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_EXCEPTION)
        for job in done:
            job.result()


def _next_at(parts: list[_Segment], frame: int) -> _Segment | None:
    """The segment whose kept rows begin at ``frame``, if any."""
    return next((p for p in parts if p.start == frame and p.start > 0), None)


def _track(path: str | os.PathLike, model: Path, parts: list[_Segment], k: int, advance) -> None:
    """Segment ``k``'s thread: track its frames; at its end, go on through the next segment unless that one
    follows the same person (see the module docstring)."""
    part = parts[k]
    try:
        with open_source(path) as source:
            source.skip_to(part.first)
            source.start()
            with PoseTracker(model) as tracker, tracker.growth_later() as later:
                builder = SequenceBuilder(fps=source.fps, frame_size=source.frame_size, source=source.description,
                                          model=tracker.model_name,
                                          expected_frames=min(part.end, source.frame_count or 0) - part.first)
                for frame in source:
                    if part.stop.is_set():
                        break
                    if frame.index == part.start and not part.warm.is_set():
                        part.overlap = builder.build()
                        part.warm.set()
                    if frame.index >= part.end and not _goes_on(part, _next_at(parts, part.end), builder,
                                                                source.frame_size):
                        break
                    builder.append(tracker.process(frame))
                    if frame.index >= part.start:
                        advance(frame.index)
                builder.fill_growth(later)
            seq = builder.build(copy=False)
            part.seq = dataclasses.replace(seq, meta={**seq.meta, **source_meta(source)})
    finally:
        part.warm.set()  # (a segment that never reached its kept frames has no overlap: never the same person)


def _goes_on(part: _Segment, following: _Segment | None, builder: SequenceBuilder,
             size: tuple[int, int]) -> bool:
    """At the end of ``part``: whether it goes on through ``following`` (which is then stopped), moving its end."""
    if following is None:
        return False
    if not following.stop.is_set():
        following.warm.wait()
        if following.overlap is not None and not following.stop.is_set():
            rows = builder.build(copy=False)  # (views: this thread alone appends to it)
            mine = rows.slice(following.first - part.first, following.start - part.first)
            if len(mine) == len(following.overlap) and same_person(mine, following.overlap, size):
                return False
        following.stop.set()
    part.end = following.end
    return True


def _joined(parts: list[_Segment]) -> PoseSequence:
    """The kept rows of the segments that were not stopped, in order, as one sequence; what the last of them kept
    about the file (it read to the end)."""
    kept = [p for p in parts if not p.stop.is_set() and p.seq is not None]
    joined = PoseSequence.concatenate([p.seq.slice(p.start - p.first, len(p.seq)) for p in kept])
    return dataclasses.replace(joined, meta=dict(kept[-1].seq.meta))
