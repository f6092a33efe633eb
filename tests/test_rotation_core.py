"""Building blocks of the rotation analysis with known answers: geometry, camera view, held value, efforts."""

from __future__ import annotations

import numpy as np
import pytest

from hipvision.core import geometry as g
from hipvision.core.rotation import RotationSettings
from hipvision.core.rotation.summary import classify, find_efforts, held_value, sustained_levels
from hipvision.core.rotation.view import body_axes, estimate_view_image, view_angles
from hipvision.landmarks import Landmark as L
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.seated import SeatedBody, seated_joints


def test_signed_angle_follows_the_frames_handedness():
    assert g.signed_angle_2d([1, 0], [0, 1]) == pytest.approx(90)
    assert g.signed_angle_2d([0, 1], [1, 0]) == pytest.approx(-90)
    assert g.signed_angle_2d([1, 0], [-1, 1e-12]) == pytest.approx(180)
    np.testing.assert_allclose(g.signed_angle_2d([[1, 0], [1, 1]], [[1, 1], [1, 0]]), [45, -45])


def test_rotate_and_direction_are_consistent():
    v = g.rotate_2d(np.array([2.0, 0.0]), 30.0)
    np.testing.assert_allclose(v, [2 * np.cos(np.radians(30)), 2 * np.sin(np.radians(30))])
    assert g.direction_deg(v) == pytest.approx(30)


def test_angle_in_plane_and_projection():
    v = np.array([np.sin(np.radians(25)), -np.cos(np.radians(25)), 0.7])  # shank with an off-plane part
    assert g.angle_in_plane(v, [0, -1, 0], [1, 0, 0]) == pytest.approx(25)
    assert g.angle_in_plane(v, [0, -1, 0], [-1, 0, 0]) == pytest.approx(-25)
    np.testing.assert_allclose(g.project_onto_plane(v, [0, 0, 5]), [v[0], v[1], 0], atol=1e-12)
    assert g.angle_between([1, 0, 0], [0, 0, 3]) == pytest.approx(90)


def test_unit_and_nanmean_handle_degenerate_input():
    assert np.isnan(g.unit(np.zeros(3))).all()
    np.testing.assert_allclose(g.nanmean(np.array([[1.0, np.nan], [np.nan, np.nan]])), [1.0, np.nan])


def test_circular_median_wraps():
    assert abs(g.wrap_deg(g.circular_median_deg(np.array([179.0, -179.0, 178.0])) - 179.0)) < 1e-9
    assert g.circular_median_deg(np.array([89.0, -89.0, 90.0]), period_deg=180) % 180 == pytest.approx(90)
    assert np.isnan(g.circular_median_deg(np.array([np.nan])))


def test_rotation_matrix_right_handed():
    np.testing.assert_allclose(g.rotation_matrix([0, 0, 1], 90) @ [1, 0, 0], [0, 1, 0], atol=1e-12)


@pytest.mark.parametrize("roll,pitch,yaw", [(0, 0, 0), (8, 0, 0), (0, 25, 0), (0, 0, -15), (-6, 18, 12)])
def test_body_axes_match_the_synthetic_camera_and_invert(roll, pitch, yaw):
    cam = PinholeCamera.looking_at(np.zeros(3), roll_deg=roll, pitch_deg=pitch, yaw_deg=yaw)
    axes = body_axes(roll, pitch, yaw)
    np.testing.assert_allclose(axes, cam.rotation.T, atol=1e-12)
    np.testing.assert_allclose(view_angles(axes), (roll, pitch, yaw), atol=1e-9)


@pytest.mark.parametrize("roll,pitch,yaw", [(0, 0, 0), (9, 0, 0), (0, 25, 0), (-7, 20, 14), (4, -10, -8)])
def test_view_fitted_from_image_landmarks(roll, pitch, yaw):
    body = SeatedBody()
    n = 40
    joints = seated_joints(np.linspace(0, 40, n), np.linspace(0, 20, n), body=body)
    cam = PinholeCamera.looking_at(body.knee_centre(), roll_deg=roll, pitch_deg=pitch, yaw_deg=yaw)
    seq = sequence_from_joints(joints, cam)
    view = estimate_view_image(seq.image_px(), seq.frame_size)
    assert view.roll_deg == pytest.approx(roll, abs=0.1)
    assert view.pitch_deg == pytest.approx(pitch, abs=0.2) and view.yaw_deg == pytest.approx(yaw, abs=0.2)
    assert view.source == "image" and view.frames == n


@pytest.mark.parametrize("knee_width_m", [0.14, 0.42])
def test_view_fit_is_not_fooled_by_knees_apart_or_together(knee_width_m):
    body = SeatedBody(knee_width_m=knee_width_m)
    joints = seated_joints(np.linspace(0, 40, 40), np.linspace(0, 20, 40), body=body)
    seq = sequence_from_joints(joints, PinholeCamera.looking_at(body.knee_centre(), pitch_deg=25, yaw_deg=10))
    view = estimate_view_image(seq.image_px(), seq.frame_size)
    assert view.pitch_deg == pytest.approx(25, abs=1.0) and view.yaw_deg == pytest.approx(10, abs=1.0)


@pytest.mark.parametrize("hips_up_m, limit", [(0.8, {"max_pitch_deg": 45.0}), (1.5, {})])
def test_implausible_view_falls_back_to_roll_only(hips_up_m, limit):
    # hips drawn far above the knees look like a camera high above them: 0.8 m like one 54° above (a
    # plausible set-up since the limit is 60°), 1.5 m like one 65° above (beyond the default limit)
    body = SeatedBody()
    joints = seated_joints(np.zeros(30), np.zeros(30), body=body)
    joints[:, [L.LEFT_HIP, L.RIGHT_HIP], 1] += hips_up_m
    seq = sequence_from_joints(joints, PinholeCamera.looking_at(body.knee_centre(), roll_deg=4))
    view = estimate_view_image(seq.image_px(), seq.frame_size, **limit)
    assert view.source == "roll" and (view.pitch_deg, view.yaw_deg) == (0.0, 0.0)
    assert view.roll_deg == pytest.approx(4, abs=0.2)


def test_held_is_the_highest_level_sustained_for_the_hold_time():
    t = np.arange(0, 6, 0.02)
    x = np.where((t >= 1) & (t < 2.5), 30.0, 0.0)
    x[(t >= 3) & (t < 3.2)] = 60.0           # a spike far higher, but brief
    held = held_value(t, x, hold_s=1.0, percentile=0)
    assert held.deg == 30.0 and 1.0 <= held.start_s and held.end_s < 2.5
    assert held_value(t, x, hold_s=2.0, percentile=0).deg == 0.0     # nothing above rest lasts 2 s
    x[115] = np.nan                                                   # a hole late in the plateau
    assert held_value(t, x, hold_s=1.0, percentile=0).deg == 30.0    # one window still fits
    assert np.isnan(held_value(t[:20], x[:20], hold_s=1.0).deg)       # recording shorter than the hold


def test_sustained_levels_window_ends_at_each_sample():
    t = np.arange(10) * 0.5
    lv = sustained_levels(t, np.arange(10.0), hold_s=1.0, percentile=0)
    assert np.isnan(lv[:2]).all() and list(lv[2:]) == [0, 1, 2, 3, 4, 5, 6, 7]


def test_find_efforts_on_known_pulses():
    t = np.arange(0, 20, 0.05)
    x = np.zeros_like(t)
    for start, stop, level in ((2, 5, 25.0), (8, 9.5, 40.0), (12, 16, 18.0)):
        x[(t >= start) & (t < stop)] = level
    x[(t >= 17) & (t < 17.2)] = 30.0     # a 0.2 s flick: too short to be an effort
    efforts = find_efforts(t, x, hold_s=1.0, percentile=0)
    assert [(e.start_s, round(e.end_s, 2), e.held_deg) for e in efforts] == [
        (2.0, 4.95, 25.0), (8.0, 9.45, 40.0), (12.0, 15.95, 18.0)]
    assert [e.cls for e in efforts] == ["limited", "functional", "limited"]
    assert find_efforts(t, np.full_like(t, np.nan), hold_s=1.0) == []
    assert find_efforts(t, np.full_like(t, 3.0), hold_s=1.0) == []    # still leg: no effort


@pytest.mark.parametrize("angle,cls", [(None, None), (float("nan"), None), (-5, "limited"), (29.9, "limited"),
                                       (30, "functional"), (44.9, "functional"), (45, "target"), (60, "target")])
def test_classes(angle, cls):
    assert classify(angle) == cls


def test_settings_validated():
    with pytest.raises(ValueError):
        RotationSettings(estimator="magic")
    with pytest.raises(ValueError):
        RotationSettings(min_hold_s=0)


def test_held_value_does_not_pick_the_noise_of_the_best_window():
    # 3 s at 40° with MediaPipe-like slow wander (1° SD, 0.8 s) and jitter, filtered as files are: the best of
    # the overlapping 1-s windows is the one whose noise ran high (+0.7° on average); the whole hold is not
    from hipvision.core.filtering import smooth_offline
    from hipvision.synthetic.mediapipe_like import _slow_noise
    from hipvision.synthetic.seated import effort_profile

    t = np.arange(270) / 30.0
    truth = effort_profile(t, [(2.0, 40.0, 3.0)])
    best_window, whole_hold = [], []
    for seed in range(100):
        rng = np.random.default_rng(seed)
        x = truth + _slow_noise(rng, t.shape, dt_s=1 / 30, tau_s=0.8) + 0.5 * rng.normal(size=t.shape)
        x = smooth_offline(t, x, cutoff_hz=2.0, max_gap_s=0.5)
        best_window.append(held_value(t, x, hold_s=1.0, band_deg=0.0).deg - 40.0)
        whole_hold.append(held_value(t, x, hold_s=1.0).deg - 40.0)
    assert np.mean(best_window) > 0.5 and abs(np.mean(whole_hold)) < 0.2, (np.mean(best_window), np.mean(whole_hold))
