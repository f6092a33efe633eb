"""Helpers of the reliability suite (`test_reliability.py`): inputs, broken places to write, and checks.

* inputs: a synthetic session (seated → hip circles → seated) as a pose file, a plain video of the
  same size and length (for ``--annotate``), a result JSON and a history with one saved result;
* places: a missing folder, a read-only folder (a read-only tmpfs when running as root, who ignores
  mode bits; else ``chmod 555``), a full file system (a 64 KiB tmpfs, filled; root only);
* checks: the files of a folder with their hashes (nothing changed, nothing half-written).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from conftest import write_video
from fixtures import skeletons as sk

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
REPO = Path(__file__).resolve().parents[1]
FPS = 15.0
FRAME_SIZE = (320, 240)


# ---------------------------------------------------------------- inputs

def synthetic_session_joints() -> np.ndarray:
    """(T, 33, 3) scene joints: sit 4 s, hip circles 8 s (2 turns, side-on), sit 4 s, at `FPS`."""
    def circling(t: float) -> np.ndarray:
        a = 2 * np.pi * t / 4.0
        return sk.place(sk.quadruped(pelvis_offset_m=(0.08 * np.sin(a), 0.0, 0.08 * np.cos(a))), heading_deg=90)

    parts = [(lambda t: sk.seated(ir_left_deg=20, ir_right_deg=15), 4.0), (circling, 8.0),
             (lambda t: sk.seated(ir_left_deg=30, ir_right_deg=25), 4.0)]
    return sk.timeline(parts, fps=FPS, transition_s=1.0)


def make_inputs(folder: Path) -> dict[str, Path]:
    """Write the suite's inputs into ``folder``: ``npz``, ``video``, ``json`` (a session result)."""
    from hipvision.io import save_sequence, write_json_atomic
    from hipvision.core.session import analyze_session
    from hipvision.synthetic import PinholeCamera, sequence_from_joints

    cam = PinholeCamera.looking_at(np.array([0.0, 0.6, 0.0]), distance_m=3.2, width=FRAME_SIZE[0],
                                   height=FRAME_SIZE[1])
    seq = sequence_from_joints(synthetic_session_joints(), cam, fps=FPS, noise_px=0.5, world_noise_m=0.005,
                               source="session.mp4")
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"npz": folder / "session.npz", "video": folder / "session.mp4", "json": folder / "session.json"}
    save_sequence(seq, paths["npz"])
    write_video(paths["video"], frames=len(seq), size=FRAME_SIZE, fps=FPS)
    write_json_atomic(paths["json"], analyze_session(seq).to_dict())
    return paths


# ---------------------------------------------------------------- places to write

def _run(*cmd: str) -> bool:
    return subprocess.run(cmd, capture_output=True).returncode == 0


def can_mount() -> bool:
    """Root with the right to mount (a container may not have it): try a tiny tmpfs once."""
    if not IS_ROOT or not shutil.which("mount"):
        return False
    with tempfile.TemporaryDirectory() as probe:
        if not _run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", probe):
            return False
        _run("umount", probe)
    return True


@contextlib.contextmanager
def tmpfs(folder: Path, *, size: str = "64k", read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (created) for the block; unmounted after."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    if not _run("mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)):
        raise RuntimeError(f"cannot mount a tmpfs on {folder}")
    try:
        yield folder
    finally:
        for _ in range(20):  # a child that was killed may still hold a file for a moment
            if _run("umount", str(folder)):
                break
            time.sleep(0.1)
        else:  # this process still holds a file there (a writer that failed and kept its file open)
            held = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                    if os.path.exists(f"/proc/self/fd/{fd}") and str(folder) in os.readlink(f"/proc/self/fd/{fd}")]
            raise AssertionError(f"{folder} stays busy: open files {held}")


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """A folder nobody may write into: a read-only tmpfs for root, else mode 555."""
    if IS_ROOT:
        with tmpfs(folder, read_only=True):
            yield folder
        return
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


@contextlib.contextmanager
def full_folder(folder: Path) -> Iterator[Path]:
    """A writable folder on a file system with no free space left (a filled 64 KiB tmpfs)."""
    with tmpfs(folder, size="64k"):
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * 4096):
                    pass
        finally:
            os.close(fd)
        yield folder


# ---------------------------------------------------------------- checks

def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name → sha256), hidden ones included."""
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    """Temporary files of the atomic writers (``.name.XXXX``) left in ``folder``."""
    return sorted(p.name for p in folder.rglob(".*") if p.is_file())


def error_lines(err: str) -> list[str]:
    """The non-empty lines on stderr, less the final state of progress bars of work that did finish
    (they are shown on stderr; an interrupted or failed bar leaves nothing) and a live run's status lines."""
    return [line for line in err.splitlines()
            if line.strip() and not _PROGRESS.search(line) and not _LIVE_STATUS.match(line)
            and not _LITERT_ALIGNMENT.search(line)]


_PROGRESS = re.compile(r"\d+/(\d+|\?) +(-:--:--|\d+:\d\d:\d\d)$")  # "… 270/270 0:00:00"
#: A performance note of MediaPipe's own, not hipvision's: LiteRT prints it once when one of MediaPipe's internal
#: input tensors (made by its own preprocessing, not the frame hipvision hands over) is not 64-byte aligned and
#: must be copied (`IsTensorAligned` in mediapipe/calculators/tensor/inference_runner_litert.cc). It comes at
#: random, after the first inferences that `hipvision.pose.landmarker` silences; about one signal test in 23.
_LITERT_ALIGNMENT = re.compile(r"^W\d{4} .*inference_runner_litert\.cc:\d+\] Input tensor memory is not aligned")
#: "camera 0 open, 1280×720 at 30 fps; Ctrl-C to stop and save", then "   35.0 s   clockwise 3/5 ..."
_LIVE_STATUS = re.compile(r".+ open, \d+×\d+ at [\d.]+ fps; .*stop and save$| *\d+\.\d s   ")


# ---------------------------------------------------------------- runs in a child process

@dataclass
class ChildRun:
    code: int
    out: str
    err: str


def start_cli(args: list[str], *, env: dict[str, str]) -> subprocess.Popen:
    """``python -m hipvision ARGS`` with Ctrl-C at its default (a background shell job ignores it)."""
    return subprocess.Popen([sys.executable, "-m", "hipvision", *map(str, args)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def catches(pid: int, signum: int) -> bool:
    """The process has a handler for ``signum`` (Linux: the SigCgt mask in /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


def wait_until(predicate, proc: subprocess.Popen, timeout_s: float) -> bool:
    """Poll ``predicate()`` every 20 ms while ``proc`` runs; False if it ended or time ran out first."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end and proc.poll() is None:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def finish(proc: subprocess.Popen, timeout_s: float = 300) -> ChildRun:
    out, err = proc.communicate(timeout=timeout_s)
    return ChildRun(proc.returncode, out, err)
