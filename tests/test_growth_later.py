"""The hip growth computed after the fact (`hipvision.pose.growth_later`, `PoseTracker.growth_later`): the same
values as the flow on the worker thread, only on the frames the tracker measures (all fours), a bounded store,
and the live path still measuring frame by frame."""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
import pytest

from hipvision.landmarks import NUM_LANDMARKS, Landmark as L
from hipvision.live import run_live
from hipvision.pose import FramePose, PoseTracker, extract, landmarker
from hipvision.pose.growth_later import LaterGrowth
from hipvision.pose.image_motion import HipGrowthMeter
from hipvision.io.sources import Frame, open_source
from textured_frames import CENTRE, SIZE, hip_landmarks, texture, warp, zoomed_sample_frames

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _zoomed(base: np.ndarray, scale: float) -> np.ndarray:
    """BGR ``base`` scaled by ``scale`` about `CENTRE`."""
    return cv2.cvtColor(warp(base, scale), cv2.COLOR_GRAY2BGR)


def _landmarks(thigh_px: float) -> np.ndarray:
    return hip_landmarks(CENTRE, thigh_px)


def _frames(n: int, step: float):
    """``n`` BGR frames of a texture zooming by ``step`` per frame about the hips, with their landmarks."""
    base = texture()
    return [(_zoomed(base, step ** i), _landmarks(90.0 * step ** i)) for i in range(n)]


def _inline_and_later(frames, later: LaterGrowth) -> list[float]:
    """The growth of each frame as the meter measures it at once; the same frames' pairs go into ``later``."""
    now, kept = HipGrowthMeter(), HipGrowthMeter()
    values = []
    for row, (image, lms) in enumerate(frames):
        values.append(now.update(image, lms))
        pair = kept.pair(image)
        if pair is not None:
            later.add(row, pair)
        kept.advance(image, lms)
    return values


def test_later_gives_the_values_of_the_meter_at_their_rows():
    later = LaterGrowth()
    now = _inline_and_later(_frames(6, 1.01), later)
    rows, growth = later.results()
    assert math.isnan(now[0]) and rows.tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(growth, now[1:])  # the same boxes through the same flow: identical
    np.testing.assert_allclose(growth, 0.01, atol=0.003)
    filled = np.full(6, np.nan)
    later.fill(filled)
    np.testing.assert_array_equal(filled, now)


def test_rows_past_the_end_are_left_out_when_filling():
    """A frame processed but never appended (Ctrl-C between the two) has no row to go to."""
    later = LaterGrowth()
    _inline_and_later(_frames(4, 0.99), later)
    short = np.full(3, np.nan)
    later.fill(short)
    assert math.isnan(short[0]) and np.isfinite(short[1:]).all()


def test_the_cap_bounds_the_boxes_kept_and_keeps_the_values():
    """A long run: never more than the cap of boxes kept (they are computed in the loop when it is reached),
    and the same growths as without a cap."""
    frames = _frames(2, 1.01)
    pair_bytes = 2 * 100 * 100  # the flow box is shrunk to 100 px (MAX_BOX_PX): two 100 x 100 grey boxes
    capped, free = LaterGrowth(max_bytes=10 * pair_bytes), LaterGrowth()
    meter = HipGrowthMeter()
    meter.advance(*frames[0])
    pair = meter.pair(frames[1][0])
    assert pair.nbytes == pair_bytes
    for row in range(1, 301):  # 300 frame pairs: 6 MB of boxes without the cap
        capped.add(row, pair)
        free.add(row, pair)
        assert capped.kept_bytes <= 10 * pair_bytes
    assert capped.peak_bytes == 10 * pair_bytes and capped.flushes == 29
    assert free.peak_bytes == 300 * pair_bytes and free.flushes == 0
    rows_c, growth_c = capped.results()
    rows_f, growth_f = free.results()
    np.testing.assert_array_equal(rows_c, np.arange(1, 301))
    np.testing.assert_array_equal(rows_c, rows_f)
    np.testing.assert_array_equal(growth_c, growth_f)
    assert capped.kept_bytes == 0 and len(capped) == 300


class _Source:
    fps, frame_size, description, frame_count = 10.0, SIZE, "fake", 3

    def __init__(self, live: bool):
        self.is_live = live

    def __iter__(self):
        return iter(Frame(i, i / 10, np.zeros((SIZE[1], SIZE[0], 3), np.uint8)) for i in range(3))


class _Tracker:
    """Hands out a growth of 0.5 per frame itself; `growth_later` puts 0.25 in row 1 after the loop."""
    model_name = "fake"

    def __init__(self):
        self.deferred = 0

    def process(self, frame):
        return FramePose(frame.timestamp_s, _landmarks(90.0), np.ones(NUM_LANDMARKS), np.ones(NUM_LANDMARKS),
                         np.zeros((NUM_LANDMARKS, 3)), hip_growth=0.5)

    @contextmanager
    def growth_later(self):
        self.deferred += 1
        later = LaterGrowth()
        later.results = lambda: (np.array([1]), np.array([0.25]))
        yield later


@pytest.mark.parametrize("live, on_frame, later", [(False, None, True), (True, None, False),
                                                   (False, lambda frame, pose: None, False)])
def test_extract_defers_the_growth_only_for_a_file_read_to_the_end(live, on_frame, later):
    """A camera (live source) or a caller reading each pose (``on_frame``) gets the growth frame by frame."""
    tracker = _Tracker()
    seq = extract(_Source(live), tracker, progress=False, on_frame=on_frame)
    assert tracker.deferred == int(later)
    assert seq.hip_growth.tolist() == ([0.5, 0.25, 0.5] if later else [0.5, 0.5, 0.5])


# ------------------------------------------------------------------------ real MediaPipe (slow)

def _extract_recording(video: Path, model_path: Path, frames: int, **kwargs):
    """`extract` of ``video`` with the growths `PoseTracker.process` returned during the loop."""
    during = []
    with open_source(video) as source, PoseTracker(model_path) as tracker:
        process = tracker.process

        def recording(frame):
            pose = process(frame)
            during.append(pose.hip_growth)
            return pose
        tracker.process = recording
        seq = extract(source, tracker, progress=False, max_frames=frames, **kwargs)
    return seq, np.array(during)


@pytest.mark.slow
def test_extract_computes_the_growth_after_the_loop_with_the_values_of_the_worker_thread(model_path):
    """On all fours (the hip circles sample): during the loop the tracker hands out no growth (its flow waits);
    the sequence has it on every frame after the first, identical to the flow on the worker thread (with
    ``on_frame`` the growth is measured frame by frame, as live): the same boxes of the same frames through the
    same flow."""
    later, during = _extract_recording(SAMPLES / "hip_circles.mp4", model_path, 40)
    inline, during_inline = _extract_recording(SAMPLES / "hip_circles.mp4", model_path, 40,
                                               on_frame=lambda frame, pose: None)
    assert np.isnan(during).all() and np.isfinite(during_inline[1:]).all()
    assert later.detected.all() and math.isnan(later.hip_growth[0]) and np.isfinite(later.hip_growth[1:]).all()
    np.testing.assert_array_equal(later.image, inline.image)
    np.testing.assert_allclose(later.hip_growth, inline.hip_growth, rtol=0, atol=1e-12)


class _Frames:
    """A file-like source of the given BGR frames at 20 fps."""
    fps, description, is_live = 20.0, "frames", False

    def __init__(self, images):
        self.images = images
        self.frame_size = (images[0].shape[1], images[0].shape[0])
        self.frame_count = len(images)

    def __iter__(self):
        return iter(Frame(i, i / 20, image) for i, image in enumerate(self.images))


def _zoomed_sample_frames(scales):
    return zoomed_sample_frames(SAMPLES / "hip_circles.mp4", scales)


@pytest.mark.slow
def test_after_the_fact_the_growth_is_nan_around_a_frame_without_anyone_too(model_path):
    """A frame where nobody is found has no growth (nor has the next one), after the fact as on the worker."""
    person = _zoomed_sample_frames([1.0, 1.01, 1.0201, 1.0303, 1.0406])
    frames = [person[0], person[1], np.full_like(person[0], 128), person[2], person[3], person[4]]
    with PoseTracker(model_path) as tracker:
        later = extract(_Frames(frames), tracker, progress=False)
    with PoseTracker(model_path) as tracker:
        inline = extract(_Frames(frames), tracker, progress=False, on_frame=lambda frame, pose: None)
    assert later.detected.tolist() == [True, True, False, True, True, True]
    known = [False, True, False, False, True, True]
    assert np.isfinite(later.hip_growth).tolist() == known == np.isfinite(inline.hip_growth).tolist()
    np.testing.assert_array_equal(later.hip_growth, inline.hip_growth)


@pytest.mark.slow
def test_extract_keeps_nothing_when_nobody_is_on_all_fours(model_path, monkeypatch):
    """Standing (the rocking sample): no box kept, the growth NaN on every frame."""
    kept = []

    class Watched(LaterGrowth):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            kept.append(self)
    monkeypatch.setattr(landmarker, "LaterGrowth", Watched)
    seq, _ = _extract_recording(SAMPLES / "standing_rocking.mp4", model_path, 20)
    assert seq.detected.all() and np.isnan(seq.hip_growth).all()
    assert len(kept) == 1 and len(kept[0]) == 0 and kept[0].peak_bytes == 0


@pytest.mark.slow
def test_the_live_loop_still_gets_the_growth_frame_by_frame(model_path):
    """`run_live` (the live circles count re-analyses the frames so far) gets each frame's growth from
    `PoseTracker.process` at once, not after the fact."""

    class Recorder:
        title = "growth"

        def __init__(self):
            self.growth = []

        def update(self, pose):
            self.growth.append(pose.hip_growth)

        def draw_scene(self, image, pose):
            pass

        def draw_hud(self, image):
            pass

        def on_key(self, key):
            pass

        def result(self):
            return {}

    recorder = Recorder()
    with open_source(SAMPLES / "hip_circles.mp4") as source, PoseTracker(model_path) as tracker:
        run_live(source, tracker, recorder, window=False, max_frames=12)
    assert len(recorder.growth) == 12 and math.isnan(recorder.growth[0])
    assert np.isfinite(recorder.growth[1:]).all()
