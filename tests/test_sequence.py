"""PoseSequence: validation, NaN rows, npz round trip, synthetic camera projection."""

import numpy as np
import pytest

from hipvision.errors import InputError
from hipvision.io import load_sequence, save_sequence
from hipvision.landmarks import MIRROR_PERMUTATION, Landmark
from hipvision.sequence import PoseSequence
from hipvision.synthetic import PinholeCamera, sequence_from_joints


def _random_sequence(n=12, seed=1):
    rng = np.random.default_rng(seed)
    joints = rng.normal([0, 1, 0], 0.3, (n, 33, 3))
    joints[3] = np.nan
    cam = PinholeCamera.looking_at(np.array([0, 1, 0]), distance_m=3)
    return sequence_from_joints(joints, cam, fps=25, source="unit")


def test_round_trip_keeps_every_field_and_nan_rows(tmp_path):
    seq = _random_sequence()
    path = save_sequence(seq, tmp_path / "poses.npz")
    back = load_sequence(path)
    assert len(back) == len(seq) == 12
    np.testing.assert_allclose(back.image, seq.image, atol=1e-6)
    np.testing.assert_allclose(back.world, seq.world, atol=1e-6)
    np.testing.assert_array_equal(back.timestamps_s, seq.timestamps_s)
    assert back.frame_size == seq.frame_size and back.fps == 25 and back.source == "unit"
    assert list(back.detected) == [i != 3 for i in range(12)]


def test_load_rejects_a_file_that_is_not_ours(tmp_path):
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a hipvision pose file"):
        load_sequence(bad)
    with pytest.raises(InputError, match="no such file"):
        load_sequence(tmp_path / "missing.npz")


def test_shape_and_time_validation():
    seq = _random_sequence(4)
    with pytest.raises(ValueError, match="strictly increasing"):
        PoseSequence(np.array([0, 1, 1, 2.0]), seq.image, seq.visibility, seq.presence, seq.world, (1, 1), 30)
    with pytest.raises(ValueError, match="image must have shape"):
        PoseSequence(seq.timestamps_s, seq.image[:, :10], seq.visibility, seq.presence, seq.world, (1, 1), 30)


def test_front_camera_puts_the_persons_right_on_image_left():
    joints = np.zeros((1, 33, 3))
    joints[0, :, 1] = 1.0
    joints[0, Landmark.RIGHT_HIP, 0] = -0.1  # person faces +Z, right side at -X
    joints[0, Landmark.LEFT_HIP, 0] = 0.1
    seq = sequence_from_joints(joints, PinholeCamera.looking_at(np.array([0, 1, 0]), distance_m=2))
    assert seq.image[0, Landmark.RIGHT_HIP, 0] < 0.5 < seq.image[0, Landmark.LEFT_HIP, 0]
    assert seq.world[0, Landmark.LEFT_HIP, 0] == pytest.approx(0.1)


def test_camera_roll_rotates_the_image_counter_clockwise():
    point = np.array([[[0.5, 1.0, 0.0]] * 33])  # to the person's left → image right
    level = sequence_from_joints(point, PinholeCamera.looking_at(np.array([0, 1, 0]), distance_m=2))
    rolled = sequence_from_joints(point, PinholeCamera.looking_at(np.array([0, 1, 0]), distance_m=2, roll_deg=10))
    # counter-clockwise on screen (y down): a point right of centre moves up
    assert rolled.image[0, 0, 1] < level.image[0, 0, 1] == pytest.approx(0.5)


def test_mirror_permutation_swaps_sides_only():
    assert MIRROR_PERMUTATION[Landmark.LEFT_KNEE] == Landmark.RIGHT_KNEE
    assert MIRROR_PERMUTATION[Landmark.NOSE] == Landmark.NOSE
    assert sorted(MIRROR_PERMUTATION) == list(range(33))


def test_results_are_readable_like_any_new_file(tmp_path):
    import os
    import stat

    from hipvision.io import write_text_atomic

    umask = os.umask(0o022)
    try:
        path = write_text_atomic(tmp_path / "r.json", "{}")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_ctrl_c_while_saving_poses_is_held_until_the_file_is_complete(tmp_path):
    """A Ctrl-C in the middle of writing a pose file: the file is finished (it loads), then the interrupt goes up,
    and Python's exit prints nothing (an interrupt inside numpy's zip writer printed a traceback at exit)."""
    import subprocess
    import sys
    import textwrap
    script = textwrap.dedent(f"""
        import os, signal
        import numpy as np
        from hipvision.io.files import load_sequence, save_sequence
        from hipvision.sequence import PoseSequence
        n = 50
        seq = PoseSequence(np.arange(n) / 20.0, np.zeros((n, 33, 3)), np.ones((n, 33)), np.ones((n, 33)),
                           np.zeros((n, 33, 3)), (640, 480), 20.0)
        calls = []
        real = np.lib.format.write_array
        def interrupted(*args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                os.kill(os.getpid(), signal.SIGINT)
            return real(*args, **kwargs)
        np.lib.format.write_array = interrupted
        target = {str(tmp_path / 'poses.npz')!r}
        try:
            save_sequence(seq, target)
        except KeyboardInterrupt:
            print("interrupted after saving", len(load_sequence(target).timestamps_s), "frames")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (proc.stdout.strip(), proc.stderr) == ("interrupted after saving 50 frames", "")
