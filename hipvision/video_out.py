"""Annotated video output (cv2): an atomic video writer and a re-read-and-draw pass over a video.

    with VideoWriterAtomic("out.mp4", fps=30) as writer:   # the size comes from the first frame
        writer.write(image)                                 # BGR uint8
    # out.mp4 appears only now, complete; after an exception nothing is left behind

    annotate_video("clip.mp4", "clip_annotated.mp4", lambda frame: draw_stuff(frame.image))

The codec follows the file extension (`FOURCC_BY_SUFFIX`): ``.mp4``/``.mov`` → MPEG-4 Part 2
('mp4v'), ``.avi``/``.mkv`` → Motion JPEG ('MJPG'); both are in every OpenCV build with FFmpeg.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from hipvision.errors import InputError, OutputError
from hipvision.io import atomic_path, output_error

if TYPE_CHECKING:
    from hipvision.sources import Frame

#: Four-character codec code for each supported output file ending (lower case).
FOURCC_BY_SUFFIX: dict[str, str] = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "MJPG"}
_DEFAULT_FPS = 30.0


def fourcc_for(path: str | os.PathLike) -> str:
    """Codec code for ``path``'s extension; `OutputError` for an extension we cannot write."""
    suffix = Path(path).suffix.lower()
    if suffix not in FOURCC_BY_SUFFIX:
        raise OutputError(f"cannot write video {path}: use one of {', '.join(FOURCC_BY_SUFFIX)}")
    return FOURCC_BY_SUFFIX[suffix]


class VideoWriterAtomic:
    """A `cv2.VideoWriter` that writes to a temporary file and renames it onto ``path`` on success.

    Args:
        path: the video to write; its extension picks the codec (see `fourcc_for`).
        fps: frames per second written into the file's header.
        frame_size: (width, height); None = taken from the first frame written.

    On leaving the ``with`` block normally the file is renamed onto ``path``. After an
    exception, or when no frame was written, the temporary file is removed and ``path`` is
    left untouched. Frames of another size than the first are resized (cv2 would silently drop them).
    A frame OpenCV fails to write (full disk, ...) raises `OutputError` at once (OpenCV only logs it;
    OpenCV 4's ``write`` reports nothing), and on closing the file must open as a video with frames.
    """

    def __init__(self, path: str | os.PathLike, *, fps: float, frame_size: tuple[int, int] | None = None) -> None:
        self.path = Path(path)
        self.fourcc = fourcc_for(self.path)
        self.fps = float(fps) if math.isfinite(fps) and fps > 0 else _DEFAULT_FPS
        self.frame_size = frame_size
        self.frames_written = 0
        self._stack: contextlib.ExitStack | None = None
        self._tmp: Path | None = None
        self._writer: Any = None

    def __enter__(self) -> "VideoWriterAtomic":
        stack = contextlib.ExitStack()
        self._tmp = stack.enter_context(atomic_path(self.path))
        self._stack = stack
        if self.frame_size is not None:
            try:
                self._open(self.frame_size)
            except BaseException:
                self._abort()
                raise
        return self

    def _open(self, size: tuple[int, int]) -> None:
        w, h = int(size[0]), int(size[1])
        writer = cv2.VideoWriter(str(self._tmp), cv2.VideoWriter_fourcc(*self.fourcc), self.fps, (w, h))
        if not writer.isOpened():
            writer.release()
            raise self._failure(f"OpenCV could not open a video writer ({self.fourcc} codec, {w}x{h})")
        self.frame_size = (w, h)
        self._writer = writer

    def write(self, image: np.ndarray) -> None:
        """Append one (H, W, 3) BGR uint8 frame."""
        if self._stack is None:
            raise RuntimeError("VideoWriterAtomic.write() outside its with-block")
        if self._writer is None:
            self._open((image.shape[1], image.shape[0]))
        if (image.shape[1], image.shape[0]) != self.frame_size:
            image = cv2.resize(image, self.frame_size, interpolation=cv2.INTER_AREA)
        with _quiet_opencv():
            ok = self._writer.write(np.ascontiguousarray(image))
        if ok is False:
            raise self._failure(f"OpenCV could not write frame {self.frames_written + 1}")
        self.frames_written += 1

    def _failure(self, what: str) -> OutputError:
        """The error for a video that could not be written: a full disk says so, anything else says ``what``."""
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if _free_bytes(folder) < _NEARLY_FULL_BYTES:
            return output_error(self.path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        return OutputError(f"cannot write video {self.path}: {what}")

    def _release(self) -> None:
        if self._writer is not None:
            with _quiet_opencv():
                self._writer.release()
            self._writer = None

    def _check_written(self) -> None:
        """After release: the temporary file must open as a video with frames (OpenCV writes the index last,
        and says nothing when that fails)."""
        from hipvision._native import silence_stderr_fd

        assert self._tmp is not None
        if not self._tmp.exists() or self._tmp.stat().st_size == 0:
            raise self._failure("the file is empty")
        with silence_stderr_fd(), _quiet_opencv():  # FFmpeg says "moov atom not found" itself
            cap = cv2.VideoCapture(str(self._tmp))
            try:
                readable = cap.isOpened() and cap.get(cv2.CAP_PROP_FRAME_COUNT) > 0
            finally:
                cap.release()
        if not readable:
            raise self._failure("the file OpenCV wrote is not readable")

    def _abort(self) -> None:
        self._release()
        stack, self._stack = self._stack, None
        if stack is not None:
            with contextlib.suppress(_Discard):
                stack.__exit__(_Discard, _Discard(), None)

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: Any) -> bool:
        if exc_type is not None or self.frames_written == 0:
            self._abort()
            return False
        try:
            self._release()
            self._check_written()
        except BaseException:
            self._abort()
            raise
        stack, self._stack = self._stack, None
        assert stack is not None
        stack.close()  # renames the temporary file onto self.path
        return False


class _Discard(Exception):
    """Raised into `atomic_path` to make it delete the temporary file."""


#: A frame that fails to write with less free space than this is put down to a full disk.
_NEARLY_FULL_BYTES = 1 << 20


def _free_bytes(folder: Path) -> int:
    """Bytes this process may still write on ``folder``'s file system (root may use the reserved blocks)."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs (Windows): do not guess
        return 1 << 62
    blocks = st.f_bfree if hasattr(os, "geteuid") and os.geteuid() == 0 else st.f_bavail
    return blocks * st.f_frsize


@contextlib.contextmanager
def _quiet_opencv() -> Generator[None, None, None]:
    """Keep OpenCV's own warnings ("Failed to write frame") off the terminal: the failure is raised instead."""
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging is None:
        yield
        return
    level = logging.getLogLevel()
    if level > logging.LOG_LEVEL_ERROR:
        logging.setLogLevel(logging.LOG_LEVEL_ERROR)
    try:
        yield
    finally:
        if level > logging.LOG_LEVEL_ERROR:
            logging.setLogLevel(level)


@dataclass(frozen=True)
class _Frame:
    """Stand-in for `hipvision.sources.Frame` when that module is not available."""

    index: int
    timestamp_s: float
    image: np.ndarray


def _frames_cv2(video_path: Path) -> tuple[Generator[Any, None, None], float, int | None]:
    """Frames of a video with the pose pipeline's numbering: index i, time CAP_PROP_POS_MSEC (made increasing)."""
    cap = cv2.VideoCapture(str(video_path))
    if not cap.isOpened():
        cap.release()
        raise InputError(f"cannot read video {video_path} (not a video OpenCV can decode, or the file is damaged)")
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    fps = cap.get(cv2.CAP_PROP_FPS)
    fps = float(fps) if math.isfinite(fps) and 1.0 <= fps <= 1000.0 else _DEFAULT_FPS
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))

    def frames() -> Generator[Any, None, None]:
        previous: float | None = None
        try:
            for index in range(1 << 62):
                ok, image = cap.read()
                if not ok or image is None:
                    return
                raw = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                usable = math.isfinite(raw) and raw >= 0 and (previous is None or raw > previous)
                previous = raw if usable else (0.0 if previous is None else previous + 1.0 / fps)
                yield _Frame(index, previous, image)
        finally:
            cap.release()

    return frames(), fps, (count if count > 0 else None)


def _open_frames(video_path: Path) -> tuple[Generator[Any, None, None], float, int | None]:
    try:
        from hipvision.sources import open_source
    except ImportError:  # the frame-source module is not there: read with cv2 directly
        return _frames_cv2(video_path)
    source = open_source(video_path)

    def frames() -> Generator[Any, None, None]:
        with source:
            yield from source

    return frames(), source.fps, source.frame_count


def annotate_video(video_path: str | os.PathLike, out_path: str | os.PathLike,
                   draw: Callable[["Frame"], None], *, progress: bool = True) -> Path:
    """Re-read ``video_path`` frame by frame, let ``draw(frame)`` draw on ``frame.image`` in place, write ``out_path``.

    Frames carry the same ``index`` and ``timestamp_s`` as in the pose pipeline, so ``draw``
    can look up per-frame results by index or time. The output has the source's frame rate
    and size and appears atomically when complete.

    Raises:
        InputError: the video cannot be opened or has no frames.
        OutputError: the output cannot be written (folder missing, unsupported extension, codec).
    """
    video_path, out_path = Path(video_path), Path(out_path)
    if not video_path.is_file():
        raise InputError(f"no such file: {video_path}")
    fourcc_for(out_path)  # fail on a bad extension before decoding anything
    if out_path.resolve() == video_path.resolve():
        raise OutputError(f"refusing to overwrite the input video {video_path}")
    frames, fps, count = _open_frames(video_path)
    bar = None
    if progress:
        from hipvision.commands.common import progress_bar  # rich, only when asked for

        bar = progress_bar()
    with contextlib.ExitStack() as stack:
        if bar is not None:
            stack.enter_context(bar)
            task = bar.add_task(f"annotating {video_path.name}", total=count)
        stack.callback(frames.close)  # releases the capture also when draw() raises
        writer = stack.enter_context(VideoWriterAtomic(out_path, fps=fps))
        for frame in frames:
            draw(frame)
            writer.write(frame.image)
            if bar is not None:
                bar.advance(task)
        if writer.frames_written == 0:
            raise InputError(f"{video_path} has no readable frames")
    return out_path
