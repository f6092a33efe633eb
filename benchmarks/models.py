"""Pose model choice: MediaPipe's lite, full and heavy landmark nets on this machine, speed and accuracy.

    python benchmarks/models.py [--models lite,full,heavy] [--speed-frames N] [--cache DIR]

Missing models are provisioned first (download, else the offline build: PyPI wheel + npm).
Three measurements, on the bundled rendered samples whose answers are known (``samples/``):

1. **Model speed, paired.** ``--speed-frames`` frames (spread over ``seated_ir.mp4`` and
   ``hip_circles.mp4``) are decoded into memory once. One loop runs every model's bare
   ``PoseLandmarker.detect_for_video`` (VIDEO mode, ``num_poses=2`` as hipvision uses it) on
   each frame, in an order that rotates from frame to frame, so all models see the same
   machine load; fps = frames / summed seconds of that model's calls.
2. **Whole pipeline.** `hipvision.pose.poses_from_input` on each sample (decoding on the
   reader thread, small-person search, hip growth): fps over all frames, and the share of
   frames with a person. The pose files are cached (``--cache``) for re-runs of the analysis.
3. **Accuracy.** ``seated_ir``: held IR per true effort (measured − true, degrees).
   ``session``: held IR of its four seated efforts and the IR change per leg vs truth, and its
   circle counts. ``hip_circles``: counts per direction vs truth, and whether every circle
   turned the true way ("exact").

Took 820 s with the project's 2 cores shared at load average 12 (heavy's pipeline pass is half of it);
from the fps measured, about 4-5 minutes on 2 idle cores. ``--models lite,full`` or ``--cache`` for less.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from accuracy import circle_row, seated_rows  # noqa: E402  (benchmarks/accuracy.py)
from throughput import decode_all  # noqa: E402  (benchmarks/throughput.py)

from hipvision.pose.models import MODEL_NAMES, resolve_model  # noqa: E402
from hipvision.io.sources import quiet_native_logs  # noqa: E402
from hipvision.synthetic.render.sidecar import load_sidecar  # noqa: E402

SAMPLES = ROOT / "samples"
SPEED_SAMPLES = ("seated_ir", "hip_circles")
ACCURACY_SAMPLES = ("seated_ir", "hip_circles", "session")


def _landmarker(model: Path):
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                           running_mode=vision.RunningMode.VIDEO, num_poses=2)
    return vision.PoseLandmarker.create_from_options(options)


def paired_speed(frames: list, paths: dict[str, Path]) -> dict[str, float]:
    """Model name → fps of bare ``detect_for_video`` over ``frames``, all models in one loop.

    Each model keeps its own VIDEO-mode landmarker (so it tracks as it would alone); the order
    of the models rotates every frame so that none always runs first after a cold cache.
    """
    import cv2
    import mediapipe as mp

    names = list(paths)
    spent = dict.fromkeys(names, 0.0)
    with quiet_native_logs():
        marks = {name: _landmarker(path) for name, path in paths.items()}
        try:
            for i, frame in enumerate(frames):
                image = mp.Image(image_format=mp.ImageFormat.SRGB,
                                 data=cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB))
                ms = i * 50  # one clock for the concatenated clips: 20 fps, strictly increasing
                for name in names[i % len(names):] + names[:i % len(names)]:
                    start = time.perf_counter()
                    marks[name].detect_for_video(image, ms)
                    spent[name] += time.perf_counter() - start
        finally:
            for mark in marks.values():
                mark.close()
    return {name: len(frames) / spent[name] for name in names}


def speed_frames(total: int) -> list:
    """``total`` frames, half from each speed sample, spread evenly over each clip."""
    frames = []
    for stem in SPEED_SAMPLES:
        clip = decode_all(SAMPLES / f"{stem}.mp4", None)
        pick = np.linspace(0, len(clip) - 1, max(1, total // len(SPEED_SAMPLES))).round().astype(int)
        frames += [clip[k] for k in pick]
    return frames


def poses(stem: str, name: str, path: Path, cache: Path | None) -> tuple[object, float | None]:
    """(PoseSequence of ``samples/<stem>.mp4`` with model ``name``, seconds it took or None if cached)."""
    from hipvision.io import load_sequence, save_sequence
    from hipvision.pose import poses_from_input

    cached = cache / f"{stem}.{name}.npz" if cache is not None else None
    if cached is not None and cached.is_file():
        return load_sequence(cached), None
    start = time.perf_counter()
    seq = poses_from_input(SAMPLES / f"{stem}.mp4", model=path, progress=False)
    elapsed = time.perf_counter() - start
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        save_sequence(seq, cached)
    return seq, elapsed


def session_parts(result: dict) -> tuple[dict, dict]:
    """(a rotation-like dict holding the seated phases' efforts per leg, the quadruped phase's circles dict)."""
    seated = {leg: {"efforts": []} for leg in ("left", "right")}
    circles: dict = {}
    for phase in result["phases"]:
        if phase["status"] != "analysed" or not phase["result"]:
            continue
        if phase["kind"] == "seated":
            for leg in seated:
                seated[leg]["efforts"] += (phase["result"].get(leg) or {}).get("efforts") or []
        elif phase["kind"] == "quadruped":
            circles = phase["result"]
    return seated, circles


def accuracy(seqs: dict[str, object]) -> dict:
    """The accuracy figures of one model from its pose sequences per sample."""
    from hipvision.core.circles import analyze_circles
    from hipvision.core.rotation import analyze_rotation
    from hipvision.core.session import analyze_session

    truth = {stem: load_sidecar(SAMPLES / f"{stem}.json") for stem in ACCURACY_SAMPLES}
    rows, extra = seated_rows(truth["seated_ir"], analyze_rotation(seqs["seated_ir"]).to_dict())
    session = analyze_session(seqs["session"]).to_dict()
    s_seated, s_circles = session_parts(session)
    s_rows, s_extra = seated_rows(truth["session"], s_seated)
    circles = analyze_circles(seqs["hip_circles"]).to_dict()
    return {
        "seated_errors": [r["measured_deg"] - r["truth_deg"] for r in _in_time_order(rows, truth["seated_ir"])],
        "seated_extra": extra,
        "session_errors": [r["measured_deg"] - r["truth_deg"] for r in s_rows],
        "session_extra": s_extra,
        "change_errors": {leg: (session["change_deg"].get(leg) or math.nan) - truth["session"]["change_deg"][leg]
                          for leg in ("left", "right")},
        "circles": circle_row(truth["hip_circles"], circles),
        "session_circles": circle_row(truth["session"], s_circles) if s_circles else None,
        "counts": _counts(circles),
        "session_counts": _counts(s_circles),
    }


def _in_time_order(rows: list[dict], truth: dict) -> list[dict]:
    """`seated_rows` gives left efforts then right; reorder to the true efforts' time order."""
    order = sorted(truth["rotation"]["efforts"], key=lambda e: e["start_s"])
    pool = {leg: [r for r in rows if r["leg"] == leg] for leg in ("left", "right")}
    return [pool[e["leg"]].pop(0) for e in order]


def _counts(result: dict) -> str:
    return f"{result.get('clockwise', 0)}+{result.get('counterclockwise', 0)}" if result else "—"


def _fmt(value: float, spec: str = "+.1f") -> str:
    return "—" if value is None or not np.isfinite(value) else format(value, spec)


def _mae(errors) -> float:
    errors = np.asarray(errors, float)
    return float(np.nanmean(np.abs(errors))) if np.isfinite(errors).any() else math.nan


def print_tables(names: list[str], speed: dict[str, float], pipe: dict[str, dict], acc: dict[str, dict]) -> None:
    """The per-model tables (speed, then accuracy against the samples' known answers)."""
    truth = {stem: load_sidecar(SAMPLES / f"{stem}.json") for stem in ACCURACY_SAMPLES}
    ref = speed.get("full")
    print(f"\nSpeed (2-core shared CPU; load average now {os.getloadavg()[0]:.1f})")
    print(f"{'model':<7}{'net fps':>9}{'÷ full':>8}{'pipeline fps':>14}{'person found':>14}")
    for name in names:
        p = pipe[name]
        ratio = speed[name] / ref if ref else math.nan
        print(f"{name:<7}{speed[name]:>9.1f}{_fmt(ratio, '.2f'):>8}{_fmt(p['fps'], '.1f'):>14}{p['found']:>14.1%}")

    efforts = sorted(truth["seated_ir"]["rotation"]["efforts"], key=lambda e: e["start_s"])
    heads = [f"{e['leg'][0].upper()} {e['held_deg']:.1f}°" for e in efforts]
    change = truth["session"]["change_deg"]
    circ, s_circ = truth["hip_circles"]["circles"], truth["session"]["circles"]
    print("\nAccuracy on the rendered samples (held IR: measured − true, degrees; circles: cw+ccw)")
    print(f"{'model':<7}" + "".join(f"{h:>10}" for h in heads) + f"{'MAE':>6}{'session MAE':>13}"
          f"{'Δ L/R err':>12}{'circles':>9}{'exact':>7}{'session':>9}{'exact':>7}")
    print(f"{'truth':<7}" + "".join(f"{'':>10}" for _ in heads) + f"{'':>6}{'4 efforts':>13}"
          f"{change['left']:>+6.1f}/{change['right']:+.1f}{_counts(circ):>9}{'':>7}{_counts(s_circ):>9}{'':>7}")
    for name in names:
        a = acc[name]
        ch = a["change_errors"]
        sc = a["session_circles"] or {"exact": False}
        print(f"{name:<7}" + "".join(f"{_fmt(e):>10}" for e in a["seated_errors"])
              + f"{_fmt(_mae(a['seated_errors']), '.1f'):>6}"
              f"{_fmt(_mae(a['session_errors']), '.1f'):>13}{_fmt(ch['left']):>7}/{_fmt(ch['right']):<4}"
              f"{a['counts']:>9}{'yes' if a['circles']['exact'] else 'no':>7}{a['session_counts']:>9}"
              f"{'yes' if sc['exact'] else 'no':>7}")
    extras = {name: acc[name]["seated_extra"] + acc[name]["session_extra"] for name in names}
    if any(extras.values()):
        print("measured efforts matching no true one: " + ", ".join(f"{n} {c}" for n, c in extras.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODEL_NAMES), help="comma-separated model names")
    parser.add_argument("--speed-frames", type=int, default=240, help="frames in the paired speed loop")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder to keep pose files in and reuse (default: none, extract every run)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = sorted(set(names) - set(MODEL_NAMES))
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}")
    started = time.perf_counter()
    paths = {name: resolve_model(name) for name in names}
    print("models: " + ", ".join(f"{n} = {p}" for n, p in paths.items()))
    print(f"cpus: {os.cpu_count()}  load average before: {os.getloadavg()[0]:.1f}", flush=True)
    speed = paired_speed(speed_frames(args.speed_frames), paths)
    pipe, acc = {}, {}
    for name, path in paths.items():
        seqs, seconds, frames, found = {}, 0.0, 0, 0
        for stem in ACCURACY_SAMPLES:
            seqs[stem], elapsed = poses(stem, name, path, args.cache)
            seconds = math.nan if elapsed is None else seconds + elapsed
            frames += len(seqs[stem])
            found += int(seqs[stem].detected.sum())
        pipe[name] = {"fps": frames / seconds, "found": found / frames}
        acc[name] = accuracy(seqs)
        print(f"{name}: {frames} frames analysed", flush=True)
    print_tables(names, speed, pipe, acc)
    print(f"\n(run time {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
