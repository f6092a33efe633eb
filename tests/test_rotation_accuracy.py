"""Seated IR accuracy on synthetic skeletons with known angles, camera by camera.

Each condition films the same scripted session (left leg held at 40°, right at
25°, 3 s each) and asserts the held value per leg within a bound we measured.
Run ``python tests/test_rotation_accuracy.py`` to print the table that goes
into docs/rotation-accuracy.md.
"""

from __future__ import annotations

import numpy as np
import pytest

from hipvision.core.rotation import RotationSettings, analyze_rotation
from hipvision.landmarks import SIDES
from hipvision.landmarks import Landmark as L
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints, with_depth_noise

FPS = 30.0
TRUE_LEFT, TRUE_RIGHT = 40.0, 25.0
#: MediaPipe-like world landmark noise (metres): depth much worse than x, y.
WORLD_NOISE = {"depth_noise_m": 0.04, "xy_noise_m": 0.015}


def session(*, roll=0.0, pitch=0.0, yaw=0.0, distance=2.0, hfov=60.0, noise=0.0, dropouts=0.0,
            body=SeatedBody(), world_noise=False, seed=0, left=TRUE_LEFT, right=TRUE_RIGHT, rest=0.0,
            hip_bias_m=0.0):
    """A 10 s seated session: left effort to ``left``, right effort to ``right`` (3 s holds).

    ``hip_bias_m`` moves the hip landmarks up (metres) as a pose model that misplaces them would.
    """
    t = np.arange(int(10 * FPS)) / FPS
    ir_l = effort_profile(t, [(2.0, left, 3.0)], rest_deg=rest)
    ir_r = effort_profile(t, [(2.5, right, 3.0)], rest_deg=rest)
    cam = PinholeCamera.looking_at(body.knee_centre(), distance_m=distance, roll_deg=roll, pitch_deg=pitch,
                                   yaw_deg=yaw, hfov_deg=hfov)
    joints = seated_joints(ir_l, ir_r, body=body)
    joints[:, [L.LEFT_HIP, L.RIGHT_HIP], 1] += hip_bias_m
    seq = sequence_from_joints(joints, cam, fps=FPS, noise_px=noise,
                               dropout_fraction=dropouts, seed=seed)
    return with_depth_noise(seq, **WORLD_NOISE, seed=seed + 1) if world_noise else seq


# (id, camera/body conditions, bound on |held error| per leg in degrees, measured with the default estimator)
CONDITIONS = [
    ("neutral", {}, 0.1),
    ("roll+10", {"roll": 10}, 0.1),
    ("roll-10", {"roll": -10}, 0.1),
    ("pitch+10", {"pitch": 10}, 0.1),
    ("pitch+25", {"pitch": 25}, 0.1),
    ("pitch-10 (camera below knees)", {"pitch": -10}, 0.1),
    ("yaw+15", {"yaw": 15}, 0.1),
    ("yaw-15", {"yaw": -15}, 0.1),
    ("pitch25 yaw15", {"pitch": 25, "yaw": 15}, 0.2),
    ("pitch25 yaw-15 roll8", {"pitch": 25, "yaw": -15, "roll": 8}, 0.2),
    ("pitch15 yaw10 roll-5", {"pitch": 15, "yaw": 10, "roll": -5}, 0.1),
    ("distance 1.5 m", {"distance": 1.5}, 0.1),
    ("distance 3 m", {"distance": 3.0}, 0.1),
    ("lens 75° (assumed 60°) pitch20", {"hfov": 75, "pitch": 20}, 0.4),
    ("lens 50° (assumed 60°) pitch20", {"hfov": 50, "pitch": 20}, 0.4),
    ("noise 3 px", {"noise": 3.0}, 0.6),
    ("noise 5 px, 20% dropouts", {"noise": 5.0, "dropouts": 0.2}, 0.8),
    ("noise 3 px pitch20 roll5", {"noise": 3.0, "pitch": 20, "roll": 5}, 0.6),
    ("noise 5 px pitch25 yaw15", {"noise": 5.0, "pitch": 25, "yaw": 15}, 0.8),
    ("knees apart (thighs splayed 10°)", {"body": SeatedBody(knee_width_m=0.42)}, 1.3),
    ("knees apart pitch15", {"body": SeatedBody(knee_width_m=0.42), "pitch": 15}, 0.5),
    ("knees apart pitch25 yaw10", {"body": SeatedBody(knee_width_m=0.42), "pitch": 25, "yaw": 10}, 2.3),
    ("knees together pitch15", {"body": SeatedBody(knee_width_m=0.14), "pitch": 15}, 1.3),
    ("thigh/shank 0.88 pitch15", {"body": SeatedBody(thigh_m=0.39, shank_m=0.445), "pitch": 15}, 0.3),
    ("thigh/shank 1.12 pitch10 yaw15", {"body": SeatedBody(thigh_m=0.47, shank_m=0.42), "pitch": 10, "yaw": 15},
     0.9),
    ("small person 1.55 m pitch15", {"body": SeatedBody(height_m=1.55), "pitch": 15}, 0.1),
    ("knee at 100° pitch15", {"body": SeatedBody(knee_flexion_deg=100), "pitch": 15}, 1.5),
    ("thighs sloping 10° down pitch15", {"body": SeatedBody(thigh_pitch_deg=-10), "pitch": 15}, 0.1),
    ("person off-centre 0.4 m pitch15", {"body": SeatedBody(x_m=0.4), "pitch": 15}, 0.1),
    ("hip landmarks 5 cm too high", {"hip_bias_m": 0.05}, 0.4),
    ("hip landmarks 5 cm too high pitch15", {"hip_bias_m": 0.05, "pitch": 15}, 1.0),
    ("hip landmarks 5 cm too low pitch15", {"hip_bias_m": -0.05, "pitch": 15}, 0.6),
    ("hip landmarks 5 cm too high yaw15", {"hip_bias_m": 0.05, "yaw": 15}, 1.8),
]


def held_errors(conditions: dict, settings: RotationSettings = RotationSettings()) -> tuple[float, float]:
    res = analyze_rotation(session(**conditions), settings=settings)
    return res.left.held_deg - TRUE_LEFT, res.right.held_deg - TRUE_RIGHT


@pytest.mark.parametrize("conditions,bound", [pytest.param(c, b, id=f"{i} (bound {b}°)") for i, c, b in CONDITIONS])
def test_held_accuracy_per_camera_condition(conditions, bound):
    err_l, err_r = held_errors(conditions)
    assert abs(err_l) <= bound and abs(err_r) <= bound, (err_l, err_r)


@pytest.mark.parametrize("angle", [-20.0, -10.0, 0.0, 10.0, 20.0, 27.0, 33.0, 40.0, 47.0, 50.0])
@pytest.mark.parametrize("side", ["left", "right"])
def test_held_recovered_within_2_deg_across_range(angle, side):
    # rest 15° below the target so that the target is the highest sustained angle, ER included
    legs = {"left": angle if side == "left" else 5.0, "right": angle if side == "right" else 5.0}
    res = analyze_rotation(session(left=legs["left"], right=legs["right"], rest=min(angle - 15.0, 0.0)))
    t = res.t_s
    hold = (t > (4.0 if side == "left" else 4.5)) & (t < (5.0 if side == "left" else 5.5))
    assert np.nanmedian(res.angle_deg[hold, SIDES.index(side)]) == pytest.approx(angle, abs=2.0)
    if -12.0 <= angle <= 0:      # held within 12° of vertical: that is where the leg rests, so no effort
        assert res.leg(side).status == "no effort"
        return
    assert res.leg(side).held_deg == pytest.approx(angle, abs=2.0)
    assert res.leg(side).cls == ("target" if angle >= 45 else "functional" if angle >= 30 else "limited")


@pytest.mark.xfail(strict=True, reason="known bias (issue 14): hip rotation turns each shank about its own thigh, "
                   "the angle is read in the body's common frontal plane; with the knees wider than the hips a "
                   "turned camera reads the leg on its side high and the other low (before any pose-model error)")
@pytest.mark.parametrize("yaw", [20, -20])
def test_turned_camera_with_knees_apart_reads_each_leg_within_half_a_degree(yaw):
    """Knees 42 cm apart (hips 26 cm: thighs splayed 9°), camera 20° to one side, exact landmarks: measured
    +1.5° on the camera's leg and -2.2° on the other (the truth is each leg's rotation about its thigh)."""
    err_l, err_r = held_errors({"body": SeatedBody(knee_width_m=0.42), "pitch": 10, "yaw": yaw})
    assert abs(err_l) <= 0.5 and abs(err_r) <= 0.5, (err_l, err_r)


def test_roll_shifts_result_by_less_than_1_deg_even_with_noise():
    base = held_errors({"noise": 3.0, "seed": 4})
    for roll in (-10, -5, 5, 10):
        err = held_errors({"noise": 3.0, "seed": 4, "roll": roll})
        assert abs(err[0] - base[0]) < 1.0 and abs(err[1] - base[1]) < 1.0, (roll, err, base)


def test_fitted_view_beats_roll_only_when_camera_is_high_and_to_the_side():
    cond = {"pitch": 25, "yaw": 15}
    fitted = max(map(abs, held_errors(cond)))
    roll_only = max(map(abs, held_errors(cond, RotationSettings(fit_pitch_yaw=False))))
    assert fitted < 0.5 < roll_only    # roll-only: the roll from vertical cues is right, the foreshortening is not


def _truth() -> np.ndarray:
    t = np.arange(int(10 * FPS)) / FPS
    return np.stack([effort_profile(t, [(2.0, TRUE_LEFT, 3.0)]), effort_profile(t, [(2.5, TRUE_RIGHT, 3.0)])], 1)


def estimator_errors(cond: dict, estimator: str, seeds=range(4)) -> tuple[float, float]:
    """(mean over seeds of the worse leg's |held error|, mean per-frame RMS error), degrees."""
    held, rms = [], []
    for seed in seeds:
        res = analyze_rotation(session(**cond, world_noise=True, seed=seed), settings=RotationSettings(estimator=estimator))
        held.append(max(abs(res.left.held_deg - TRUE_LEFT), abs(res.right.held_deg - TRUE_RIGHT)))
        rms.append(float(np.sqrt(np.nanmean((res.raw_deg - _truth()) ** 2))))
    return float(np.mean(held)), float(np.mean(rms))


@pytest.mark.parametrize("cond", [{"noise": 3.0}, {"noise": 3.0, "pitch": 25}, {"noise": 3.0, "pitch": 20, "yaw": 10}],
                         ids=["neutral", "pitch25", "pitch20 yaw10"])
def test_image_estimator_beats_world_landmarks_with_realistic_depth_noise(cond):
    # measured: image held 0.26-0.29 deg, per-frame 1.0-1.1 deg; world held 0.9-1.0 deg, per-frame 2.9-3.2 deg
    image_held, image_rms = estimator_errors(cond, "image")
    world_held, world_rms = estimator_errors(cond, "world")
    assert image_held < 0.5 < world_held
    assert image_rms < 1.3 < 2.5 < world_rms


def test_view_fit_recovers_camera_angles():
    res = analyze_rotation(session(roll=6, pitch=20, yaw=-12, noise=2.0))
    assert res.view.roll_deg == pytest.approx(6, abs=0.5)
    assert res.view.pitch_deg == pytest.approx(20, abs=1.5)
    assert res.view.yaw_deg == pytest.approx(-12, abs=1.5)


def _table() -> str:  # pragma: no cover - documentation helper
    rows = ["| condition | default (image + fitted view) L / R | roll-only correction L / R "
            "| world landmarks, depth noise 4 cm L / R | bound |", "|---|---|---|---|---|"]
    fmt = lambda e: f"{e[0]:+.1f} / {e[1]:+.1f}"  # noqa: E731
    for name, cond, bound in CONDITIONS:
        a = held_errors(cond)
        b = held_errors(cond, RotationSettings(fit_pitch_yaw=False))
        c = held_errors({**cond, "world_noise": True}, RotationSettings(estimator="world"))
        rows.append(f"| {name} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {bound} |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    print(_table())
