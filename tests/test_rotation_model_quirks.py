"""Seated IR against what MediaPipe does on real seated people (found on rendered videos), in synthetic form.

Each test plants one of the pose model's habits into an exact synthetic skeleton and checks
that the analysis still gets the known answer (see docs/rotation-accuracy.md, "What MediaPipe
does on seated people").
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hipvision.core.rotation import Reason, analyze_rotation
from hipvision.core.rotation.summary import find_efforts, rest_angle
from hipvision.landmarks import LEG, Landmark as L
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints, standing_joints

FPS = 30.0
BODY = SeatedBody()


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * FPS)) / FPS


def _seq(ir_l, ir_r, *, noise=0.0, **camera):
    cam = PinholeCamera.looking_at(BODY.knee_centre(), **camera)
    return sequence_from_joints(seated_joints(ir_l, ir_r, body=BODY), cam, fps=FPS, noise_px=noise, seed=3)


def _slide_knees(seq, ir_deg: np.ndarray, *, per_deg: float = 0.007, side: float = 0.0):
    """Move each knee landmark toward its ankle by ``per_deg`` shank lengths per degree of IR
    (MediaPipe: ~0.35 at 50°), and ``side`` × that much across the shank, in the image only."""
    image = seq.image.copy()
    for k, s in enumerate(("left", "right")):
        knee, ankle = image[:, LEG[s]["knee"], :2], image[:, LEG[s]["ankle"], :2]
        shank = ankle - knee
        across = np.stack([-shank[:, 1], shank[:, 0]], -1)
        f = (per_deg * np.abs(ir_deg[:, k]))[:, None]
        image[:, LEG[s]["knee"], :2] = knee + f * shank + side * f * across
    return dataclasses.replace(seq, image=image)


@pytest.mark.parametrize("angle", [25.0, 50.0])
def test_knee_sliding_down_the_shank_does_not_lower_the_angle(angle):
    t = _t(8)
    ir = np.stack([effort_profile(t, [(2.0, angle, 3.0)]), np.zeros_like(t)], 1)
    seq = _slide_knees(_seq(ir[:, 0], ir[:, 1], noise=1.0, pitch_deg=10), ir, side=0.15)
    res = analyze_rotation(seq)
    assert res.left.held_deg == pytest.approx(angle, abs=1.0)
    hold = (t > 3.5) & (t < 5.5)
    assert (res.reasons[hold] == int(Reason.OK)).all()
    assert res.knee_px is not None and np.ptp(res.knee_px[hold, 0], axis=0).max() < 3.0   # the knee stays put


def test_a_knee_that_really_moves_is_not_measured_from_its_old_place():
    t = _t(8)
    seq = _seq(effort_profile(t, [(2.0, 30.0, 3.0)]), np.zeros_like(t))
    image = seq.image.copy()
    moved = t > 4.0                                         # from 4 s the left knee sits 0.3 shank lengths inward
    shank = np.linalg.norm(seq.image_px()[0, L.LEFT_ANKLE] - seq.image_px()[0, L.LEFT_KNEE]) / seq.frame_size[0]
    image[moved, L.LEFT_KNEE, 0] -= 0.3 * shank
    res = analyze_rotation(dataclasses.replace(seq, image=image))
    assert (res.reasons[(t > 4.1) & (t < 5.0), 0] == int(Reason.MOVING)).all()
    assert (res.reasons[(t > 3.0) & (t < 3.9), 0] == int(Reason.OK)).all()


def test_seated_person_stays_seated_while_world_legs_look_straight_if_the_hips_stay_put():
    t = _t(10)
    seq = _seq(effort_profile(t, [(3.0, 45.0, 3.0)]), effort_profile(t, [(3.0, 40.0, 3.0)]))
    world = seq.world.copy()
    straight = (t > 3.5) & (t < 7.0)                        # both legs read as straight in 3D meanwhile
    stand = standing_joints(1)[0]
    for s in ("left", "right"):
        for part in ("knee", "ankle"):
            i = LEG[s][part]
            world[straight, i] = world[straight, LEG[s]["hip"]] + (stand[i] - stand[LEG[s]["hip"]]) * (1, -1, -1)
    res = analyze_rotation(dataclasses.replace(seq, world=world))
    assert res.left.held_deg == pytest.approx(45.0, abs=1.0) and res.right.held_deg == pytest.approx(40.0, abs=1.0)
    assert (res.reasons[straight] == int(Reason.OK)).all()


def test_camera_high_above_still_measures_with_hips_drawn_high():
    t = _t(8)
    seq = _seq(effort_profile(t, [(2.0, 35.0, 3.0)]), np.zeros_like(t), pitch_deg=40, noise=1.0)
    image = seq.image.copy()
    px = seq.image_px()
    shank = np.linalg.norm(px[0, L.LEFT_ANKLE] - px[0, L.LEFT_KNEE]) / seq.frame_size[1]
    image[:, [L.LEFT_HIP, L.RIGHT_HIP], 1] -= 0.09 * shank      # MediaPipe: seated hips 0.07–0.10 shanks high
    res = analyze_rotation(dataclasses.replace(seq, image=image))
    assert res.valid_fraction > 0.95 and res.left.held_deg == pytest.approx(35.0, abs=1.5)


@pytest.mark.parametrize("facing_deg", [35, -35])
def test_person_turned_35_deg_with_knees_apart_is_measured(facing_deg):
    t = _t(8)
    body = BODY.with_(heading_deg=facing_deg, knee_width_m=0.36)
    cam = PinholeCamera.looking_at(body.knee_centre())
    seq = sequence_from_joints(seated_joints(effort_profile(t, [(2.0, 35.0, 3.0)]), np.zeros_like(t), body=body),
                               cam, fps=FPS, noise_px=1.0, seed=3)
    res = analyze_rotation(seq)
    # measured, not rejected as "not facing"; splayed thighs seen from 35° cost up to 3.2° (the rotation
    # is about each thigh, the angle is read in the body's frontal plane)
    assert res.valid_fraction > 0.95 and res.left.held_deg == pytest.approx(35.0, abs=3.5)


def test_external_rotation_efforts_are_found_with_negative_held_values():
    t = _t(14)
    ir = effort_profile(t, [(1.0, 33.0, 2.0), (6.0, -15.0, 2.0), (10.0, 10.0, 2.0)])
    res = analyze_rotation(_seq(ir, np.zeros_like(t), noise=1.0))
    held = [e.held_deg for e in res.left.efforts]
    assert held == pytest.approx([33.0, -15.0, 10.0], abs=1.0)
    assert [e.cls for e in res.left.efforts] == ["functional", None, "limited"]
    assert res.left.held_deg == pytest.approx(33.0, abs=1.0) and res.right.efforts == ()


def test_rest_angle_is_the_densest_band_near_vertical():
    t = np.arange(0, 10, 0.05)
    x = np.where((t > 1) & (t < 8), 40.0, 3.0)              # one long hold outlasts the rest
    assert rest_angle(x) == pytest.approx(3.0)
    assert [round(e.held_deg) for e in find_efforts(t, x, hold_s=1.0)] == [40]


def _turned(yaw_deg: float, body: SeatedBody, *, hips_forward_m: float = 0.0, hips_up_m: float = 0.0):
    """Both legs held at 40° (3 s each), the camera ``yaw_deg`` to the person's left (+) or right (-)."""
    from hipvision.synthetic.mediapipe_like import misplace_hips

    t = _t(10)
    joints = seated_joints(effort_profile(t, [(2.0, 40.0, 3.0)]), effort_profile(t, [(2.5, 40.0, 3.0)]), body=body)
    joints = misplace_hips(joints, forward_m=hips_forward_m, up_m=hips_up_m)
    cam = PinholeCamera.looking_at(body.knee_centre(), yaw_deg=yaw_deg)
    return analyze_rotation(sequence_from_joints(joints, cam, fps=FPS, noise_px=0.5, seed=2))


@pytest.mark.parametrize("yaw", [-20, -10, 10, 20])
@pytest.mark.parametrize("case", ["hips on the pelvis front", "trunk leaned back 12°"])
def test_turned_camera_reads_neither_leg_high(yaw, case):
    # MediaPipe puts the 2D hips ~7 cm in front of the joints and 3 cm up (seen from a turned camera: to one
    # side); a person may lean back. Either tilts the hip → shoulder midline in the image when the camera is
    # turned, and when that midline had to be vertical it set the camera roll ~1-2° off: the leg on the
    # camera's side read high, the other low (before: camera 20° to the person's right, hips: left -2.0°,
    # right +1.1°; trunk leaned back: -1.8° / +1.9°). At 25° the hips still cost -1.0° / -0.5° (a yaw fitted
    # 4° short, both legs), docs/rotation-accuracy.md.
    hips = {"hips_forward_m": 0.07, "hips_up_m": 0.03} if case.startswith("hips") else {}
    body = BODY.with_(trunk_lean_deg=0.0 if hips else 12.0)
    res = _turned(yaw, body, **hips)
    err = (res.left.held_deg - 40.0, res.right.held_deg - 40.0)
    assert max(map(abs, err)) < 1.0 and abs(err[0] - err[1]) < 0.6, err
