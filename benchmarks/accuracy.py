"""Accuracy of hipvision on rendered people with known answers.

Generates (or reuses, from a cache folder) a seeded set of rendered videos — seated
IR efforts across camera conditions, and quadruped hip circles — runs the full
pipeline (pose model → analysis) and prints:

* seated IR per camera condition: efforts found, MAE, bias, 95% limits of agreement, ICC(2,1);
* circles per camera condition: exact rate (counts per direction, and every circle turning its way),
  count-match rate, direction accuracy, radius error and share within 10%;
* negatives (rocking without circling, sitting still): false circles and false efforts.

Rendering needs the ``synth`` extra (torch, anny, pyrender); with a complete cache
it does not. Rendering and pose extraction are resumable: videos and pose files (.npz)
already in the cache are reused; the analyses run afresh every time.

    python benchmarks/accuracy.py --quick
    python benchmarks/accuracy.py --cache .cache/accuracy --json out/accuracy.json
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hipvision.io import write_json_atomic  # noqa: E402
from hipvision.synthetic.render.metrics import agreement  # noqa: E402
from hipvision.synthetic.render.randomize import QUADRUPED_CONDITIONS, SEATED_CONDITIONS  # noqa: E402
from hipvision.synthetic.render.scenes import make_spec  # noqa: E402
from hipvision.synthetic.render.sidecar import load_sidecar, match_efforts, match_intervals  # noqa: E402


def plan(*, seated: int, circles: int, negatives: int, seed: int, fps: float) -> list[tuple[str, object]]:
    """(file stem, VideoSpec) for every video of the benchmark set."""
    out = []
    seated_conditions, quad_conditions = list(SEATED_CONDITIONS), list(QUADRUPED_CONDITIONS)
    for i in range(seated):
        cond = seated_conditions[i % len(seated_conditions)]
        out.append((f"seated-{i:03d}-{cond}",
                    make_spec("seated_ir", seed + i, fps=fps, condition=cond, options={"efforts": 4})))
    for i in range(circles):
        cond = quad_conditions[i % len(quad_conditions)]
        per = 3 + (i % 3)  # 3, 4 or 5 per direction
        out.append((f"circles-{i:03d}-{cond}",
                    make_spec("hip_circles", seed + 1000 + i, fps=fps, condition=cond, options={"per_direction": per})))
    for i in range(negatives):  # alternately: rocking on all fours (no circles), sitting still (no efforts)
        scene = ("rocking", "sitting_still")[i % 2]
        cond = (quad_conditions if scene == "rocking" else seated_conditions)[(i // 2) % 4]
        out.append((f"negative-{i:03d}-{scene}", make_spec(scene, seed + 2000 + i, fps=fps, condition=cond)))
    return out


def ensure_rendered(items, cache: Path, rig_cache: Path | None) -> None:
    """Render what is missing (resumable; needs the synth extra only when something is missing)."""
    from hipvision.synthetic.render.generate import is_done

    todo = [(stem, spec) for stem, spec in items if not is_done(cache / f"{stem}.mp4", cache / f"{stem}.json", spec)]
    if not todo:
        return
    from hipvision.synthetic.render.generate import render_spec

    for k, (stem, spec) in enumerate(todo, 1):
        t0 = time.perf_counter()
        side = render_spec(spec, cache / f"{stem}.mp4", rig_cache=rig_cache, command="benchmarks/accuracy.py")
        print(f"rendered {k}/{len(todo)} {stem}: {side['video']['frame_count']} frames in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)


def analyse(stem: str, cache: Path, kind: str, model: str | None) -> dict:
    """Pose extraction (cached as .npz; extracted again if cached without `PoseSequence.hip_growth`) and
    the analysis result of one video.

    The result is recomputed every run (the analysis is fast and may have changed) and
    written next to the video (``<stem>.rotation.json`` / ``.circles.json``) for inspection.
    """
    from hipvision.io import load_sequence, save_sequence

    result_path = cache / f"{stem}.{kind}.json"
    poses = cache / f"{stem}.poses.npz"
    seq = load_sequence(poses) if poses.is_file() else None
    if seq is None or seq.hip_growth is None:  # not cached, or cached before the image growth was measured
        from hipvision.pose import poses_from_input

        seq = poses_from_input(cache / f"{stem}.mp4", model=model, progress=False)
        save_sequence(seq, poses)
    if kind == "rotation":
        from hipvision.core.rotation import analyze_rotation

        result = analyze_rotation(seq).to_dict()
    else:
        from hipvision.core.circles import analyze_circles

        result = analyze_circles(seq).to_dict()
    write_json_atomic(result_path, result)
    return result


def seated_rows(truth: dict, result: dict) -> tuple[list[dict], int]:
    """One row per true effort (truth, measured held angle or NaN if missed), and the number
    of measured efforts that match no true one (false detections)."""
    rows = []
    for leg in ("left", "right"):
        measured = (result.get(leg) or {}).get("efforts") or []
        for t, m in match_efforts(truth["rotation"]["efforts"], measured, leg=leg):
            held = m.get("held_deg") if m else None
            rows.append({"leg": leg, "truth_deg": t["held_deg"], "measured_deg": math.nan if held is None else held})
    n_measured = sum(len((result.get(leg) or {}).get("efforts") or []) for leg in ("left", "right"))
    return rows, n_measured - sum(1 for r in rows if np.isfinite(r["measured_deg"]))


def circle_row(truth: dict, result: dict) -> dict:
    """Counts, direction agreement and radius errors of one circles video."""
    t_reps, m_reps = truth["circles"]["reps"], result.get("reps") or []
    pairs = match_intervals(t_reps, m_reps)
    matched = [(t, m) for t, m in pairs if m is not None]
    counts = (result.get("clockwise") == truth["circles"]["clockwise"]
              and result.get("counterclockwise") == truth["circles"]["counterclockwise"])
    # exact: the counts per direction, in the true order of directions (a video counted the wrong way
    # round still gives the right counts when both sets are equal)
    exact = counts and [m.get("direction") for m in m_reps] == [t["direction"] for t in t_reps]
    return {"exact": bool(exact), "counts": bool(counts), "truth_total": truth["circles"]["total"],
            "measured_total": result.get("total"),
            "direction_ok": [t["direction"] == m.get("direction") for t, m in matched],
            "radius": [(t["radius_cm"], m.get("radius_cm")) for t, m in matched if m.get("radius_cm") is not None],
            "matched": len(matched)}


def _fmt(v: float, nd: int = 1) -> str:
    return "—" if v is None or not np.isfinite(v) else f"{v:.{nd}f}"


def report(seated: dict[str, list[dict]], circles: dict[str, list[dict]], extra: dict[str, int]) -> dict:
    """Print the tables; returns the metrics as a dict."""
    out = {"seated": {}, "circles": {}}
    print("\nSeated hip IR (held angle per effort, degrees; 'extra' = measured efforts matching none)")
    print(f"{'condition':<11}{'efforts':>8}{'found':>7}{'extra':>6}{'MAE':>7}{'bias':>7}{'LoA 95%':>16}{'ICC':>7}")
    all_rows = [r for rows in seated.values() for r in rows]
    extra = {**extra, "all": sum(extra.values())}
    for cond, rows in [*seated.items(), ("all", all_rows)]:
        if not rows:
            continue
        t = [r["truth_deg"] for r in rows]
        m = [r["measured_deg"] for r in rows]
        a = agreement(t, m)
        found = a["n"] / len(rows)
        out["seated"][cond] = {**a, "efforts": len(rows), "found_rate": found, "extra_efforts": extra.get(cond, 0)}
        loa = f"{_fmt(a['loa_low'])} … {_fmt(a['loa_high'])}"
        print(f"{cond:<11}{len(rows):>8}{found:>7.0%}{extra.get(cond, 0):>6}{_fmt(a['mae']):>7}{_fmt(a['bias']):>7}"
              f"{loa:>16}{_fmt(a['icc'], 2):>7}")
    print("\nHip circles (per video)")
    print(f"{'condition':<11}{'videos':>7}{'exact':>7}{'counts':>8}{'direction':>10}{'radius MAE cm':>14}{'bias cm':>8}"
          f"{'within 10%':>11}")
    all_c = [r for rows in circles.values() for r in rows]
    for cond, rows in [*circles.items(), ("all", all_c)]:
        if not rows:
            continue
        exact = float(np.mean([r["exact"] for r in rows]))
        counts = float(np.mean([r.get("counts", r["exact"]) for r in rows]))
        dirs = [ok for r in rows for ok in r["direction_ok"]]
        radius = np.array([pair for r in rows for pair in r["radius"]], float).reshape(-1, 2)
        a = agreement(radius[:, 0], radius[:, 1]) if len(radius) else agreement([], [])
        within = float(np.mean(np.abs(radius[:, 1] - radius[:, 0]) <= 0.1 * radius[:, 0])) if len(radius) else math.nan
        out["circles"][cond] = {"videos": len(rows), "exact_rate": exact, "count_match_rate": counts,
                                "radius_within_10pct": within,
                                "direction_accuracy": float(np.mean(dirs)) if dirs else math.nan,
                                "radius": a, "count_abs_error": float(np.mean(
                                    [abs((r["measured_total"] or 0) - r["truth_total"]) for r in rows]))}
        print(f"{cond:<11}{len(rows):>7}{exact:>7.0%}{counts:>8.0%}"
              f"{_fmt(out['circles'][cond]['direction_accuracy'] * 100, 0):>9}%{_fmt(a['mae']):>14}{_fmt(a['bias']):>8}"
              f"{_fmt(within * 100, 0):>10}%")
    return out


def report_negatives(rows: list[tuple[str, int]]) -> dict:
    """Print false detections in videos with nothing to find; rows are (scene, count)."""
    out = {}
    if not rows:
        return out
    print("\nNegatives (nothing to find)")
    print(f"{'scene':<15}{'videos':>7}{'false detections':>18}")
    for scene, what in (("rocking", "circles"), ("sitting_still", "efforts")):
        counts = [c for sc, c in rows if sc == scene]
        if counts:
            out[scene] = {"videos": len(counts), f"false_{what}": int(sum(counts))}
            print(f"{scene:<15}{len(counts):>7}{sum(counts):>11} {what}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", type=Path, default=ROOT / ".cache" / "accuracy",
                   help="folder for rendered videos, sidecars, pose files and results (reused)")
    p.add_argument("--quick", action="store_true", help="small set (5 seated + 4 circle + 2 negative videos)")
    p.add_argument("--seated", type=int, default=25, help="seated IR videos (4 efforts each)")
    p.add_argument("--circles", type=int, default=30, help="hip-circle videos")
    p.add_argument("--negatives", type=int, default=6, help="videos with nothing to find (rocking, sitting still)")
    p.add_argument("--seed", type=int, default=100, help="base seed of the set")
    p.add_argument("--fps", type=float, default=15.0, help="frame rate of the rendered videos")
    p.add_argument("--model", default=None, help="pose model (.task); default: hipvision's lookup")
    p.add_argument("--rig-cache", type=Path, default=None, help="folder for cached body rigs")
    p.add_argument("--render-only", action="store_true", help="render the set and stop")
    p.add_argument("--json", type=Path, default=None, help="also write the metrics here")
    args = p.parse_args(argv)
    if args.quick:
        args.seated, args.circles, args.negatives = min(args.seated, 5), min(args.circles, 4), min(args.negatives, 2)
    args.cache.mkdir(parents=True, exist_ok=True)
    items = plan(seated=args.seated, circles=args.circles, negatives=args.negatives, seed=args.seed, fps=args.fps)
    ensure_rendered(items, args.cache, args.rig_cache)
    if args.render_only:
        return 0
    seated: dict[str, list[dict]] = {}
    extra: dict[str, int] = {}
    circles: dict[str, list[dict]] = {}
    negatives: list[tuple[str, int]] = []
    for stem, spec in items:
        truth = load_sidecar(args.cache / f"{stem}.json")
        cond = spec.camera.condition
        if spec.scene == "rocking":
            negatives.append(("rocking", int(analyse(stem, args.cache, "circles", args.model).get("total") or 0)))
        elif spec.scene == "sitting_still":
            result = analyse(stem, args.cache, "rotation", args.model)
            negatives.append(("sitting_still", sum(len((result.get(leg) or {}).get("efforts") or [])
                                                   for leg in ("left", "right"))))
        elif spec.scene == "seated_ir":
            rows, n_extra = seated_rows(truth, analyse(stem, args.cache, "rotation", args.model))
            seated.setdefault(cond, []).extend(rows)
            extra[cond] = extra.get(cond, 0) + n_extra
        else:
            circles.setdefault(cond, []).append(circle_row(truth, analyse(stem, args.cache, "circles", args.model)))
    metrics = report(seated, circles, extra)
    metrics["negatives"] = report_negatives(negatives)
    if args.json:
        write_json_atomic(args.json, {"videos": len(items), "fps": args.fps, "seed": args.seed, **metrics})
    return 0


if __name__ == "__main__":
    sys.exit(main())
