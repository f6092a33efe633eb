"""A leg's held angle from its efforts, with a status and an uncertainty.

The held angle of a leg is the best *internal-rotation effort* found relative to the leg's rest
angle (`summary.find_efforts`), not the highest level anywhere in the recording: a leg that
never rotated inward reads 0° with status "no effort", not the top of its noise (+0.1 … +3° on
rendered people).

Statuses (`STATUSES`):

* ``"measured"``: at least one internal-rotation effort was held for the hold time; held = the best.
* ``"not held"``: efforts were seen, none sustained for the hold time; held = NaN. Where frames not measured
  next to such an effort make up the rest of the hold time, the hold may have been in them
  (`unmeasured_hold`): the result says so instead of "no effort held".
* ``"no effort"``: the leg was seen resting (within `REST_NEAR_DEG` of vertical) and never rotated
  inward; held = 0.0, no class. A leg that never came near vertical is "measured" at the level it
  held throughout.
* ``"not seen"``: the leg was never measured for as long as the hold time; held = NaN. Also a leg that would be
  "no effort" but was not measured for the hold time or longer between frames that were (and for two swings more
  where it was at rest on both sides, `unmeasured_interior`):
  it may have turned there (a rendered tilted camera: both legs' 42-49° efforts rejected as "moving", the rest of
  the recording at rest), so it is not said to have rested.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from hipvision.core.rotation.frame import REASON_SEEN, SETUP_MESSAGES, Reason
from hipvision.core.rotation.summary import EFFORT_ENTER_DEG, Effort, Held, find_efforts, held_value, rest_angle
from hipvision.core.rotation.uncertainty import (
    DEFAULT_MODEL, FrameEvidence, HoldEvidence, UncertaintyModel, hold_evidence, uncertainty_deg,
)
from hipvision.core.rotation.view import CameraView

STATUSES = ("measured", "not held", "no effort", "not seen")
#: A leg whose rest angle is further than this from vertical never hung at rest in the recording (it starts
#: and ends rotated): it is "measured" at the level it held throughout, not "no effort" (`rest_angle`'s band).
REST_NEAR_DEG = 12.0
#: The least time a foot takes to swing out to an effort, or back, seconds: frames not measured between two at rest
#: can have hidden a held effort only if they last the hold time and both swings (`unmeasured_interior`). A quick
#: swing; the rendered people took 0.7-0.9 s.
MIN_SWING_S = 0.25
_NAN = float("nan")


@dataclass(frozen=True)
class LegOutcome:
    """Held angle (degrees; its stretch in seconds), status, 95% half-width (degrees) and efforts of a leg."""

    held: Held
    status: str
    uncertainty_deg: float
    efforts: tuple[Effort, ...]
    evidence: HoldEvidence | None = None    # what the uncertainty of the held angle was computed from


def leg_outcome(t_s: np.ndarray, raw_deg: np.ndarray, filtered_deg: np.ndarray, leg: int, view: CameraView, *,
                hold_s: float, percentile: float, evidence: FrameEvidence | None = None,
                fit_failed: bool = False, uncertainty: UncertaintyModel = DEFAULT_MODEL) -> LegOutcome:
    """The outcome of leg ``leg`` (0 left, 1 right) of a recording.

    Args:
        t_s: (T,) seconds. raw_deg, filtered_deg: (T, 2) per-frame and filtered (gap-filled) angles,
            degrees, NaN = not measured. view: the camera view used. hold_s, percentile: see
            `summary.held_value`. evidence: per-frame facts for the uncertainty (None: the
            uncertainty leaves out the person's size and the view correction). fit_failed: the
            view's pitch and yaw fit was attempted and failed (`uncertainty.HoldEvidence`). uncertainty: its
            constants (`uncertainty.uncertainty_model_for` the pose model).
    """
    t = np.asarray(t_s, float)
    x = np.asarray(filtered_deg, float)[:, leg]
    efforts, seen = [], {}
    rest = rest_angle(x)
    if np.isfinite(x).any():
        for e in find_efforts(t, x, hold_s=hold_s, rest_deg=rest, percentile=percentile):
            if np.isfinite(e.held_deg):
                ev = hold_evidence(t, raw_deg, filtered_deg, e, evidence, leg, view, fit_failed=fit_failed)
                e = dataclasses.replace(e, uncertainty_deg=uncertainty_deg(ev, uncertainty))
                seen[e.start_s] = ev
            efforts.append(e)
    inward = [e for e in efforts if e.internal]
    held = [e for e in inward if np.isfinite(e.held_deg)]
    if held:
        best = max(held, key=lambda e: e.held_deg)
        return LegOutcome(Held(best.held_deg, best.hold_start_s, best.hold_end_s), "measured", best.uncertainty_deg,
                          tuple(efforts), seen[best.start_s])
    if inward:
        return LegOutcome(Held(_NAN, _NAN, _NAN), "not held", _NAN, tuple(efforts))
    whole = held_value(t, x, hold_s=hold_s, percentile=percentile)
    if not np.isfinite(whole.deg):
        return LegOutcome(Held(_NAN, _NAN, _NAN), "not seen", _NAN, tuple(efforts))
    if abs(rest) <= REST_NEAR_DEG:
        return LegOutcome(Held(0.0, _NAN, _NAN), "no effort", _NAN, tuple(efforts))
    # never near vertical (the recording starts and ends rotated): the leg holds that angle throughout
    ok = np.isfinite(x)
    span = Effort(float(t[ok][0]), float(t[ok][-1]), whole.deg, float(np.nanmax(x)), whole.start_s, whole.end_s)
    ev = hold_evidence(t, raw_deg, filtered_deg, span, evidence, leg, view, fit_failed=fit_failed)
    return LegOutcome(whole, "measured", uncertainty_deg(ev, uncertainty), tuple(efforts), ev)


def measured_held_deg(leg: dict | None) -> float | None:
    """The held angle of one leg of a rotation result dict (``result["left"]``), degrees, or None when it has
    none or its status is not "measured" (a leg that did not rotate reads 0° but was not measured; results
    written before statuses existed count as measured), or it was not measured where a larger effort may have
    been (``hold_not_measured``: its held angle is only a lower bound, class "unconfirmed")."""
    leg = leg or {}
    value = leg.get("held_deg")
    if value is None or leg.get("status", "measured") != "measured" or leg.get("hold_not_measured"):
        return None
    return float(value)


@dataclass(frozen=True)
class UnmeasuredHold:
    """Frames of a leg not measured right before or after an effort too short to hold, that with it last the
    hold time or more: the hold may have been in them. ``start_s``, ``end_s``: the last measured frame before
    them and the first after (seconds); ``reason``: the `Reason` most of them were rejected for."""

    start_s: float
    end_s: float
    reason: Reason

    @property
    def why(self) -> str:
        """Where and what was seen, in plain words: "2.4-4.1 s: the knee was seen moving"."""
        return f"{self.start_s:.1f}-{self.end_s:.1f} s: {REASON_SEEN.get(self.reason, self.reason.code)}"

    @property
    def change(self) -> str:
        """What to change (the live view's coaching message for the reason), lower case."""
        fix = SETUP_MESSAGES.get(self.reason, "Keep still with the whole leg in view")
        return fix[0].lower() + fix[1:]

    def to_dict(self) -> dict:
        return {"start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2), "reason": self.reason.code}


def with_unmeasured(outcome: LegOutcome, t_s: np.ndarray, reasons: np.ndarray, *, hold_s: float,
                    angle_deg: np.ndarray | None = None) -> tuple[LegOutcome, UnmeasuredHold | None]:
    """``outcome`` of a leg and the frames not measured where an effort may have been (``reasons``: (T,) `Reason`
    codes of the leg; ``angle_deg``: (T,) its filtered angle, degrees, see `unmeasured_interior`): for a leg "not
    held", next to an effort (`unmeasured_hold`); for one "no effort" or "measured", between measured frames
    (`unmeasured_interior`), which makes a "no effort" leg "not seen" (it may have turned there: it is not said to
    have rested)."""
    if outcome.status == "not held":
        return outcome, unmeasured_hold(t_s, reasons, outcome.efforts, hold_s=hold_s)
    if outcome.status not in ("no effort", "measured"):
        return outcome, None
    gap = unmeasured_interior(t_s, reasons, hold_s=hold_s, angle_deg=angle_deg)
    if gap is not None and outcome.status == "no effort":
        outcome = dataclasses.replace(outcome, held=Held(_NAN, _NAN, _NAN), status="not seen")
    return outcome, gap


def unmeasured_hold(t_s: np.ndarray, reasons: np.ndarray, efforts: tuple[Effort, ...], *,
                    hold_s: float) -> UnmeasuredHold | None:
    """The longest run of frames not measured (``reasons`` ≠ OK, (T,) `Reason` codes of one leg) that touches an
    internal-rotation effort too short to hold (held NaN) and, with that effort, spans ``hold_s`` or more (from the
    effort's start to the first frame measured after the run, or from the last measured before it to the effort's
    end); None when there is none. Why: a knee landmark that slid off its anchor for a second splits a 2 s hold
    into two short efforts (rendered seated video, camera 4 m away: "no effort held for 1 s" for a 2.2 s hold)."""
    t = np.asarray(t_s, float)
    ok = np.asarray(reasons) == int(Reason.OK)
    best: tuple[float, int, int] | None = None
    for e in efforts:
        if not e.internal or np.isfinite(e.held_deg):
            continue
        i0 = int(np.searchsorted(t, e.start_s))
        i1 = min(int(np.searchsorted(t, e.end_s)), len(t) - 1)
        j = i1 + 1
        while j < len(t) and not ok[j]:
            j += 1
        if j > i1 + 1 and j < len(t) and t[j] - e.start_s >= hold_s:
            run = (t[j] - t[i1], i1 + 1, j)
            best = run if best is None or run[0] > best[0] else best
        j = i0 - 1
        while j >= 0 and not ok[j]:
            j -= 1
        if j < i0 - 1 and j >= 0 and e.end_s - t[j] >= hold_s:
            run = (t[i0] - t[j], j + 1, i0)
            best = run if best is None or run[0] > best[0] else best
    if best is None:
        return None
    _, a, b = best
    codes, counts = np.unique(np.asarray(reasons)[a:b], return_counts=True)
    return UnmeasuredHold(float(t[a - 1]), float(t[b]), Reason(int(codes[np.argmax(counts)])))


def unmeasured_interior(t_s: np.ndarray, reasons: np.ndarray, *, hold_s: float,
                        angle_deg: np.ndarray | None = None) -> UnmeasuredHold | None:
    """The longest run of frames not measured (``reasons`` ≠ OK, (T,) `Reason` codes of one leg) between two frames
    that were, long enough to hide a held effort: from the last measured frame before it to the first after,
    ``hold_s`` or more; and where the leg was at rest at both (``angle_deg``, (T,) its filtered angle, within half of
    `EFFORT_ENTER_DEG` of its `rest_angle`), ``hold_s`` and two swings (`MIN_SWING_S`) or more, since the effort
    would have had to swing out and back within the run too. None when there is none. Without ``angle_deg`` the
    leg is taken as turned at both.

    On 40 rendered seated videos every run of the hold time or longer whose edges were turned (14.7-30° against a
    rest of about 1°) held an effort; a 1.0 s run between two resting frames (the knee "seen moving" while the other
    leg swung back, held-out seed 9991) held none. A run at the start or the end of the recording (sitting down,
    getting up) is not one."""
    t = np.asarray(t_s, float)
    idx = np.flatnonzero(np.asarray(reasons) == int(Reason.OK))
    if len(idx) < 2:
        return None
    at_rest = np.zeros(len(t), bool)
    if angle_deg is not None:
        x = np.asarray(angle_deg, float)
        with np.errstate(invalid="ignore"):
            at_rest = np.abs(x - rest_angle(x)) <= EFFORT_ENTER_DEG / 2
    gaps = np.flatnonzero(np.diff(idx) > 1)
    spans = [(t[b] - t[a], a, b) for a, b in ((idx[g], idx[g + 1]) for g in gaps)
             if t[b] - t[a] >= hold_s + (2 * MIN_SWING_S if at_rest[a] and at_rest[b] else 0.0)]
    if not spans:
        return None
    _, a, b = max(spans)
    codes, counts = np.unique(np.asarray(reasons)[a + 1:b], return_counts=True)
    return UnmeasuredHold(float(t[a]), float(t[b]), Reason(int(codes[np.argmax(counts)])))
