"""Seated IR honesty with known answers: resting legs, the uncertainty per leg and its coverage, borderline
classes, the left/right difference against its uncertainty, and set-up warnings vs information."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hipvision.core.rotation import analyze_rotation
from hipvision.core.rotation.summary import Effort, class_with_uncertainty, classify
from hipvision.core.rotation.uncertainty import (
    DEFAULT_MODEL, HEAVY_MODEL, Z95, HoldEvidence, UncertaintyModel, asymmetry_verdict, hold_evidence, held_text,
    uncertainty_deg, uncertainty_model_for, uncertainty_terms,
)
from hipvision.core.rotation.view import CameraView
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.mediapipe_like import LandmarkErrors, add_landmark_errors
from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints
from hipvision.synthetic.seated_cases import SETUPS, random_case

FPS = 30.0
BODY = SeatedBody()


def _seq(left, right, *, seconds=9.0, errors: LandmarkErrors | None = None, seed=1, size=(1280, 720), **camera):
    """Left and right IR efforts ``(start_s, angle, hold_s)`` lists (rest 0°), filmed by ``camera``."""
    t = np.arange(int(seconds * FPS)) / FPS
    cam = PinholeCamera.looking_at(BODY.knee_centre(), width=size[0], height=size[1], **camera)
    seq = sequence_from_joints(seated_joints(effort_profile(t, left), effort_profile(t, right), body=BODY), cam,
                               fps=FPS, noise_px=0.5, seed=seed)
    return add_landmark_errors(seq, errors, seed=seed) if errors is not None else seq


# ---------------------------------------------------------------- a leg at rest

@pytest.mark.parametrize("live", [False, True], ids=["file", "live"])
def test_a_leg_that_never_rotates_reads_0_with_status_no_effort(live):
    # MediaPipe-like landmark errors: the resting leg's angle wanders by a degree or two around its rest
    seq = _seq([], [(2.0, 35.0, 3.0)], errors=LandmarkErrors(offset_frac=0.02, drift_frac=0.01, jitter_frac=0.01))
    res = analyze_rotation(seq, live=live)
    assert res.left.status == "no effort" and res.left.held_deg == 0.0
    assert res.left.cls is None and np.isnan(res.left.uncertainty_deg) and np.isfinite(res.left.peak_deg)
    d = res.to_dict()["left"]
    assert (d["held_deg"], d["status"], d["class"], d["uncertainty_deg"], d["held_window_s"]) == \
        (0.0, "no effort", None, None, None)
    assert res.right.status == "measured" and res.right.held_deg == pytest.approx(35.0, abs=1.5)
    assert np.isnan(res.asymmetry_deg) and res.to_dict()["asymmetry"] is None    # one leg was not tested


def test_statuses_of_a_leg_not_seen_and_an_effort_too_short_to_hold():
    t = np.arange(int(6 * FPS)) / FPS
    cam = PinholeCamera.looking_at(BODY.knee_centre())
    flick = effort_profile(t, [(2.0, 40.0, 0.0)], ramp_s=0.5)     # the left foot only flicks out
    seq = sequence_from_joints(seated_joints(flick, np.zeros_like(t), body=BODY), cam, fps=FPS)
    image = seq.image.copy()
    image[:, 28, :] = np.nan                                       # the right ankle is never seen
    res = analyze_rotation(dataclasses.replace(seq, image=image))
    assert res.left.status == "not held" and np.isnan(res.left.held_deg)
    assert res.right.status == "not seen" and np.isnan(res.right.held_deg)


# ---------------------------------------------------------------- the uncertainty

def test_uncertainty_is_the_root_sum_of_its_terms():
    model = UncertaintyModel(model_deg=1.0, landmark_px=2.0, hold=0.5, jitter=1.0, turn_deg=4.0, height_deg=1.0,
                             tilt_deg=1.0, correction=0.5, unfitted_deg=1.5, tuck_deg=2.0)
    ev = HoldEvidence(held_deg=40.0, spread_deg=2.0, jitter_deg=1.0, shank_px=100.0, correction_deg=-2.0,
                      yaw_deg=30.0, pitch_deg=-30.0, roll_deg=5.0)
    terms = uncertainty_terms(ev, model)
    assert terms == pytest.approx({"model": 1.0, "size": np.degrees(np.arctan(0.02)), "hold": 1.0, "jitter": 1.0,
                                   "turn": 2.0, "away": 0.0, "height": 0.5,
                                   "steep": 2.0 * np.tan(np.radians(30)) * np.sin(np.radians(80)) / 2,
                                   "tilt": 0.5, "correction": 1.0, "unfitted": 0.0})
    assert uncertainty_deg(ev, model) == pytest.approx(Z95 * np.sqrt(sum(v * v for v in terms.values())))
    assert np.isnan(uncertainty_deg(HoldEvidence(np.nan, 0, 0, 100, 0, 0, 0, 0), model))


def test_uncertainty_grows_with_a_turned_camera_and_a_small_person():
    base = dict(held_deg=40.0, spread_deg=0.5, jitter_deg=0.5, shank_px=150.0, correction_deg=0.0, yaw_deg=0.0,
                pitch_deg=5.0, roll_deg=1.0)
    u0 = uncertainty_deg(HoldEvidence(**base))
    assert u0 < uncertainty_deg(HoldEvidence(**{**base, "yaw_deg": -20.0}))
    assert u0 < uncertainty_deg(HoldEvidence(**{**base, "shank_px": 40.0}))
    assert u0 < uncertainty_deg(HoldEvidence(**{**base, "spread_deg": 3.0}))
    assert u0 < uncertainty_deg(HoldEvidence(**base, view_fitted=False))


def test_the_leg_away_from_a_turned_camera_gets_the_wider_range():
    # yaw + = camera off to the person's left: the right leg (1) is away from it; yaw - : the left leg (0)
    t = np.linspace(0.0, 4.0, 41)
    ang = np.full((41, 2), 40.0)
    effort = Effort(0.0, 4.0, 40.0, 40.0, hold_start_s=1.0, hold_end_s=3.0)
    away = {(yaw, leg): hold_evidence(t, ang, ang, effort, None, leg, CameraView(0.0, 5.0, yaw, 500.0)).away
            for yaw in (-20.0, 0.0, 20.0) for leg in (0, 1)}
    assert away == {(-20.0, 0): True, (-20.0, 1): False, (0.0, 0): False, (0.0, 1): False,
                    (20.0, 0): False, (20.0, 1): True}
    model = UncertaintyModel(turn_away_deg=6.0)
    base = HoldEvidence(held_deg=40.0, spread_deg=0.5, jitter_deg=0.5, shank_px=150.0, correction_deg=0.0,
                        yaw_deg=30.0, pitch_deg=5.0, roll_deg=0.0)
    assert uncertainty_terms(dataclasses.replace(base, away=True), model)["away"] == pytest.approx(3.0)
    assert uncertainty_terms(base, model)["away"] == 0.0
    assert uncertainty_deg(dataclasses.replace(base, away=True)) > uncertainty_deg(base)   # the default model too
    slight = dataclasses.replace(base, yaw_deg=8.0)       # below the set-up warning's 10°: as the near leg
    assert uncertainty_deg(dataclasses.replace(slight, away=True)) == uncertainty_deg(slight)


def test_uncertainty_covers_the_truth_on_seeded_synthetic_recordings():
    # recordings in every camera set-up with MediaPipe-like landmark errors, on seeds the constants were not
    # calibrated on (benchmarks/rotation_uncertainty.py --calibrate, check seeds 900000: 94% of 165 legs, median
    # 3.9°; here 43 of 45, median 3.8°; 42 and 4.0° with the constants before 2026-12-02)
    errors, widths, unmeasured = [], [], 0
    for k, setup in enumerate(sorted(SETUPS)):
        for i in range(6):
            case = random_case(900000 + 1000 * k + i, setup)
            res = analyze_rotation(case.sequence())
            for side in ("left", "right"):
                leg = res.leg(side)
                if case.truth(side) == 0:      # a resting leg: 0 and "no effort" (or not seen at all: 1 leg)
                    assert (leg.status, leg.held_deg) == ("no effort", 0.0) or leg.status == "not seen"
                elif leg.status != "measured":
                    unmeasured += 1
                else:
                    errors.append(leg.held_deg - case.truth(side))
                    widths.append(leg.uncertainty_deg)
    inside = np.abs(errors) <= np.asarray(widths)
    assert len(errors) >= 40 and unmeasured <= 2 and inside.mean() >= 0.9, (inside.mean(), len(errors), unmeasured)
    assert 2.0 < np.median(widths) < 4.5


# ---------------------------------------------------------------- borderline classes

@pytest.mark.parametrize("held,unc,cls", [
    (33.0, 2.0, "functional"), (32.1, 2.0, "functional"), (31.9, 2.0, "borderline (≈30°)"),
    (28.1, 2.0, "borderline (≈30°)"), (27.9, 2.0, "limited"), (30.0, 0.5, "borderline (≈30°)"),
    (42.9, 2.0, "functional"), (43.1, 2.0, "borderline (≈45°)"), (46.9, 2.0, "borderline (≈45°)"),
    (47.1, 2.0, "target"), (38.0, 8.0, "borderline (≈45°)"), (37.0, 8.0, "borderline (≈30°)"),
    (46.0, float("nan"), "target"), (float("nan"), 2.0, None),
])
def test_class_with_uncertainty_at_the_30_and_45_edges(held, unc, cls):
    assert class_with_uncertainty(held, unc) == cls
    assert classify(held) in ("limited", "functional", "target", None)   # the plain class stays as it was


def test_a_hold_near_45_is_borderline_in_the_result_and_its_json():
    res = analyze_rotation(_seq([(2.0, 44.0, 3.0)], [(2.0, 55.0, 3.0)]))
    assert res.left.cls == "functional" and res.left.class_with_uncertainty == "borderline (≈45°)"
    assert res.to_dict()["left"]["class"] == "borderline (≈45°)" and res.to_dict()["right"]["class"] == "target"
    assert res.to_dict()["left"]["efforts"][0]["class"] == "borderline (≈45°)"


# ---------------------------------------------------------------- left/right difference

def test_asymmetry_verdict_against_the_combined_uncertainty():
    assert asymmetry_verdict(40.0, 3.0, 36.0, 3.0) == "no clear difference"     # 4.0 < 4.24
    assert asymmetry_verdict(40.0, 3.0, 35.5, 3.0) == "left higher"             # 4.5 > 4.24
    assert asymmetry_verdict(30.0, 2.0, 40.0, 2.0) == "right higher"
    assert asymmetry_verdict(30.0, 2.0, float("nan"), 2.0) is None


@pytest.mark.parametrize("right,verdict,warned", [(39.0, "no clear difference", False), (20.0, "left higher", True)])
def test_a_difference_smaller_than_its_uncertainty_is_not_an_asymmetry(right, verdict, warned):
    res = analyze_rotation(_seq([(2.0, 41.0, 3.0)], [(2.0, right, 3.0)]))
    d = res.to_dict()
    assert d["asymmetry"] == verdict and d["asymmetry_deg"] == pytest.approx(41.0 - right, abs=1.5)
    assert d["asymmetry_uncertainty_deg"] == pytest.approx(np.hypot(res.left.uncertainty_deg,
                                                                    res.right.uncertainty_deg), abs=0.06)
    assert any(w.startswith("left/right difference") for w in res.warnings) == warned


def test_held_text():
    assert held_text(38.04, 2.06) == "38.0° ± 2.1°" and held_text(38.0, None, digits=0) == "38°"
    assert held_text(0.0, None, "no effort") == "0° (no effort)" and held_text(None, 2.0, missing="—") == "—"


# ---------------------------------------------------------------- set-up: warnings vs information

def _setup(**camera):
    res = analyze_rotation(_seq([(2.0, 35.0, 3.0)], [(2.0, 25.0, 3.0)], **camera))
    return res.warnings, res.info


def test_a_camera_turned_to_the_right_warns_about_the_left_leg_and_says_where_to_put_it():
    warnings, info = _setup(yaw_deg=-18.0)
    turned = [w for w in warnings if "to the person's right" in w]
    assert len(turned) == 1 and "the left leg, away from the camera, can read low" in turned[0]
    assert "straight in front" in turned[0]
    assert not any("to the person's" in i for i in info)


def test_with_the_heavy_net_a_turned_camera_warns_about_both_legs_and_the_away_leg_is_not_wider():
    # heavy's landmarks read the two legs of a turned camera about alike (−1.9° and −1.5° on rendered people): no
    # extra width for the away leg, and the warning does not single it out; the same recording from full keeps both
    seq = _seq([(2.0, 35.0, 3.0)], [(2.0, 25.0, 3.0)], yaw_deg=-18.0)
    full = analyze_rotation(dataclasses.replace(seq, model="pose_landmarker_full"))
    heavy = analyze_rotation(dataclasses.replace(seq, model="pose_landmarker_heavy"))
    assert full.left.evidence.away and heavy.left.evidence.away        # the camera is off to the person's right
    assert heavy.left.held_deg == full.left.held_deg
    assert heavy.left.uncertainty_deg < full.left.uncertainty_deg
    assert uncertainty_terms(heavy.left.evidence, HEAVY_MODEL)["away"] == 0.0           # no extra for the away leg
    assert uncertainty_terms(full.left.evidence, DEFAULT_MODEL)["away"] > 0.0
    turned = [w for w in heavy.warnings if "to the person's right" in w]
    assert len(turned) == 1 and "both legs can read low" in turned[0] and "away from the camera" not in turned[0]
    assert any("the left leg, away from the camera, can read low" in w for w in full.warnings)
    assert uncertainty_model_for("pose_landmarker_full") == DEFAULT_MODEL == uncertainty_model_for("")
    # lite places knees and ankles less well: the same recording from it gets a wider range on both legs
    lite = analyze_rotation(dataclasses.replace(seq, model="pose_landmarker_lite"))
    assert lite.left.uncertainty_deg > full.left.uncertainty_deg and lite.right.uncertainty_deg > full.right.uncertainty_deg


def test_small_set_up_corrections_are_information_not_warnings():
    warnings, info = _setup(yaw_deg=5.0, roll_deg=4.0, pitch_deg=12.0)
    assert not [w for w in warnings if w.startswith("camera")]
    assert "camera about 5° to the person's left, corrected" in info
    assert "camera tilted 4°, corrected" in info and "camera about 12° above knee height, corrected" in info


def test_a_high_camera_and_a_far_small_person_are_warned():
    warnings, _ = _setup(pitch_deg=28.0)
    assert any(w.startswith("camera about 28° above knee height") and "lower the camera" in w for w in warnings)
    warnings, _ = _setup(distance_m=4.5, size=(640, 480))
    assert any(w.startswith("person small in the picture") and "1.5-2.5 m" in w for w in warnings)


# ---------------------------------------------------------------- widths calibrated by coverage (2026-12-02)

def test_a_turned_camera_range_is_as_wide_as_its_errors_need():
    # the synthetic turned set-up (camera 10-25° aside) was covered at 98-100% with a median ± of 6.4° (turn and
    # away terms set by the RMS of a few rendered legs); calibrated by coverage: 92% on the calibration seeds.
    # These 10 recordings (seeds the constants were not calibrated on): 14 legs, median 6.4° before, 4.8° after.
    errors, widths = [], []
    for i in range(10):
        case = random_case(905000 + i, "turned")
        res = analyze_rotation(case.sequence())
        for side in ("left", "right"):
            leg = res.leg(side)
            if case.truth(side) != 0 and leg.status == "measured":
                errors.append(leg.held_deg - case.truth(side))
                widths.append(leg.uncertainty_deg)
    inside = np.abs(errors) <= np.asarray(widths)
    assert len(errors) >= 12 and inside.mean() >= 0.9, (inside.mean(), len(errors))
    assert np.median(widths) < 5.5, np.median(widths)


def test_a_corrected_camera_roll_costs_no_width():
    # a roll is corrected exactly (0.0° at ±10°, "What each camera condition costs"), and the synthetic tilted
    # set-up (roll 4-8°) erred no more than the front one: the same hold rolled 8° gets the same ± (it got 1.6°
    # more from the former tilt term, 2.0° × |roll| / 10°)
    level = analyze_rotation(_seq([(2.0, 38.0, 3.0)], [(2.0, 22.0, 3.0)], pitch_deg=5.0))
    rolled = analyze_rotation(_seq([(2.0, 38.0, 3.0)], [(2.0, 22.0, 3.0)], pitch_deg=5.0, roll_deg=8.0))
    for side in ("left", "right"):
        assert rolled.leg(side).held_deg == pytest.approx(level.leg(side).held_deg, abs=0.2)
        assert rolled.leg(side).uncertainty_deg == pytest.approx(level.leg(side).uncertainty_deg, abs=0.15)
