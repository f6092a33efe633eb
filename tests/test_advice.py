"""What next, in plain words, after every result; information kept apart from warnings.

Known answers for each branch of the advice (`core/rotation/advice.py`, `core/circles/advice.py`,
`core/advice.py`), with the edges: a held angle of exactly 30° or 45° with and without an uncertainty that
makes it borderline, a change exactly at its combined uncertainty.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hipvision.core.advice import (
    GAINED,
    LOST,
    NO_CLEAR_CHANGE,
    Change,
    session_next_steps,
)
from hipvision.core.circles import CirclesSettings, summarise
from hipvision.core.circles.advice import SET_DONE
from hipvision.core.circles.advice import next_steps as circles_steps
from hipvision.core.circles.trajectory import CircleTrack
from hipvision.core.rotation.advice import MAX_ADVICE_UNCERTAINTY_DEG, LegReading
from hipvision.core.rotation.advice import next_steps as rotation_steps
from hipvision.core.session import SessionPhase, SessionResult

NAN = float("nan")
LIMITED = "limited: do the quadruped hip circles, 5 each way, then re-test (same camera, same set-up)"
BORDER_30 = "borderline at 30°: do the quadruped hip circles, 5 each way, then re-test (same camera, same set-up)"
FUNCTIONAL = "good enough: do the hip circles, 5 each way, to work toward 45°"
BORDER_45 = "about at the 45° target: do the hip circles, 5 each way, to get clearly past 45°"
TARGET = "at the target: keep it; the hip circles now and then keep it there"


def _leg(held: float, unc: float = NAN, status: str = "measured", side: str = "left") -> LegReading:
    return LegReading(side, status, held, unc)


# ---------------------------------------------------------------- seated rotation

@pytest.mark.parametrize("held, unc, shown, advice", [
    (24.8, 3.3, "24.8° ± 3.3°", LIMITED),
    (29.99, NAN, "30.0°", LIMITED),              # just under the mark, no uncertainty: limited
    (30.0, NAN, "30.0°", FUNCTIONAL),            # exactly 30°, no uncertainty: good enough
    (30.0, 0.0, "30.0° ± 0.0°", FUNCTIONAL),     # ... nor a zero one (borderline is strict: |held − 30| < u)
    (30.0, 2.0, "30.0° ± 2.0°", BORDER_30),      # exactly 30° ± 2°: borderline → treated as limited
    (31.9, 2.0, "31.9° ± 2.0°", BORDER_30),
    (32.0, 2.0, "32.0° ± 2.0°", FUNCTIONAL),     # 30° just outside the range
    (38.0, 3.0, "38.0° ± 3.0°", FUNCTIONAL),
    (45.0, NAN, "45.0°", TARGET),                # exactly 45°: the target
    (45.0, 1.0, "45.0° ± 1.0°", BORDER_45),      # exactly 45° ± 1°: borderline → work toward 45°
    (44.9, NAN, "44.9°", FUNCTIONAL),
    (50.4, 3.3, "50.4° ± 3.3°", TARGET),
])
def test_a_measured_leg_gets_the_training_of_its_class(held, unc, shown, advice):
    assert rotation_steps([_leg(held, unc)]) == (f"Left leg {shown}, {advice}.",)


def test_each_leg_gets_its_own_line_in_order():
    steps = rotation_steps([_leg(50.4, 3.3), _leg(24.8, 3.3, side="right")])
    assert steps == (f"Left leg 50.4° ± 3.3°, {TARGET}.", f"Right leg 24.8° ± 3.3°, {LIMITED}.")


@pytest.mark.parametrize("status, why", [
    ("no effort", "did not turn (no effort seen)"),
    ("not held", "turned but did not hold it for the hold time"),
    ("not seen", "was not seen long enough to measure"),
])
def test_a_leg_not_measured_asks_to_record_again_before_any_training(status, why):
    held = 0.0 if status == "no effort" else NAN
    steps = rotation_steps([_leg(24.0, 3.0), _leg(held, NAN, status, side="right")])
    assert steps[0] == f"Record the seated test again before any training advice: the right leg {why}."
    assert steps[1].startswith("How to record: camera at knee height, 1.5-2.5 m straight in front")
    assert len(steps) == 2 and not any("circles" in s for s in steps)  # no training on this result


def test_a_reading_too_unsure_to_class_asks_to_record_again_past_its_limit():
    at = rotation_steps([_leg(37.5, MAX_ADVICE_UNCERTAINTY_DEG)])   # 30 and 45 just outside 37.5 ± 7.5
    assert at == (f"Left leg 37.5° ± 7.5°, {FUNCTIONAL}.",)           # at the limit: still advice
    over = rotation_steps([_leg(37.5, MAX_ADVICE_UNCERTAINTY_DEG + 0.01)])
    assert over[0] == ("Record the seated test again before any training advice: the left leg reads 38° ± 8°, "
                       "too unsure to class.")


# ---------------------------------------------------------------- hip circles

def _circles(total=10, confidence="high", missing=None, verdicts=None):
    verdicts = ["good circle"] * total if verdicts is None else verdicts
    return circles_steps(total=total, confidence=confidence, missing=missing or {"clockwise": 0,
                         "counterclockwise": 0}, verdicts=verdicts, target_per_direction=5)


def test_a_finished_set_counted_with_confidence_says_re_test():
    assert _circles() == (SET_DONE,)


def test_no_circle_says_how_to_do_them():
    assert _circles(total=0, verdicts=[]) == ("No circle was counted: on hands and knees, circle the hips as large "
                                              "as you can, 5 each way, the whole body in view.",)


def test_no_circle_with_low_confidence_says_to_make_the_changes_first():
    """0 circles, low (a camera low behind the hips, or in line): the person may well have circled, so the first
    thing is the confidence's changes, not "circle the hips"."""
    assert _circles(total=0, confidence="low", verdicts=[]) == (
        "No circle was counted, but from this recording some may have been missed: make the changes listed under "
        "confidence, then record again (on hands and knees, circle the hips as large as you can, 5 each way, the "
        "whole body in view).",)


def test_low_confidence_asks_to_record_again_and_does_not_send_to_the_re_test():
    steps = _circles(confidence="low")
    assert steps == ("The circle counts are unsure: make the changes listed under confidence, then record the set again.",)


def test_an_unfinished_set_counted_with_low_confidence_is_not_told_how_many_more_as_a_fact():
    """A session filmed far behind the hips counted 2 + 2 (low) for 3 + 3 and said "Finish the set of circles: 3 more
    clockwise and 3 more counter-clockwise": a number to act on, from counts it called unsure."""
    steps = _circles(total=4, confidence="low", missing={"clockwise": 3, "counterclockwise": 3}, verdicts=[])
    assert steps == ("The circle counts are unsure: make the changes listed under confidence, then record the set again.",
                     "If the counts are right, the set still needs 3 more clockwise and 3 more counter-clockwise: "
                     "check them on the video.")
    assert not any(s.startswith("Finish the set") for s in steps)


def test_an_unfinished_set_says_what_is_left_and_the_most_frequent_cue():
    verdicts = ["good circle"] * 5 + ["keep the shoulders still"] * 2 + ["make the circle bigger"]
    steps = _circles(total=8, missing={"clockwise": 0, "counterclockwise": 2}, verdicts=verdicts)
    assert steps == ("Finish the set of circles: 2 more counter-clockwise.",
                     "In the next set of circles, keep the shoulders still (the cue for 2 of 8 circles).")
    both = _circles(total=7, missing={"clockwise": 1, "counterclockwise": 2}, verdicts=["good circle"] * 7)
    assert both == ("Finish the set of circles: 1 more clockwise and 2 more counter-clockwise.",)


def _quadruped_track(forward_m: float, n: int = 60) -> CircleTrack:
    """A still quadruped hold with the hips ``forward_m`` ahead of the knees, seen from 45°."""
    t = np.arange(n) / 20.0
    pelvis = np.tile([forward_m, 0.0], (n, 1))
    return CircleTrack(t, np.ones(n, bool), pelvis, np.zeros((n, 2)), np.zeros((n, 3)), np.full(n, 90.0),
                       np.full(n, 0.6), np.full(n, 45.0), np.full(n, 1.0))


def test_the_start_position_is_said_once_not_again_as_a_warning():
    result = summarise(_quadruped_track(0.2), [], [], settings=CirclesSettings(), detection_rate=1.0)
    assert result.start_position.message == "bring the hips back over the knees (20 cm off)"
    assert not any("over the knees" in w for w in [*result.warnings, *result.info, *result.next_steps])
    assert result.to_dict()["next_steps"] == list(result.next_steps)


# ---------------------------------------------------------------- the change in a session

@pytest.mark.parametrize("change, before, after, verdict, text", [
    (5.0, 3.0, 4.0, GAINED, "gained 5.0° ± 5.0°"),                              # exactly at √(3² + 4²) = 5
    (-5.0, 3.0, 4.0, LOST, "lost 5.0° ± 5.0°"),
    (4.99, 3.0, 4.0, NO_CLEAR_CHANGE, "no clear change (+5.0°, within ± 5.0°)"),  # just under it
    (-2.0, 3.3, 3.4, NO_CLEAR_CHANGE, "no clear change (-2.0°, within ± 4.7°)"),
    (6.0, 3.4, 3.4, GAINED, "gained 6.0° ± 4.8°"),
    (2.0, None, 3.4, GAINED, "gained 2.0°"),                                     # uncertainty unknown: any change
    (0.0, None, None, NO_CLEAR_CHANGE, "no clear change (+0.0°)"),
    (None, 3.0, 3.0, None, None),
])
def test_a_change_is_a_gain_or_loss_only_at_its_combined_uncertainty(change, before, after, verdict, text):
    c = Change.of("left", change, before, after)
    assert c.verdict == verdict and c.text == text
    if before is not None and after is not None:
        assert c.uncertainty_deg == pytest.approx(math.hypot(before, after))


def test_session_steps_for_no_clear_change_a_loss_and_a_credited_gain():
    flat = [Change("left", 2.0, 4.7), Change("right", -1.0, 4.7)]
    assert session_next_steps(flat, credited=True)[0].startswith("No clear change yet")
    lost = session_next_steps([Change("left", -6.0, 4.7), Change("right", 1.0, 4.7)], credited=True)
    assert lost == ("The left leg lost 6.0° ± 4.7°: check that the camera and the seat were the same both times, "
                    "then re-test.",)
    gained = [Change("left", 6.0, 4.7), Change("right", 8.0, 4.7)]
    assert session_next_steps(gained, credited=True) == ("The left and right legs gained after the circles: keep "
                                                         "them in the routine.",)
    assert session_next_steps(gained, credited=False) == ()  # not put down to circles counted without confidence
    assert session_next_steps(gained, credited=False, after=("A.",), circles=("B.",)) == ("B.", "A.")


class _Leg:
    def __init__(self, held: float, unc: float):
        self.status, self.held_deg, self.uncertainty_deg = "measured", held, unc


class _Seated:
    """A stub seated result: the legs and the advice on it."""

    def __init__(self, left: float, right: float, unc: float, steps: tuple[str, ...] = ()):
        self.legs, self.next_steps = {"left": _Leg(left, unc), "right": _Leg(right, unc)}, steps

    def leg(self, side):
        return self.legs[side]

    def to_dict(self):
        return {"kind": "rotation"}


class _Circles:
    next_steps = ("In the next set of circles, slow down (the cue for 3 of 10 circles).", SET_DONE)

    def to_dict(self):
        return {"kind": "circles", "total": 10, "confidence": "high", "confidence_reasons": []}


def _phase(kind, result, start):
    return SessionPhase(kind, start, start + 10.0, "analysed", result, 1.0, 0, 1)


def test_the_session_json_carries_the_change_verdicts_and_the_next_steps():
    phases = [_phase("seated", _Seated(30.0, 28.0, 3.0), 0.0), _phase("quadruped", _Circles(), 10.0),
              _phase("seated", _Seated(32.0, 36.0, 4.0, ("Left leg ..., good enough.",)), 20.0)]
    res = SessionResult(phases, {"left": 2.0, "right": 8.0}, {"kind": "session", "warnings": []}, ("a note",))
    d = res.to_dict()
    assert d["change_uncertainty_deg"] == {"left": 5.0, "right": 5.0}
    assert d["change_verdict"] == {"left": NO_CLEAR_CHANGE, "right": GAINED}
    assert d["info"] == ["a note"] and d["warnings"] == []
    # the circles' re-test is left out (the session re-tested); then the last seated measurement's advice
    assert d["next_steps"] == ["The right leg gained after the circles: keep them in the routine.",
                               "In the next set of circles, slow down (the cue for 3 of 10 circles).",
                               "Left leg ..., good enough."]
