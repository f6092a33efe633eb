"""Memory against video length: peak RSS for 1, 10 and 60 minutes of video.

    python benchmarks/memory.py [--minutes 1 10 60] [--pose-frames N]

Each case runs in its own process and its peak resident memory is read from
the OS when it ends (``os.wait4``), so cases do not inherit each other's peak:

* **collect**: the pose-collection path (`hipvision.pose.extract` and its
  `SequenceBuilder`) over M minutes of frames: a `FrameSource` that repeats a
  short decoded stretch of `samples/hip_circles.mp4` (20 frames, new timestamps)
  and a tracker that replays the poses MediaPipe found in that stretch (from the
  sample's poses, extracted once into the tests' cache), so an hour is collected in seconds;
* **analysis**: ``hipvision circles POSES.npz --json J`` on the sample's poses
  repeated to M minutes (the whole command: load, analysis, writing);
* **pose**: the real decode + `PoseTracker` on the same 20-frame stretch looped for
  ``--pose-frames`` frames, peak RSS after the first quarter and at the end (the
  model's own memory must not grow with the frames it has seen);
* **video**: the whole command ``hipvision circles VIDEO --json J`` on the sample
  looped to M minutes (``--video-minutes``; an mp4 written first): real decode, the
  model in two segments on two threads, the analysis and the writing, with its wall
  time per frame, so run time linear in frames shows too.

Flat means: the growth from 1 to 60 minutes is the landmarks themselves (about
2.4 kB a frame as float64 while collecting) and nothing per frame besides. With the real
tracker on frames on all fours (the pose case), `extract` also keeps two small grey boxes per
frame for the hip growth computed after the loop (about 20 kB a frame, capped at 48 MB:
`hipvision.pose.growth_later`), so its peak grows with the frames until the cap.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "samples" / "hip_circles.mp4"
STRETCH = 20  # frames decoded once and repeated


def _stretch():
    from hipvision.io.sources import open_source

    with open_source(SAMPLE) as source:
        frames = []
        for frame in source:
            frames.append(frame)
            if len(frames) >= STRETCH:
                break
        return frames, source.fps


class RepeatSource:
    """A `FrameSource` repeating ``frames`` (their images) with timestamps ``i / fps`` for ``count`` frames."""

    is_live = False
    description = "repeated stretch"

    def __init__(self, frames, fps: float, count: int) -> None:
        from hipvision.io.sources import Frame

        self._frame, self._frames, self.fps, self.frame_count = Frame, frames, fps, count
        self.frame_size = (frames[0].image.shape[1], frames[0].image.shape[0])

    def __iter__(self):
        for i in range(self.frame_count):
            yield self._frame(i, i / self.fps, self._frames[i % len(self._frames)].image)

    def close(self) -> None:
        pass


class ReplayTracker:
    """Returns the poses of a sequence in turn (as `FramePose`, with the frame's timestamp)."""

    model_name = "replay"

    def __init__(self, seq) -> None:
        self._seq = seq

    def process(self, frame):
        from hipvision.pose import FramePose

        i = frame.index % len(self._seq)
        s = self._seq
        return FramePose(frame.timestamp_s, s.image[i], s.visibility[i], s.presence[i], s.world[i],
                         hip_growth=float(s.hip_growth[i]) if s.hip_growth is not None else math.nan)


def case_collect(minutes: float, poses: Path) -> None:
    from hipvision.io.files import load_sequence
    from hipvision.pose import extract

    frames, fps = _stretch()
    seq = load_sequence(poses).slice(0, STRETCH)
    out = extract(RepeatSource(frames, fps, int(minutes * 60 * fps)), ReplayTracker(seq))
    print(f"{len(out)} frames collected")


def case_pose(frames_n: int) -> None:
    from hipvision.pose import PoseTracker, extract

    frames, fps = _stretch()
    with PoseTracker() as tracker:
        extract(RepeatSource(frames, fps, frames_n // 4), tracker)
        quarter = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        extract(RepeatSource(frames, fps, frames_n), tracker)
    end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"pose: peak RSS after {frames_n // 4} frames {quarter / 1024:.0f} MB, after {frames_n} more "
          f"{end / 1024:.0f} MB")


def repeated_poses(poses: Path, minutes: float, out: Path) -> Path:
    """The sample's poses repeated (timestamps continued) to ``minutes``, saved to ``out``."""
    import dataclasses

    from hipvision.io.files import load_sequence, save_sequence

    seq = load_sequence(poses)
    n = int(minutes * 60 * seq.fps)
    idx = np.arange(n) % len(seq)
    period = seq.timestamps_s[-1] + 1.0 / seq.fps
    t = seq.timestamps_s[idx] + period * (np.arange(n) // len(seq))
    growth = None if seq.hip_growth is None else seq.hip_growth[idx]
    long = dataclasses.replace(seq, timestamps_s=t, image=seq.image[idx], visibility=seq.visibility[idx],
                               presence=seq.presence[idx], world=seq.world[idx], hip_growth=growth)
    return save_sequence(long, out)


def sample_poses() -> Path:
    """The sample's poses, extracted once (a few minutes on 2 cores) into the tests' download cache."""
    cache = Path(os.environ.get("HIPVISION_TEST_CACHE") or Path.home() / ".cache" / "hipvision-tests")
    path = cache / "hip_circles_poses.npz"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "hipvision", "extract", str(SAMPLE), "-o", str(path)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return path


def looped_video(minutes: float, out: Path) -> tuple[Path, int]:
    """``samples/hip_circles.mp4`` played again and again to ``minutes``, written to ``out`` (mp4v); (path, frames)."""
    import cv2

    from hipvision.io.sources import open_source

    with open_source(SAMPLE) as source:
        fps, (width, height) = source.fps, source.frame_size
    n, written = int(minutes * 60 * fps), 0
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    try:
        while written < n:  # the sample read again for each pass (its frames are not all held at once)
            with open_source(SAMPLE) as source:
                for frame in source:
                    if written >= n:
                        break
                    writer.write(frame.image)
                    written += 1
    finally:
        writer.release()
    return out, n


def peak_mb(cmd: list[str]) -> tuple[float, str]:
    """Run ``cmd``; (its peak RSS in MB, its last output line)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed ({proc.returncode})")
    lines = output.strip().splitlines()
    return usage.ru_maxrss / 1024, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1.0, 10.0, 60.0])
    parser.add_argument("--pose-frames", type=int, default=120, help="frames through the real model (default 120)")
    parser.add_argument("--video-minutes", type=float, nargs="*", default=[1.0, 10.0],
                        help="lengths of the looped sample through the whole command (default 1 10; none: skip)")
    parser.add_argument("--case", nargs=2, help=argparse.SUPPRESS)  # internal: run one case in this process
    args = parser.parse_args(argv)
    if args.case:
        kind, value = args.case
        if kind == "collect":
            case_collect(float(value), Path(os.environ["HV_MEMORY_POSES"]))
        else:
            case_pose(int(value))
        return 0
    me = [sys.executable, str(Path(__file__).resolve())]
    with tempfile.TemporaryDirectory(prefix="hv-memory-") as tmp:
        tmp_dir = Path(tmp)
        poses = sample_poses()
        os.environ["HV_MEMORY_POSES"] = str(poses)
        print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
        for minutes in args.minutes:
            collect, _ = peak_mb(me + ["--case", "collect", str(minutes)])
            long = repeated_poses(poses, minutes, tmp_dir / f"long{minutes:g}.npz")
            analysis, _ = peak_mb([sys.executable, "-m", "hipvision", "circles", str(long), "--json",
                                   str(tmp_dir / "c.json")])
            print(f"{minutes:5g} min: peak RSS collect {collect:6.0f} MB, circles analysis {analysis:6.0f} MB  "
                  f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        _, line = peak_mb(me + ["--case", "pose", str(args.pose_frames)])
        print(f"{line}  (load average {os.getloadavg()[0]:.1f})", flush=True)
        for minutes in args.video_minutes:
            video, n = looped_video(minutes, tmp_dir / f"looped{minutes:g}.mp4")
            start = time.perf_counter()
            peak, _ = peak_mb([sys.executable, "-m", "hipvision", "circles", str(video), "--json",
                               str(tmp_dir / "v.json")])
            wall = time.perf_counter() - start
            video.unlink()
            print(f"{minutes:5g} min of video ({n} frames): `circles VIDEO` peak RSS {peak:6.0f} MB, "
                  f"{1000 * wall / n:.1f} ms a frame  (load average {os.getloadavg()[0]:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
