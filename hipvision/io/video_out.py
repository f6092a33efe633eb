"""Annotated video output: an atomic video writer and a re-read-and-draw pass over a video.

    with VideoWriterAtomic("out.mp4", fps=30) as writer:   # the size comes from the first frame
        writer.write(image)                                 # BGR uint8
    # out.mp4 appears only now, complete; after an exception nothing is left behind

    annotate_video("clip.mp4", "clip_annotated.mp4", lambda frame: draw_stuff(frame.image))

The codec follows the file extension: ``.mp4``/``.m4v``/``.mov`` → H.264 (yuv420p, even frame size,
``+faststart``) through PyAV, whose wheels bring their own FFmpeg, so browsers, phones and clinic PCs
play it; ``.avi``/``.mkv`` → Motion JPEG ('MJPG') through OpenCV. Where PyAV has no H.264 encoder
the ``.mp4`` is written by OpenCV as MPEG-4 Part 2 ('mp4v', `FOURCC_BY_SUFFIX`) and one line on
stderr says so.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import sys
from collections.abc import Callable, Generator
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from hipvision.errors import InputError, OutputError
from hipvision.io.files import atomic_path, output_error
from hipvision.io.shield import shielded
from hipvision.io.sources import open_source
from hipvision.progress import ProgressFactory, progress_or_silent

if TYPE_CHECKING:
    from hipvision.io.sources import Frame

#: Four-character codec code for each supported output file ending (lower case).
FOURCC_BY_SUFFIX: dict[str, str] = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "MJPG"}
#: Extensions written as H.264 through PyAV when an H.264 encoder is available.
H264_SUFFIXES = frozenset({".mp4", ".m4v", ".mov"})
#: H.264 encoders to try, best first (PyPI's PyAV wheels have libx264).
H264_ENCODERS = ("libx264", "h264", "libopenh264")
_X264_OPTIONS = {"preset": "veryfast", "crf": "20"}
_DEFAULT_FPS = 30.0


@cache
def h264_encoder() -> str | None:
    """The first of `H264_ENCODERS` that PyAV's FFmpeg can encode with; None without PyAV or any of them."""
    try:
        import av
    except ImportError:
        return None
    for name in H264_ENCODERS:
        try:
            av.codec.Codec(name, "w")
        except Exception:  # av raises its own UnknownCodecError (a ValueError subclass in some versions)
            continue
        return name
    return None


def fourcc_for(path: str | os.PathLike) -> str:
    """Codec code for ``path``'s extension; `OutputError` for an extension we cannot write."""
    suffix = Path(path).suffix.lower()
    if suffix not in FOURCC_BY_SUFFIX:
        raise OutputError(f"cannot write video {path}: use one of {', '.join(FOURCC_BY_SUFFIX)}")
    return FOURCC_BY_SUFFIX[suffix]


class _OutputFile:
    """The file PyAV writes a video into: raw (PyAV buffers), and quiet after its first failure.

    The first write or seek that fails raises, and PyAV hands that error on; the calls PyAV makes after it
    while closing the container (its trailer, its seeks back) then do nothing, because each error PyAV
    cannot raise any more it prints to stderr as "PyAV library exception being dropped". A video whose
    writing failed is discarded whole, so nothing is lost by not trying further.
    """

    def __init__(self, path: Path) -> None:
        self._raw = open(path, "w+b", buffering=0)  # noqa: SIM115 - closed by close()
        self.name = str(path)  # PyAV's name for it (the MP4 muxer reopens it by name to move its index first)
        self.failed: OSError | None = None

    def _guard(self, call: Any, *args: Any, fallback: Any) -> Any:
        if self.failed is not None:
            return fallback
        try:
            return call(*args)
        except OSError as exc:
            self.failed = exc
            raise

    def write(self, data: bytes) -> int:
        return self._guard(self._raw.write, data, fallback=len(data))

    def read(self, size: int = -1) -> bytes:
        return self._guard(self._raw.read, size, fallback=b"")

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._guard(self._raw.seek, offset, whence, fallback=offset if whence == 0 else 0)

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()


class _H264Writer:
    """H.264 in an MP4/MOV container through PyAV: yuv420p, constant frame rate ``fps``."""

    def __init__(self, path: Path, encoder: str, fps: float, size: tuple[int, int]) -> None:
        import av

        self.codec = encoder
        rate = Fraction(fps).limit_denominator(1001)
        # PyAV writes into a file hipvision opens and closes: a container whose write failed (a full disk)
        # keeps a file it opened itself open after close() (PyAV 18), holding the deleted temporary file's space.
        self._file = _OutputFile(path)
        try:
            self._container = av.open(self._file, mode="w", format="mov" if path.suffix.lower() == ".mov" else "mp4",
                                      options={"movflags": "+faststart"})
        except BaseException:
            self._file.close()
            raise
        try:
            options = dict(_X264_OPTIONS) if encoder in ("libx264", "h264") else {}
            stream = self._container.add_stream(encoder, rate=rate, options=options)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            self._stream = stream
            self._frame_type = av.VideoFrame
        except BaseException:
            self.release(flush=False)
            raise

    def write(self, image: np.ndarray) -> None:
        frame = self._frame_type.from_ndarray(image, format="bgr24")
        with shielded():  # PyAV calls back into _OutputFile: no stop signal's exception in there
            self._container.mux(self._stream.encode(frame))

    def release(self, *, flush: bool = True) -> None:
        with shielded():
            try:
                if flush:
                    self._container.mux(self._stream.encode(None))
            finally:
                try:
                    self._container.close()
                finally:
                    self._file.close()


class VideoWriterAtomic:
    """An H.264 (PyAV) or OpenCV video writer that writes to a temporary file and renames it onto ``path``.

    Args:
        path: the video to write; its extension picks the codec (H.264 for ``.mp4``, see the module
            docstring; `fourcc_for` for the OpenCV codecs).
        fps: frames per second written into the file's header.
        frame_size: (width, height); None = taken from the first frame written.

    On leaving the ``with`` block normally the file is renamed onto ``path``. After an
    exception, or when no frame was written, the temporary file is removed and ``path`` is
    left untouched. Frames of another size than the first are resized (cv2 would silently drop them);
    for H.264 an odd width or height is cropped by one pixel (yuv420p needs even sizes).
    ``codec`` says what was written ("libx264", "mp4v", "MJPG", ...) once the first frame is in.
    A frame that fails to write (full disk, ...) raises `OutputError` at once (OpenCV only logs it;
    OpenCV 4's ``write`` reports nothing), and on closing the file must open as a video with frames.
    """

    def __init__(self, path: str | os.PathLike, *, fps: float, frame_size: tuple[int, int] | None = None) -> None:
        self.path = Path(path)
        self.fourcc = fourcc_for(self.path)
        self.fps = float(fps) if math.isfinite(fps) and fps > 0 else _DEFAULT_FPS
        self.frame_size = frame_size
        self.frames_written = 0
        self.codec: str | None = None
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
        if self.path.suffix.lower() in H264_SUFFIXES:
            encoder = h264_encoder()
            if encoder is not None:
                self._open_h264(encoder, (max(2, w - w % 2), max(2, h - h % 2)))
                return
            print(f"note: no H.264 encoder in PyAV/FFmpeg here; writing {self.path.name} as MPEG-4 Part 2 "
                  "(mp4v) with OpenCV, which some browsers and phones do not play", file=sys.stderr, flush=True)
        writer = cv2.VideoWriter(str(self._tmp), cv2.VideoWriter_fourcc(*self.fourcc), self.fps, (w, h))
        if not writer.isOpened():
            writer.release()
            raise self._failure(f"OpenCV could not open a video writer ({self.fourcc} codec, {w}x{h})")
        self.frame_size = (w, h)
        self._writer = writer
        self.codec = self.fourcc

    def _open_h264(self, encoder: str, size: tuple[int, int]) -> None:
        try:
            self._writer = _H264Writer(Path(str(self._tmp)), encoder, self.fps, size)
        except Exception as exc:
            raise OutputError(f"cannot write video {self.path} (H.264 {encoder}, {size[0]}x{size[1]}): {exc}") from exc
        self.frame_size = size
        self.codec = encoder

    def write(self, image: np.ndarray) -> None:
        """Append one (H, W, 3) BGR uint8 frame."""
        if self._stack is None:
            raise RuntimeError("VideoWriterAtomic.write() outside its with-block")
        if self._writer is None:
            self._open((image.shape[1], image.shape[0]))
        w, h = self.frame_size
        if (image.shape[1], image.shape[0]) != (w, h):
            if 0 <= image.shape[1] - w <= 1 and 0 <= image.shape[0] - h <= 1:
                image = image[:h, :w]  # odd size cropped to even for H.264
            else:
                image = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
        if isinstance(self._writer, _H264Writer):
            try:
                self._writer.write(np.ascontiguousarray(image))
            except OSError as exc:
                raise self._failure(f"could not write frame {self.frames_written + 1} ({exc})") from exc
        else:
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

    def _release(self, *, flush: bool = True) -> None:
        writer, self._writer = self._writer, None
        if isinstance(writer, _H264Writer):
            writer.release(flush=flush)
        elif writer is not None:
            with _quiet_opencv():
                writer.release()

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
        try:
            with contextlib.suppress(Exception):
                self._release(flush=False)
        finally:  # the temporary file goes even when the release is interrupted
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
        except OutputError:
            self._abort()
            raise
        except Exception as exc:
            self._abort()
            raise self._failure(f"could not finish it ({exc})") from exc
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


def _open_frames(video_path: Path) -> tuple[Generator[Any, None, None], float, int | None]:
    source = open_source(video_path)

    def frames() -> Generator[Any, None, None]:
        with source:
            yield from source

    return frames(), source.fps, source.frame_count


def annotate_video(video_path: str | os.PathLike, out_path: str | os.PathLike,
                   draw: Callable[["Frame"], None], *, progress: ProgressFactory | None = None) -> Path:
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
    with contextlib.ExitStack() as stack:
        tick = stack.enter_context(progress_or_silent(progress)(f"annotating {video_path.name}", count))
        stack.callback(frames.close)  # releases the capture also when draw() raises
        writer = stack.enter_context(VideoWriterAtomic(out_path, fps=fps))
        for frame in frames:
            draw(frame)
            writer.write(frame.image)
            tick(1)
        if writer.frames_written == 0:
            raise InputError(f"{video_path} has no readable frames")
    return out_path
