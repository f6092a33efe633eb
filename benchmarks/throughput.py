"""Throughput: hipvision's extraction against bare MediaPipe on the same video.

    python benchmarks/throughput.py [VIDEO] [--max-frames N] [--model PATH]

Without VIDEO it uses the Sports2D demo clip (downloaded once into the test
cache, like the tests do). Three runs on the same frames:

* **bare MediaPipe**: every frame decoded into memory first (not timed); the
  timed loop is what any MediaPipe user writes: BGR→RGB, ``mp.Image``,
  ``PoseLandmarker.detect_for_video`` (VIDEO mode, same ``num_poses``).
* **hipvision, whole frame only** (``crop_search=False``): `open_source` +
  `PoseTracker` + `extract`, timed from opening the file, decoding included
  (it runs on the reader thread, overlapping inference). This ratio is the
  cost of hipvision's own machinery.
* **hipvision, default** (small-person tile search and crop following on): the
  extra inferences it spends finding people the whole frame misses show up
  here, together with the detection rate they buy.

Prints frames per second of each and their ratios to bare MediaPipe (target ≥ 0.95
for the whole-frame run).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hipvision.pose import PoseTracker, extract, model_path  # noqa: E402
from hipvision.sources import open_source, quiet_native_logs  # noqa: E402


def _demo_video() -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import fetch_sports2d_demo  # the tests' cached download

    return fetch_sports2d_demo()


def bare_mediapipe(video: Path, model: Path, *, max_frames: int | None, num_poses: int) -> tuple[float, float]:
    """(fps, detection rate) of a plain detect_for_video loop over pre-decoded frames."""
    cap = cv2.VideoCapture(str(video))
    frames, times = [], []
    while max_frames is None or len(frames) < max_frames:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
        times.append(cap.get(cv2.CAP_PROP_POS_MSEC))
    cap.release()
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                           running_mode=vision.RunningMode.VIDEO, num_poses=num_poses)
    found, last_ms = 0, -1
    with quiet_native_logs():  # one redirect around the whole run: no per-frame cost
        landmarker = vision.PoseLandmarker.create_from_options(options)
        start = time.perf_counter()
        for image, ms in zip(frames, times):
            last_ms = max(int(round(ms)), last_ms + 1)
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            result = landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), last_ms)
            found += bool(result.pose_landmarks)
        elapsed = time.perf_counter() - start
        landmarker.close()
    return len(frames) / elapsed, found / len(frames)


def hipvision_run(video: Path, model: Path, *, max_frames: int | None, crop_search: bool) -> tuple[float, float]:
    """(fps, detection rate) of open_source + PoseTracker + extract, decoding included."""
    with PoseTracker(model, crop_search=crop_search) as tracker:
        start = time.perf_counter()
        with open_source(video) as source:
            seq = extract(source, tracker, progress=False, max_frames=max_frames)
        elapsed = time.perf_counter() - start
    return len(seq) / elapsed, seq.detection_rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, help="video file (default: the Sports2D demo)")
    parser.add_argument("--max-frames", type=int, default=None, help="frames to use (default: all)")
    parser.add_argument("--model", type=Path, default=None, help="pose model (default: $HIPVISION_MODELS)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each kind, interleaved; the fastest counts (shared machines are noisy)")
    args = parser.parse_args(argv)
    video = args.video or _demo_video()
    model = model_path(args.model)
    print(f"video: {video.name}  model: {model.name}  os.cpu_count: {os.cpu_count()}  repeat: {args.repeat}")
    runs = {
        "bare MediaPipe detect_for_video": lambda: bare_mediapipe(video, model, max_frames=args.max_frames,
                                                                  num_poses=2),
        "hipvision, whole frame only": lambda: hipvision_run(video, model, max_frames=args.max_frames,
                                                             crop_search=False),
        "hipvision, default (crop search)": lambda: hipvision_run(video, model, max_frames=args.max_frames,
                                                                  crop_search=True),
    }
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for name, run in runs.items():
            fps, rate = run()
            if name not in best or fps > best[name][0]:
                best[name] = (fps, rate)
    bare_fps = best["bare MediaPipe detect_for_video"][0]
    rows = [(name, fps, rate) for name, (fps, rate) in best.items()]
    print(f"{'run':36s} {'fps':>7s} {'ratio':>6s} {'detected':>9s}")
    for name, fps, rate in rows:
        print(f"{name:36s} {fps:7.1f} {fps / bare_fps:6.2f} {rate:9.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
