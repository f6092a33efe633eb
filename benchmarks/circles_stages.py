"""Where a circles video loses its circles: per-stage evidence against the truth (issue 13, far and floor side-on).

For every rendered video in a cache folder (``<stem>.json`` sidecar + ``<stem>.<model>.poses.npz``, as
`benchmarks/accuracy.py` and `benchmarks/circles_placements.py` leave them), prints one line of stages —
person found, on hands and knees, camera azimuth, share of frames whose depth was rebuilt, the first
counting pass (circles, rejected sweeps, unfinished circles), the result and its confidence — and with
``--windows`` one line per depth window (10 s, every second, as `hipvision.core.circles.depth` fits them):
which way the loop turns in the truth (``T``), in the pose model's depth (``W``) and in the image growth
(``I``), the world's quarter-turn ratio, and the image loop's ratio, phase against the across motion and
loopiness (the quantities `depth.image_loop` gates on).

``--render`` first renders the far / floor side-on development set of issue 13's sixth pass (seeds 5811-5899,
15 fps; never the held-out seeds 9000-9999) into the cache and extracts its poses.

    python benchmarks/circles_stages.py --cache /tmp/circ13f/dev --render
    python benchmarks/circles_stages.py --cache /tmp/circ13f/dev --only far_side --windows
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import Item, ensure_rendered, poses  # noqa: E402

from hipvision.core.circles import analyze_circles  # noqa: E402
from hipvision.core.circles.analyze import body_path, count_track, image_approach_m, track_offline  # noqa: E402
from hipvision.core.circles.counting import CircleCounter  # noqa: E402
from hipvision.core.circles.depth import image_loop_terms, loop_terms  # noqa: E402
from hipvision.core.circles.result import CirclesSettings  # noqa: E402
from hipvision.io import load_sequence  # noqa: E402
from hipvision.synthetic.render.scenes import make_spec  # noqa: E402
from hipvision.synthetic.render.sidecar import load_sidecar  # noqa: E402


def plan(fps: float = 15.0) -> list[Item]:
    """The sixth pass's development set: 7 far and 7 floor-level side-on videos (2 or 3 circles each way),
    side-on, 45° and shelf videos, and 11 rocking clips (side-on, far, floor, 45° in front and behind, shelf)."""
    items = []

    def add(scene: str, cond: str, seed: int, options: dict, label: str | None = None):
        kind = "circles" if scene == "hip_circles" else "rocking"
        items.append(Item(f"{kind}-{cond}-{seed}", make_spec(scene, seed, fps=fps, condition=cond, options=options),
                          label or cond))

    for i in range(7):
        for cond, off in (("far_side", 0), ("floor_side", 5)):
            add("hip_circles", cond, 5811 + 10 * i + off, {"per_direction": 2 + i % 2})
        if i == 1:
            for cond, off in (("far_side", 0), ("floor_side", 5)):
                add("rocking", cond, 5861 + off, {"duration_s": 10.0}, f"{cond} (rocking)")
        if i == 3:
            for cond, off in (("side", 0), ("oblique", 3), ("shelf_side", 6)):
                add("hip_circles", cond, 5871 + off, {"per_direction": 3})
    for cond, off in (("side", 0), ("oblique", 3), ("shelf_side", 6)):
        add("hip_circles", cond, 5881 + off, {"per_direction": 2})
    add("rocking", "side", 5891, {"duration_s": 10.0}, "side (rocking)")
    for k, cond in enumerate(("side", "far_side", "floor_side", "oblique", "shelf_side", "far_side", "side",
                              "oblique_back")):  # more rocking, for the final setting (15°)
        add("rocking", cond, 5892 + k, {"duration_s": 10.0}, f"{cond} (rocking)")
    return items


def raw_deviations(seq, settings: CirclesSettings = CirclesSettings()):
    """(t, dev (T, 2) before any depth rebuild, valid, segment ids, azimuth (T,), torso (T,), image approach
    (T,) or None): the inputs `depth.depth_coefficients` sees, from `analyze.body_path` as `track_offline`."""
    p = body_path(seq, settings)
    return p.t, p.dev, p.valid, p.seg, p.az, p.torso, image_approach_m(seq, p.valid, p.torso)


def _sign(terms) -> str:
    return "." if terms is None else ("+" if terms[1] > 0 else "-")


def window_lines(seq, truth: dict, settings: CirclesSettings = CirclesSettings()) -> list[str]:
    """One line per depth window: the loop's turn in truth / world / image and the image gate's quantities."""
    t, dev, valid, seg, az_all, torso_all, approach = raw_deviations(seq, settings)
    f = truth["frames"]
    true_path = np.stack([f["pelvis_forward_cm"], f["pelvis_right_cm"]], axis=1).astype(float) / 100.0
    true_dev = np.stack([np.interp(t, np.asarray(f["t_s"], float), true_path[:, k]) for k in range(2)], axis=1)
    s = settings.depth
    out = []
    for sid in np.unique(seg[valid]) if valid.any() else []:
        rows = np.flatnonzero((seg == sid) & valid)
        for c in np.arange(t[rows[0]], t[rows[-1]] + 1e-9, s.step_s):
            w = rows[np.abs(t[rows] - c) <= s.window_s / 2]
            if len(w) < 20:
                continue
            az, torso = float(np.nanmedian(az_all[w])), float(np.nanmedian(torso_all[w]))
            world = loop_terms(t[w], dev[w], az, torso, settings=s)
            image = None if approach is None else image_loop_terms(t[w], dev[w], approach[w], az, torso, settings=s)
            true = loop_terms(t[w], true_dev[w] - true_dev[w].mean(axis=0), az, torso, settings=s)
            line = f"  {c:5.1f} s  T{_sign(true)} W{_sign(world)} I{_sign(image)}"
            if world is not None:
                line += f"  world ratio {world[2]:.3f} r2 {world[3]:.2f} loop {world[5]:.2f}"
            if image is not None:
                phase = np.degrees(np.arctan2(image[2], abs(image[0])))
                line += (f"  image ratio {image[2]:.2f} phase {phase:3.0f}° r2 {image[3]:.2f} loop {image[5]:.2f} "
                         f"cycles {len(image[6])}")
            out.append(line)
    return out


def stage_line(seq, truth: dict, settings: CirclesSettings = CirclesSettings()) -> str:
    """Person found, posture, view, depth rebuilt, first counting pass, result and confidence."""
    track = track_offline(seq, settings)
    first = count_track(track, CircleCounter(settings.counter))
    result = analyze_circles(seq, settings).to_dict()
    valid = track.valid
    az = float(np.degrees(np.angle(np.nanmean(np.exp(1j * np.radians(track.camera_azimuth_deg[valid])))))) \
        if valid.any() else float("nan")
    rebuilt = float(np.mean(track.depth_ratio[valid] < 1.0)) if valid.any() else 0.0
    c = truth["circles"]
    radius = np.median([r["radius_cm"] for r in c["reps"]]) if c["reps"] else float("nan")
    return (f"truth {c['clockwise']}+{c['counterclockwise']} (radius {radius:.1f} cm) | found "
            f"{seq.detection_rate:.0%} on all fours {valid.mean():.0%} azimuth {az:.0f}° rebuilt {rebuilt:.0%} | "
            f"first pass {len(first.reps)} circles, {first.rejected} rejected, {len(first.partials)} unfinished | "
            f"result {result['clockwise']}+{result['counterclockwise']} {result['confidence']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--model", default="full")
    ap.add_argument("--only", help="only stems containing this text")
    ap.add_argument("--windows", action="store_true", help="also one line per depth window")
    ap.add_argument("--render", action="store_true", help="render and extract the development set first")
    ap.add_argument("--rig-cache", type=Path)
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.render:
        for it in plan():
            ensure_rendered([it], args.cache, args.rig_cache)
            poses(it.stem, args.cache, args.model)
    for path in sorted(args.cache.glob(f"*.{args.model}.poses.npz")):
        stem = path.name.split(".")[0]
        side = args.cache / f"{stem}.json"
        if (args.only and args.only not in stem) or not side.is_file():
            continue
        seq, truth = load_sequence(path), load_sidecar(side)
        print(f"{stem:30s} {stage_line(seq, truth)}")
        if args.windows:
            print("\n".join(window_lines(seq, truth)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
