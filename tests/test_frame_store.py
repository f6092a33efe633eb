"""FrameStore: the thumbnails a live run keeps for its report's key frames."""

import numpy as np
import pytest

from hipvision.io.frame_store import FrameStore


def frame(level: int, width: int = 320) -> np.ndarray:
    """A BGR picture whose brightness encodes ``level`` (0-250)."""
    return np.full((width * 3 // 4, width, 3), level, np.uint8)


def test_keeps_one_frame_per_interval_and_finds_the_nearest():
    store = FrameStore(interval_s=0.2)
    for i in range(91):  # 3 s at 30 fps
        store.add(i / 30, frame(i), None)
    assert len(store) == 16 and np.all(np.diff(store.times_s) >= 0.2 - 1e-9)
    kept = store.nearest(1.5)
    assert abs(kept.time_s - 1.5) <= 0.2
    picture = store.decode(kept)
    assert picture.shape == (240, 320, 3)
    assert abs(float(picture.mean()) - round(kept.time_s * 30)) < 2  # the frame that was shown then
    assert store.nearest(10.0) is None  # nothing kept near that moment
    assert store.nearest(10.0, max_gap_s=8.0).time_s == store.times_s[-1]


def test_memory_stays_bounded_and_the_whole_run_stays_covered():
    store = FrameStore(interval_s=0.1, max_frames=10)
    for i in range(1200):  # 2 minutes at 10 fps
        store.add(i / 10, frame(i % 250, width=64))
        assert len(store) < 10
    times = store.times_s
    assert times[0] == 0.0 and times[-1] > 100.0  # thinned out evenly, not cut off at the end
    assert store.interval_s > 10.0


def test_wide_frames_are_shrunk_and_the_pose_is_kept_only_when_someone_was_found():
    store = FrameStore(interval_s=0.1, max_width_px=200)
    marks, vis = np.random.default_rng(0).random((33, 3)), np.ones(33)
    store.add(0.0, frame(100, width=800), marks, vis)
    store.add(1.0, frame(100, width=800), np.full((33, 3), np.nan), vis)
    first, second = store.nearest(0.0), store.nearest(1.0)
    assert store.decode(first).shape[1] == 200
    assert np.allclose(first.landmarks, marks) and first.visibility is not None
    assert second.landmarks is None and second.visibility is None


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        FrameStore(interval_s=0)
    with pytest.raises(ValueError):
        FrameStore(max_frames=1)
