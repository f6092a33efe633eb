"""The live session (`SessionLive`): seated IR → hip circles → seated IR from one camera, one run.

While the person moves through the routine, the view follows their posture:

* seated → the seated-IR view (per-leg numbers, gauges, shank lines), measured afresh for
  each seated phase; from the second seated phase on, the first phase's held values are
  shown as "before" so the change is visible while it happens;
* on hands and knees → the hip-circles view (counts, progress arc, top view, cues);
* anything else → what to do next.

The posture shown is that of the last ~2 s of frames (`hipvision.core.posture.latest_posture`); where that says
neither, the seated test itself may (a camera well above the knees, from where the posture classifier reads a
seated person as standing): when it measured the legs in most of the last ~2 s, the seated view is shown, as the
saved analysis then analyses such a phase as seated (`hipvision.core.session`).
Every frame's landmarks are also kept, and ``result()`` runs the offline session analysis
(`hipvision.core.session.analyze_session`) on all of them: the saved numbers are those a recording
of the same frames would give, whatever was shown on the way. Keys: R starts over, Q quits and
saves (SPACE does nothing here: phases are found from the posture, not from keys).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING

import numpy as np

from hipvision import draw
from hipvision.core.advice import Change
from hipvision.core.circles import CirclesSettings
from hipvision.core.circles.in_session import in_session
from hipvision.core.circles.recount import DIRECTIONS
from hipvision.core.posture import OTHER, QUADRUPED, SEATED, latest_posture
from hipvision.core.rotation import RotationTracker
from hipvision.core.rotation.frame import Reason
from hipvision.core.rotation.summary import class_with_uncertainty
from hipvision.core.rotation.uncertainty import held_text
from hipvision.live.circles import CirclesLive
from hipvision.draw.rotation import draw_leg_hud, draw_legs, held_display, lower_legs_px
from hipvision.pose.extract import SequenceBuilder
from hipvision.sequence import effective_fps

if TYPE_CHECKING:
    from hipvision.pose import FramePose

#: The live view's keys, (key, what it does), shown along the bottom.
KEYS = (("R", "start over"), ("F", "full screen"), ("Q", "quit & save"))
KEYS_HELP = draw.key_hints_text(KEYS)
_NAN2 = np.array([np.nan, np.nan])
#: Where the posture classifier sees neither posture, the seated view is shown when the seated test measured a leg in
#: at least this share of the frames of the last posture window (the saved analysis's `min_seen_fraction`).
MIN_SEATED_TEST_SHARE = 0.6


def _change_text(side: str, before_deg: float, after_deg: float, before_unc: float, after_unc: float) -> str:
    """"+10° ± 5°": the change with the combined 95% half-width of the two readings (`advice.Change.of`, root sum
    of squares; as the saved result's), or "+10°" when either is not known."""
    change = Change.of(side, after_deg - before_deg, before_unc, after_unc)
    unc = f" ± {change.uncertainty_deg:.0f}°" if math.isfinite(change.uncertainty_deg) else ""
    return f"{change.change_deg:+.0f}°{unc}"


def _unbroken(lines: list[tuple[str, tuple[int, int, int]]]) -> list[tuple[str, tuple[int, int, int]]]:
    """``lines`` for a panel: no-break spaces around each "±", so that a panel too narrow for a whole line wraps it
    between readings, never inside "25° ± 4°" or "(+18° ± 5°)" (at 640 px the change wrapped as "(+18°" / "± 5°)")."""
    return [(text.replace(" ± ", f"{draw.NBSP}±{draw.NBSP}"), color) for text, color in lines]


def _measured(held_deg: np.ndarray, uncertainty_deg: np.ndarray) -> np.ndarray:
    """(left, right) held values, degrees, NaN where the phase's analysis has not measured the leg (no ±): the
    live tracker's best level of a leg not yet turned is its rest level, not a held effort."""
    return np.where(np.isfinite(uncertainty_deg), held_deg, np.nan)


class SessionLive:
    """`hipvision.live.LiveAnalyzer` for a whole routine; ``result()`` is the session JSON (docs/outputs.md)."""

    title = "hipvision - session"
    #: The uncertainty of the held values shown comes from the seated phase's result so far, refreshed this
    #: often, seconds of stream time (as `hipvision.live.rotation.RotationLive`).
    summary_every_s = 1.0

    def __init__(self, *, frame_size: tuple[int, int], fps: float, mirror: bool = True, source: str = "live",
                 model: str = "", min_phase_s: float = 3.0, posture_window_s: float = 2.0,
                 circles: CirclesSettings = CirclesSettings(),
                 recount_pool: Callable[[], Executor] | None = None) -> None:
        """
        Args:
            frame_size: (width, height) of the frames, pixels. fps: the source's nominal rate.
                Both analyses run with their default settings, live and in the saved result alike.
            mirror: the display is mirrored (selfie view); the analysis never is.
            min_phase_s: seated or circle phases shorter than this (seconds) are not analysed.
            posture_window_s: seconds of recent frames the shown posture is decided on.
            circles: the hip-circle settings (the set's circles per direction), live and saved alike.
            recount_pool: makes the executor the live circle counts are re-analysed on (`CirclesLive`).
        """
        self.frame_size = frame_size
        self.fps = float(fps)
        self.mirror = mirror
        self._legs: tuple[np.ndarray, np.ndarray] | None = None  # last frame's image landmarks, visibility
        self.source = source
        self.model = model
        self.min_phase_s = min_phase_s
        self.posture_window_s = posture_window_s
        self.circles_settings = circles
        self.recount_pool = recount_pool
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far (the R key)."""
        if getattr(self, "_circles", None) is not None:
            self._circles.recount.close()
        self.frames = SequenceBuilder(fps=self.fps, frame_size=self.frame_size, source=self.source, model=self.model)
        self._recent: deque["FramePose"] = deque()
        self.posture = OTHER
        self.phases_seen: list[str] = []        # postures entered, in order (seated / quadruped only)
        self.seated_held: list[np.ndarray] = []  # best held (left, right) of each seated phase so far, degrees
        self.seated_uncertainty: list[np.ndarray] = []  # their 95% half-widths (the phase's result), degrees
        self._summary_t = -np.inf
        self._rotation: RotationTracker | None = None
        self._reading = None
        self._circles: CirclesLive | None = None
        self._counted_before = dict.fromkeys(DIRECTIONS, 0)  # circles shown in earlier circles phases
        self.shown: list[dict] = []  # {t_s, clockwise, counterclockwise}: the circle totals shown, at each change
        # the seated test where the classifier sees neither posture (`_seated_by_its_test`)
        self._probe: RotationTracker | None = None
        self._probe_ok: deque[tuple[float, bool]] = deque()
        self._probe_reading = None
        self._seated_by_test = False

    # -------------------------------------------------------------- analysis
    def update(self, pose: "FramePose") -> None:
        self.frames.append(pose)
        self._recent.append(pose)
        while self._recent and self._recent[0].timestamp_s < pose.timestamp_s - self.posture_window_s:
            self._recent.popleft()
        window = SequenceBuilder(fps=self.fps, frame_size=self.frame_size, source=self.source, model=self.model)
        for p in self._recent:
            window.append(p)
        now = latest_posture(effective_fps(window.build()))
        self._probe_reading = None
        if now == OTHER:
            now = self._seated_by_its_test(pose)
        if now != self.posture:
            self._enter(now)
        if now == SEATED:
            if self._probe_reading is not None:
                self._reading = self._probe_reading
            else:
                self._reading = self._rotation.update(pose, float(pose.timestamp_s))
                if self._seated_by_test:   # the classifier agrees for now: the test's window goes on
                    self._probe_ok.append((float(pose.timestamp_s), Reason.OK in self._reading.reasons))
            self.seated_held[-1] = self._reading.best_held_deg
            if self._reading.t_s - self._summary_t >= self.summary_every_s:
                self._summary_t = self._reading.t_s
                self.seated_uncertainty[-1] = held_display(self._rotation.result())[1]
        elif now == QUADRUPED:
            self._circles.update(pose)
            self._show(float(pose.timestamp_s), self._circle_totals())

    def _seated_by_its_test(self, pose: "FramePose") -> str:
        """SEATED when the seated test (a `RotationTracker` fed the frames the classifier called neither posture)
        measured a leg in at least `MIN_SEATED_TEST_SHARE` of the frames of the last posture window, else OTHER.
        A seated phase the classifier found ends when the classifier says so, as before."""
        if self.posture == SEATED and not self._seated_by_test:
            return OTHER
        t = float(pose.timestamp_s)
        if self.posture == SEATED:
            tracker = self._rotation
        else:
            if self._probe is None:
                self._probe = RotationTracker(frame_size=self.frame_size, source=self.source, model=self.model)
                self._probe_ok.clear()
            tracker = self._probe
        self._probe_reading = tracker.update(pose, t)
        self._probe_ok.append((t, Reason.OK in self._probe_reading.reasons))
        while self._probe_ok and self._probe_ok[0][0] < t - self.posture_window_s:
            self._probe_ok.popleft()
        span = t - self._probe_ok[0][0]
        share = float(np.mean([ok for _, ok in self._probe_ok]))
        return SEATED if span >= 0.8 * self.posture_window_s and share >= MIN_SEATED_TEST_SHARE else OTHER

    def _circle_totals(self) -> dict[str, int]:
        counts = self._circles.recount.counts if self._circles is not None else {}
        return {k: self._counted_before[k] + counts.get(k, 0) for k in DIRECTIONS}

    def _show(self, t_s: float, totals: dict[str, int]) -> None:
        if not self.shown or any(self.shown[-1][k] != v for k, v in totals.items()):
            self.shown.append({"t_s": round(t_s, 3), **totals})

    def _enter(self, posture: str) -> None:
        by_test = posture == SEATED and self._probe_reading is not None and self.posture != SEATED
        self.posture = posture
        if posture == SEATED:
            # entered by the seated test: its tracker, which has seen this phase's frames, goes on measuring it
            self._rotation = (self._probe if by_test and self._probe is not None
                              else RotationTracker(frame_size=self.frame_size, source=self.source, model=self.model))
            self._seated_by_test = by_test
            if not by_test:
                self._probe_reading = None
            self._reading = None
            self.seated_held.append(_NAN2.copy())
            self.seated_uncertainty.append(_NAN2.copy())
            self._summary_t = -np.inf
        elif posture == QUADRUPED:
            if self._circles is not None:  # an earlier circles phase: its counts stay in the totals shown
                self._counted_before = self._circle_totals()
                self._circles.recount.close()
            self._circles = CirclesLive(settings=self.circles_settings, source=self.source, model=self.model,
                                        keys_help=False, frames=self.frames, recount_pool=self.recount_pool,
                                        mirror=self.mirror, wording=in_session)
        self._probe = None
        if not by_test:
            self._probe_ok = deque()
        if posture != OTHER:
            self.phases_seen.append(posture)

    @property
    def held_shown_deg(self) -> np.ndarray:
        """(left, right) best held values the seated view shows now, degrees; NaN when none is shown."""
        if self.posture != SEATED or self._reading is None:
            return _NAN2.copy()
        return np.asarray(self._reading.best_held_deg, float).copy()

    @property
    def held_shown_uncertainty_deg(self) -> np.ndarray:
        """(left, right) 95% half-widths of `held_shown_deg`, degrees; NaN where not known."""
        if self.posture != SEATED or self._reading is None:
            return _NAN2.copy()
        return self.seated_uncertainty[-1].copy()

    @property
    def before_held_deg(self) -> np.ndarray | None:
        """(left, right) held IR of the first seated phase, degrees, once a later seated phase is on; else None."""
        return self.seated_held[0] if len(self.seated_held) >= 2 and self.posture == SEATED else None

    def result(self) -> dict:
        """The session JSON of every frame seen (same analysis as `hipvision session VIDEO`)."""
        from hipvision.core.session import analyze_session

        seq = effective_fps(self.frames.build())
        result = analyze_session(seq, min_phase_s=self.min_phase_s, circles=self.circles_settings).to_dict()
        if self._circles is not None:
            self._circles.recount.close()
        saved = dict.fromkeys(DIRECTIONS, 0)
        for p in result["phases"]:
            if p["kind"] == QUADRUPED and p["status"] == "analysed" and p.get("result"):
                for k in DIRECTIONS:
                    saved[k] += int(p["result"].get(k) or 0)
        if len(seq):  # the view's last counts are the saved ones
            self._show(float(seq.timestamps_s[-1]), saved)
        return {**result, "shown": list(self.shown)}

    def on_key(self, key: str) -> None:
        if key == "r":
            self.reset()

    # -------------------------------------------------------------- drawing
    def draw_scene(self, image: np.ndarray, pose: "FramePose") -> None:
        self._legs = (pose.image, pose.visibility) if pose.detected else None
        if self.posture == SEATED and self._reading is not None and pose.detected:
            px = np.asarray(pose.image, float)[:, :2] * (image.shape[1], image.shape[0])
            draw_legs(image, px, self._reading.angle_deg, self._reading.view, knees_px=self._reading.knee_px,
                      mirror_text=self.mirror)
        elif self.posture == QUADRUPED:
            self._circles.draw_scene(image, pose)

    def draw_hud(self, image: np.ndarray) -> list[tuple[int, int, int, int]]:
        """The view of the current posture; returns the boxes drawn (x, y, w, h)."""
        step = self.step_text()
        if self.posture == SEATED:
            r = self._reading
            lines = [step, *_unbroken(self.change_lines())] if self.retested else [step]
            unc = self.seated_uncertainty[-1] if r is not None else _NAN2
            best = _measured(r.best_held_deg, unc) if r is not None else _NAN2  # a leg not measured: no "best 3°"
            return draw_leg_hud(image, values_deg=r.angle_deg if r is not None else _NAN2, best_deg=best,
                                mirror=self.mirror, best_uncertainty_deg=unc,
                                best_class=[class_with_uncertainty(b, u) for b, u in zip(best, unc)],
                                message=None if r is None else r.message, status=lines, keys=KEYS,
                                keep_clear_px=None if self._legs is None else lower_legs_px(
                                    *self._legs, (image.shape[1], image.shape[0]), mirror=self.mirror))
        if self.posture == QUADRUPED:
            return self._circles.draw_hud(image, title=step, keys=KEYS)
        if self.retested:  # the routine is done: the change is what the person came for
            return draw.draw_bottom_left(image, [*_unbroken(self.change_lines()), self.next_step_text()], KEYS,
                                         title="IR before → after the circles")
        return draw.draw_bottom_left(image, [self.next_step_text()], KEYS, title=step)

    @property
    def retested(self) -> bool:
        """Seated before the circles and again after them: the re-test exists (``seated_held`` [0] and [-1])."""
        if QUADRUPED not in self.phases_seen:
            return False
        q = self.phases_seen.index(QUADRUPED)
        return SEATED in self.phases_seen[:q] and SEATED in self.phases_seen[q + 1:]

    def change_lines(self) -> list[tuple[str, tuple[int, int, int]]]:
        """Held IR per leg with its 95% half-width, first seated phase → the latest one, e.g.
        ("left  25° ± 4° → 35° ± 3°  (+10° ± 5°)", colour of the class of 35° ± 3°: borderline when it straddles
        30° or 45°), for the view. A value shows once the phase's analysis measured that leg (it has a ±): the
        tracker's best level of a leg not yet turned is its rest (3°), which read as "25° ± 4° → 3° (-22°)"
        during the re-test of the other leg; such a leg reads "--" and no change, as in the saved result."""
        (before, u_before), (after, u_after) = self._compared_held()
        return [(f"{side}  {held_text(b, ub, digits=0)} → {held_text(a, ua, digits=0)}"
                 + (f"  ({_change_text(side, b, a, ub, ua)})" if np.isfinite(a - b) else ""),
                 draw.class_color(class_with_uncertainty(a, ua)))
                for side, b, a, ub, ua in zip(("left", "right"), before, after, u_before, u_after)]

    def _compared_held(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """((held, ±) before, (held, ±) after), each (left, right) degrees, NaN where not measured: per leg the
        seated phases the saved analysis compares (`hipvision.core.session.compared_phases`: the test before the
        circles and the re-test after them, each leg at its piece of a test the classifier split)."""
        from hipvision.core.session import compared_phases

        phases, seated_k = [], {}
        for posture in self.phases_seen:
            held: dict[str, float | None] = {}
            if posture == SEATED:
                k = len(seated_k)
                seated_k[len(phases)] = k
                values = _measured(self.seated_held[k], self.seated_uncertainty[k])
                held = {side: (float(v) if np.isfinite(v) else None) for side, v in zip(("left", "right"), values)}
            phases.append((posture, "analysed", held))
        pairs = compared_phases(phases)
        out = []
        for end in (0, 1):
            values, uncertainty = _NAN2.copy(), _NAN2.copy()
            for j, side in enumerate(("left", "right")):
                if pairs[side] is not None:
                    k = seated_k[pairs[side][end]]
                    uncertainty[j] = self.seated_uncertainty[k][j]
                    values[j] = _measured(self.seated_held[k], self.seated_uncertainty[k])[j]
            out.append((values, uncertainty))
        return out[0], out[1]

    def change_text(self) -> str:
        """`change_lines` on one line, e.g. "left  25° → 35°  (+10°)   right  20° → --"."""
        return "   ".join(text for text, _ in self.change_lines())

    def status_text(self) -> str:
        """One line for a terminal: the step, the current angles and (until the re-test gives the change) the
        best held values with their 95% half-widths, or the circle counts; the change so far."""
        step = self.step_text() if self.posture != OTHER else self.next_step_text()
        if self.posture == SEATED and self._reading is not None:
            step += "   now " + "  ".join(f"{side} {draw.deg_text(v)}"
                                          for side, v in zip(("L", "R"), self._reading.angle_deg))
            if not self.retested:  # after it, the change line below gives the held values
                unc = self.held_shown_uncertainty_deg
                step += "   held " + "  ".join(f"{side} {held_text(b, u, digits=0)}" for side, b, u in
                                               zip(("L", "R"), _measured(self.held_shown_deg, unc), unc))
        elif self.posture == QUADRUPED:
            totals = self._circle_totals()
            step += f"   {totals['clockwise']} cw, {totals['counterclockwise']} ccw"
        if self.retested:
            step += "   IR " + self.change_text()
        return step

    def step_text(self) -> str:
        """Where the person is in the routine, e.g. "step 2: hip circles"."""
        n = len(self.phases_seen)
        if self.posture == SEATED:
            return f"step {n}: IR " + ("before the circles" if QUADRUPED not in self.phases_seen
                                       else "after the circles")
        if self.posture == QUADRUPED:
            return f"step {n}: hip circles, {self.circles_settings.target_per_direction} each way"
        return "session: seated IR, hip circles, seated IR"

    def next_step_text(self) -> str:
        """What to do next, shown while the person is neither seated nor on all fours."""
        if not self.phases_seen:
            return "sit on the table edge facing the camera to measure IR"
        if QUADRUPED not in self.phases_seen:
            # where the circles can be counted: 45° between the head and the side, near enough to fill the frame
            # (a person on all fours 3.5-4 m from a camera set for the seated test is rarely counted: README)
            return ("now get on hands and knees for the hip circles (head toward the camera, turned about 45°, "
                    "within about 2.5 m of it)")
        if self.phases_seen[-1] == QUADRUPED:
            return "sit facing the camera again to re-measure IR; Q to finish"
        return "done? Q saves the session"
