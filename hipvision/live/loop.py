"""The live loop: frames → pose → analyzer → overlay → window (and/or recording).

    with open_source(0) as source, PoseTracker() as tracker:
        result = run_live(source, tracker, RotationLive(...), record="session.mp4")

Analysis always runs on the UNMIRRORED frame (MediaPipe's left/right labels are
only right on it); ``mirror`` only flips what is shown and recorded, so the
person sees themselves as in a mirror. Each frame is drawn in two layers:

* ``analyzer.draw_scene(image, pose)`` on the unmirrored frame, in its own pixel
  coordinates (shank lines, trails). Text drawn here is flipped with the image:
  pass ``mirror_text=`` (see `hipvision.draw.put_text`) to keep it readable.
* ``analyzer.draw_hud(image)`` on the displayed (maybe mirrored) frame: numbers,
  gauges, coaching text.

The loop also draws the skeleton (before ``draw_scene``) and a small status box in
the bottom-right corner of the displayed frame ("no person in view", REC, the
processing rate of a live source): keep that column free in ``draw_hud`` (`hipvision.draw.draw_bottom_left`
does; its width is `hipvision.draw.status_reserve_px`).

Keys: space → ``on_key(" ")`` (start/stop a trial), ``r`` → ``on_key("r")``
(reset), ``f`` → full screen on/off (the window opens full screen, without Qt's toolbar),
``q`` or Esc (or closing the window) → stop. Ctrl-C stops as ``q`` does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import cv2
import numpy as np

from hipvision import draw
from hipvision.errors import InputError, OutputError
from hipvision.io.video_out import VideoWriterAtomic

if TYPE_CHECKING:
    from hipvision.io.frame_store import FrameStore
    from hipvision.pose import FramePose
    from hipvision.io.sources import FrameSource

_ESC = 27
_ANALYZER_KEYS = {ord(" "): " ", ord("r"): "r", ord("R"): "r"}
_QUIT_KEYS = {ord("q"), ord("Q"), _ESC}
_FULLSCREEN_KEYS = {ord("f"), ord("F")}
NO_DISPLAY_MESSAGE = "no display available: run with --no-window (or under Xvfb)"


class FrameTiming(NamedTuple):
    """One frame's way through `run_live`, `time.perf_counter()` seconds: ``got`` when the loop took
    frame ``index`` from the source, ``posed`` when its pose was found, ``shown`` when its overlay was
    drawn, recorded and shown."""

    index: int
    got: float
    posed: float
    shown: float


class LiveAnalyzer(Protocol):
    """What the live loop drives; one implementation per analysis (rotation, circles)."""

    title: str

    def update(self, pose: "FramePose") -> None:
        """Called for every frame, in order (also frames without a person)."""

    def draw_scene(self, image: np.ndarray, pose: "FramePose") -> None:
        """Draw on the UNMIRRORED frame (in its pixel coordinates): shank lines, trails..."""

    def draw_hud(self, image: np.ndarray) -> None:
        """Draw on the DISPLAYED frame (mirrored if the display is): numbers, gauges, coaching."""

    def on_key(self, key: str) -> None:
        """A key press: " " start/stop a trial, "r" reset. ("q" is handled by the loop.)"""

    def result(self) -> dict:
        """JSON-able result so far."""

    def status_text(self) -> str:
        """One short line for a terminal: counts, current angles, phase (optional; see ``on_status``)."""


def gui_backend() -> str | None:
    """Name of the GUI backend OpenCV was built with ("QT5", "GTK3", "WIN32UI"...), None if it has none."""
    match = re.search(r"^\s*GUI:\s*(\S+)", cv2.getBuildInformation(), re.MULTILINE)
    name = match.group(1) if match else None
    return None if name is None or name.upper() == "NONE" else name


def check_display() -> None:
    """Raise `InputError` unless an OpenCV window can be opened here.

    On Linux a missing or unreachable X display makes Qt abort the whole process
    instead of raising, so a window is first tried in a short-lived child process.
    """
    if gui_backend() is None:
        raise InputError(f"{NO_DISPLAY_MESSAGE} (this OpenCV build has no GUI support)")
    if not sys.platform.startswith("linux"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise InputError(NO_DISPLAY_MESSAGE)
    probe = "import cv2; cv2.namedWindow('hipvision-probe'); cv2.waitKey(1); cv2.destroyAllWindows()"
    try:
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        raise InputError(NO_DISPLAY_MESSAGE) from None
    if done.returncode != 0:
        raise InputError(f"{NO_DISPLAY_MESSAGE} (cannot open a window on display "
                         f"{os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')})")


class _Window:
    """The OpenCV window (or nothing, headless); keys come from it and from the script."""

    def __init__(self, title: str, enabled: bool, fullscreen: bool = True) -> None:
        self.title = title or "hipvision"
        self.enabled = enabled
        self.fullscreen = fullscreen
        self._open = False

    def show(self, image: np.ndarray) -> int | None:
        """Show ``image``; returns the key code pressed (or None); -1 if the window was closed."""
        if not self.enabled:
            return None
        first = not self._open
        if first:
            # GUI_NORMAL: no Qt toolbar or status bar, the picture fills the window
            cv2.namedWindow(self.title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
            cv2.resizeWindow(self.title, image.shape[1], image.shape[0])
            self._open = True
        cv2.imshow(self.title, image)
        if first:  # full screen before the first picture leaves a Qt window unmapped (seen under Xvfb)
            self._apply_fullscreen()
        key = cv2.waitKey(1)
        if cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            return -1
        return None if key < 0 else key & 0xFF

    def toggle_fullscreen(self) -> None:
        """The F key: full screen (the picture scaled up, its aspect kept) ↔ a window of the frame's size."""
        self.fullscreen = not self.fullscreen
        self._apply_fullscreen()

    def _apply_fullscreen(self) -> None:
        if self._open:
            cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN,
                                  cv2.WINDOW_FULLSCREEN if self.fullscreen else cv2.WINDOW_NORMAL)

    def close(self) -> None:
        if self._open:
            self._open = False
            try:
                cv2.destroyWindow(self.title)
                cv2.waitKey(1)  # lets the GUI thread actually remove it
            except cv2.error:
                pass


class _Script:
    """Scripted key presses: each (timestamp_s, key) fires at the first frame with timestamp >= its time."""

    def __init__(self, keys: Iterable[tuple[float, str]]) -> None:
        self._keys = sorted(((float(t), str(k)) for t, k in keys), key=lambda tk: tk[0])
        self._next = 0

    def due(self, timestamp_s: float) -> list[str]:
        out = []
        while self._next < len(self._keys) and self._keys[self._next][0] <= timestamp_s:
            out.append(self._keys[self._next][1])
            self._next += 1
        return out


def _key_code(key: str) -> int:
    return {"esc": _ESC, "escape": _ESC, "space": ord(" ")}.get(key.lower(), ord(key[:1]) if key else -2)


def _draw_status(image: np.ndarray, fps: float | None, recording: bool, detected: bool) -> None:
    """The loop's own small overlay, bottom-right: processing rate, recording dot, 'no person'."""
    lines = []
    if not detected:
        lines.append(("no person in view", draw.CLASS_COLORS["limited"]))
    status = f"{fps:.0f} fps" if fps else ""
    if recording:
        status = f"REC  {status}".strip()
    if status:
        lines.append((status, (120, 120, 255) if recording else draw.WHITE))
    if lines:
        draw.draw_status_panel(image, lines)


def run_live(source: "FrameSource", tracker: Any, analyzer: LiveAnalyzer, *, window: bool = True,
             mirror: bool = True, record: os.PathLike | str | None = None, max_frames: int | None = None,
             scripted_keys: Sequence[tuple[float, str]] = (), keep: "FrameStore | None" = None,
             on_record_error: Callable[[OutputError], None] | None = None,
             timings: "deque[FrameTiming] | None" = None, fullscreen: bool = True,
             on_status: Callable[[float, str], None] | None = None,
             stop_requested: Callable[[], bool] | None = None) -> dict:
    """Run ``analyzer`` live on ``source`` until the source ends, ``q``/Esc, Ctrl-C, ``max_frames`` or
    ``stop_requested``.

    Args:
        source: an open `FrameSource` (a camera, or a video file played as if live); the caller closes it.
        tracker: has ``process(frame) -> FramePose`` (a `PoseTracker`); always fed the unmirrored frame.
        analyzer: a `LiveAnalyzer`.
        window: show an OpenCV window and read keys from it; False = headless (no cv2 GUI call at all).
        mirror: flip the displayed and recorded picture horizontally (selfie view).
        record: write the displayed frames (with overlays) to this video, atomically (see `VideoWriterAtomic`).
        max_frames: stop after this many frames.
        scripted_keys: (timestamp_s, key) presses, delivered after the first frame whose timestamp is
            at or past ``timestamp_s`` has been analysed and shown (as a real key press during that
            frame would be). Keys as typed: " ", "r", "q"; "esc" also works.
        keep: hand every frame (unmirrored, without overlays) and its pose to this store, for the
            report's key frames.
        on_record_error: a recording that cannot be written (full disk, ...) is discarded and its
            `OutputError` handed to this, and the run goes on without it (the routine is worth more
            than its video); None = raise it.
        timings: append a `FrameTiming` per frame here (give a ``deque(maxlen=N)`` to keep the last N):
            where the time from a frame's arrival to its overlay being shown goes.
        fullscreen: open the window full screen (the F key toggles it).
        on_status: called after every frame with (the frame's timestamp_s, ``analyzer.status_text()``),
            e.g. to keep a terminal status line up to date (the analyzer's title if it has no status_text).
        stop_requested: asked after every frame; True ends the run as ``q`` does (a stop signal noted by the
            command line, `hipvision.commands.stop.polled`, so that none is raised inside a frame's work).

    Returns:
        ``analyzer.result()`` at the end.

    Raises:
        InputError: ``window`` is True but no display is available.
        Whatever the tracker or analyzer raises; the window and the recording are released first
        (an unfinished recording is discarded).
    """
    writer = VideoWriterAtomic(record, fps=source.fps) if record is not None else None  # checks the extension
    if window:
        check_display()
    win = _Window(getattr(analyzer, "title", "hipvision"), window, fullscreen)
    status_text = getattr(analyzer, "status_text", lambda: getattr(analyzer, "title", ""))
    script = _Script(scripted_keys)
    frames = iter(source)
    rate: float | None = None
    last = time.monotonic()
    try:
        if writer is not None:
            writer.__enter__()
        for count, frame in enumerate(frames, start=1):
            got = time.perf_counter()
            pose = tracker.process(frame)
            posed = time.perf_counter()
            analyzer.update(pose)
            if keep is not None:
                keep.add(frame.timestamp_s, frame.image, pose.image if pose.detected else None, pose.visibility)
            canvas = frame.image.copy()
            if pose.detected:
                draw.draw_skeleton(canvas, pose.image, pose.visibility)
            analyzer.draw_scene(canvas, pose)
            if mirror:
                canvas = cv2.flip(canvas, 1)
            analyzer.draw_hud(canvas)
            now = time.monotonic()
            rate = 1.0 / max(now - last, 1e-6) if rate is None else 0.9 * rate + 0.1 / max(now - last, 1e-6)
            last = now
            _draw_status(canvas, rate if source.is_live else None, writer is not None, bool(pose.detected))
            if writer is not None:
                try:
                    writer.write(canvas)
                except OutputError as exc:
                    writer = _drop_recording(writer, exc, on_record_error)
            codes = [_key_code(k) for k in script.due(frame.timestamp_s)]
            shown = win.show(canvas)
            if timings is not None:
                timings.append(FrameTiming(frame.index, got, posed, time.perf_counter()))
            if shown is not None:
                codes.append(shown)
            if on_status is not None:
                on_status(frame.timestamp_s, status_text())
            if _handle_keys(codes, analyzer, win) or (max_frames is not None and count >= max_frames) \
                    or (stop_requested is not None and stop_requested()):
                break
    except KeyboardInterrupt:
        pass  # Ctrl-C is a normal way to stop a live session: keep the recording and the result
    except BaseException as exc:
        _close(frames, win, writer, exc)
        raise
    try:
        _close(frames, win, writer, None)
    except OutputError as exc:  # the recording failed on closing; the rest is released
        _drop_recording(None, exc, on_record_error)
    return analyzer.result()


def _drop_recording(writer: VideoWriterAtomic | None, exc: OutputError,
                    on_record_error: Callable[[OutputError], None] | None) -> None:
    """Discard the recording (``writer``, if still open) after ``exc``; pass ``exc`` on, or raise it."""
    if writer is not None:
        writer.__exit__(type(exc), exc, None)
    if on_record_error is None:
        raise exc
    on_record_error(exc)


def _handle_keys(codes: list[int], analyzer: LiveAnalyzer, win: _Window) -> bool:
    """Pass analyzer keys on, toggle full screen; True when one of them asks to stop."""
    for code in codes:
        if code == -1 or code in _QUIT_KEYS:
            return True
        if code in _FULLSCREEN_KEYS:
            win.toggle_fullscreen()
        if code in _ANALYZER_KEYS:
            analyzer.on_key(_ANALYZER_KEYS[code])
    return False


def _close(frames: Any, win: _Window, writer: VideoWriterAtomic | None, exc: BaseException | None) -> None:
    """Release everything, each step guarded so one failure does not leak the others."""
    try:
        close = getattr(frames, "close", None)
        if close is not None:
            close()
    finally:
        try:
            win.close()
        finally:
            if writer is not None:
                writer.__exit__(type(exc) if exc else None, exc, None)
