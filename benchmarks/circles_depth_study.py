"""How much of the pelvis's motion toward and away from the camera the pose model reports, per camera view.

Reads the circle videos of a `benchmarks/accuracy.py` cache (sidecars with the true pelvis path and the
cached MediaPipe poses; run accuracy.py first) and, on 10 s windows while the person truly circles,
fits the depth part of the path as ``α·a + γ·ȧ`` (see `hipvision.core.circles.depth`) for:

* the truth (the sidecar's pelvis path, seen from the camera azimuth the analysis estimated);
* MediaPipe's world landmarks (what the analysis uses);
* the image: the hip midpoint's pixel motion relative to the knees, across the across-the-view
  direction, scaled to metres by its fit to the across motion (a camera above the hips sees a
  pelvis coming closer move down the picture).

It prints per video the median true and reported depth/across ratios, how many times too small the
world depth was, and in how many windows each signal turned the same way as the truth.

    python benchmarks/circles_depth_study.py --cache .cache/accuracy-100
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hipvision.core.circles import CirclesSettings, track_offline  # noqa: E402
from hipvision.core.circles.depth import DepthSettings, depth_axes, loop_terms  # noqa: E402
from hipvision.core.circles.trajectory import TRACKED  # noqa: E402
from hipvision.core.filtering import lowpass_zero_phase, smooth_offline  # noqa: E402
from hipvision.io import load_sequence  # noqa: E402
from hipvision.synthetic.render.sidecar import load_sidecar  # noqa: E402

RAW = CirclesSettings(depth=DepthSettings(min_ratio=2.0))  # the world depth as reported (never rebuilt)
_HIPS, _KNEES = [TRACKED.index(k) for k in TRACKED[2:4]], [TRACKED.index(k) for k in TRACKED[6:8]]


def image_pelvis_px(seq) -> np.ndarray:
    """(T, 2) hip midpoint minus knee midpoint in the image, pixels (x right, y down), low-passed."""
    img = seq.image[:, list(TRACKED), :2] * np.array(seq.frame_size, float)
    img = smooth_offline(seq.timestamps_s, img, cutoff_hz=RAW.cutoff_hz, max_gap_s=RAW.max_gap_s)
    return img[:, _HIPS].mean(axis=1) - img[:, _KNEES].mean(axis=1)


def window_terms(t, dev_true, dev_world, img_px, az, torso):
    """(γ, ratio, r²) of the truth, the world depth and the image depth in one window (None if unfit)."""
    across, depth = depth_axes(az)
    out = []
    for dev in (dev_true, dev_world):
        terms = loop_terms(t, dev, az, torso)
        out.append(None if terms is None else (terms[1], terms[2], terms[3]))
    a = lowpass_zero_phase(t, dev_world - dev_world.mean(0), cutoff_hz=1.0, order=2) @ across
    px = lowpass_zero_phase(t, img_px - img_px.mean(0), cutoff_hz=1.0, order=2)
    along = (px * a[:, None]).sum(0) / max(float((a ** 2).sum()), 1e-12)  # px per metre across, as a vector
    scale = float(np.linalg.norm(along))
    if scale <= 0:
        return [*out, None]
    down = np.array([-along[1], along[0]]) / scale
    down *= np.sign(down[1]) or 1.0  # the image direction at right angles to the across motion, pointing down
    b_img = px @ down / scale
    terms = loop_terms(t, a[:, None] * across + b_img[:, None] * depth, az, torso)
    return [*out, None if terms is None else (terms[1], terms[2], terms[3])]


def study(cache: Path) -> list[dict]:
    rows = []
    for poses in sorted(cache.glob("circles-*.full.poses.npz")):   # accuracy.py: <stem>.<model>.poses.npz
        truth = load_sidecar(poses.with_name(poses.name.replace(".full.poses.npz", ".json")))
        frames = truth["frames"]
        tt = np.asarray(frames["t_s"], float)
        true_path = np.stack([frames["pelvis_forward_cm"], frames["pelvis_right_cm"]], axis=1) / 100.0
        seq = load_sequence(poses)
        track = track_offline(seq, RAW)
        img = image_pelvis_px(seq)
        t, rows_ok = track.t_s, np.flatnonzero(track.valid)
        dev = track.pelvis_m - track.centre_m
        stats = {"true": [], "world": [], "world_agree": 0, "image_agree": 0, "image_against": 0, "windows": 0}
        for c in np.arange(t[rows_ok[0]], t[rows_ok[-1]], 1.0):
            w = rows_ok[np.abs(t[rows_ok] - c) <= 5.0]
            if len(w) < 20:
                continue
            az, torso = float(np.nanmedian(track.camera_azimuth_deg[w])), float(np.nanmedian(track.torso_m[w]))
            dev_true = np.stack([np.interp(t[w], tt, true_path[:, k]) for k in range(2)], axis=1)
            tru, wor, ima = window_terms(t[w], dev_true, dev[w], img[w], az, torso)
            if tru is None or tru[1] < 0.5 or tru[2] < 0.5 or wor is None:  # not clearly circling
                continue
            stats["windows"] += 1
            stats["true"].append(tru[1])
            stats["world"].append(wor[1])
            stats["world_agree"] += np.sign(wor[0]) == np.sign(tru[0])
            if ima is not None and ima[2] >= 0.3:
                stats["image_agree" if np.sign(ima[0]) == np.sign(tru[0]) else "image_against"] += 1
        if stats["windows"]:
            rows.append({"video": poses.name.replace(".full.poses.npz", ""), "condition": truth["camera"]["condition"],
                         **stats})
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", type=Path, default=ROOT / ".cache" / "accuracy-100",
                   help="accuracy.py's cache folder")
    args = p.parse_args(argv)
    rows = study(args.cache)
    if not rows:
        print(f"no circle videos with poses in {args.cache}; run benchmarks/accuracy.py first", file=sys.stderr)
        return 2
    print(f"{'video':28s} {'true':>5s} {'world':>6s} {'too small':>9s} {'world same way':>15s} {'image same/against':>19s}")
    for r in rows:
        tr, wo = float(np.median(r["true"])), float(np.median(r["world"]))
        print(f"{r['video']:28s} {tr:5.2f} {wo:6.3f} {tr / max(wo, 1e-3):8.1f}x "
              f"{r['world_agree']:>7d}/{r['windows']:<7d} {r['image_agree']:>9d}/{r['image_against']:<9d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
