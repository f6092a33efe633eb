"""From behind, a camera looking down steeply sees the hips' sit-back as their height in the image
(`hipvision.core.circles.elevation`), while the pose model's forward-back motion is faint and follows the
side-to-side one (rendered from a shelf: 2 + 2 counted 2 + 1 on seeds 5901 and 5925). Known answers: synthetic
circles with the pose model's forward motion replaced by an in-step copy of the side-to-side one."""

from dataclasses import replace

import numpy as np
import pytest

from hipvision.core.circles import CirclesSettings, analyze_circles
from hipvision.core.circles.analyze import body_path
from hipvision.core.circles.elevation import (ElevationSettings, floor_foreshortening,
                                              hip_image_motion_m, in_camera_frame, in_line, looks_down,
                                              world_across_scale)
from hipvision.landmarks import Landmark as L
from hipvision.synthetic.quadruped import Circles, Hold, Rock, pelvis_script, quadruped_camera, render_quadruped

CIRCLES = pelvis_script([Hold(1.5), Circles(3, 0.08, True, 3.0), Hold(2.0), Circles(3, 0.08, False, 3.0), Hold(1.5)])
NEVER = replace(CirclesSettings(), elevation=ElevationSettings(looks_down_sin=2.0))  # the change switched off
#: Steep enough that the ideal synthetic legs read as looking down (they read the elevation at the knees, about 66°
#: here; MediaPipe's legs of rendered shelf videos, 44-47° at the knees, read as much: see `ElevationSettings`).
STEEP_DEG = 58.0


def _forward_in_step(script, leak: float = 1.5):
    """The script as the pose model saw it from behind: no forward motion of its own, ``leak`` × the side-to-side."""
    offset = script.offset_m.copy()
    offset[:, 0] = leak * offset[:, 1]
    return replace(script, offset_m=offset)


def _filmed(script, view="behind", pitch_deg: float = STEEP_DEG, seed: int = 3):
    """Image landmarks of ``script``, world landmarks of `_forward_in_step` of it."""
    camera = quadruped_camera(view, pitch_deg=pitch_deg)
    seq = render_quadruped(script, camera=camera, seed=seed)
    return replace(seq, world=render_quadruped(_forward_in_step(script), camera=camera, seed=seed).world)


def test_circles_from_a_steep_camera_behind_count_from_the_hips_image_height():
    seq = _filmed(CIRCLES)
    res = analyze_circles(seq)
    assert [r.direction for r in res.reps] == CIRCLES.directions
    assert analyze_circles(seq, NEVER).total == 0  # the pose model's depth alone: a tilted line


def test_a_path_read_from_the_image_says_so_and_does_not_send_the_camera_up_again():
    """Looking down from behind, the forward-back half is read from the hips' image height: the track says so
    (`CircleTrack.path_from_image`), the result notes it instead of warning that it is "seen only in depth", and no
    reason or warning tells the person to raise the camera onto a shelf, where it already is."""
    from hipvision.core.circles.confidence import SHELF_BEHIND
    from hipvision.core.circles.summary import FROM_IMAGE_NOTE

    res = analyze_circles(_filmed(CIRCLES))
    assert res.track.path_from_image
    assert FROM_IMAGE_NOTE.format(40) in res.info
    assert not any(w.startswith("camera in line with the body") for w in res.warnings)
    assert SHELF_BEHIND not in res.confidence.changes and not any("shelf" in w for w in res.warnings)
    level = analyze_circles(_filmed(CIRCLES, pitch_deg=10.0))  # from table height: not read from the image
    assert not level.track.path_from_image and FROM_IMAGE_NOTE.format(40) not in level.info


def test_a_person_far_away_is_not_read_from_the_image():
    """The elevation index was set on people spanning about half the frame or more; a far person's legs are drawn
    too steep (a session filmed 3.9 m behind the hips from 13° read as looking down: 2 + 3 counted for 3 + 3,
    `high`). The same recording with the person shrunk about the frame's centre (the index is scale-free, so it
    still reads "looks down") spans 0.34 of the frame: its path stays the pose model's, and the result is low."""
    from hipvision.core.circles.analyze import frame_fill

    near = _filmed(CIRCLES)
    image = near.image.copy()
    image[..., :2] = 0.5 + 0.4 * (image[..., :2] - 0.5)
    far = replace(near, image=image)
    path = body_path(far, CirclesSettings())
    assert frame_fill(far, path.valid) < ElevationSettings().min_fill < frame_fill(near, body_path(near).valid)
    assert body_path(near).from_image and not path.from_image
    assert analyze_circles(far).confidence.level == "low"


@pytest.mark.parametrize("axis", [0, 90])
def test_rocking_from_a_steep_camera_behind_stays_no_circle(axis):
    rock = pelvis_script([Hold(1.5), Rock(5, 0.08, 3.0, axis_deg=axis), Hold(1.5)])
    assert analyze_circles(_filmed(rock)).total == 0


@pytest.mark.parametrize("view, pitch_deg", [("behind", 10.0), ("behind", -4.0), ("side", STEEP_DEG),
                                             ("45", STEEP_DEG)])
def test_a_level_camera_or_one_not_in_line_leaves_the_path_alone(view, pitch_deg):
    seq = _filmed(CIRCLES, view, pitch_deg)
    with_change, without = body_path(seq), body_path(seq, NEVER)
    np.testing.assert_array_equal(with_change.pelvis, without.pelvis)
    np.testing.assert_array_equal(with_change.az, without.az)


def test_the_foreshortening_reads_the_sine_of_the_elevation_on_ideal_legs():
    for pitch_deg, lo, hi in ((10.0, 0.15, 0.35), (35.0, 0.6, 0.75), (STEEP_DEG, 0.87, 0.97)):
        seq = render_quadruped(CIRCLES, camera=quadruped_camera("behind", pitch_deg=pitch_deg), seed=3)
        az = body_path(seq).az
        assert lo <= np.nanmedian(floor_foreshortening(seq.image_px(), seq.world, az)) <= hi, pitch_deg


def test_looks_down_needs_enough_frames_in_line():
    seq = render_quadruped(CIRCLES, camera=quadruped_camera("behind", pitch_deg=STEEP_DEG), seed=3)
    path = body_path(seq)
    assert looks_down(seq.image_px(), seq.world, path.valid, path.az)
    few = path.valid & (np.arange(len(seq)) < 20)
    assert not looks_down(seq.image_px(), seq.world, few, path.az)
    assert not looks_down(seq.image_px(), seq.world, path.valid, path.az + 90.0)  # as if side-on
    assert list(in_line(np.array([0.0, 44.0, 46.0, 90.0, 136.0, 180.0, -150.0, np.nan]), 45.0)) == [
        True, True, False, False, True, True, True, False]


def test_the_hips_image_height_follows_their_motion_toward_the_camera():
    seq = render_quadruped(CIRCLES, camera=quadruped_camera("behind", pitch_deg=STEEP_DEG), seed=3, noise_px=0.0)
    valid = np.ones(len(seq), bool)
    toward = -CIRCLES.offset_m[:, 0]  # from behind, back is toward the camera
    depth = hip_image_motion_m(seq.image_px(), seq.world, valid, float(np.sin(np.radians(STEEP_DEG))))[:, 0]
    assert np.corrcoef(depth, toward)[0, 1] > 0.98
    assert np.std(depth) == pytest.approx(np.std(toward), rel=0.3)  # (the hips also drop as they sit back)


def test_the_hips_image_motion_follows_the_true_path_in_the_cameras_frame():
    seq = render_quadruped(CIRCLES, camera=quadruped_camera("behind", pitch_deg=STEEP_DEG), seed=3, noise_px=0.0)
    sin_elevation = float(np.sin(np.radians(STEEP_DEG)))
    motion = hip_image_motion_m(seq.image_px(), seq.world, np.ones(len(seq), bool), sin_elevation)
    right = CIRCLES.offset_m[:, 1]  # from behind the person's right is the image's right
    assert np.corrcoef(motion[:, 1], right)[0, 1] > 0.98
    assert np.std(motion[:, 1]) == pytest.approx(np.std(right), rel=0.2)


def test_in_camera_frame_turns_the_image_motion_into_forward_and_right_with_the_camera_straight_in_line():
    pelvis = np.array([[0.1, 0.2], [0.3, -0.1], [0.0, 0.0], [0.2, 0.1]])
    az = np.array([160.0, -170.0, 90.0, 20.0])  # behind (turned), behind, side-on (not used), in front
    motion = np.array([[0.05, 0.01], [np.nan, 0.0], [0.07, 0.07], [0.02, 0.03]])  # [toward the camera, image right]
    out, az_out = in_camera_frame(pelvis, az, motion, np.array([True, True, False, True]))
    offset = np.median(pelvis[[0, 3]], axis=0)  # the frames taken from the image keep the posture's offset
    np.testing.assert_allclose(out, [offset + [-0.05, 0.01], [0.3, -0.1], [0.0, 0.0], offset + [0.02, -0.03]],
                               atol=1e-12)
    np.testing.assert_allclose(az_out, [180.0, -170.0, 90.0, 0.0])


def test_a_turned_world_skeleton_behind_no_longer_turns_the_path():
    """The pose model's body frame from behind turned (azimuth read 153-179° on rendered shelf videos; here the
    world landmarks turned 15° about the vertical, read 154°): the path, taken from the image, follows the camera
    (d143119, the image's depth against the world's across axis: its path moved up to 7 cm)."""
    seq = _filmed(CIRCLES)
    turn = np.radians(15.0)
    rot = np.array([[np.cos(turn), 0.0, np.sin(turn)], [0.0, 1.0, 0.0], [-np.sin(turn), 0.0, np.cos(turn)]])
    turned = replace(seq, world=seq.world @ rot.T)  # about the vertical (world y)
    a, b = body_path(seq), body_path(turned)
    ok = a.valid & b.valid
    np.testing.assert_allclose(a.dev[ok], b.dev[ok], atol=0.005)
    np.testing.assert_allclose(b.az[ok], 180.0)  # straight behind
    assert [r.direction for r in analyze_circles(turned).reps] == CIRCLES.directions


def test_the_across_scale_brings_the_image_motion_to_the_pose_models_side_to_side_motion():
    """`world_across_scale`: the ratio of the two side-to-side spreads about their moving means (a slow drift of where
    the person kneels does not count); 1.0 without motion, with too few frames or beyond ``max_scale``."""
    t = np.arange(300) / 30.0
    right = 0.08 * np.sin(2 * np.pi * t / 3.0)
    pelvis = np.stack([np.zeros_like(t), right + 0.02 * t], axis=1)  # a 20 cm drift over the 10 s: not a circle
    image = np.stack([np.zeros_like(t), 0.7 * right], axis=1)
    use, seg = np.ones(len(t), bool), np.zeros(len(t), int)
    assert world_across_scale(t, image, pelvis, use, seg) == pytest.approx(1 / 0.7, rel=0.05)
    assert world_across_scale(t, image, pelvis, use & (t < 0.5), seg) == 1.0  # 15 frames: too few
    assert world_across_scale(t, 0.0 * image, pelvis, use, seg) == 1.0
    assert world_across_scale(t, 0.3 * image, pelvis, use, seg) == 1.0  # 4.8 times: beyond max_scale


def test_circles_from_a_shelf_keep_their_size_when_the_pose_model_puts_the_hips_closer_together():
    """MediaPipe sets the hips closer together than the joints, which shrank the image path (its scale is the image
    hip width over the world one): with the world hips 25% narrower the circles' side-to-side size stays within 10%
    of the truth, taken from the pose model's own side-to-side motion (it read 0.75 with the hip width's scale)."""
    seq = _filmed(CIRCLES, seed=4)
    world = seq.world.copy()
    mid = (world[:, L.LEFT_HIP] + world[:, L.RIGHT_HIP]) / 2
    for hip in (L.LEFT_HIP, L.RIGHT_HIP):
        world[:, hip] = mid + 0.75 * (world[:, hip] - mid)
    path = body_path(replace(seq, world=world))
    ok = path.valid & np.all(np.isfinite(path.dev), axis=1)
    assert np.std(path.dev[ok, 1]) == pytest.approx(np.std(CIRCLES.offset_m[ok, 1]), rel=0.1)


def test_a_level_camera_behind_is_unchanged():
    seq = _filmed(CIRCLES, "behind", 10.0)
    assert not looks_down(seq.image_px(), seq.world, body_path(seq).valid, body_path(seq).az)
    with_change, without = analyze_circles(seq), analyze_circles(seq, NEVER)
    assert with_change.to_dict() == without.to_dict()
