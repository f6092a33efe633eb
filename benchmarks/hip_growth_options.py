"""What a cheaper hip-growth flow costs in accuracy and saves in time (issue 16).

    python benchmarks/hip_growth_options.py VIDEO:POSES.npz [VIDEO:POSES.npz ...] [--out-dir DIR]

For each video, the landmarks saved by ``hipvision extract`` (POSES.npz, one row per decoded frame) say where
the hips are and which frames are on all fours (`hipvision.core.posture.frame_is_quadruped`, the tracker's
gate). Every option's `HipGrowthMeter` then sees the same decoded frames and landmarks; printed per option:
the flow's CPU time per measured frame (ms, one OpenCV thread), its total over the video relative to the
reference option's (``--base``, default the first: the setting before issue 16; "cost"), and the agreement of its
per-frame growth with the reference's (Pearson correlation, share of frames with the same sign; an option measured
over steps of k frames against the reference's sum over the same k frames). "(now)" marks the tracker's setting
(`hipvision.pose.image_motion`, `hipvision.pose.landmarker.GATE_HOLD_FRAMES`). With ``--out-dir`` each option's
growth is written into a copy of POSES.npz (``NAME.OPTION.poses.npz``) so the circles counts can be compared:
``python -m hipvision circles COPY --json J``.

With ``--truth`` (rendered videos only: the sidecar ``VIDEO.json`` of `hipvision.synthetic.render` next to the
video) each option is also held against the true pelvis motion: R² of a per-video least-squares fit of the growth on
the true frame-to-frame moves forward and sideways (and a constant), per frame and over 5-frame sums (the circles
analysis sums the growth). The depth a growth stands for is a mix of the two moves that depends on the camera, which
the fit finds; a flow that follows the motion better scores higher whatever the reference does.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hipvision.core.posture import frame_is_quadruped  # noqa: E402
from hipvision.io.sources import open_source  # noqa: E402
from hipvision.pose import image_motion  # noqa: E402


def _farneback(levels: int, iterations: int, window: int = 15, poly_n: int = 5, poly_sigma: float = 1.2):
    def flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return cv2.calcOpticalFlowFarneback(a, b, None, 0.5, levels, window, iterations, poly_n, poly_sigma, 0)
    return flow


def _dis(preset: int):
    dis = cv2.DISOpticalFlow_create(preset)

    def flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return dis.calc(a, b, None)
    return flow


#: name → (flow box px, flow function factory[, flow box half-size / fitted square half-size[, step]]); step:
#: ("every", k) the growth over steps of k frames (from a kept frame to the k-th after it, on that frame, NaN
#: between); ("alternate", 2) the one-frame growth on every second frame only, doubled (NaN between); ("hold", n) a
#: "yes" of the all-fours gate holds for n frames (`hipvision.pose.landmarker.GATE_HOLD_FRAMES`).
OPTIONS = {
    "farneback-3/3-160 (before)": (160, lambda: _farneback(3, 3)),
    "farneback-2/2-160": (160, lambda: _farneback(2, 2)),
    "farneback-2/1-160": (160, lambda: _farneback(2, 1)),
    "farneback-1/1-160": (160, lambda: _farneback(1, 1)),
    "farneback-2/2-128": (128, lambda: _farneback(2, 2)),
    "farneback-3/3-112": (112, lambda: _farneback(3, 3)),
    "farneback-3/3-120-box1.5": (120, lambda: _farneback(3, 3), 1.5),
    "farneback-2/1-120-box1.5": (120, lambda: _farneback(2, 1), 1.5),
    "farneback-2/1-120-box1.5-hold8": (120, lambda: _farneback(2, 1), 1.5, ("hold", 8)),
    "farneback-2/1-120-box1.5-every2": (120, lambda: _farneback(2, 1), 1.5, ("every", 2)),
    "farneback-3/3-120-box1.5-every2": (120, lambda: _farneback(3, 3), 1.5, ("every", 2)),
    "farneback-2/1-120-box1.5-every3": (120, lambda: _farneback(2, 1), 1.5, ("every", 3)),
    "farneback-2/1-120-box1.5-alternate": (120, lambda: _farneback(2, 1), 1.5, ("alternate", 2)),
    "farneback-2/1-100-box1.25": (100, lambda: _farneback(2, 1), 1.25),
    "farneback-2/1-100-box1.25-hold8 (now)": (100, lambda: _farneback(2, 1), 1.25, ("hold", 8)),
    "farneback-2/1-50-box1.25-hold8": (50, lambda: _farneback(2, 1), 1.25, ("hold", 8)),
    "farneback-2/1-70-box1.25-hold8": (70, lambda: _farneback(2, 1), 1.25, ("hold", 8)),
    "farneback-1/2-w9-50-box1.25-hold8": (50, lambda: _farneback(1, 2, 9, 5, 1.1), 1.25, ("hold", 8)),
    "farneback-2/2-w11p7-50-box1.25-hold8": (50, lambda: _farneback(2, 2, 11, 7, 1.5), 1.25, ("hold", 8)),
    "farneback-1/1-120-box1.5": (120, lambda: _farneback(1, 1), 1.5),
    "farneback-2/1-100-box1.5": (100, lambda: _farneback(2, 1), 1.5),
    "dis-ultrafast-160": (160, lambda: _dis(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)),
}


def growth_series(frames: list[np.ndarray], poses: dict, box_px: int, flow, box_per_half: float = 2.0,
                  step: tuple[str, int] = ("every", 1)) -> tuple[np.ndarray, float, int]:
    """Per-frame growth with one option, the flow's total CPU time (s) and the number of frames measured
    (``step``: see `OPTIONS`)."""
    image_motion.MAX_BOX_PX, image_motion.BOX_PER_HALF = box_px, box_per_half
    kind, n = step
    every = n if kind == "every" else 1
    meter = image_motion.HipGrowthMeter(flow)
    out = np.full(len(frames), np.nan)
    spent, measured, since, held = 0.0, 0, 0, 0
    for i, frame in enumerate(frames):
        image, vis, world = (np.asarray(poses[k][i], dtype=float) for k in ("image", "visibility", "world"))
        size = (frame.shape[1], frame.shape[0])
        found = not np.isnan(image[:, 0]).all()
        since += 1
        if meter.armed and since < every:  # inside a step: nothing to do unless the person is lost
            if not found:
                meter.reset()
            continue
        if meter.armed:
            start = time.thread_time()  # CPU time of this thread (the flow runs here): load does not inflate it
            out[i] = meter.measure(frame) * (n if kind == "alternate" else 1)
            spent += time.thread_time() - start
            measured += 1
        if held > 0 and found:
            keep, held = True, held - 1
        else:
            keep = found and frame_is_quadruped(image, vis, world, size)
            held = n - 1 if keep and kind == "hold" else 0
        if kind == "alternate" and i % n != n - 1:
            keep = False  # only the frame before each measured one is kept
        meter.advance(frame, image if found else None, keep=keep)
        since = 0
    return out, spent, measured


def agreement(a: np.ndarray, b: np.ndarray, every: int = 1) -> tuple[float, float]:
    """(Pearson correlation, share of the same sign) over frames where both are known; ``a`` measured over
    steps of ``every`` frames is compared with ``b`` summed over the same frames."""
    if every > 1:
        b = np.array([b[i - every + 1:i + 1].sum() if i >= every - 1 else np.nan for i in range(len(b))])
    both = np.isfinite(a) & np.isfinite(b)
    if both.sum() < 3:
        return math.nan, math.nan
    return float(np.corrcoef(a[both], b[both])[0, 1]), float(np.mean(np.sign(a[both]) == np.sign(b[both])))


def truth_r2(growth: np.ndarray, sidecar: Path, span: int = 1) -> float:
    """R² of ``growth`` (per frame, NaN = unknown) explained by the true pelvis moves of the rendered video
    (sidecar ``frames.pelvis_forward_cm`` / ``pelvis_right_cm``: frame-to-frame differences and a constant), over
    sums of ``span`` frames; NaN with fewer than 20 usable frames."""
    frames = json.loads(sidecar.read_text())["frames"]
    n = min(len(growth), len(frames["pelvis_forward_cm"]))
    moves = np.diff(np.array([frames["pelvis_forward_cm"][:n], frames["pelvis_right_cm"][:n]], float), axis=1,
                    prepend=np.nan).T
    known = np.isfinite(growth[:n])
    kernel = np.ones(span)
    y = np.convolve(np.where(known, growth[:n], 0.0), kernel, "same")
    x = np.column_stack([np.convolve(np.nan_to_num(moves[:, k]), kernel, "same") for k in (0, 1)])
    use = known & np.isfinite(moves).all(axis=1)
    if use.sum() < 20:
        return math.nan
    design = np.column_stack([x[use], np.ones(use.sum())])
    coef, *_ = np.linalg.lstsq(design, y[use], rcond=None)
    return float(1 - np.var(y[use] - design @ coef) / np.var(y[use]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="+", help="VIDEO:POSES.npz")
    parser.add_argument("--only", nargs="*", help="only these options (names as printed, without '(now)'; the reference is always run)")
    parser.add_argument("--base", help="the reference option (name as printed, without '(now)'; default the first)")
    parser.add_argument("--out-dir", type=Path, help="write each option's growth into a copy of POSES.npz here")
    parser.add_argument("--truth", action="store_true",
                        help="also R² against the true pelvis motion (rendered videos with their sidecar VIDEO.json)")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)  # the meter runs on one worker thread beside the model
    print(f"load average {os.getloadavg()[0]:.1f}")
    for pair in args.pairs:
        video, npz = (Path(p) for p in pair.split(":"))
        with open_source(video) as source:
            frames = [frame.image for frame in source]
        with np.load(npz, allow_pickle=False) as data:
            poses = {k: data[k] for k in data.files}
        frames = frames[:len(poses["image"])]
        print(f"\n{video.name}: {len(frames)} frames")
        base = None
        names = sorted(OPTIONS, key=lambda n: n.split(" ")[0] != (args.base or next(iter(OPTIONS)).split(" ")[0]))
        for k, name in enumerate(names):
            box, factory, *per_half = OPTIONS[name]
            if k > 0 and args.only is not None and name.split(" ")[0] not in args.only:
                continue
            series, spent, measured = growth_series(frames, poses, box, factory(), *per_half)
            ms = 1000 * spent / max(measured, 1)
            if base is None:
                base = (series, spent)
            step = per_half[1] if len(per_half) > 1 else ("every", 1)
            corr, sign = agreement(series, base[0], step[1] if step[0] in ("every", "alternate") else 1)
            fit = ""
            if args.truth:
                sidecar = video.with_suffix(".json")
                fit = f"  truth R² {truth_r2(series, sidecar):.3f} (5 frames {truth_r2(series, sidecar, 5):.3f})"
            print(f"  {name:28s} {measured:4d} frames  {ms:6.2f} ms/frame  cost {spent / base[1]:.2f}  "
                  f"corr {corr:.3f}  same sign {sign:.2f}{fit}")
            if args.out_dir is not None:
                args.out_dir.mkdir(parents=True, exist_ok=True)
                tag = name.split(" ")[0].replace("/", "_")
                np.savez(args.out_dir / f"{npz.name.split('.')[0]}.{tag}.poses.npz",
                         **{**poses, "hip_growth": series.astype(np.float32)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
