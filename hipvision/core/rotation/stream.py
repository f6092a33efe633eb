"""`RotationTracker`: the seated IR measurement frame by frame, for the live camera.

Same per-frame maths as the file analysis (`measure`: posture, knee
anchors from rest frames, angle, reasons), a causal One-Euro filter per leg
instead of the zero-phase one, and a camera view that is refitted every second
or so on the seated frames seen so far.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass

import numpy as np

from hipvision.core import geometry as g
from hipvision.core.filtering import OneEuroFilter, interpolate_gaps
from hipvision.core.posture import frame_is_quadruped
from hipvision.core.rotation.anchor import (
    ANCHOR_COUNT_S, ANKLES, KNEES, anchor_of, frames_per_second_count, rest_mask, steady_rest,
)
from hipvision.core.rotation.frame import SETUP_MESSAGES, Reason, steady
from hipvision.core.rotation.measure import (
    POSTURE_OK, Person, anchored_pass, first_pass, fit_view, height_hint_deg, hint_thigh_drop,
)
from hipvision.core.rotation.result import RotationResult, RotationSettings, summarise
from hipvision.core.rotation.seated import facing_world, hips_still, knee_travel, posture_steady, seated_posture
from hipvision.core.rotation.sides import swap_sides, swapped_info, turned_and_facing
from hipvision.core.rotation.summary import sustained_levels, window_samples
from hipvision.core.rotation.uncertainty import frame_evidence
from hipvision.core.rotation.view import CameraView, default_view, estimate_view_world, knee_line_roll_deg
from hipvision.landmarks import SIDES


@dataclass(frozen=True)
class FrameArrays:
    """One frame's landmarks (anything with these attributes works, e.g. a `FramePose`).

    image: (33, 3) normalised like `PoseSequence.image`; visibility: (33,); world: (33, 3) metres.
    """

    image: np.ndarray
    visibility: np.ndarray
    world: np.ndarray


@dataclass(frozen=True)
class Reading:
    """What the tracker makes of one frame. Pairs are (left, right); angles in degrees."""

    t_s: float
    raw_deg: np.ndarray        # (2,) per-frame angle, NaN where invalid
    angle_deg: np.ndarray      # (2,) One-Euro filtered angle, NaN where invalid
    reasons: tuple[Reason, Reason]
    level_deg: np.ndarray      # (2,) level sustained over the last hold window (NaN until one is complete)
    best_held_deg: np.ndarray  # (2,) best held so far
    message: str | None        # coaching when the set-up is wrong
    view: CameraView
    knee_px: np.ndarray | None = None  # (2, 2) knees the angle was measured from (anchored), pixels


#: The live message for a frame on hands and knees (`posture.frame_is_quadruped`) that measures no leg: the set-up
#: messages would name another cause ("keep your whole body in view").
ON_ALL_FOURS = "On hands and knees, not seated: this is the seated test (hip circles: hipvision circles)"


def coaching_message(reasons: tuple[Reason, Reason] | np.ndarray, px: np.ndarray | None = None,
                     frame_size: tuple[int, int] | None = None) -> str | None:
    """A short instruction when the set-up keeps a leg from being measured, else None.

    ``reasons``: (left, right) reasons; ``px`` (33, 2) pixels and ``frame_size`` add a
    "too close" hint when the shanks fill most of the picture height.
    """
    rs = [Reason(int(r)) for r in reasons]
    if px is not None and frame_size is not None:
        from hipvision.landmarks import LEG

        shank = [g.norm(px[LEG[s]["ankle"]] - px[LEG[s]["knee"]]) for s in SIDES]
        if np.nanmax(np.r_[shank, 0.0]) > 0.45 * frame_size[1]:
            return "Too close: move the camera back"
    bad = [r for r in rs if r not in (Reason.OK, Reason.IMPLAUSIBLE)]
    if not bad:
        return None
    if len(bad) == 1 and bad[0] in (Reason.NOT_VISIBLE, Reason.OUT_OF_FRAME):
        side = SIDES[[r for r in rs].index(bad[0])]
        return f"{side.capitalize()} leg not seen: keep it in view, foot included"
    worst = max(bad, key=lambda r: (r != Reason.NO_PERSON, int(r)))
    return SETUP_MESSAGES.get(worst)


class RotationTracker:
    """Streaming seated-IR measurement.

        tracker = RotationTracker(frame_size=(1280, 720))
        for pose in poses:                       # e.g. FramePose from the pose tracker
            reading = tracker.update(pose, pose.timestamp_s)
        tracker.result().to_dict()
    """

    def __init__(self, *, frame_size: tuple[int, int], settings: RotationSettings = RotationSettings(),
                 source: str = "", model: str = "", buffer_frames: int = 300) -> None:
        self.frame_size = (int(frame_size[0]), int(frame_size[1]))
        self.settings = settings
        self.source, self.model = source, model
        self._buffer_frames = buffer_frames
        self.reset()

    def reset(self) -> None:
        """Forget everything (new trial)."""
        self._t: list[float] = []
        self._raw: list[np.ndarray] = []
        self._filt: list[np.ndarray] = []
        self._reasons: list[np.ndarray] = []
        self._knees: list[np.ndarray] = []
        self._shanks: list[np.ndarray] = []     # (4, 2) measured knees (anchored) and ankles, pixels
        self._filters = [OneEuroFilter(self.settings.min_cutoff_hz, self.settings.beta, 1.0,
                                       reset_after_s=self.settings.max_gap_s) for _ in SIDES]
        self._rolls: deque[float] = deque(maxlen=self._buffer_frames)
        # last 1 s of (t_s, px, reasons, posture seen, rest flags (2,)); see `update`
        self._recent: deque[tuple[float, np.ndarray, np.ndarray, bool, np.ndarray]] = deque()
        self._rest: list[deque[tuple[float, np.ndarray]]] = [deque(maxlen=self._buffer_frames) for _ in SIDES]
        self._seated = False                                     # person-level seated state (with hysteresis)
        self._sides_facing = self._sides_turned = 0              # frames facing / turned so far (`sides`)
        self._sides_swapped = 0                                  # frames whose sides were swapped back
        self._states: deque[bool] = deque(maxlen=self._buffer_frames)
        self._px: deque[np.ndarray] = deque(maxlen=self._buffer_frames)
        self._rest_frames: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=self._buffer_frames)  # (px, angles)
        self._world: deque[np.ndarray] = deque(maxlen=self._buffer_frames)
        # frames where the person-level tests say seated and facing, for the camera height before the view is
        # fitted (`measure.height_hint_deg`), and the thigh-drop limit it gives (None: from the view's pitch)
        self._posture_px: deque[np.ndarray] = deque(maxlen=self._buffer_frames)
        self._drop: float | None = None
        self._hint_deg = float("nan")  # the latest camera-height hint, degrees (its too-high warning, `summarise`)
        self._last_hint_s = -np.inf
        self._view = default_view(self.frame_size, hfov_deg=self.settings.hfov_deg)
        self._world_view: CameraView | None = None
        self._last_fit_s = -np.inf
        self._best = np.full(2, np.nan)

    @property
    def view(self) -> CameraView:
        return self._view

    @property
    def best_held_deg(self) -> np.ndarray:
        """(2,) best held angle so far (left, right), degrees; NaN when none yet."""
        return self._best.copy()

    def _refit(self, t_s: float) -> None:
        n = len(self._px)
        every = 1.0 if n < 150 else 5.0
        if n < 15 or t_s - self._last_fit_s < every:
            return
        self._last_fit_s = t_s
        rest = list(self._rest_frames)
        self._view = fit_view(np.array([r[0] for r in rest]), np.array([r[1] for r in rest]), np.stack(self._px),
                              self.frame_size, hfov_deg=self.settings.hfov_deg,
                              fit_pitch_yaw=self.settings.fit_pitch_yaw)
        if self.settings.estimator == "world":
            self._world_view = estimate_view_world(np.stack(self._world))

    def _thigh_drop(self, t_s: float) -> float | None:
        """The per-leg thigh-drop limit (`frame.thigh_drop_limit`): from the camera height seen on the person-level
        seated frames (every second) until the view is fitted, then None (from the fitted view's pitch), as files
        do (`measure.measure_recording`): a camera 45° or more above the knees is never fitted otherwise."""
        if self._view.source == "image":
            return None
        if len(self._posture_px) >= 15 and t_s - self._last_hint_s >= 1.0 and self.settings.fit_pitch_yaw:
            self._last_hint_s = t_s
            self._hint_deg = height_hint_deg(np.stack(self._posture_px), np.ones(len(self._posture_px), bool),
                                             self.frame_size, hfov_deg=self.settings.hfov_deg)
            self._drop = hint_thigh_drop(self._hint_deg)
        return self._drop

    def update(self, pose, t_s: float) -> Reading:
        """Take one frame (unmirrored landmarks) at time ``t_s`` seconds; frames must come in order."""
        w, h = self.frame_size
        image = np.asarray(pose.image, float)
        vis = np.asarray(pose.visibility, float)
        world = np.asarray(pose.world, float) if getattr(pose, "world", None) is not None else None
        if world is not None:   # left and right swapped by the pose model, with the frames so far (`sides`)
            turned, facing = (bool(v[0]) for v in turned_and_facing(image[None], world[None]))
            if turned and self._sides_facing > self._sides_turned:
                image, vis, world = swap_sides(image), swap_sides(vis), swap_sides(world)
                self._sides_swapped += 1
            self._sides_facing += facing
            self._sides_turned += turned
        px = image[:, :2] * (w, h)
        roll = float(knee_line_roll_deg(px))
        if np.isfinite(roll):
            self._rolls.append(roll)
        if self._view.source in ("default", "roll") and self._rolls:
            base = self._view
            self._view = CameraView(g.circular_median_deg(np.array(self._rolls)), 0.0, 0.0, base.focal_px,
                                    base.centre_px, "roll", len(self._rolls))
        upright, bent = (bool(v) for v in seated_posture(px, vis, world, self._view))
        self._recent.append((float(t_s), px, np.zeros(2, int), upright and bent, np.zeros(2, bool)))
        while self._recent[0][0] < t_s - 1.0:
            self._recent.popleft()
        recent_t = np.array([r[0] for r in self._recent])
        recent_px = np.stack([r[1] for r in self._recent])
        travel = knee_travel(recent_t, recent_px)[-1]
        held = self._seated and bool(hips_still(recent_t, recent_px)[-1])   # as `seated.seated_state`
        posture = upright and (bent or held)
        self._seated = upright and (bool(posture_steady(recent_t, np.array([r[3] for r in self._recent]))[-1])
                                    or held)
        person = Person(np.asarray(posture), np.asarray(facing_world(world)), travel)
        if self._seated and bool(person.facing):
            self._posture_px.append(px)
        drop = self._thigh_drop(float(t_s))
        ang1, r1 = first_pass(px, vis, self.frame_size, self._view, person, max_thigh_drop=drop)
        self._recent[-1] = (float(t_s), px, np.zeros(2, int), upright and bent,
                            rest_mask(ang1, (r1 == int(Reason.OK)) & self._seated))
        rest = steady_rest(recent_t, np.stack([r[4] for r in self._recent]))[-1]
        if rest.all():
            self._rest_frames.append((px, ang1))
        count = frames_per_second_count(recent_t, ANCHOR_COUNT_S)
        anchors = np.full((2, 2), np.nan)
        for k, knee in enumerate(KNEES):
            if rest[k]:
                self._rest[k].append((float(t_s), px[knee]))
            if self._rest[k]:
                times, knees = zip(*self._rest[k])
                anchors[k] = anchor_of(np.array(times), np.stack(knees), float(t_s), count=count)
        measured = anchored_pass(px, vis, world, self.frame_size, self._view, self._world_view,
                                 self.settings.estimator, person, anchors, max_thigh_drop=drop)
        self._recent[-1] = self._recent[-1][:2] + (measured.reasons,) + self._recent[-1][3:]
        self._states.append(self._seated)
        states = np.array(list(self._states)[-len(self._recent):])
        reasons = steady(recent_t, np.stack([r[2] for r in self._recent]), posture_ok=states)[-1]
        raw = np.where(reasons == int(Reason.OK), measured.raw_deg, np.nan)
        if np.isin(measured.reasons, POSTURE_OK).any():
            self._px.append(measured.px)
            if world is not None:
                self._world.append(world)
            self._refit(t_s)
        filt = np.array([f(t_s, v) for f, v in zip(self._filters, raw)], dtype=float).reshape(2)
        self._t.append(float(t_s))
        self._raw.append(raw)
        self._filt.append(filt)
        self._reasons.append(reasons)
        self._knees.append(measured.px[list(KNEES)])
        self._shanks.append(measured.px[list(KNEES + ANKLES)])
        level = self._current_level()
        self._best = np.fmax(self._best, level)
        message = coaching_message(reasons, px, self.frame_size)
        if message is not None and world is not None and not (reasons == int(Reason.OK)).any() \
                and frame_is_quadruped(image, vis, world, self.frame_size):
            message = ON_ALL_FOURS
        return Reading(float(t_s), raw, filt, (Reason(int(reasons[0])), Reason(int(reasons[1]))), level,
                       self._best.copy(), message, self._view,
                       measured.px[list(KNEES)])

    def _current_level(self) -> np.ndarray:
        """(2,) level sustained over the hold window ending now (the same definition as offline)."""
        n = len(self._t)
        if n < 2:
            return np.full(2, np.nan)
        recent = np.asarray(self._t[-min(n, 20):])
        w = window_samples(recent, self.settings.min_hold_s)
        t = np.asarray(self._t[-w:])
        tail = interpolate_gaps(t, np.asarray(self._filt[-len(t):]), max_gap_s=self.settings.max_gap_s)
        return np.array([sustained_levels(t, tail[:, k], hold_s=self.settings.min_hold_s,
                                          percentile=self.settings.hold_percentile)[-1] for k in range(2)])

    def result(self) -> RotationResult:
        """The rotation result over everything since the last `reset` (live filtering)."""
        t = np.asarray(self._t, float)
        raw = np.asarray(self._raw, float).reshape(-1, 2)
        filt = np.asarray(self._filt, float).reshape(-1, 2)
        reasons = np.asarray(self._reasons, int).reshape(-1, 2)
        filled = interpolate_gaps(t, filt, max_gap_s=self.settings.max_gap_s) if len(t) else filt
        px = np.full((len(t), 33, 2), np.nan)
        px[:, list(KNEES + ANKLES)] = np.asarray(self._shanks, float).reshape(-1, 4, 2)
        result = summarise(t, raw, filled, reasons, self._view, self.settings, mode="live", source=self.source,
                           model=self.model, knee_px=np.asarray(self._knees, float).reshape(-1, 2, 2),
                           evidence=frame_evidence(px, self._view), height_hint_deg=self._hint_deg)
        if self._sides_swapped:
            result = dataclasses.replace(result, info=result.info + (swapped_info(self._sides_swapped, len(t)),))
        return result
