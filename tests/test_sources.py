"""Frame sources (hipvision.io.sources): synthetic videos and images with known content."""

from __future__ import annotations

import math
import threading
import time

import cv2
import numpy as np
import pytest
from conftest import frame_value, set_mp4_rotation, write_video

from hipvision.errors import InputError
from hipvision.io.sources import CaptureSource, FrameSource, ImageFolderSource, next_timestamp, open_source


def test_video_file_frames_in_order_with_source_timestamps(tiny_video):
    with open_source(tiny_video) as source:
        assert isinstance(source, FrameSource)
        assert (source.frame_size, source.fps, source.frame_count, source.is_live) == ((160, 120), 30.0, 10, False)
        assert source.description == "tiny.mp4"
        frames = list(source)
    assert [f.index for f in frames] == list(range(10))
    np.testing.assert_allclose([f.timestamp_s for f in frames], np.arange(10) / 30.0, atol=1e-6)
    for f in frames:
        assert f.image.shape == (120, 160, 3) and f.image.dtype == np.uint8
        assert abs(float(np.median(f.image[100:, 100:])) - frame_value(f.index)) < 8  # the frame's own content


def test_frame_rate_of_the_file_is_used(tmp_path):
    path = write_video(tmp_path / "slow.mp4", frames=5, fps=12.5)
    with open_source(path) as source:
        t = [f.timestamp_s for f in source]
    assert source.fps == 12.5
    np.testing.assert_allclose(t, np.arange(5) / 12.5, atol=1e-6)


@pytest.mark.parametrize("degrees, size, block_corner", [
    (0, (160, 120), "top-left"),
    (90, (120, 160), "top-right"),      # clockwise quarter turn: top-left goes top-right
    (180, (160, 120), "bottom-right"),
    (270, (120, 160), "bottom-left"),
])
def test_rotation_metadata_is_applied(tmp_path, degrees, size, block_corner):
    path = set_mp4_rotation(write_video(tmp_path / f"rot{degrees}.mp4", frames=3), degrees)
    with open_source(path) as source:
        assert source.frame_size == size
        image = next(iter(source)).image
    h, w = image.shape[:2]
    assert (w, h) == size
    corners = {"top-left": image[:5, :5], "top-right": image[:5, -5:],
               "bottom-left": image[-5:, :5], "bottom-right": image[-5:, -5:]}
    bright = {name for name, patch in corners.items() if patch.mean() > 200}
    assert bright == {block_corner}


def test_image_folder_natural_order_and_given_fps(tmp_path):
    for k in (10, 2, 1, 0):
        cv2.imwrite(str(tmp_path / f"frame{k}.png"), np.full((40, 60, 3), frame_value(k), np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    with open_source(tmp_path, fps=10) as source:
        assert (source.frame_size, source.frame_count, source.fps) == ((60, 40), 4, 10.0)
        frames = list(source)
    assert [int(f.image[0, 0, 0]) for f in frames] == [frame_value(k) for k in (0, 1, 2, 10)]
    np.testing.assert_allclose([f.timestamp_s for f in frames], [0, 0.1, 0.2, 0.3])


def test_image_folder_default_fps_and_single_image(tmp_path):
    cv2.imwrite(str(tmp_path / "a.jpg"), np.zeros((20, 30, 3), np.uint8))
    with open_source(tmp_path) as source:
        assert source.fps == 30.0
    with open_source(tmp_path / "a.jpg") as source:
        assert len(list(source)) == 1


def test_image_folder_with_mixed_sizes_fails_clearly(tmp_path):
    cv2.imwrite(str(tmp_path / "1.png"), np.zeros((20, 30, 3), np.uint8))
    cv2.imwrite(str(tmp_path / "2.png"), np.zeros((25, 30, 3), np.uint8))
    with pytest.raises(InputError, match="2.png is 30x25"), open_source(tmp_path) as source:
        list(source)


def _garbage(tmp_path):
    path = tmp_path / "garbage.mp4"
    path.write_bytes(b"this is not a video" * 200)
    return path


def _truncated(tmp_path):
    path = write_video(tmp_path / "full.mp4", frames=20)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # index (moov) at the end is lost
    return cut


def _empty_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    return path


def _no_frames(tmp_path):
    return write_video(tmp_path / "none.avi", frames=0, fourcc="MJPG")


def _empty_folder(tmp_path):
    (tmp_path / "frames").mkdir()
    (tmp_path / "frames" / "readme.txt").write_text("no images here")
    return tmp_path / "frames"


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "missing.mp4", "no such file"),
    (_garbage, "cannot read video"),
    (_truncated, "cannot read video"),
    (_empty_file, "is empty"),
    (_no_frames, "has no readable frames"),
    (_empty_folder, "contains no images"),
    (lambda tmp: 9, "cannot open camera 9"),
    (lambda tmp: "9", "cannot open camera 9"),
    (lambda tmp: "http://127.0.0.1:9/none.mjpg", "cannot open stream"),
])
def test_unusable_sources_raise_one_line_input_errors(tmp_path, make, message):
    with pytest.raises(InputError, match=message) as info:
        open_source(make(tmp_path))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("raw, previous, expected", [
    (0.5, None, 0.5),
    (math.nan, None, 0.0),
    (0.2, 0.1, 0.2),              # increasing: kept as is
    (0.1, 0.1, 0.1 + 1 / 30),     # repeated
    (0.05, 0.1, 0.1 + 1 / 30),    # going back (variable frame rate, broken container)
    (math.nan, 0.1, 0.1 + 1 / 30),
    (-1.0, 0.1, 0.1 + 1 / 30),
])
def test_next_timestamp_repairs(raw, previous, expected):
    assert next_timestamp(raw, previous, fps=30.0) == pytest.approx(expected)


def test_repaired_variable_rate_timestamps_stay_strictly_increasing():
    raw = [0.0, 0.033, 0.033, 0.020, 0.1, 0.1, math.nan, 0.2, 0.19, 0.5]
    out, prev = [], None
    for r in raw:
        prev = next_timestamp(r, prev, fps=30.0)
        out.append(prev)
    assert np.all(np.diff(out) > 0)
    assert out[4] == 0.1 and out[7] == 0.2 and out[9] == 0.5  # good values are never moved


def test_breaking_out_early_stops_the_reader(tmp_path):
    path = write_video(tmp_path / "long.mp4", frames=60)
    source = open_source(path)
    with source:
        for frame in source:
            if frame.index == 2:
                break
    assert source._thread is not None and not source._thread.is_alive()
    assert source._cap is None  # released


def test_decoding_overlaps_the_consumer(tmp_path):
    """While the consumer is busy, the reader thread has already decoded the next frames."""
    path = write_video(tmp_path / "v.mp4", frames=20)
    with open_source(path) as source:
        it = iter(source)
        next(it)
        time.sleep(0.3)  # "inference" on the first frame
        assert source._queue.qsize() >= 3  # bounded queue filled in the background
        assert len(list(it)) == 19


def test_live_source_drops_old_frames_for_a_slow_consumer(tmp_path):
    """Reading a file as if live: the newest frames win, timestamps still increase."""
    path = write_video(tmp_path / "live.mp4", frames=60)
    with CaptureSource(str(path), description="fake camera", is_live=True) as source:
        assert source.is_live and source.frame_count is None
        frames = []
        for frame in source:
            frames.append(frame)
            time.sleep(0.02)
    indices = [f.index for f in frames]
    assert indices[-1] == 59 and len(frames) < 60  # frames were dropped, the last one kept
    assert np.all(np.diff(indices) > 0) and np.all(np.diff([f.timestamp_s for f in frames]) > 0)


def test_video_played_as_camera_goes_through_the_same_interface(tiny_video):
    with open_source(str(tiny_video)) as source:
        assert len([f for f in source]) == 10


def test_close_releases_without_iterating(tiny_video):
    source = open_source(tiny_video)
    source.close()
    source.close()  # twice is fine
    assert threading.active_count() >= 1 and source._cap is None


def test_image_folder_repr_and_size(tmp_path):
    cv2.imwrite(str(tmp_path / "x.png"), np.zeros((20, 30, 3), np.uint8))
    source = ImageFolderSource(tmp_path)
    assert "30x20" in repr(source)


def test_video_served_over_http_is_read_like_a_file(tiny_video):
    """A URL with a known frame count is not live: no frame is dropped."""
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(tiny_video.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{tiny_video.name}"
        with open_source(url) as source:
            assert not source.is_live and source.frame_count == 10 and source.description == url
            assert [f.index for f in source] == list(range(10))
    finally:
        server.shutdown()
        server.server_close()
