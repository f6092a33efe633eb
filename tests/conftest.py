"""Shared fixtures: the pose model, the Sports2D demo video, tiny synthetic videos.

Downloads go to ``$HIPVISION_TEST_CACHE`` (default ``~/.cache/hipvision-tests``),
once; nothing downloaded is ever committed.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

#: Pinned so the hand-checked regions in the tests keep matching the clip.
SPORTS2D_VERSION = "0.8.34"
SPORTS2D_MEMBER = "Sports2D/Demo/demo.mp4"


def cache_dir() -> Path:
    """Folder for downloaded test data (created if needed)."""
    folder = Path(os.environ.get("HIPVISION_TEST_CACHE") or Path.home() / ".cache" / "hipvision-tests")
    folder.mkdir(parents=True, exist_ok=True)
    return folder



def fetch_sports2d_demo(cache: Path | None = None) -> Path:
    """The Sports2D demo clip (1768x994, 30 fps, 230 frames, two people), from the PyPI wheel.

    Runs ``pip download --no-deps sports2d==<pinned>`` once into the cache and
    extracts the clip next to the wheel.
    """
    cache = cache or cache_dir()
    target = cache / f"sports2d-{SPORTS2D_VERSION}-demo.mp4"
    if target.is_file():
        return target
    wheels = sorted(cache.glob(f"sports2d-{SPORTS2D_VERSION}-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                        f"sports2d=={SPORTS2D_VERSION}", "-d", str(cache)], check=True, timeout=600,
                       capture_output=True)
        wheels = sorted(cache.glob(f"sports2d-{SPORTS2D_VERSION}-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        data = wheel.read(SPORTS2D_MEMBER)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The pose model file (provisioned on first use; a missing model fails the test, never skips it)."""
    from hipvision.pose import model_path as resolve

    return resolve(None)


@pytest.fixture(scope="session")
def sports2d_video() -> Path:
    """Path of the Sports2D demo clip (downloaded once; skipped if that is impossible)."""
    try:
        return fetch_sports2d_demo()
    except (subprocess.SubprocessError, OSError, KeyError, zipfile.BadZipFile) as exc:
        pytest.skip(f"cannot get the sports2d demo video from PyPI: {exc}")


def frame_value(index: int) -> int:
    """Grey level a synthetic frame ``index`` is filled with (survives lossy coding)."""
    return 20 + (index * 20) % 220


def write_video(path: Path, *, frames: int = 10, size: tuple[int, int] = (160, 120), fps: float = 30.0,
                fourcc: str = "mp4v") -> Path:
    """Write a small video: frame k is flat grey `frame_value(k)` with a white block top-left.

    The block (top 1/3, left 1/2) shows where the top-left corner ended up after rotation.
    ``frames=0`` writes a container with no frames.
    """
    import cv2

    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    assert writer.isOpened(), f"cannot write test video {path}"
    for k in range(frames):
        image = np.full((h, w, 3), frame_value(k), np.uint8)
        image[: h // 3, : w // 2] = 255
        writer.write(image)
    writer.release()
    return path


def set_mp4_rotation(path: Path, degrees: int) -> Path:
    """Patch the display matrix of an mp4's first track header (tkhd) to rotate it by ``degrees``.

    Phones record upright video this way: stored pixels plus a rotation matrix.
    """
    cos, sin = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}[degrees]
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    assert at > 0 and data[at + 4] == 0, "expected a version-0 tkhd box"
    matrix = at + 4 + 40  # after version/flags, times, track id, duration, reserved, layer, volume
    data[matrix:matrix + 36] = struct.pack(">9i", cos << 16, sin << 16, 0, -sin << 16, cos << 16, 0, 0, 0, 1 << 30)
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def tiny_video(tmp_path) -> Path:
    """A 10-frame 160x120 synthetic mp4 at 30 fps (see `write_video`)."""
    return write_video(tmp_path / "tiny.mp4")


def replay_recount(monkeypatch, fake_analysis, *, frames: int, fps: float, direction: str) -> list[int]:
    """Replay ``frames`` empty frames at ``fps`` through `BackgroundRecount` on frame time, with ``fake_analysis``
    (called as `analyze_circles` is) in place of the analysis; the count of ``direction`` shown after each frame."""
    from hipvision.live import circles_recount
    from hipvision.live.circles_recount import BackgroundRecount, FrameTimePool
    from hipvision.sequence import PoseSequence

    monkeypatch.setattr(circles_recount, "analyze_circles", fake_analysis)
    seq = PoseSequence.empty(frames, fps=fps, frame_size=(640, 480))
    pool = FrameTimePool()
    recount = BackgroundRecount(pool=pool)
    shown = []
    for k, t in enumerate(seq.timestamps_s):
        pool.now_s = float(t)
        recount.step(float(t), lambda k=k: seq.slice(0, k + 1))
        shown.append(recount.counts[direction])
    return shown
