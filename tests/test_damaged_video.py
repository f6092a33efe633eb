"""Damaged videos: a faststart MP4 cut at 5/50/95% (header intact, frames missing) is read as far as it
goes, says in one line how many frames it had of how many announced (the JSON too), and FFmpeg's own
messages ("partial file", "Error at MB") never reach the terminal unless --debug."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from damaged_video import cut, faststart_mp4, sample_frames
from hipvision.errors import InputError
from hipvision.io import load_sequence
from hipvision.pose import input_warnings
from hipvision.sequence import PoseSequence
from hipvision.io.sources import open_source

SAMPLE = Path(__file__).parents[1] / "samples" / "seated_ir.mp4"
FRAMES = 50
#: What FFmpeg prints about a damaged file (its log prefix is "[codec @ 0x…]").
NATIVE_NOISE = re.compile(r"partial file|Error at MB|\[(mpeg4|mov,mp4|h264)[^\]]*@ 0x|header damaged|illegal")


@pytest.fixture(scope="module")
def faststart(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("damaged")
    return faststart_mp4(folder / "whole.mp4", sample_frames(SAMPLE, FRAMES))


def read_all(path: Path):
    with open_source(path) as source:
        frames = sum(1 for _ in source)
        return frames, source.ended_early()


def test_the_whole_faststart_file_reads_completely(faststart):
    assert read_all(faststart) == (FRAMES, None)


@pytest.mark.parametrize("fraction", [0.5, 0.95])
def test_a_file_cut_short_says_how_many_frames_it_had(faststart, tmp_path, fraction):
    frames, short = read_all(cut(faststart, fraction, tmp_path / "cut.mp4"))
    assert 0 < frames < FRAMES
    assert short == (frames, FRAMES)


def test_a_file_cut_inside_its_header_is_refused(faststart, tmp_path):
    with pytest.raises(InputError, match="cannot read video"):
        open_source(cut(faststart, 0.02, tmp_path / "cut.mp4"))  # ftyp + half of the index


def test_input_warning_text():
    seq = PoseSequence.empty(3, fps=30, frame_size=(64, 48))
    assert input_warnings(seq) == []
    seq.meta.update(frames_read=23, frames_announced=50)
    assert input_warnings(seq) == ["the video ended early or has damaged frames: only 23 of its 50 frames could be read"]


def _hipvision(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_FFMPEG_LOGLEVEL"}  # as a user's shell has it
    return subprocess.run([sys.executable, "-m", "hipvision", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=env)


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.95])
def test_extract_from_a_cut_file(faststart, tmp_path, model_path, fraction):
    damaged = cut(faststart, fraction, tmp_path / "cut.mp4")
    done = _hipvision("extract", str(damaged), "-o", "poses.npz", cwd=tmp_path)
    assert not NATIVE_NOISE.search(done.stderr), done.stderr
    assert "Traceback" not in done.stderr
    if done.returncode == 2 and fraction < 0.1:  # cut before the first whole frame: nothing to read
        assert done.stderr.strip().splitlines() == [
            f"error: cannot read video {damaged} (not a video OpenCV can decode, or the file is damaged)"]
        return
    assert done.returncode == 0, done.stderr
    seq = load_sequence(tmp_path / "poses.npz")
    line = f"warning: the video ended early or has damaged frames: only {len(seq)} of its {FRAMES} frames could be read"
    assert line in done.stdout.splitlines()
    assert (seq.meta["frames_read"], seq.meta["frames_announced"]) == (len(seq), FRAMES)


@pytest.mark.slow
def test_analysis_of_a_cut_file_warns_in_the_json_and_debug_shows_ffmpeg(faststart, tmp_path, model_path):
    damaged = cut(faststart, 0.5, tmp_path / "cut.mp4")
    done = _hipvision("rotation", str(damaged), "--json", "r.json", cwd=tmp_path)
    assert done.returncode == 0 and not NATIVE_NOISE.search(done.stderr), done.stderr
    warnings = json.loads((tmp_path / "r.json").read_text())["warnings"]
    assert re.fullmatch(r"the video ended early or has damaged frames: only \d+ of its 50 frames could be read",
                        warnings[0])
    assert warnings[0] in " ".join(re.sub(r"[│•]", " ", done.stdout).split())  # the terminal box wraps it
    debug = _hipvision("--debug", "extract", str(damaged), "-o", "p.npz", cwd=tmp_path)
    assert debug.returncode == 0 and NATIVE_NOISE.search(debug.stderr)  # --debug lets FFmpeg speak


def test_frame_values_survive(faststart):
    """The relocated index points at the right frames (the helper itself is right)."""
    with open_source(faststart) as source:
        first = next(iter(source)).image
    expected = sample_frames(SAMPLE, 1)[0]
    assert np.abs(first.astype(int) - expected.astype(int)).mean() < 8


@pytest.mark.parametrize("command", ["rotation", "circles", "session", "extract"])
def test_a_result_given_as_the_recording_says_how_to_show_it(tmp_path, command):
    result = tmp_path / "r.json"
    result.write_text('{"kind": "rotation"}')
    done = _hipvision(command, str(result), *(["-o", "p.npz"] if command == "extract" else []), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: cannot read video {result}: it is a result file, not a video or poses; show it with "
        f"`hipvision report {result} -o report.html`"]
