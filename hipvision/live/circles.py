"""Live hip circles (`CirclesLive`): the file analysis re-run on the frames so far for the counts, the causal
stream for the drawing between analyses, the circles HUD, the saved result."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING

import numpy as np

from hipvision import draw
from hipvision.core.circles import CircleRep, CirclesResult, CirclesSettings
from hipvision.core.circles.stream import CirclesStream
from hipvision.core.posture_check import RECORDING
from hipvision.draw.circles import (
    DIRECTION_LABELS, KEYS, circles_hud, confidence_cues, hip_norm, watched_parts,
)
from hipvision.live.circles_recount import BackgroundRecount
from hipvision.pose.extract import SequenceBuilder

if TYPE_CHECKING:
    from hipvision.pose import FramePose
    from hipvision.sequence import PoseSequence


#: The file analysis of the frames so far (`BackgroundRecount.latest`) vouches for the posture now when it ends at
#: most this long before the frame on screen (s) and had the person on hands and knees in its last `RECENT_S`.
VOUCH_S = 1.5
RECENT_S = 0.5


def on_all_fours_lately(latest: "CirclesResult | None", t_s: float) -> bool:
    """Whether the file analysis of the frames so far (``latest``) had the person on hands and knees at its end,
    no longer than `VOUCH_S` before ``t_s`` (seconds, the frame on screen): its posture check also reads the image
    (how foreshortened each limb is), which the causal stream does not, so from behind, with the hands hidden, it
    sees hands and knees where the stream does not."""
    if latest is None or not len(latest.t_s) or t_s - float(latest.t_s[-1]) > VOUCH_S:
        return False
    recent = latest.t_s >= latest.t_s[-1] - RECENT_S
    return bool(np.isfinite(latest.pelvis_cm[recent]).all(axis=1).any())


def _cue_for(stream: CirclesStream, last_rep: "CircleRep | None", on_all_fours: bool = False) -> list[str]:
    """The coaching lines: the posture hint when neither the stream (between analyses) nor the file analysis of
    the frames so far (``on_all_fours``, `on_all_fours_lately`) sees hands and knees, else the verdict of the last
    circle counted (``last_rep``: the recount's, the circle the count shown stands for)."""
    if not (stream.valid or on_all_fours):
        return ["get on hands and knees: shoulders over hands, hips over knees"]
    if last_rep is not None:
        return [f"last circle ({DIRECTION_LABELS[last_rep.direction]}): {last_rep.verdict}"]
    return ["circle the hips as big as you can, sitting far back; keep the shoulders still"]


def _watched(pose: "FramePose") -> tuple[np.ndarray, np.ndarray]:
    """`watched_parts` of ``pose``; none without a person."""
    if not getattr(pose, "detected", False):
        return np.zeros((0, 2)), np.zeros(0)
    return watched_parts(pose.image, pose.visibility)


class CirclesLive:
    """The live hip-circles analyzer for `hipvision.live.run_live`.

    Counting runs from the start; SPACE pauses/resumes it (frames while paused are ignored), R
    starts over. Everything said about the circles counted comes from the file analysis (`analyze_circles`)
    re-run on the frames so far on a worker thread (`BackgroundRecount`), so it never drifts from what is
    saved: the counts (and with them the sound cues, `hipvision.live.cues`), the last circle's verdict and
    size; ``shown`` lists the counts, ``{t_s, clockwise, counterclockwise}`` at each change. The causal
    `CirclesStream` only draws between analyses: the current circle's progress arc and direction, the trail
    and top view, and the posture hint; its own count is not shown. ``saved_result()`` (and ``result()``,
    its JSON) is the file analysis of every frame counted, as a recording of them would give, with
    ``shown`` ending at its counts.
    """

    title = "hipvision circles"

    def __init__(self, *, settings: CirclesSettings = CirclesSettings(), source: str = "live", model: str = "",
                 trail_s: float = 8.0, keys_help: bool = True, frame_size: tuple[int, int] = (640, 480),
                 fps: float = 30.0, frames: SequenceBuilder | None = None, recount_every_s: float = 0.5,
                 recount_pool: Callable[[], Executor] | None = None, mirror: bool = False,
                 command_input: str = RECORDING, wording: Callable[[CirclesResult], CirclesResult] | None = None):
        """``frame_size`` (pixels) and ``fps``: the source's, for the kept frames (the count uses neither);
        ``frames``: a builder the caller fills with every frame itself (a session); the analyses then use its
        frames from now on. ``recount_every_s``: frame time between live re-analyses; ``recount_pool``: makes
        the executor they run on (default: a worker thread; see `BackgroundRecount`). ``mirror``: the HUD is drawn
        on a mirrored picture (selfie view), so the body parts it keeps clear of are mirrored too. ``command_input``: how
        the commands a wrong-posture result names take their input (the command line's live one, e.g. "--camera 0";
        `posture_check.PostureMismatch`); ``wording``: applied to each analysis shown (`BackgroundRecount`)."""
        self.settings = settings
        self.wording = wording
        self.command_input = command_input
        self.keys_help = keys_help
        self.mirror = mirror
        self._watched, self._weights = np.zeros((0, 2)), np.zeros(0)  # seen body parts, normalised (x, y)
        self.source, self.model, self.frame_size, self.fps = source, model, frame_size, fps
        self.stream = CirclesStream(settings=settings, source=source, model=model)
        self.trail_s = trail_s
        self.paused = False
        self.recount_every_s = recount_every_s
        self.recount_pool = recount_pool
        self._trail: deque[tuple[float, np.ndarray, np.ndarray, int]] = deque()  # (t, hip, pelvis cm, rep)
        self._own_frames = frames is None
        self._frames = self._new_frames() if frames is None else frames
        self._first = 0 if frames is None else len(frames)
        self._start_counting()

    def _new_frames(self) -> SequenceBuilder:
        return SequenceBuilder(fps=self.fps, frame_size=self.frame_size, source=self.source, model=self.model)

    def _start_counting(self) -> None:
        self._final: tuple[tuple[int, int], CirclesResult] | None = None
        self.recount = BackgroundRecount(settings=self.settings, every_s=self.recount_every_s,
                                         pool=None if self.recount_pool is None else self.recount_pool(),
                                         command_input=self.command_input, wording=self.wording)
        self.shown: list[dict] = []

    def _sequence(self) -> "PoseSequence":
        seq = self._frames.build()
        return seq if self._first == 0 else seq.slice(self._first, len(seq))

    def _show(self, t_s: float) -> None:
        counts = self.recount.counts
        if not self.shown or any(self.shown[-1][k] != v for k, v in counts.items()):
            self.shown.append({"t_s": round(float(t_s), 3), **counts})

    def update(self, pose: "FramePose") -> None:
        if self.paused:
            return
        if self._own_frames:
            self._frames.append(pose)
        world = pose.world if pose.detected else np.full((33, 3), np.nan)
        self.stream.update(float(pose.timestamp_s), world)
        self.recount.step(float(pose.timestamp_s), self._sequence)
        self._show(float(pose.timestamp_s))
        rep = len(self.stream.counter.reps) + 1 if self.stream.progress > 0 else 0
        self._trail.append((pose.timestamp_s, hip_norm(pose.image), 100 * self.stream.pelvis_m, rep))
        while self._trail and self._trail[0][0] < pose.timestamp_s - self.trail_s:
            self._trail.popleft()

    def draw_scene(self, image: np.ndarray, pose: "FramePose") -> None:
        size = np.array([image.shape[1], image.shape[0]], float)
        self._watched, self._weights = _watched(pose)
        pts = np.array([hip for _, hip, _, _ in self._trail]) * size if self._trail else np.zeros((0, 2))
        ids = np.array([rep for *_, rep in self._trail], int)
        draw.draw_trail(image, pts, rep_ids=np.where(ids > 0, ids, -1), thickness=4 * draw.ui_scale(image), fade=True)

    def draw_hud(self, image: np.ndarray, *, title: str | None = None,
                 keys: tuple[tuple[str, str], ...] | None = None) -> list[tuple[int, int, int, int]]:
        """The circles HUD; ``title`` over the cues and ``keys`` (default this view's own, if ``keys_help``) at
        the bottom are a session's. Returns the boxes drawn (x, y, w, h)."""
        st = self.stream
        path = np.array([p for _, _, p, _ in self._trail]) if self._trail else np.zeros((0, 2))
        ids = np.array([rep for *_, rep in self._trail], int)
        last = self.recount.last_rep
        direction = {1: "clockwise", -1: "counterclockwise"}.get(st.direction)
        latest = self.recount.latest
        now = self._trail[-1][0] if self._trail else -math.inf
        cues = _cue_for(st, last, on_all_fours_lately(latest, now))
        confidence = latest.confidence if latest is not None else None
        return circles_hud(image, counts=self.recount.counts, target=self.settings.target_per_direction,
                           progress=st.progress, direction=direction, path_cm=path, rep_ids=ids,
                           centre_cm=100 * st.centre_m, torso_cm=100 * st.torso_m,
                           radius_pct=last.radius_pct_torso if last is not None else None, size_label="last circle",
                           size_estimated=last is not None and last.size_estimated,
                           cues=cues + confidence_cues(confidence),
                           short_cues=cues + confidence_cues(confidence, why=False),
                           paused=self.paused, keys_help=self.keys_help or keys is not None, title=title,
                           keys=KEYS if keys is None else keys, keep_clear_px=self._watched_px(image),
                           keep_clear_weight=self._weights)

    def _watched_px(self, image: np.ndarray) -> np.ndarray:
        """(N, 2) the last frame's watched body parts (`WATCHED`) on the displayed ``image``, pixels (mirrored with
        the display)."""
        parts = self._watched.copy()
        if self.mirror:
            parts[:, 0] = 1.0 - parts[:, 0]
        return parts * (image.shape[1], image.shape[0])

    def status_text(self) -> str:
        """One line for a terminal: circles per direction (as shown), the current circle, paused."""
        counts, target = self.recount.counts, self.settings.target_per_direction
        text = (f"clockwise {counts.get('clockwise', 0)}/{target}   "
                f"counter-clockwise {counts.get('counterclockwise', 0)}/{target}")
        if self.stream.progress > 0:
            text += f"   circle {100 * self.stream.progress:.0f}% done"
        return text + ("   paused" if self.paused else "")

    def on_key(self, key: str) -> None:
        if key == " ":
            self.paused = not self.paused
        elif key == "r":
            self.stream.reset()
            self._trail.clear()
            self.recount.close()
            if self._own_frames:
                self._frames = self._new_frames()
            else:
                self._first = len(self._frames)
            self._start_counting()
            self.paused = False

    def result(self) -> dict:
        """The saved result's JSON (`saved_result`)."""
        return self.saved_result().to_dict()

    def saved_result(self) -> CirclesResult:
        """`analyze_circles` of every frame counted (not those while paused or before the last R), with
        ``shown``: what the view showed, ending at these counts."""
        result = self.final_result()
        result.shown = list(self.shown)
        return result

    def final_result(self) -> CirclesResult:
        """The file analysis of every frame counted; the shown counts become its counts (a last ``shown``
        entry, at the last frame's time, if they differ)."""
        seq = self._sequence()
        key = (id(self.recount), len(seq))
        if self._final is not None and self._final[0] == key:  # result() then saved_result(): analysed once
            return self._final[1]
        result = self.recount.final(seq)
        self.recount.close()
        self._final = (key, result)
        if len(seq):
            self._show(float(seq.timestamps_s[-1]))
        return result
