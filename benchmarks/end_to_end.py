"""End to end: a whole hipvision command against bare MediaPipe + decoding, process start to finish.

    python benchmarks/end_to_end.py [--seconds S] [--repeat N] [--model NAME|PATH]

For each of ``hipvision circles VIDEO --json J`` (on the first S seconds of
`samples/hip_circles.mp4`) and ``hipvision rotation VIDEO --json J`` (on the first
S seconds of `samples/seated_ir.mp4`), the wall time of the command as a
subprocess (Python start, imports, model load, decoding, pose, analysis,
writing) is compared with that of a plain script, also a subprocess, that
imports OpenCV and MediaPipe, loads the same model (VIDEO mode, ``num_poses`` =
``--bare-poses``: 2 by default, as hipvision; 1 is MediaPipe's default, about half the cost per frame with one
person in view), decodes the same file with ``cv2.VideoCapture`` and runs
``detect_for_video`` on every frame, one after the other.

The two (three with ``--base DIR``: another checkout's hipvision, e.g. main's, for a before/after in the same
loop) run interleaved (order rotating), ``--repeat`` times; each round gives
a ratio bare / hipvision (1.0 = as fast; above 1 = hipvision is faster, because
it decodes on a reader thread while the model runs). The median ratio is the
figure; the load average is printed with each pair (2-core machine shared with
others: ratios of neighbouring runs, not absolute times, are what to trust).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

#: The plain script: what a MediaPipe user writes to get poses out of a video file.
BARE = """
import sys, cv2, mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision
options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=sys.argv[2]),
                                       running_mode=vision.RunningMode.VIDEO, num_poses=int(sys.argv[3]))
with vision.PoseLandmarker.create_from_options(options) as landmarker:
    cap = cv2.VideoCapture(sys.argv[1])
    last = -1
    while True:
        ok, image = cap.read()
        if not ok:
            break
        last = max(int(round(cap.get(cv2.CAP_PROP_POS_MSEC))), last + 1)
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), last)
    cap.release()
"""


def clip(video: Path, seconds: float, out: Path) -> Path:
    """The first ``seconds`` of ``video`` re-encoded to ``out`` (both sides read the same file)."""
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for _ in range(int(round(seconds * fps))):
        ok, image = cap.read()
        if not ok:
            break
        writer.write(image)
    writer.release()
    cap.release()
    return out


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall_s(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, all its threads) of ``cmd`` run to completion, seconds
    (raises if it fails)."""
    start, cpu = time.perf_counter(), _children_cpu_s()
    # run from a neutral folder: ``python -m`` puts the working directory first on sys.path, which would import
    # the checkout the benchmark was started from instead of the one on PYTHONPATH (``--base``)
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          cwd=tempfile.gettempdir())
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip().splitlines()[-1:]}")
    return elapsed, _children_cpu_s() - cpu


def compare(name: str, runs: dict[str, tuple[list[str], dict[str, str]]], repeat: int) -> float:
    """Run each of ``runs`` (``bare``, ``hipvision``, optionally ``base``: another checkout's hipvision; each a
    command and its environment) ``repeat`` times, interleaved (order rotating); print each round and the median
    ratios bare / hipvision of wall time and of CPU time (the CPU ratio moves less with the machine's load: on a
    busy machine what a run costs is its CPU time, which no overlap of threads can hide)."""
    names = list(runs)
    ratios: dict[str, list[tuple[float, float]]] = {n: [] for n in names if n != "bare"}
    for i in range(repeat):
        times = {}
        for k in range(len(names)):
            which = names[(i + k) % len(names)]
            times[which] = wall_s(*runs[which])
        line = [f"bare {times['bare'][0]:.2f} s ({times['bare'][1]:.2f} s CPU)"]
        for n in ratios:
            ratios[n].append((times["bare"][0] / times[n][0], times["bare"][1] / times[n][1]))
            line.append(f"{n} {times[n][0]:.2f} s ({times[n][1]:.2f} s CPU), ratio {ratios[n][-1][0]:.3f} "
                        f"(CPU {ratios[n][-1][1]:.3f})")
        print(f"  {name} run {i + 1}: " + "; ".join(line) + f"  (load average {os.getloadavg()[0]:.1f})", flush=True)
    for n, pairs in ratios.items():
        print(f"{name}, {n}: whole command vs bare MediaPipe + decoding, median ratio "
              f"{statistics.median(p[0] for p in pairs):.3f}, CPU time {statistics.median(p[1] for p in pairs):.3f} "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    return statistics.median(p[0] for p in ratios["hipvision"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each clip (default 10 s)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved pairs per command (default 3)")
    parser.add_argument("--model", default=None,
                        help="pose model, a name (heavy) or a path (default: the provisioned 'full')")
    parser.add_argument("--base", type=Path, default=None,
                        help="another checkout (e.g. `git archive main`) whose hipvision runs in the same loop too")
    parser.add_argument("--bare-poses", type=int, default=2,
                        help="num_poses of the plain script (default 2, as hipvision; 1 = MediaPipe's default)")
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    sys.path.insert(0, str(ROOT))
    from hipvision.pose import model_path

    model = model_path(args.model).resolve()   # the subprocesses run in their own folders
    env["HIPVISION_MODELS"] = str(model.parent)
    with tempfile.TemporaryDirectory(prefix="hv-e2e-") as tmp:
        tmp_dir = Path(tmp)
        cases = {"circles": ROOT / "samples" / "hip_circles.mp4", "rotation": ROOT / "samples" / "seated_ir.mp4"}
        print(f"clips: first {args.seconds:g} s of each sample; model {model.name}; cpus {os.cpu_count()}; "
              f"load average {os.getloadavg()[0]:.1f}")
        for command, sample in cases.items():
            video = clip(sample, args.seconds, tmp_dir / f"{command}.mp4")
            # the same model as the plain script (a file's seated test defaults to heavy): the overhead is measured
            hv = [PYTHON, "-m", "hipvision", command, str(video), "--json", str(tmp_dir / f"{command}.json"),
                  "--model", str(model)]
            bare = [PYTHON, "-c", BARE, str(video), str(model), str(args.bare_poses)]
            runs = {"bare": (bare, env), "hipvision": (hv, env)}
            if args.base is not None:
                base_env = dict(env, PYTHONPATH=str(args.base.resolve()) + os.pathsep + os.environ.get("PYTHONPATH", ""))
                runs["base"] = (hv, base_env)
            compare(command, runs, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
