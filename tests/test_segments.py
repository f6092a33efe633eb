"""A video file tracked in segments on several threads (`hipvision.pose.segments`): the same frames and times as
one pass, the same person followed, the same counts."""

from __future__ import annotations

import contextlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from hipvision.landmarks import Landmark as L
from hipvision.pose import poses_from_input
from hipvision.pose.segments import MIN_SEGMENT_S, WARMUP_S, FrameTally, plan, same_person, segment_count
from hipvision.sequence import PoseSequence

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


# ------------------------------------------------------------------------------------------- plan

@pytest.mark.parametrize("frames, count", [(685, 2), (1000, 3), (1001, 4)])
def test_segments_cover_every_frame_once_and_each_later_one_starts_a_second_early(frames, count):
    parts = plan(frames, 20.0, count)
    assert [p.start for p in parts][0] == 0 and parts[0].first == 0
    for before, after in zip(parts, parts[1:]):
        assert before.end == after.start  # kept rows: consecutive, no gap, no overlap
        assert after.start - after.first == round(WARMUP_S * 20.0)
    assert parts[-1].end > 10 * frames  # the last one reads to the end, whatever the count announced
    sizes = [p.end - p.start for p in parts[:-1]] + [frames - parts[-1].start]
    assert max(sizes) - min(sizes) <= 1


def test_short_files_and_unknown_lengths_are_not_split():
    fps = 20.0
    per = int(MIN_SEGMENT_S * fps)
    assert segment_count(None, fps, wanted=4) == 1
    assert segment_count(2 * per - 1, fps, wanted=4) == 1
    assert segment_count(2 * per, fps, wanted=4) == 2
    assert segment_count(100 * per, fps, wanted=3) == 3
    assert segment_count(100 * per, fps, wanted=1) == 1


def test_a_five_second_clip_runs_in_two_segments():
    """A 5 s clip is worth splitting: on two cores its whole command then ran at 1.08-1.13 of a plain decode-and-detect
    script, 0.84-0.89 unsplit (docs/speed.md, "Five-second clips in two segments"); 3 s is not split."""
    assert segment_count(100, 20.0) == 2
    assert segment_count(75, 15.0) == 2
    assert segment_count(60, 20.0) == 1


def test_progress_counts_each_frame_once_when_a_segment_reads_the_next_ones_frames_again():
    ticks = []
    advance = FrameTally(ticks.append, 10)
    for index in [0, 1, 2, 5, 6, 7, 3, 4, 5, 6, 7, 8, 9, 12]:  # the first segment went on through the second's
        advance(index)
    assert sum(ticks) == 11  # 0-9 and 12 (past the count the container announced)


def _walker(n: int, *, x0: float, seen: np.ndarray | None = None) -> PoseSequence:
    """A person whose hips sit at x0 (normalised), torso 0.2 of the frame height, drifting a little."""
    seq = PoseSequence.empty(n, fps=20.0, frame_size=(640, 480))
    image = np.zeros((n, 33, 3))
    image[:, :, 0] = x0 + 0.001 * np.arange(n)[:, None]
    image[:, :, 1] = 0.5
    image[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 1] = 0.3
    if seen is not None:
        image[~seen] = np.nan
    return PoseSequence(seq.timestamps_s, image, seq.visibility, seq.presence, image.copy(), (640, 480), 20.0)


def test_same_person_by_the_hips_over_the_second_half_of_the_overlap():
    n = 20
    here = _walker(n, x0=0.3)
    assert same_person(here, _walker(n, x0=0.31), (640, 480))  # MediaPipe's noise: a few pixels
    assert not same_person(here, _walker(n, x0=0.7), (640, 480))  # the other person
    nobody = np.zeros(n, bool)
    assert same_person(_walker(n, x0=0.3, seen=nobody), _walker(n, x0=0.7, seen=nobody), (640, 480))
    assert not same_person(here, _walker(n, x0=0.3, seen=nobody), (640, 480))  # lost where the other followed
    late = np.arange(n) >= n // 2 - 2  # the later tracker found them only after a few frames: first half free
    assert same_person(here, _walker(n, x0=0.3, seen=late), (640, 480))


# ------------------------------------------------------------------------------------------- on video

@pytest.mark.slow
def test_two_segments_give_one_passes_frames_and_counts(model_path):
    """`samples/hip_circles.mp4` (34 s) in two segments: the same timestamps and detections as one pass, hips
    within 1% of the frame everywhere (MediaPipe's own tracking noise after the boundary), the same counts."""
    from hipvision.core.circles import analyze_circles

    video = SAMPLES / "hip_circles.mp4"
    one = poses_from_input(video, model=model_path, segments=1)
    two = poses_from_input(video, model=model_path, segments=2)
    assert np.array_equal(one.timestamps_s, two.timestamps_s)
    assert np.array_equal(one.detected, two.detected)
    hips = [L.LEFT_HIP, L.RIGHT_HIP]
    assert np.nanmax(np.abs(one.image[:, hips, :2] - two.image[:, hips, :2])) < 0.01
    assert np.isnan(two.hip_growth).sum() <= np.isnan(one.hip_growth).sum() + 1
    assert two.meta["video_path"] == one.meta["video_path"]
    a, b = analyze_circles(one).to_dict(), analyze_circles(two).to_dict()
    assert (a["clockwise"], a["counterclockwise"]) == (b["clockwise"], b["counterclockwise"]) == (5, 5)


def _two_people_video(path: Path) -> Path:
    """8 s at 20 fps: the seated sample's person alone on the left for 2 s, then also a bigger mirror image of
    them on the right (which a tracker starting then would take: larger, more central)."""
    cap = cv2.VideoCapture(str(SAMPLES / "seated_ir.mp4"))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 20.0, (1440, 600))
    for i in range(160):
        frame = cap.read()[1]
        canvas = np.full((600, 1440, 3), 128, np.uint8)
        canvas[120:600, 0:640] = frame
        if i >= 40:
            canvas[:, 640:1440] = cv2.resize(frame[:, ::-1], (800, 600))
        writer.write(canvas)
    writer.release()
    cap.release()
    return path


@pytest.mark.slow
def test_a_later_segment_that_took_another_person_is_dropped_and_the_earlier_goes_on(model_path, tmp_path):
    video = _two_people_video(tmp_path / "two.mp4")
    # a tracker starting at the second segment's warm-up would follow the bigger person on the right ...
    from hipvision.io.sources import open_source
    from hipvision.pose import PoseTracker, extract

    with open_source(video) as source, PoseTracker(model_path) as tracker:
        source.skip_to(60)
        fresh = extract(source, tracker, max_frames=20)
    assert np.nanmedian(fresh.image[:, [L.LEFT_HIP, L.RIGHT_HIP], 0]) > 0.5
    # ... but the result follows the person on the left throughout, as one pass does
    done = []

    @contextlib.contextmanager
    def progress(description, total):
        yield done.append

    two = poses_from_input(video, model=model_path, segments=2, progress=progress)
    one = poses_from_input(video, model=model_path, segments=1)
    assert len(two) == len(one) == 160
    assert sum(done) == 160  # the frames the second segment counted are not counted again (222 were ticked before: those twice)
    for seq in (one, two):
        hips_x = seq.image[:, [L.LEFT_HIP, L.RIGHT_HIP], 0]
        assert seq.detected.all() and np.nanmax(hips_x) < 0.45


@pytest.mark.slow
def test_a_file_longer_than_it_announces_is_read_to_its_end(model_path, tmp_path, monkeypatch):
    """The last segment reads to the end of the file, not to the frame count the container announced."""
    from hipvision.io import sources

    real = sources.CaptureSource.__init__

    def announcing_less(self, *args, **kwargs):
        real(self, *args, **kwargs)
        if self.frame_count:
            self.frame_count -= 40

    monkeypatch.setattr(sources.CaptureSource, "__init__", announcing_less)
    seq = poses_from_input(SAMPLES / "seated_ir.mp4", model=model_path, segments=2)
    assert len(seq) == 345


def test_ctrl_c_stops_every_segment_thread(model_path, monkeypatch):
    """KeyboardInterrupt on the main thread while segments run: it propagates, and no segment thread is left."""
    import threading

    from hipvision.pose import segments

    calls = {"n": 0}
    real_wait = segments.cf.wait

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_wait(*args, **kwargs)

    monkeypatch.setattr(segments.cf, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        poses_from_input(SAMPLES / "hip_circles.mp4", model=model_path, segments=2)
    assert not [t for t in threading.enumerate() if t.name.startswith("hipvision-segment")]
