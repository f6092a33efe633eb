"""Annotated video: atomic writer, frame numbering like the pose pipeline, clear errors."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from hipvision.errors import InputError, OutputError
from hipvision.io import video_out
from hipvision.io.video_out import FOURCC_BY_SUFFIX, VideoWriterAtomic, annotate_video, fourcc_for

W, H, FPS, N = 160, 120, 20.0, 25


def frame_image(i: int) -> np.ndarray:
    """Frame ``i`` of the test clip: brightness 10 * i, so the index can be read back from the pixels."""
    return np.full((H, W, 3), 10 * i, np.uint8)


def brightness_index(image: np.ndarray) -> int:
    return int(round(float(np.median(image[:20, :20])) / 10))


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("clip") / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (W, H))
    assert writer.isOpened()
    for i in range(N):
        writer.write(frame_image(i))
    writer.release()
    return path


def read_all(path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    cap.release()
    return frames


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("suffix, fourcc", [(".mp4", "mp4v"), (".MP4", "mp4v"), (".avi", "MJPG"), (".mkv", "MJPG")])
def test_codec_follows_the_extension(suffix, fourcc):
    assert fourcc_for(f"x{suffix}") == fourcc


@pytest.mark.parametrize("suffix", [".mp4", ".avi"])
def test_writer_writes_all_frames_atomically(tmp_path, suffix):
    out = tmp_path / f"out{suffix}"
    with VideoWriterAtomic(out, fps=FPS) as writer:
        for i in range(10):
            writer.write(frame_image(i))
            assert not out.exists()  # nothing at the target until the end
    frames = read_all(out)
    assert len(frames) == 10 and writer.frames_written == 10
    assert np.abs(np.array([brightness_index(f) for f in frames]) - np.arange(10)).max() <= 1  # lossy codec
    assert frames[0].shape == (H, W, 3)
    assert leftovers(tmp_path) == []


def test_writer_resizes_frames_of_another_size(tmp_path):
    out = tmp_path / "out.avi"
    with VideoWriterAtomic(out, fps=FPS, frame_size=(W, H)) as writer:
        writer.write(frame_image(1))
        writer.write(np.full((H * 2, W * 2, 3), 80, np.uint8))
    frames = read_all(out)
    assert len(frames) == 2 and frames[1].shape == (H, W, 3)


def test_writer_leaves_nothing_after_an_exception(tmp_path):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"previous good file")
    with pytest.raises(KeyError):
        with VideoWriterAtomic(out, fps=FPS) as writer:
            writer.write(frame_image(0))
            raise KeyError("boom")
    assert out.read_bytes() == b"previous good file"
    assert leftovers(tmp_path) == []


def test_writer_without_frames_creates_no_file(tmp_path):
    out = tmp_path / "out.mp4"
    with VideoWriterAtomic(out, fps=FPS):
        pass
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("case", ["bad_extension", "missing_folder", "codec_unavailable"])
def test_writer_errors_are_output_errors(tmp_path, monkeypatch, case):
    if case == "bad_extension":
        target = tmp_path / "out.gif"
    elif case == "missing_folder":
        target = tmp_path / "nope" / "out.mp4"
    else:
        monkeypatch.setitem(FOURCC_BY_SUFFIX, ".avi", "XXXX")
        target = tmp_path / "out.avi"
    with pytest.raises(OutputError, match="out"):
        with VideoWriterAtomic(target, fps=FPS, frame_size=(W, H)) as writer:
            writer.write(frame_image(0))
    assert leftovers(tmp_path) == []


def test_annotate_video_sees_every_frame_in_order_and_draws(tmp_path, clip):
    seen = []

    def draw(frame):
        seen.append((frame.index, frame.timestamp_s, brightness_index(frame.image)))
        cv2.rectangle(frame.image, (100, 80), (150, 110), (255, 255, 255), -1)

    out = annotate_video(clip, tmp_path / "annotated.mp4", draw, progress=False)
    assert out == tmp_path / "annotated.mp4"
    assert [s[0] for s in seen] == list(range(N))
    assert [s[2] for s in seen] == list(range(N))  # index i is the i-th decoded frame
    times = np.array([s[1] for s in seen])
    assert np.all(np.diff(times) > 0)
    np.testing.assert_allclose(np.diff(times), 1 / FPS, atol=2e-3)
    frames = read_all(out)
    assert len(frames) == N
    for i, f in enumerate(frames):
        assert f[95, 125].min() > 230  # the drawn box
        assert abs(brightness_index(f) - i) <= 1  # the source picture around it
    assert leftovers(tmp_path) == []


def test_annotate_video_with_progress_bar(tmp_path, clip):
    out = annotate_video(clip, tmp_path / "a.avi", lambda frame: None, progress=True)
    assert len(read_all(out)) == N


def test_annotate_video_failure_in_draw_leaves_no_output(tmp_path, clip):
    def draw(frame):
        if frame.index == 5:
            raise RuntimeError("draw failed")

    with pytest.raises(RuntimeError):
        annotate_video(clip, tmp_path / "a.mp4", draw, progress=False)
    assert not (tmp_path / "a.mp4").exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("case", ["missing", "not_a_video"])
def test_annotate_video_bad_input_is_an_input_error(tmp_path, case):
    src = tmp_path / "in.mp4"
    if case == "not_a_video":
        src.write_text("this is not a video\n" * 100)
    with pytest.raises(InputError):
        annotate_video(src, tmp_path / "out.mp4", lambda f: None, progress=False)
    assert not (tmp_path / "out.mp4").exists()


def test_annotate_video_refuses_to_overwrite_its_input(clip):
    with pytest.raises(OutputError, match="overwrite"):
        annotate_video(clip, clip, lambda f: None, progress=False)


def probe(path) -> tuple[str, int, tuple[int, int], str, list[np.ndarray]]:
    """(codec, frame count, (width, height), pixel format, decoded BGR frames) as PyAV reads ``path``."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(stream)]
        return ctx.name, len(frames), (ctx.width, ctx.height), ctx.pix_fmt, frames


def test_annotated_mp4_is_h264_with_every_frame(tmp_path, clip):
    def draw(frame):
        cv2.rectangle(frame.image, (100, 80), (150, 110), (255, 255, 255), -1)

    out = annotate_video(clip, tmp_path / "annotated.mp4", draw, progress=False)
    codec, count, size, pix_fmt, frames = probe(out)
    assert (codec, count, size, pix_fmt) == ("h264", N, (W, H), "yuv420p")
    assert frames[7][95, 125].min() > 230 and abs(brightness_index(frames[7]) - 7) <= 1
    with av.open(str(out)) as container:
        assert float(container.streams.video[0].average_rate) == pytest.approx(FPS)


def test_h264_odd_frame_size_is_cropped_to_even(tmp_path):
    out = tmp_path / "odd.mp4"
    with VideoWriterAtomic(out, fps=FPS) as writer:
        for i in range(3):
            writer.write(np.full((H + 1, W + 1, 3), 10 * i, np.uint8))
    assert writer.codec in video_out.H264_ENCODERS and writer.frame_size == (W, H)
    assert probe(out)[:3] == ("h264", 3, (W, H))


def test_without_h264_encoder_mp4v_is_written_and_said(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(video_out, "h264_encoder", lambda: None)
    out = tmp_path / "fallback.mp4"
    with VideoWriterAtomic(out, fps=FPS) as writer:
        for i in range(4):
            writer.write(frame_image(i))
    assert writer.codec == "mp4v"
    assert probe(out)[:2] == ("mpeg4", 4)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no H.264 encoder" in err[0] and "mp4v" in err[0]


def test_h264_failure_leaves_nothing(tmp_path):
    out = tmp_path / "out.mp4"
    with pytest.raises(ZeroDivisionError):
        with VideoWriterAtomic(out, fps=FPS) as writer:
            writer.write(frame_image(1))
            1 / 0
    assert not out.exists() and leftovers(tmp_path) == []
