"""Frame sources: a video file, an image folder, a camera or a stream, behind one interface.

    with open_source("clip.mp4") as source:        # or 0, "0", "rtsp://...", "frames/"
        for frame in source:                        # Frame(index, timestamp_s, image BGR)
            ...

Video files and streams are decoded on a background thread into a small
bounded queue, so decoding overlaps whatever the caller does with each frame
(pose inference). A file blocks when the queue is full (no frame is lost); a
live source drops its oldest queued frame instead (the newest frame wins, so a
slow consumer never falls behind real time).

Timestamps are the source's own (`CAP_PROP_POS_MSEC`, relative to the stream
start), repaired to be strictly increasing: a missing or non-increasing value
becomes the previous one plus one nominal frame interval. Rotation metadata of
phone videos is honoured (OpenCV's FFmpeg backend auto-rotates; we ask for it
explicitly and take the frame size from the decoded frames).
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from hipvision._native import native_logs_shown, quiet_ffmpeg, silence_stderr_fd
from hipvision.errors import InputError
from hipvision.io.shield import shielded

#: Image file name endings an image folder is read from (lower case).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
DEFAULT_FPS = 30.0
_QUEUE_FRAMES = 4  # decoded frames waiting for the consumer (file sources)
_LIVE_QUEUE_FRAMES = 1  # live: only the newest frame waits (measured: half the added latency of 2)


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes:
        index: 0-based frame number in the source (live sources count frames
            read from the device, so dropped frames leave gaps).
        timestamp_s: seconds from the start of the source, strictly increasing.
        image: (H, W, 3) BGR uint8, unmirrored, upright (rotation metadata applied).
    """

    index: int
    timestamp_s: float
    image: np.ndarray


@contextlib.contextmanager
def quiet_native_logs(enabled: bool = True) -> Iterator[None]:
    """Silence what native libraries (FFmpeg, OpenCV, MediaPipe/absl) print to stderr.

    Lowers OpenCV's own log level and redirects file descriptor 2 to /dev/null
    for the duration (see `hipvision._native.silence_stderr_fd`); nothing after ``--debug``.
    """
    if not enabled or native_logs_shown():
        yield
        return
    global _quiet_blocks, _level_before
    with _quiet_lock:  # blocks may overlap on several threads: the last one out restores the level
        if _quiet_blocks == 0:
            _level_before = cv2.utils.logging.getLogLevel()
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        _quiet_blocks += 1
    try:
        with silence_stderr_fd():
            yield
    finally:
        with _quiet_lock:
            _quiet_blocks -= 1
            if _quiet_blocks == 0:
                cv2.utils.logging.setLogLevel(_level_before)


_quiet_lock = threading.Lock()
_quiet_blocks = 0
_level_before = 0


def next_timestamp(raw_s: float, previous_s: float | None, *, fps: float) -> float:
    """Repair one source timestamp so the sequence stays strictly increasing.

    Args:
        raw_s: the source's timestamp for this frame, seconds (may be NaN, negative
            or not larger than the previous one for variable-frame-rate files,
            broken containers or devices that report nothing).
        previous_s: the repaired timestamp of the previous frame, or None for the first.
        fps: nominal frames per second, used for the step when ``raw_s`` is unusable.

    Returns:
        ``raw_s`` if it is finite and larger than ``previous_s``; otherwise
        ``previous_s + 1 / fps`` (0.0 for a first frame without a usable time).
    """
    usable = math.isfinite(raw_s) and raw_s >= 0.0
    if previous_s is None:
        return raw_s if usable else 0.0
    if usable and raw_s > previous_s:
        return raw_s
    return previous_s + 1.0 / fps


class FrameSource:
    """Base class of every frame source: a context manager and an iterable of `Frame`.

    Attributes:
        description: human-readable name of the source (file name, "camera 0", URL).
        fps: nominal frames per second.
        frame_size: (width, height) in pixels of the frames it yields.
        frame_count: number of frames if known in advance (files, folders), else None.
        is_live: frames arrive in real time (camera, stream).
        video_path: the video file read (absolute); None for cameras, streams and image folders.
        frames_at_end: frames delivered when the source reached its end (None until then).
    """

    description: str = ""
    fps: float = DEFAULT_FPS
    frame_size: tuple[int, int] = (0, 0)
    frame_count: int | None = None
    is_live: bool = False
    video_path: Path | None = None
    frames_at_end: int | None = None

    def ended_early(self) -> tuple[int, int] | None:
        """(frames read, frames announced) when the source ended short of the frame count it announced
        (a file cut short or with frames it could not decode), else None (also while it has not ended).
        Beyond 100 frames, 1% may be missing without a word: some containers' counts are estimates."""
        read, announced = self.frames_at_end, self.frame_count
        if read is None or not announced:
            return None
        missing = announced - read
        return (read, announced) if missing >= 1 and missing > 0.01 * announced else None

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device/file. Safe to call more than once."""

    def __enter__(self) -> "FrameSource":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        w, h = self.frame_size
        return f"<{type(self).__name__} {self.description!r} {w}x{h} @ {self.fps:g} fps>"


_END = object()
_SKIPPED = object()  # a frame decoded but not delivered (`CaptureSource.skip_to`)


class CaptureSource(FrameSource):
    """A video file, camera or stream read with `cv2.VideoCapture` on a reader thread.

    Opening reads the first frame, so a file that cannot be decoded or has no
    frames fails here (as `InputError`), not halfway through a run.
    """

    def __init__(self, target: str | int, *, description: str, is_live: bool | None) -> None:
        """``is_live=None`` (URLs): live unless the stream reports a frame count (a file served over HTTP)."""
        self.description = description
        self.is_live = bool(is_live)
        self._cap = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._started = False
        quiet_ffmpeg()  # damaged frames decoded later must not print either
        with quiet_native_logs():
            cap = cv2.VideoCapture(target)
        if not cap.isOpened():
            cap.release()
            raise InputError(self._open_error(target))
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        self._cap = cap
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if math.isfinite(fps) and 1.0 <= fps <= 1000.0 else DEFAULT_FPS
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if not is_live else 0
        if is_live is None:
            is_live = self.is_live = count <= 0
        self.frame_count = count if count > 0 and not is_live else None
        with quiet_native_logs():
            ok, first = cap.read()
        if not ok or first is None or first.ndim != 3 or first.shape[2] != 3:
            cap.release()
            raise InputError(f"{target} has no readable frames (empty or damaged video)" if not is_live
                             else f"{description} delivers no frames")
        self._first = first
        self._first_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
        self.frame_size = (int(first.shape[1]), int(first.shape[0]))
        self._queue: queue.Queue = queue.Queue(_LIVE_QUEUE_FRAMES if is_live else _QUEUE_FRAMES)
        self._skip_to = 0

    def skip_to(self, index: int) -> None:
        """Deliver frames from ``index`` on (a file, before iterating): the ones before are decoded but not
        converted nor delivered (``grab``), so timestamps and frame numbers stay those of a full read. Used by
        `hipvision.pose.segments`, whose later segments read the same file from the start."""
        if self._thread is not None or self.is_live:
            raise RuntimeError("skip_to is for a file that has not started reading")
        self._skip_to = max(0, int(index))

    @staticmethod
    def _open_error(target: str | int) -> str:
        if isinstance(target, int):
            return f"cannot open camera {target} (no such device, or it is busy)"
        if "://" in str(target):
            return f"cannot open stream {target}"
        if str(target).lower().endswith(".json"):    # a result given where a recording goes
            return (f"cannot read video {target}: it is a result file, not a video or poses; show it with "
                    f"`hipvision report {target} -o report.html`")
        return f"cannot read video {target} (not a video OpenCV can decode, or the file is damaged)"

    def start(self) -> None:
        """Start decoding on the reader thread now (e.g. while the pose model loads); iterating starts it
        otherwise. The reader waits once its queue is full (a file) or drops the oldest frame (live)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._read_loop, name="hipvision-reader", daemon=True)
            self._thread.start()

    def __iter__(self) -> Iterator[Frame]:
        if self._started:
            raise RuntimeError(f"{self.description} can only be iterated once")
        self._started = True
        self.start()
        try:
            while True:
                item = self._queue.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()

    def _put(self, item: object) -> bool:
        """Queue ``item``; returns False when the source is being closed."""
        drop_oldest = self.is_live and isinstance(item, Frame)  # live: the newest frame wins
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=None if drop_oldest else 0.1, block=not drop_oldest)
                return True
            except queue.Full:
                if drop_oldest:
                    with contextlib.suppress(queue.Empty):
                        self._queue.get_nowait()
        return False

    def _read_loop(self) -> None:
        cap, fps = self._cap, self.fps
        image, raw_ms = self._first, self._first_ms
        self._first = None
        # Files: POS_MSEC is the frame's presentation time from the stream start.
        # Devices: V4L2 reports its buffer clock (e.g. since boot), so count from the
        # first frame; a device that reports nothing gets the arrival time.
        device_clock = not self.is_live or raw_ms > 0
        origin_ms = raw_ms if self.is_live and device_clock else 0.0
        clock0 = time.monotonic()
        prev: float | None = None
        index = 0
        try:
            while not self._stop.is_set():
                raw = (raw_ms - origin_ms) / 1000.0 if device_clock else time.monotonic() - clock0
                prev = next_timestamp(raw, prev, fps=fps)
                if index >= self._skip_to and not self._put(Frame(index, prev, image)):
                    return
                if index + 1 < self._skip_to:  # decoded for its place in the stream only
                    ok = cap.grab()
                    image = _SKIPPED if ok else None
                else:
                    ok, image = cap.read()
                if not ok or image is None:
                    self.frames_at_end = index + 1
                    break
                raw_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
                index += 1
        except Exception as exc:  # decoding errors surface in the consumer
            self._put(InputError(f"{self.description}: decoding failed after frame {index}: {exc}"))
            return
        self._put(_END)

    def close(self) -> None:
        """Stop the reader thread, then release the capture (never under a reader still inside ``read``: that
        crashes OpenCV). Shielded: a stop signal arriving meanwhile is handled once the capture is released."""
        with shielded():
            self._close()

    def _close(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            deadline = time.monotonic() + 5.0
            while thread.is_alive() and time.monotonic() < deadline:  # unblock a reader on a full queue
                with contextlib.suppress(queue.Empty):
                    self._queue.get_nowait()
                thread.join(timeout=0.05)
            if thread.is_alive():  # stuck in a device read: releasing under it could crash
                return
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __del__(self) -> None:
        if sys.is_finalizing():  # the process is ending (its memory goes with it), and a daemon reader may be
            return  # frozen inside ``read``: releasing the capture under it crashed OpenCV (a live run, SIGINT)
        with contextlib.suppress(Exception):
            self.close()


def _natural_key(path: Path) -> list:
    """Sort key putting ``frame2.png`` before ``frame10.png``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


class ImageFolderSource(FrameSource):
    """Images in a folder (or one image file), in natural name order, at a fixed frame rate.

    Timestamps are ``index / fps``. All images must have the same size.
    """

    def __init__(self, path: str | os.PathLike, *, fps: float | None = None) -> None:
        path = Path(path)
        if path.is_dir():
            files = sorted((p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
                           key=_natural_key)
            if not files:
                raise InputError(f"image folder {path} contains no images ({', '.join(IMAGE_SUFFIXES)})")
        else:
            files = [path]
        self._files = files
        self.description = str(path)
        self.fps = float(fps) if fps else DEFAULT_FPS
        if self.fps <= 0:
            raise InputError(f"frame rate must be positive, got {fps}")
        self.frame_count = len(files)
        self.is_live = False
        first = self._read(files[0])
        self.frame_size = (int(first.shape[1]), int(first.shape[0]))
        self._first = first

    @staticmethod
    def _read(file: Path) -> np.ndarray:
        image = cv2.imread(str(file), cv2.IMREAD_COLOR)  # honours EXIF orientation
        if image is None:
            raise InputError(f"cannot read image {file}")
        return image

    def __iter__(self) -> Iterator[Frame]:
        for index, file in enumerate(self._files):
            image = self._first if index == 0 else self._read(file)
            if (image.shape[1], image.shape[0]) != self.frame_size:
                w, h = self.frame_size
                raise InputError(f"image {file} is {image.shape[1]}x{image.shape[0]}, the folder's first is {w}x{h}")
            yield Frame(index, index / self.fps, image)
        self._first = None


def open_source(spec: str | os.PathLike | int, *, fps: float | None = None) -> FrameSource:
    """Open a frame source.

    Args:
        spec: a video file, an image folder or a single image, a camera index
            (``0`` or ``"0"``), or a stream URL (``rtsp://``, ``http://`` ...).
        fps: frame rate of an image folder (default 30); ignored otherwise.

    Raises:
        InputError: missing file, unreadable video, no frames, camera that cannot
            be opened, empty image folder (one line, for the user).
    """
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        index = int(spec)
        return CaptureSource(index, description=f"camera {index}", is_live=True)
    text = os.fspath(spec)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        return CaptureSource(text, description=text, is_live=None)
    path = Path(text).expanduser()
    if not path.exists():
        raise InputError(f"no such file or folder: {path}")
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFolderSource(path, fps=fps)
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty (0 bytes)")
    source = CaptureSource(str(path), description=path.name, is_live=False)
    source.video_path = path.resolve()
    return source


def check_frame_size(video: str | os.PathLike, size: tuple[int, int]) -> None:
    """The video given for annotation must be the one the landmarks came from (same size, maybe rotated).

    Raises:
        InputError: the video cannot be read, or its frames are another size.
    """
    with open_source(video) as source:
        got = tuple(source.frame_size)
    if got != tuple(size) and got != tuple(size)[::-1]:
        raise InputError(f"{video} is {got[0]}x{got[1]} but the landmarks are from a "
                         f"{size[0]}x{size[1]} video: give the video the .npz was extracted from")


def grab_frames(video: str | os.PathLike, times_s: list[float]) -> list[np.ndarray | None]:
    """BGR frames nearest to ``times_s`` (seconds); None for any time that cannot be read."""
    cap = cv2.VideoCapture(str(video))
    try:
        if not cap.isOpened():
            return [None] * len(times_s)
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        out = []
        for t in times_s:
            index = int(round(t * fps))
            if count:
                index = min(max(index, 0), count - 1)
            cap.set(cv2.CAP_PROP_POS_FRAMES, index)
            ok, image = cap.read()
            out.append(image if ok else None)
        return out
    finally:
        cap.release()
