"""Degenerate but valid data: the numeric core rejects what it cannot use, it does not crash or blow up;
a malformed pose file is one line and exit code 2."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from hipvision.core.circles import analyze_circles
from hipvision.core.filtering import lowpass_zero_phase
from hipvision.core.rotation import Reason, analyze_rotation
from hipvision.core.rotation.seated import knee_travel, posture_steady
from hipvision.core.rotation.view import estimate_view_image
from hipvision.errors import InputError
from hipvision.io import load_sequence, save_sequence
from hipvision.landmarks import Landmark as L
from hipvision.sequence import PoseSequence
from hipvision.core.session import analyze_session
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints

N = 300
T = np.arange(N) / 30.0
EFFORTS = {"left": 35.0, "right": 25.0}


@pytest.fixture(scope="module")
def seated() -> PoseSequence:
    """10 s seated, left foot out to 35° (held 1.5–4 s), right to 25° (held 6–9 s), camera at knee height."""
    joints = seated_joints(effort_profile(T, [(0.5, EFFORTS["left"], 2.5)]),
                           effort_profile(T, [(5.0, EFFORTS["right"], 3.0)]))
    return sequence_from_joints(joints, PinholeCamera.looking_at(SeatedBody().knee_centre(), distance_m=2.0))


def collapsed(seq: PoseSequence, frames: slice, landmarks=slice(None)) -> PoseSequence:
    """``seq`` with the image landmarks of ``frames`` all moved onto one point (a broken detection)."""
    image = seq.image.copy()
    image[frames, landmarks, :2] = 0.5
    return dataclasses.replace(seq, image=image)


def test_view_fit_skips_frames_whose_landmarks_sit_on_one_point(seated):
    good = estimate_view_image(seated.image_px(), seated.frame_size)
    everything_on_one_point = collapsed(seated, slice(None))
    assert estimate_view_image(everything_on_one_point.image_px(), seated.frame_size).source == "default"
    knee_on_ankle = seated.image.copy()
    knee_on_ankle[::2, L.LEFT_KNEE] = knee_on_ankle[::2, L.LEFT_ANKLE]  # every other frame: no left shank
    half = estimate_view_image(knee_on_ankle[:, :, :2] * seated.frame_size, seated.frame_size)
    assert half.frames == len(seated) // 2
    assert half.roll_deg == pytest.approx(good.roll_deg, abs=0.3)
    assert half.pitch_deg == pytest.approx(good.pitch_deg, abs=0.5) and half.yaw_deg == pytest.approx(good.yaw_deg, abs=0.5)


def test_collapsed_frames_are_rejected_with_a_reason_and_the_rest_still_measured(seated):
    broken = collapsed(seated, slice(190, 205))  # while the right foot is held out
    result = analyze_rotation(broken)
    assert (result.reasons[190:205] != int(Reason.OK)).all()
    assert result.left.held_deg == pytest.approx(EFFORTS["left"], abs=1.5)
    assert result.right.held_deg == pytest.approx(EFFORTS["right"], abs=1.5)


def test_legs_collapsed_onto_one_point_in_some_frames_do_not_crash_the_fit(seated):
    legs = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE]
    result = analyze_rotation(collapsed(seated, slice(0, None, 3), legs))
    assert np.isfinite(result.view.roll_deg) and result.view.frames > 0
    assert result.left.held_deg == pytest.approx(EFFORTS["left"], abs=2.0)


def nanosecond_frames(seq: PoseSequence) -> PoseSequence:
    return dataclasses.replace(seq, timestamps_s=np.arange(len(seq)) * 1e-9)


def test_windows_are_bounded_by_the_number_of_frames_not_the_time_span(seated):
    px = seated.image_px()
    fast = np.arange(N) * 1e-9
    # with frames 1 ns apart a 0.5 s window holds every earlier frame: the same as an all-covering window
    np.testing.assert_array_equal(knee_travel(fast, px), knee_travel(T, px, window_s=100.0))
    flags = np.arange(N) % 3 == 0
    np.testing.assert_array_equal(posture_steady(fast, flags), posture_steady(T, flags, window_s=100.0))
    x = np.sin(T)[:, None]
    np.testing.assert_array_equal(lowpass_zero_phase(fast, x, cutoff_hz=2.0), x)  # no filter can be designed


@pytest.mark.parametrize("analyze", [analyze_rotation, analyze_circles, analyze_session])
def test_frames_one_nanosecond_apart_finish_in_bounded_memory(seated, analyze):
    tracemalloc.start()
    try:
        result = analyze(nanosecond_frames(seated))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200e6  # it tried ~15 GB
    assert result.to_dict()["duration_s"] == pytest.approx(0.0, abs=1e-6)


def test_nanosecond_frames_measure_no_held_angle(seated):
    result = analyze_rotation(nanosecond_frames(seated))
    assert not np.isfinite(result.left.held_deg)  # 0.3 µs of recording: nothing held for 1 s
    assert "left leg: not measured for 1 s in a row" in result.warnings and result.left.status == "not seen"


@pytest.mark.parametrize("meta_change,message", [
    ({"frame_size": [640]}, "frame_size must be (width, height) in pixels, got [640]"),
    ({"frame_size": "640x480"}, "frame_size must be (width, height) in pixels"),
    ({"frame_size": [640.5, 480]}, "frame_size must be (width, height) in pixels"),
    ({"frame_size": [-640, 480]}, "frame_size must be (width, height) in pixels"),
    ({"frame_size": [True, 480]}, "frame_size must be (width, height) in pixels"),
    ({"frame_size": None}, "frame_size must be (width, height) in pixels"),
    ({"fps": None}, "fps"),
    ({"fps": -30}, "fps must be a positive number"),
])
def test_a_malformed_pose_file_is_one_clear_error(seated, tmp_path, meta_change, message):
    path = save_sequence(seated, tmp_path / "p.npz")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["meta"]))
    meta.update(meta_change)
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    with pytest.raises(InputError, match="is not a hipvision pose file") as info:
        load_sequence(path)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_nonfinite_time_or_rate_is_refused(seated):
    with pytest.raises(ValueError, match="finite"):
        dataclasses.replace(seated, timestamps_s=np.where(T > 5, np.inf, T))
    with pytest.raises(ValueError, match="fps must be a positive number"):
        dataclasses.replace(seated, fps=float("nan"))


@pytest.mark.parametrize("command", ["rotation", "circles", "session"])
def test_malformed_pose_file_on_the_command_line_exits_2(seated, tmp_path, command):
    path = save_sequence(seated, tmp_path / "p.npz")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["meta"] = np.array(json.dumps({**json.loads(str(arrays["meta"])), "frame_size": [0, 0, 0]}))
    np.savez(path, **arrays)
    done = subprocess.run([sys.executable, "-m", "hipvision", command, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "frame_size must be (width, height)" in done.stderr and len(done.stderr.strip().splitlines()) == 1
