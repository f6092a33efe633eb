"""Frames → landmarks: SequenceBuilder, PoseTracker on real video, the `extract` command."""

from __future__ import annotations

import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import write_video

from hipvision.cli import main
from hipvision.errors import ModelError
from hipvision.io import load_sequence, save_sequence
from hipvision.landmarks import Landmark as L
from hipvision.pose import FramePose, PoseTracker, SequenceBuilder, extract, poses_from_input
from hipvision.io.sources import Frame, open_source
from hipvision.synthetic import PinholeCamera, sequence_from_joints

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

LOWER_BODY = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE]

#: Sports2D demo: lower-body regions (x0, y0, x1, y1 px in the 1768x994 frame) of the person the
#: tracker must be following, drawn by hand on the frames (hips to feet, with a margin).
SPORTS2D_REGIONS = {
    30: ("man on the box, jumping jack; only person in view", (480, 200, 780, 480)),
    100: ("man on the box; the woman walks in front, larger and more central", (560, 200, 760, 480)),
    190: ("woman leaving on the left (a foot past the edge); the man stands mid-frame", (-30, 650, 230, 960)),
    220: ("man on the right, after the woman has gone", (1300, 650, 1560, 920)),
}


def _synthetic_sequence(n=12, dropouts=0.25):
    rng = np.random.default_rng(7)
    joints = rng.normal([0, 1.0, 0], [0.2, 0.4, 0.1], (n, 33, 3))
    camera = PinholeCamera.looking_at(np.array([0, 1.0, 0]), distance_m=3.0)
    return sequence_from_joints(joints, camera, fps=25.0, dropout_fraction=dropouts, seed=1)


def _frame_poses(seq):
    return [FramePose(float(seq.timestamps_s[i]), seq.image[i], seq.visibility[i], seq.presence[i], seq.world[i])
            for i in range(len(seq))]


# ---------------------------------------------------------------------------------------- builder

def test_builder_reassembles_a_known_sequence():
    seq = _synthetic_sequence()
    builder = SequenceBuilder(fps=seq.fps, frame_size=seq.frame_size, source="synthetic", model="m")
    for pose in _frame_poses(seq):
        builder.append(pose)
    out = builder.build()
    assert (len(out), out.fps, out.frame_size, out.source, out.model) == (12, 25.0, (1280, 720), "synthetic", "m")
    for name in ("timestamps_s", "image", "visibility", "presence", "world"):
        np.testing.assert_array_equal(getattr(out, name), getattr(seq, name))
    np.testing.assert_array_equal(out.detected, [p.detected for p in _frame_poses(seq)])
    assert 0 < out.detection_rate < 1  # the dropouts stay as NaN rows


def test_builder_grows_past_its_blocks_and_a_built_sequence_does_not_change_afterwards():
    """Hundreds of frames (several block growths); a sequence built midway keeps its rows as they were."""
    builder = SequenceBuilder(fps=10, frame_size=(10, 10), source="s", model="m")
    rng = np.random.default_rng(1)
    rows = [rng.random((33, 3)) for _ in range(500)]
    early = None
    for i, row in enumerate(rows):
        builder.append(FramePose(i / 10, row, np.full(33, i / 500), np.ones(33), -row, hip_growth=i * 1e-3))
        if i == 99:
            early = builder.build()
    out = builder.build()
    np.testing.assert_array_equal(out.image, np.stack(rows))
    np.testing.assert_array_equal(out.world, -np.stack(rows))
    np.testing.assert_allclose(out.hip_growth, np.arange(500) * 1e-3)
    np.testing.assert_array_equal(out.visibility[:, 0], np.arange(500) / 500)
    assert len(early) == 100 and np.array_equal(early.image, np.stack(rows[:100]))
    early.image[0] = 0.0  # a built sequence is the caller's own: the builder is untouched
    assert np.array_equal(builder.build().image[0], rows[0])
    sized = SequenceBuilder(fps=10, frame_size=(10, 10), source="s", model="m", expected_frames=300)
    for i, row in enumerate(rows):  # past its expected size: grows like the others
        sized.append(FramePose(i / 10, row, np.full(33, i / 500), np.ones(33), -row, hip_growth=i * 1e-3))
    np.testing.assert_array_equal(sized.build(copy=False).image, out.image)


def test_builder_rejects_time_going_backwards_and_bad_shapes():
    builder = SequenceBuilder(fps=30, frame_size=(10, 10), source="s", model="m")
    builder.append(FramePose.missing(0.5))
    with pytest.raises(ValueError, match="not after"):
        builder.append(FramePose.missing(0.5))
    bad = FramePose(1.0, np.zeros((32, 3)), np.zeros(32), np.zeros(32), np.zeros((32, 3)))
    with pytest.raises(ValueError, match="33"):
        builder.append(bad)
    assert len(builder.build()) == 1
    assert len(SequenceBuilder(fps=30, frame_size=(10, 10), source="s", model="m").build()) == 0


def test_missing_frame_pose():
    pose = FramePose.missing(1.5)
    assert not pose.detected and pose.timestamp_s == 1.5 and np.isnan(pose.world).all()
    assert (pose.visibility == 0).all()


def test_poses_from_input_loads_an_extracted_npz(tmp_path):
    seq = _synthetic_sequence()
    path = save_sequence(seq, tmp_path / "poses.npz")
    loaded = poses_from_input(path)
    np.testing.assert_array_equal(loaded.image, seq.image.astype(np.float32))


# ------------------------------------------------------------------------------- model loading

def _zip_without_models(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not a model")
    return path


@pytest.mark.parametrize("make", [
    lambda tmp: tmp / "absent.task",
    lambda tmp: (tmp / "noise.task", (tmp / "noise.task").write_bytes(b"\x00garbage" * 100))[0],
    lambda tmp: _zip_without_models(tmp / "empty.task"),
])
def test_bad_model_raises_model_error(tmp_path, make):
    with pytest.raises(ModelError) as info:
        PoseTracker(make(tmp_path))
    assert "\n" not in str(info.value)


def test_missing_model_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        PoseTracker(tmp_path / "gone.task")


# ------------------------------------------------------------------------------------------ CLI

def _run_cli(capsys, *args):
    code = main(["extract", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def _bad_model(tmp):
    path = tmp / "bad.task"
    path.write_bytes(b"not a model bundle")
    return path


@pytest.mark.parametrize("case, args, message", [
    ("missing file", lambda tmp, v: [tmp / "nope.mp4", "-o", tmp / "p.npz"], "no such file"),
    ("corrupt video", lambda tmp, v: [(tmp / "bad.mp4", (tmp / "bad.mp4").write_bytes(b"x" * 999))[0],
                                      "-o", tmp / "p.npz"], "cannot read video"),
    ("zero frames", lambda tmp, v: [write_video(tmp / "zero.avi", frames=0, fourcc="MJPG"), "-o", tmp / "p.npz"],
     "no readable frames"),
    ("no camera", lambda tmp, v: ["--camera", "9", "-o", tmp / "p.npz"], "cannot open camera 9"),
    ("bad model file", lambda tmp, v: [v, "-o", tmp / "p.npz", "--model", _bad_model(tmp)], "pose model"),
    ("missing model file", lambda tmp, v: [v, "-o", tmp / "p.npz", "--model", tmp / "gone.task"], "does not exist"),
    ("unwritable output", lambda tmp, v: [v, "-o", tmp / "no" / "such" / "p.npz"], "does not exist"),
    ("output is a folder", lambda tmp, v: [v, "-o", (tmp / "d.npz", (tmp / "d.npz").mkdir())[0]], "is a folder"),
    ("video and camera", lambda tmp, v: [v, "--camera", "0", "-o", tmp / "p.npz"], "exactly one"),
    ("neither", lambda tmp, v: ["-o", tmp / "p.npz"], "exactly one"),
])
def test_cli_errors_are_one_line_and_exit_2(tmp_path, tiny_video, capsys, case, args, message):
    code, out, err = _run_cli(capsys, *args(tmp_path, tiny_video))
    assert code == 2, case
    assert message in err and err.strip().count("\n") == 0, err
    assert "Traceback" not in err and not list(tmp_path.glob("**/p.npz"))


# ------------------------------------------------------------------------ real MediaPipe (slow)

@pytest.fixture(scope="session")
def sports2d_poses(sports2d_video, model_path):
    """The whole Sports2D demo (230 frames) through the default tracker, with its stats."""
    with open_source(sports2d_video) as source, PoseTracker(model_path) as tracker:
        seq = extract(source, tracker, progress=False)
        return seq, dict(tracker.stats)


@pytest.mark.slow
def test_sports2d_detection_rate_and_timestamps(sports2d_poses):
    seq, stats = sports2d_poses
    assert len(seq) == 230 and seq.frame_size == (1768, 994) and seq.model == "pose_landmarker_full"
    np.testing.assert_allclose(seq.timestamps_s, np.arange(230) / 30.0, atol=1e-3)
    assert seq.detection_rate >= 0.90
    assert stats["search_hits"] >= 1  # the man on the box is missed by the whole-frame detector at first
    world = seq.world[seq.detected]
    hip_width = np.linalg.norm(world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP], axis=1)
    assert 0.1 < np.median(hip_width) < 0.4  # metres


@pytest.mark.slow
@pytest.mark.parametrize("frame", sorted(SPORTS2D_REGIONS))
def test_sports2d_lower_body_lies_on_the_followed_person(sports2d_poses, frame):
    seq, _ = sports2d_poses
    what, (x0, y0, x1, y1) = SPORTS2D_REGIONS[frame]
    assert seq.detected[frame], what
    px = seq.image_px()[frame, LOWER_BODY]
    inside = (px[:, 0] >= x0) & (px[:, 0] <= x1) & (px[:, 1] >= y0) & (px[:, 1] <= y1)
    assert inside.all(), f"frame {frame} ({what}): {np.round(px).astype(int).tolist()} not in {(x0, y0, x1, y1)}"


def _padded(image, scale, offset_frac=(0.3, 0.6)):
    """``image`` placed, unscaled, in a grey canvas ``scale`` times its size; returns (canvas, offset px)."""
    h, w = image.shape[:2]
    canvas = np.full((h * scale, w * scale, 3), 90, np.uint8)
    ox, oy = int(w * (scale - 1) * offset_frac[0]), int(h * (scale - 1) * offset_frac[1])
    canvas[oy:oy + h, ox:ox + w] = image
    return canvas, np.array([ox, oy])


def _read_frames(path, start, count):
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_POS_FRAMES, start)
    frames = [cap.read()[1] for _ in range(count)]
    cap.release()
    return frames


@pytest.mark.slow
def test_small_person_found_by_tile_search_and_mapped_back(sports2d_video, model_path):
    """Frame 120 padded into a canvas twice its size: the woman is ~19 % of the frame height
    (~200 px in 1080p). The whole-frame detector misses her; the tile search finds her, and her
    landmarks land where they are on the unpadded frame."""
    image = _read_frames(sports2d_video, 120, 1)[0]
    canvas, offset = _padded(image, 2)
    with PoseTracker(model_path, crop_search=False) as plain:
        reference = plain.process(Frame(0, 0.0, image))
    assert reference.detected
    with PoseTracker(model_path, crop_search=False) as plain:
        assert not plain.process(Frame(0, 0.0, canvas)).detected  # whole frame only: missed
    with PoseTracker(model_path) as tracker:
        found = tracker.process(Frame(0, 0.0, canvas))
        assert tracker.stats["search_hits"] == 1 and tracker.window is not None
    assert found.detected
    h, w = canvas.shape[:2]
    got = found.image[:, :2] * [w, h] - offset
    ref = reference.image[:, :2] * image.shape[1::-1]
    error_px = np.linalg.norm(got - ref, axis=1)
    height_px = np.ptp(ref[:, 1])
    assert np.median(error_px) < 0.02 * height_px and np.median(error_px[LOWER_BODY]) < 0.03 * height_px
    np.testing.assert_allclose(found.world[LOWER_BODY], reference.world[LOWER_BODY], atol=0.08)


@pytest.mark.slow
def test_no_tracking_across_a_long_gap(sports2d_video, model_path):
    """VIDEO mode tracks from the last frame's regions; after a gap the tracker starts afresh
    instead of reading landmarks off whatever now lies there (here: a frame it cannot see a person in)."""
    image = _read_frames(sports2d_video, 120, 1)[0]
    canvas, _ = _padded(image, 2)
    with PoseTracker(model_path, crop_search=False) as tracker:
        assert tracker.process(Frame(0, 0.0, image)).detected
        assert not tracker.process(Frame(1, 2.0, canvas)).detected


@pytest.mark.slow
def test_small_person_followed_in_a_crop_over_frames(sports2d_video, model_path):
    """Padded frames 120-134: after the search the tracker follows the woman in a crop window."""
    images = _read_frames(sports2d_video, 120, 15)
    padded = [_padded(im, 2) for im in images]
    with PoseTracker(model_path, crop_search=False) as plain:
        refs = [plain.process(Frame(i, i / 30, im)) for i, im in enumerate(images)]
    with PoseTracker(model_path) as tracker:
        poses = [tracker.process(Frame(i, i / 30, canvas)) for i, (canvas, _) in enumerate(padded)]
        stats = dict(tracker.stats)
    assert all(p.detected for p in poses) and all(r.detected for r in refs)
    assert stats["crop_frames"] >= 10 and stats["searches"] == 1
    h, w = padded[0][0].shape[:2]
    offset = padded[0][1]
    errors = [np.median(np.linalg.norm(p.image[LOWER_BODY, :2] * [w, h] - offset
                                       - r.image[LOWER_BODY, :2] * [1768, 994], axis=1)) for p, r in zip(poses, refs)]
    assert np.median(errors) < 12  # px, for a person ~380 px tall


def test_overlapping_quiet_blocks_on_two_threads_restore_stderr(capfd):
    """A file tracked in segments runs two models at once (`hipvision.pose.segments`), each call in a block that
    points fd 2 away: blocks that overlap in any order leave fd 2 and OpenCV's log level as they were."""
    import os
    import threading

    from hipvision.io.sources import quiet_native_logs

    level = cv2.utils.logging.getLogLevel()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with quiet_native_logs():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with quiet_native_logs():  # entered after the first, left after it: fd 2 must come back all the same
        second_in.set()
        first_out.wait(5)
        os.write(2, b"hidden\n")
    thread.join()
    os.write(2, b"shown\n")
    assert capfd.readouterr().err == "shown\n"
    assert cv2.utils.logging.getLogLevel() == level


@pytest.mark.slow
def test_blank_frames_give_missing_poses_and_a_rate_limited_search(model_path):
    with PoseTracker(model_path, search_every_s=1.0) as tracker:
        poses = [tracker.process(Frame(i, i / 10, np.full((240, 320, 3), 128, np.uint8))) for i in range(12)]
        assert tracker.stats["searches"] == 2  # at 0 s and 1.0 s
    assert not any(p.detected for p in poses)
    assert [p.timestamp_s for p in poses] == [i / 10 for i in range(12)]


@pytest.mark.slow
def test_no_tile_search_soon_after_the_subject_was_seen_large(model_path):
    """A person who filled the frame and then vanished left or is hidden: searching tiles would not find them."""
    cap = cv2.VideoCapture(str(SAMPLES / "hip_circles.mp4"))
    person = cap.read()[1]
    cap.release()
    blank = np.full_like(person, 128)
    with PoseTracker(model_path, search_every_s=1.0) as tracker:
        assert tracker.process(Frame(0, 0.0, person)).detected
        for i in range(1, 30):  # 0.1 .. 2.9 s: nobody, no search
            tracker.process(Frame(i, i / 10, blank))
        assert tracker.stats["searches"] == 0
        tracker.process(Frame(30, 6.0, blank))  # long after: they may be back, small
        assert tracker.stats["searches"] == 1


@pytest.mark.slow
@pytest.mark.parametrize("verbose", [False, True])
def test_native_log_lines_hidden_unless_verbose(model_path, capfd, verbose):
    with PoseTracker(model_path, verbose=verbose):
        pass
    err = capfd.readouterr().err
    assert ("XNNPACK" in err) is verbose


@pytest.mark.slow
@pytest.mark.parametrize("as_camera", [False, True])
def test_cli_extract_writes_poses_and_a_summary(sports2d_video, model_path, tmp_path, capsys, as_camera):
    out = tmp_path / "poses.npz"
    source = ["--camera", sports2d_video] if as_camera else [sports2d_video]
    code, stdout, err = _run_cli(capsys, *source, "-o", out, "--max-frames", 12, "--model", model_path)
    assert code == 0, err
    seq = load_sequence(out)
    assert len(seq) == 12 and seq.source == sports2d_video.name and seq.model == "pose_landmarker_full"
    assert f"wrote {out}" in stdout and "12 frames" in stdout and "person found in" in stdout
    assert "frames/s" in stdout
