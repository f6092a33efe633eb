"""Live seated IR (`RotationLive`): the rotation tracker on each frame, trials on SPACE, the per-leg HUD."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hipvision import draw
from hipvision.core.rotation import RotationSettings, RotationTracker
from hipvision.core.rotation.uncertainty import held_text
from hipvision.draw.rotation import KEYS, draw_leg_hud, draw_legs, held_display, lower_legs_px
from hipvision.landmarks import SIDES

if TYPE_CHECKING:
    from hipvision.pose import FramePose


class RotationLive:
    """`hipvision.live.LiveAnalyzer` for the seated IR test.

    Until SPACE is pressed everything is measured; SPACE starts a fresh trial, SPACE again stops
    it (its result is kept, frames are ignored until the next SPACE); R forgets everything.
    """

    title = "hipvision - seated hip rotation"

    #: The best held values shown (with their uncertainty and class) are those of the trial's result so
    #: far, refreshed this often, seconds of stream time.
    summary_every_s = 1.0

    def __init__(self, *, frame_size: tuple[int, int], settings: RotationSettings = RotationSettings(), mirror: bool = True,
                 source: str = "", model: str = "") -> None:
        self.tracker = RotationTracker(frame_size=frame_size, settings=settings, source=source, model=model)
        self.mirror = mirror
        self._reading = None
        self._in_trial = False
        self._paused = False
        self._trials: list[dict] = []
        self._kept: dict | None = None
        self._legs: tuple[np.ndarray, np.ndarray] | None = None  # last frame's image landmarks, visibility
        self._held: tuple[np.ndarray, np.ndarray, list] | None = None   # (held, uncertainty, class) per leg
        self._summary_t = -np.inf

    def update(self, pose: "FramePose") -> None:
        if not self._paused:
            self._reading = self.tracker.update(pose, float(pose.timestamp_s))
            if self._reading.t_s - self._summary_t >= self.summary_every_s:
                self._summary_t = self._reading.t_s
                self._held = held_display(self.tracker.result())

    def draw_scene(self, image: np.ndarray, pose: "FramePose") -> None:
        r = self._reading
        self._legs = (pose.image, pose.visibility) if pose.detected else None
        if r is None or self._paused or not pose.detected:
            return
        px = np.asarray(pose.image, float)[:, :2] * (image.shape[1], image.shape[0])
        draw_legs(image, px, r.angle_deg, r.view, knees_px=r.knee_px, mirror_text=self.mirror)

    def draw_hud(self, image: np.ndarray) -> None:
        r = self._reading
        nan2 = (float("nan"), float("nan"))
        if self._paused:
            status = [f"trial {len(self._trials)} saved - SPACE for a new trial"]
        elif self._in_trial:
            status = [f"trial {len(self._trials) + 1} running"]
        else:
            status = ["measuring - turn the foot outward, hold 1 s"]
        held, unc, cls = self._held if self._held is not None and r is not None else (nan2, nan2, [None, None])
        draw_leg_hud(image, values_deg=r.angle_deg if r is not None and not self._paused else nan2,
                     best_deg=held, mirror=self.mirror, best_uncertainty_deg=unc, best_class=cls,
                     message=None if r is None or self._paused else r.message, status=status, keys=KEYS,
                     keep_clear_px=self._legs_px(image))

    def _legs_px(self, image: np.ndarray) -> np.ndarray | None:
        """The last frame's seen knees and feet on the displayed ``image``, pixels (mirrored with it)."""
        if self._legs is None:
            return None
        return lower_legs_px(*self._legs, (image.shape[1], image.shape[0]), mirror=self.mirror)

    def status_text(self) -> str:
        """One line for a terminal: each leg's current angle and best held so far, the trial state."""
        r = self._reading
        now = (np.nan, np.nan) if r is None or self._paused else r.angle_deg
        held, unc = self._held[:2] if self._held is not None else ((np.nan, np.nan), (np.nan, np.nan))
        text = "   ".join(f"{side} now {draw.deg_text(v)} held {held_text(b, u, digits=0)}"
                           for side, v, b, u in zip(SIDES, now, held, unc))
        if self._paused:
            return f"trial {len(self._trials)} saved   {text}"
        return (f"trial {len(self._trials) + 1}   " if self._in_trial else "") + text + \
            (f"   ({r.message})" if r is not None and r.message else "")

    @property
    def held_shown_deg(self) -> np.ndarray:
        """(left, right) best held values the gauges show now, degrees; NaN for a leg showing none."""
        if self._held is None or self._reading is None:
            return np.full(2, np.nan)
        return np.asarray(self._held[0], float).copy()

    @property
    def held_shown_uncertainty_deg(self) -> np.ndarray:
        """(left, right) 95% half-widths of `held_shown_deg`, degrees; NaN where none is shown."""
        if self._held is None or self._reading is None:
            return np.full(2, np.nan)
        return np.asarray(self._held[1], float).copy()

    def on_key(self, key: str) -> None:
        if key == " ":
            if self._in_trial:
                self._kept = self.tracker.result().to_dict()
                self._trials.append(_trial_summary(len(self._trials) + 1, self._kept))
                self._in_trial, self._paused = False, True
            else:
                self.tracker.reset()
                self._reading, self._held, self._summary_t = None, None, -np.inf
                self._in_trial, self._paused = True, False
        elif key == "r":
            self.tracker.reset()
            self._reading, self._kept, self._held, self._summary_t = None, None, None, -np.inf
            self._trials.clear()
            self._in_trial = self._paused = False

    def result(self) -> dict:
        """The rotation JSON of the current (or last stopped) trial; ``trials`` lists every trial's summary."""
        out = dict(self._kept) if self._paused and self._kept is not None else self.tracker.result().to_dict()
        trials = list(self._trials)
        if self._in_trial:
            trials.append(_trial_summary(len(trials) + 1, out))
        if trials:
            out["trials"] = trials
        return out


def _trial_summary(index: int, d: dict) -> dict:
    t = d["series"]["t_s"]
    return {"index": index, "start_s": t[0] if t else None, "end_s": t[-1] if t else None,
            **{side: {k: d[side].get(k) for k in ("held_deg", "uncertainty_deg", "status", "peak_deg", "class")}
               for side in SIDES}}
