"""Live hip circles (`CirclesLive`): the streaming counter on each frame, the circles HUD, the saved result."""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from hipvision import draw
from hipvision.core.circles import CirclesResult, CirclesSettings
from hipvision.core.circles.stream import CirclesStream
from hipvision.draw.circles import DIRECTION_LABELS, circles_hud, hip_norm
from hipvision.pose.extract import SequenceBuilder
from hipvision.sequence import effective_fps

if TYPE_CHECKING:
    from hipvision.pose import FramePose


def _cue_for(stream: CirclesStream) -> list[str]:
    if not stream.valid:
        return ["get on hands and knees: shoulders over hands, hips over knees"]
    cues = []
    if stream.last_rep is not None:
        cues.append(f"last circle ({DIRECTION_LABELS[stream.last_rep.direction]}): {stream.last_rep.verdict}")
    else:
        cues.append("circle the hips as big as you can, sitting far back; keep the shoulders still")
    return cues


class CirclesLive:
    """The live hip-circles analyzer for `hipvision.live.run_live`.

    Counting runs from the start; SPACE pauses/resumes it (frames while paused are ignored), R
    starts over. ``result()`` is the live count so far (what the view shows); ``saved_result()`` is the
    file analysis of every frame counted, as a recording of them would give: the live counter needs a
    circle or two to see that depth is under-reported, the file analysis looks at the whole set.
    """

    title = "hipvision circles"

    def __init__(self, *, settings: CirclesSettings = CirclesSettings(), source: str = "live", model: str = "",
                 trail_s: float = 8.0, keys_help: bool = True, frame_size: tuple[int, int] = (640, 480),
                 fps: float = 30.0, keep_frames: bool = True):
        """``frame_size`` (pixels) and ``fps``: the source's, for the kept frames (the count uses neither);
        ``keep_frames``: False when the caller keeps them itself (then there is no ``saved_result``)."""
        self.keep_frames = keep_frames
        self.settings = settings
        self.keys_help = keys_help
        self.source, self.model, self.frame_size, self.fps = source, model, frame_size, fps
        self.stream = CirclesStream(settings=settings, source=source, model=model)
        self.trail_s = trail_s
        self.paused = False
        self._trail: deque[tuple[float, np.ndarray, np.ndarray, int]] = deque()  # (t, hip, pelvis cm, rep)
        self._frames = self._new_frames()

    def _new_frames(self) -> SequenceBuilder:
        return SequenceBuilder(fps=self.fps, frame_size=self.frame_size, source=self.source, model=self.model)

    def update(self, pose: "FramePose") -> None:
        if self.paused:
            return
        if self.keep_frames:
            self._frames.append(pose)
        world = pose.world if pose.detected else np.full((33, 3), np.nan)
        self.stream.update(float(pose.timestamp_s), world)
        rep = len(self.stream.counter.reps) + 1 if self.stream.progress > 0 else 0
        self._trail.append((pose.timestamp_s, hip_norm(pose.image), 100 * self.stream.pelvis_m, rep))
        while self._trail and self._trail[0][0] < pose.timestamp_s - self.trail_s:
            self._trail.popleft()

    def draw_scene(self, image: np.ndarray, pose: "FramePose") -> None:
        size = np.array([image.shape[1], image.shape[0]], float)
        pts = np.array([hip for _, hip, _, _ in self._trail]) * size if self._trail else np.zeros((0, 2))
        ids = np.array([rep for *_, rep in self._trail], int)
        draw.draw_trail(image, pts, rep_ids=np.where(ids > 0, ids, -1), thickness=4 * draw.ui_scale(image), fade=True)

    def draw_hud(self, image: np.ndarray) -> None:
        st = self.stream
        path = np.array([p for _, _, p, _ in self._trail]) if self._trail else np.zeros((0, 2))
        ids = np.array([rep for *_, rep in self._trail], int)
        d = st.pelvis_m - st.centre_m
        radius_pct = (st.last_rep.radius_pct_torso if st.last_rep is not None and st.progress == 0
                      else 100 * float(np.hypot(*d)) / st.torso_m if st.torso_m > 0 else math.nan)
        direction = {1: "clockwise", -1: "counterclockwise"}.get(st.direction)
        circles_hud(image, counts=st.counts, target=self.settings.target_per_direction, progress=st.progress,
                    direction=direction, path_cm=path, rep_ids=ids, centre_cm=100 * st.centre_m,
                    torso_cm=100 * st.torso_m, radius_pct=radius_pct, cues=_cue_for(st), paused=self.paused,
                    keys_help=self.keys_help)

    def on_key(self, key: str) -> None:
        if key == " ":
            self.paused = not self.paused
        elif key == "r":
            self.stream.reset()
            self._trail.clear()
            self._frames = self._new_frames()
            self.paused = False

    def result(self) -> dict:
        return self.stream.result().to_dict()

    def saved_result(self) -> CirclesResult:
        """`analyze_circles` of every frame counted (not those while paused or before the last R)."""
        from hipvision.core.circles import analyze_circles

        if not self.keep_frames:
            raise RuntimeError("CirclesLive(keep_frames=False) keeps no frames to analyse")
        return analyze_circles(effective_fps(self._frames.build()), settings=self.settings)
