"""Throughput: hipvision's extraction against bare MediaPipe on the same video.

    python benchmarks/throughput.py [VIDEO] [--max-frames N] [--model PATH] [--repeat N] [--paired-only] [--parts]

Without VIDEO it uses the Sports2D demo clip (downloaded once into the test
cache, like the tests do). All runs use the same frames and the same model in VIDEO mode; bare MediaPipe
looks for ``--bare-poses`` people (default 2, as hipvision's tracker does; 1 is MediaPipe's default, which runs
its person detector only when tracking is lost, about half the cost with one person in view):

A. **bare MediaPipe, decoded frames**: every frame decoded into memory first
   (not timed); the timed loop is what any MediaPipe user writes: BGR→RGB,
   ``mp.Image``, ``PoseLandmarker.detect_for_video``. The reference (ratio 1).
B. **hipvision tracker, decoded frames**: `PoseTracker.process` (whole frame
   only) on the same in-memory frames: the cost of hipvision's own machinery
   (conversion to arrays, subject choice, FramePose, and the hip growth measured on a
   worker thread, `hipvision.pose.image_motion`, only after frames on all fours).
C. **bare MediaPipe + cv2 decoding in the loop**: read, convert, detect, one
   after the other: what a plain script reading a file does.
D. **hipvision extract, whole frame**: `open_source` + `PoseTracker(crop_search=False)`
   + `extract` from the file, decoding on the reader thread (overlapping inference).
E. **hipvision extract, default**: as D with the small-person tile search and
   crop following on; its extra inferences buy the higher detection rate.

Shared machines are noisy: each run is repeated, interleaved, and the fastest
counts. A and B are also measured *paired* (on every frame, order rotating, in one loop), which cancels load
drift: that ratio is the overhead figure to trust. B is paired twice: with the hip growth's flow on its worker
thread during the loop (``inline``: what the live view runs) and computed after the loop (``later``: what
`extract` does for files, `PoseTracker.growth_later`), whose after-the-loop flows are timed and added in a
third line (the loop alone is not the whole cost). The load average is printed so the figures can be judged.
``--parts`` then times the tracker's own parts (grey boxes, flow, affine fit, hand-off, landmark conversion,
subject choice, all-fours gate, FramePose) for each of the two, in one more paired loop each.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hipvision.pose import PoseTracker, extract, model_path  # noqa: E402
from hipvision.io.sources import Frame, open_source, quiet_native_logs  # noqa: E402


def _demo_video() -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import fetch_sports2d_demo  # the tests' cached download

    return fetch_sports2d_demo()


def decode_all(video: Path, max_frames: int | None) -> list[Frame]:
    """Every frame of ``video`` in memory, with its source timestamp."""
    with open_source(video) as source:
        frames = []
        for frame in source:
            frames.append(frame)
            if max_frames is not None and len(frames) >= max_frames:
                break
    return frames


#: People bare MediaPipe looks for (``--bare-poses``).
BARE_POSES = 2


def _bare_landmarker(model: Path):
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                           running_mode=vision.RunningMode.VIDEO, num_poses=BARE_POSES)
    return vision.PoseLandmarker.create_from_options(options)


def bare_decoded(frames: list[Frame], model: Path) -> tuple[int, float, int]:
    """A: (frames, seconds, frames with a person) of detect_for_video over in-memory frames."""
    import mediapipe as mp

    with quiet_native_logs():  # one redirect around the whole run: no per-frame cost
        landmarker = _bare_landmarker(model)
        found = 0
        start = time.perf_counter()
        for frame in frames:
            rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
            result = landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb),
                                                 int(round(frame.timestamp_s * 1000)))
            found += bool(result.pose_landmarks)
        elapsed = time.perf_counter() - start
        landmarker.close()
    return len(frames), elapsed, found


def bare_with_decoding(video: Path, model: Path, max_frames: int | None) -> tuple[int, float, int]:
    """C: read + convert + detect in one loop, no overlap."""
    import mediapipe as mp

    with quiet_native_logs():
        landmarker = _bare_landmarker(model)
        count = found = 0
        last_ms = -1
        start = time.perf_counter()
        cap = cv2.VideoCapture(str(video))
        while max_frames is None or count < max_frames:
            ok, image = cap.read()
            if not ok:
                break
            last_ms = max(int(round(cap.get(cv2.CAP_PROP_POS_MSEC))), last_ms + 1)
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            result = landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), last_ms)
            found += bool(result.pose_landmarks)
            count += 1
        cap.release()
        elapsed = time.perf_counter() - start
        landmarker.close()
    return count, elapsed, found


def paired(frames: list[Frame], model: Path,
           names: tuple[str, ...] = ("bare", "inline", "later")) -> dict[str, tuple[float, float]]:
    """A and B frame by frame in one loop (order rotating), so all see the same machine load.

    B is run twice: with the hip growth's flow on its worker thread during the loop (``inline``, as live) and
    with it computed after the loop (``later``, as `extract` does for files, `PoseTracker.growth_later`); the
    after-the-loop part is timed separately (``later, after the loop``).
    Returns {name: (seconds, CPU seconds)} summed over the frames; CPU = the process's user + system time over
    each call (all threads: MediaPipe's, the hip-growth workers).
    """
    import mediapipe as mp

    spent = dict.fromkeys(("bare", "inline", "later"), 0.0)
    cpu = dict.fromkeys(("bare", "inline", "later"), 0.0)
    with quiet_native_logs(), PoseTracker(model, crop_search=False) as inline, \
            PoseTracker(model, crop_search=False) as later_tracker, later_tracker.growth_later() as later:
        landmarker = _bare_landmarker(model)
        for i, frame in enumerate(frames):
            for k in range(len(names)):
                which = names[(i + k) % len(names)]
                start, start_cpu = time.perf_counter(), time.process_time()
                if which == "bare":
                    rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
                    landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb),
                                                int(round(frame.timestamp_s * 1000)))
                else:
                    (inline if which == "inline" else later_tracker).process(frame)
                spent[which] += time.perf_counter() - start
                cpu[which] += time.process_time() - start_cpu
        landmarker.close()
        start, start_cpu = time.perf_counter(), time.process_time()
        later.results()
        after = (time.perf_counter() - start, time.process_time() - start_cpu)
    out = {name: (spent[name], cpu[name]) for name in names}
    out["later, after the loop"] = after
    return out


def tracker_parts(frames: list[Frame], model: Path) -> None:
    """The paired loop once more for each way of computing the hip growth (bare MediaPipe and one tracker),
    printing the CPU time of the tracker's own parts (each thread's CPU time around the call, so the load does
    not inflate it much; the inline growth's flow runs on its worker thread, the later one after the loop)."""
    for kind in ("inline", "later"):
        spent, calls, labels = _parts_of(frames, model, kind)
        print(f"tracker parts, {kind}: CPU ms per frame ({len(frames)} frames; calls in brackets; the affine fit is "
              "flow + fit minus the flow):")
        for label in labels:
            print(f"  {label:52s} {1000 * spent[label] / len(frames):6.3f}  ({calls[label]})")


def _parts_of(frames: list[Frame], model: Path, kind: str):
    from collections import Counter

    from hipvision.pose import growth_later, image_motion, landmarker as lm

    spent: Counter = Counter()
    calls: Counter = Counter()
    patched, labels = [], []

    def timed(owner, name: str, label: str, clock=time.thread_time) -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            start = clock()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += clock() - start
                calls[label] += 1
        patched.append((owner, name, original))
        labels.append(label)
        setattr(owner, name, wrapper)

    timed(lm.PoseTracker, "process", "PoseTracker.process (main thread, all of it)")
    timed(lm._Landmarker, "detect", "  MediaPipe call and its Python wrapper")
    timed(lm, "_to_arrays", "  landmarks to numpy")
    timed(lm.PoseTracker, "_pick", "  subject choice")
    timed(lm, "frame_is_quadruped", "  all-fours gate")
    timed(lm.FramePose, "__init__", "  FramePose building")
    timed(image_motion.HipGrowthMeter, "advance", "  hip box of the kept frame (grey, shrunk)")
    timed(lm.PoseTracker, "_start_growth", "  growth: hand-off to the worker / keeping the boxes")
    timed(lm.PoseTracker, "_growth_result", "  growth: waiting for the worker (wall)", clock=time.perf_counter)
    timed(image_motion._Region, "patch", "grey boxes, all threads (in the lines above)")
    timed(image_motion, "farneback_flow", "the flow, all threads")
    timed(image_motion._Region, "growth", "flow + affine fit, all threads")
    timed(growth_later.LaterGrowth, "results", "later: after the loop, main thread (wall)", clock=time.perf_counter)
    try:
        paired(frames, model, names=("bare", kind))
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)
    return spent, calls, labels


def tracker_decoded(frames: list[Frame], model: Path) -> tuple[int, float, int]:
    """B: PoseTracker.process (whole frame only) over the same in-memory frames."""
    with PoseTracker(model, crop_search=False) as tracker:
        start = time.perf_counter()
        found = sum(tracker.process(frame).detected for frame in frames)
        elapsed = time.perf_counter() - start
    return len(frames), elapsed, found


def hipvision_extract(video: Path, model: Path, max_frames: int | None, crop_search: bool) -> tuple[int, float, int]:
    """D/E: open_source + PoseTracker + extract, decoding included (reader thread)."""
    with PoseTracker(model, crop_search=crop_search) as tracker:
        start = time.perf_counter()
        with open_source(video) as source:
            seq = extract(source, tracker, progress=False, max_frames=max_frames)
        elapsed = time.perf_counter() - start
    return len(seq), elapsed, int(seq.detected.sum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, help="video file (default: the Sports2D demo)")
    parser.add_argument("--max-frames", type=int, default=None, help="frames to use (default: all)")
    parser.add_argument("--model", type=Path, default=None, help="pose model (default: $HIPVISION_MODELS)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind, interleaved; the fastest counts")
    parser.add_argument("--paired-only", action="store_true", help="only the paired A/B loop, --repeat times")
    parser.add_argument("--parts", action="store_true", help="then the CPU time of the tracker's parts")
    parser.add_argument("--bare-poses", type=int, default=2,
                        help="num_poses of bare MediaPipe (default 2, as hipvision; 1 = MediaPipe's default)")
    args = parser.parse_args(argv)
    global BARE_POSES
    BARE_POSES = args.bare_poses
    video = args.video or _demo_video()
    model = model_path(args.model)
    frames = decode_all(video, args.max_frames)
    w, h = frames[0].image.shape[1], frames[0].image.shape[0]
    print(f"video: {video.name} ({w}x{h}, {len(frames)} frames)  model: {model.name}  "
          f"cpus: {os.cpu_count()}  load average before: {os.getloadavg()[0]:.1f}")
    if args.paired_only:
        for _ in range(args.repeat):
            _print_paired(frames, model)
        if args.parts:
            tracker_parts(frames, model)
        return 0
    runs: dict[str, Callable[[], tuple[int, float, int]]] = {
        "A bare MediaPipe, decoded frames": lambda: bare_decoded(frames, model),
        "B hipvision tracker, decoded frames": lambda: tracker_decoded(frames, model),
        "C bare MediaPipe + cv2 decoding in loop": lambda: bare_with_decoding(video, model, args.max_frames),
        "D hipvision extract, whole frame": lambda: hipvision_extract(video, model, args.max_frames, False),
        "E hipvision extract, default": lambda: hipvision_extract(video, model, args.max_frames, True),
    }
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for name, run in runs.items():
            count, elapsed, found = run()
            fps = count / elapsed
            if name not in best or fps > best[name][0]:
                best[name] = (fps, found / count)
    reference = best["A bare MediaPipe, decoded frames"][0]
    print(f"{'run':42s} {'fps':>6s} {'ratio':>6s} {'person':>7s}")
    for name, (fps, rate) in best.items():
        print(f"{name:42s} {fps:6.1f} {fps / reference:6.2f} {rate:7.1%}")
    _print_paired(frames, model)
    print(f"load average after: {os.getloadavg()[0]:.1f}  (ratios are to run A; 'person' = frames with landmarks)")
    return 0


def _print_paired(frames: list[Frame], model: Path) -> None:
    runs = paired(frames, model)
    n = len(frames)
    (bare_s, bare_cpu), (after_s, after_cpu) = runs["bare"], runs["later, after the loop"]
    rows = {"inline (flow on a worker, as live)": runs["inline"],
            "later, the loop only": runs["later"],
            "later, loop + flows after it": (runs["later"][0] + after_s, runs["later"][1] + after_cpu)}
    print(f"paired A/B, frame by frame in one loop (load average {os.getloadavg()[0]:.1f}): bare "
          f"{n / bare_s:.1f} fps, CPU {1000 * bare_cpu / n:.1f} ms a frame", flush=True)
    for name, (secs, cpu) in rows.items():
        print(f"  hipvision tracker, {name:36s} {n / secs:5.1f} fps, ratio {bare_s / secs:.3f}; "
              f"CPU {1000 * cpu / n:.1f} ms a frame, ratio {bare_cpu / cpu:.3f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
