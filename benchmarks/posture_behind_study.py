"""Which frames on hands and knees the posture classifier misses, and why, per camera placement (issue 13).

For every rendered video in the given cache folders (a ``<stem>.json`` sidecar and its ``<stem>.full.poses.npz``
pose file, as `benchmarks/circles_placements.py` leaves them), the frames whose truth (sidecar ``frames.phase``)
is on all fours are split by what happened to them:

* ``quadruped``: classified on all fours (`posture.classify_frames` on the raw features, as the circles
  analysis reads it);
* ``nobody``: the pose model gave no torso (hips and shoulders under the visibility floor, or no pose);
* ``off body``: a pose, but its mid-hip is more than half the rendered torso or thigh length (the longer in the
  image) from the rendered hips (a fit on something else);
* ``no thigh``: torso seen, no thigh: the frame is not classified;
* ``few parts``: every seen part in range but fewer than `MIN_PARTS_SEEN` of them seen;
* ``out: <features>``: the seen features out of the strict "quadruped" range (e.g. ``out: shank``);
* ``held other``: in the strict range, but hysteresis kept the previous posture.

Frames whose truth is *not* on all fours but that read quadruped are counted too (``false q``), and the share of
frames read quadruped over the session path (`segment_postures`: smoothing, hysteresis, short runs absorbed).

    python benchmarks/posture_behind_study.py /tmp/posture13/c5000 [more caches] [--only behind] [--frames]
    python benchmarks/posture_behind_study.py --render /tmp/posture13/extra   # the extra dev set below

``--render`` renders and extracts the extra development set (`extra_plan`): circles behind, from the floor behind
and 45° behind on seeds 6001-6022, a session whose hands-and-knees part faces away from the camera (table height
and floor), a still hold and rocking from behind and the floor, and people standing and sitting with their back
to the camera (table height and floor), which must never read as on all fours.

Development seeds only.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hipvision.core import posture as P  # noqa: E402
from hipvision.io import load_sequence  # noqa: E402
from hipvision.landmarks import Landmark as L  # noqa: E402
from hipvision.synthetic.render.sidecar import load_sidecar  # noqa: E402

Q = P.POSTURES.index(P.QUADRUPED)


def _turned(spec, heading_deg: float, segments=None):
    """``spec`` with every segment (or ``segments``) facing ``heading_deg`` (180 = back to the camera)."""
    import dataclasses

    segs = segments if segments is not None else spec.segments
    return dataclasses.replace(spec, segments=[dataclasses.replace(s, heading_deg=heading_deg) for s in segs])


def extra_plan(fps: float = 15.0) -> list:
    """`accuracy.Item` list of the extra development set (seeds 6001-6304; see the module docstring)."""
    import dataclasses

    from accuracy import Item

    from hipvision.synthetic.render.scenes import make_spec
    from hipvision.synthetic.render.script import Quadruped

    items = []
    for k, cond in enumerate(("behind", "behind_floor", "oblique_back")):
        for seed in (6001 + 10 * k, 6002 + 10 * k):
            items.append(Item(f"circles-{cond}-{seed}", make_spec("hip_circles", seed, fps=fps, condition=cond,
                                                                  options={"per_direction": 2}), cond))
    for seed, cond in ((6101, "front"), (6102, "floor")):   # a seated camera; the all-fours part turned away
        spec = make_spec("session", seed, fps=fps, condition=cond, options={"per_direction": 2, "efforts": 1})
        segs = [dataclasses.replace(s, heading_deg=176.0) if isinstance(s, Quadruped) else s for s in spec.segments]
        items.append(Item(f"session-behind-{cond}-{seed}", dataclasses.replace(spec, segments=segs), f"session {cond}"))
    for seed, cond in ((6201, "behind"), (6202, "behind_floor")):
        spec = make_spec("rocking", seed, fps=fps, condition=cond, options={"duration_s": 10.0})
        still = [Quadruped(10.0, (), (), (), spec.camera.heading_deg)]
        items.append(Item(f"still-{cond}-{seed}", dataclasses.replace(spec, segments=still), cond))
    for seed, cond in ((6203, "behind_floor"), (6204, "behind")):
        items.append(Item(f"rocking-{cond}-{seed}", make_spec("rocking", seed, fps=fps, condition=cond,
                                                              options={"duration_s": 10.0}), cond))
    for scene, seed, cond in (("standing", 6301, "front"), ("standing", 6302, "floor"),
                              ("sitting_still", 6303, "front"), ("sitting_still", 6304, "floor")):
        spec = make_spec(scene, seed, fps=fps, condition=cond, options={"duration_s": 8.0})
        items.append(Item(f"{scene}-back-{cond}-{seed}", _turned(spec, 180.0 + spec.camera.heading_deg), cond))
    return items
SHORT = {"torso_tilt_deg": "torso", "thigh_drop_deg": "thigh", "arm_drop_deg": "arm", "shank_drop_deg": "shank"}


def reasons(seq, truth: dict) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(per-frame reason for every frame, truth on all fours (T,), session-path quadruped (T,))."""
    n = len(seq)
    phase = np.array(truth["frames"]["phase"][:n])
    q_truth = phase == "quadruped"
    feats = P.posture_features(seq)
    labels = P.classify_frames(feats)
    fd = feats.as_dict()
    strict = P._matches(fd, P.RULES[P.QUADRUPED], 0.0)
    torso_vis = seq.visibility[:, [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].min(axis=1)
    jp = truth["frames"]["joints_px"]
    w, h = seq.frame_size
    hips_px = (np.array(jp["hip.L"][:n], float) + np.array(jp["hip.R"][:n], float)) / 2
    sh_px = (np.array(jp["shoulder.L"][:n], float) + np.array(jp["shoulder.R"][:n], float)) / 2
    knees_px = (np.array(jp["knee.L"][:n], float) + np.array(jp["knee.R"][:n], float)) / 2
    # the yardstick: the longer of the rendered torso and thigh in the image (one of them is in the image plane)
    size_px = np.maximum(np.linalg.norm(sh_px - hips_px, axis=1), np.linalg.norm(knees_px - hips_px, axis=1))
    mp_hips = seq.image[:, [L.LEFT_HIP, L.RIGHT_HIP], :2].mean(axis=1) * np.array([w, h], float)
    off = np.linalg.norm(mp_hips - hips_px, axis=1) > 0.5 * np.maximum(size_px, 1.0)
    session = np.zeros(n, bool)
    for ph in P.segment_postures(seq):
        if ph.kind == P.QUADRUPED:
            session[ph.start_index:ph.stop_index] = True
    out = []
    for i in range(n):
        if labels[i] == Q:
            out.append("quadruped")
        elif not np.isfinite(torso_vis[i]) or torso_vis[i] < 0.3 or not np.isfinite(fd["torso_tilt_deg"][i]):
            out.append("nobody")
        elif off[i]:
            out.append("off body")
        elif not np.isfinite(fd["thigh_drop_deg"][i]):
            out.append("no thigh")
        elif strict[i]:
            out.append("held other")
        else:
            bad = [SHORT[k] for k, (lo, hi) in P.RULES[P.QUADRUPED].items()
                   if np.isfinite(fd[k][i]) and not lo <= fd[k][i] <= hi]
            out.append("out: " + "+".join(bad) if bad else "few parts")
    return out, q_truth, session


def evaluate(caches: list[Path], model: str, only: str | None) -> list[dict]:
    """Per video: truth, the circles analysis's counts and confidence (for a session: the circles phase's),
    and the share of the all-fours frames read on all fours (the circles analysis's per-frame reading)."""
    from hipvision.core.circles import analyze_circles
    from hipvision.core.session import analyze_session

    rows = []
    for cache in caches:
        for side in sorted(cache.glob("*.json")):
            stem = side.stem
            pose = cache / f"{stem}.{model}.poses.npz"
            if (only and only not in stem) or not pose.is_file():
                continue
            truth = load_sidecar(side)
            if "frames" not in truth:
                continue
            seq = load_sequence(pose)
            n = len(seq)
            q_truth = np.array(truth["frames"]["phase"][:n]) == "quadruped"
            labels = P.classify_frames(P.posture_features(seq)) == Q
            scene = truth["generator"]["scene"]
            row = {"stem": f"{cache.name}/{stem}", "scene": scene,
                   "placement": truth["generator"]["spec"]["camera"]["condition"],
                   "truth": [truth["circles"]["clockwise"], truth["circles"]["counterclockwise"]],
                   "all_fours_frames": int(q_truth.sum()),
                   "read_q": float(labels[q_truth].mean()) if q_truth.any() else None,
                   "false_q": int((labels & ~q_truth).sum())}
            if scene == "session":
                res = analyze_session(seq).to_dict()
                row["phases"] = [p["kind"] for p in res["phases"]]
                circ = [p.get("result") or {} for p in res["phases"] if p["kind"] == P.QUADRUPED]
                row["counted"] = [sum(int(c.get("clockwise") or 0) for c in circ),
                                  sum(int(c.get("counterclockwise") or 0) for c in circ)]
                row["confidence"] = ",".join(str(c.get("confidence")) for c in circ) or None
            elif scene in ("hip_circles", "rocking"):
                res = analyze_circles(seq).to_dict()
                row["counted"] = [int(res.get("clockwise") or 0), int(res.get("counterclockwise") or 0)]
                row["confidence"] = res.get("confidence")
            else:
                row["phases"] = [p.kind for p in P.segment_postures(seq)]
            if "counted" in row:
                row["exact"] = row["counted"] == row["truth"]
                row["wrong_and_high"] = (not row["exact"]) and row["confidence"] == "high"
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("caches", nargs="+", type=Path)
    ap.add_argument("--only", help="only stems containing this text")
    ap.add_argument("--model", default="full")
    ap.add_argument("--frames", action="store_true", help="also print the features of every missed frame")
    ap.add_argument("--render", action="store_true", help="render and extract the extra set into the first cache")
    ap.add_argument("--eval", type=Path, help="write the per-video evaluation (`evaluate`) to this JSON file")
    args = ap.parse_args(argv)
    if args.eval:
        import json

        rows = evaluate(args.caches, args.model, args.only)
        args.eval.write_text(json.dumps(rows, indent=1))
        for r in rows:
            print(r)
        return 0
    if args.render:
        from accuracy import ensure_rendered, poses

        items = extra_plan()
        args.caches[0].mkdir(parents=True, exist_ok=True)
        ensure_rendered(items, args.caches[0], None)
        for it in items:
            poses(it.stem, args.caches[0], args.model)
        return 0
    by: dict[str, Counter] = {}
    total_q: Counter = Counter()
    for cache in args.caches:
        for side in sorted(cache.glob("*.json")):
            stem = side.stem
            pose = cache / f"{stem}.{args.model}.poses.npz"
            if (args.only and args.only not in stem) or not pose.is_file():
                continue
            truth = load_sidecar(side)
            if "frames" not in truth:
                continue
            seq = load_sequence(pose)
            why, q_truth, session = reasons(seq, truth)
            place = truth["generator"]["spec"]["camera"]["condition"]
            scene = truth["generator"]["scene"]
            c = Counter(w for w, t in zip(why, q_truth) if t)
            nq = int(q_truth.sum())
            false_q = sum(1 for w, t in zip(why, q_truth) if not t and w == "quadruped")
            sess = float(session[q_truth].mean()) if nq else float("nan")
            share = c["quadruped"] / nq if nq else float("nan")
            detail = ", ".join(f"{k} {v}" for k, v in c.most_common() if k != "quadruped")
            print(f"{cache.name}/{stem:40s} {scene:13s} {place:13s} all-fours frames {nq:4d}  read q {share:5.0%}"
                  f"  session {sess:5.0%}  false q {false_q:3d}  | {detail}")
            key = f"{place} ({scene})" if scene != "hip_circles" else place
            by.setdefault(key, Counter()).update(c)
            by[key]["_n"] += nq
            by[key]["_false"] += false_q
            by[key]["_videos"] += 1
            by[key]["_nonq"] += int((~q_truth).sum())
            if args.frames:
                fd = P.posture_features(seq).as_dict()
                for i in np.flatnonzero(q_truth):
                    if why[i] != "quadruped":
                        print(f"   {i:4d} {why[i]:14s} " + " ".join(f"{SHORT[k]} {fd[k][i]:6.1f}" for k in fd))
            total_q.update(c)
    print("\n| placement | videos | all-fours frames | read on all fours | nobody | off body | no thigh | few parts "
          "| out of range (by feature) | held other | false q (of other frames) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for key, c in by.items():
        n = c["_n"]
        outs = {k[5:]: v for k, v in c.items() if k.startswith("out: ")}
        out_text = ", ".join(f"{k} {v / n:.0%}" for k, v in sorted(outs.items(), key=lambda kv: -kv[1])) if n else ""

        def pct(k):
            return f"{c[k] / n:.0%}" if n else "-"
        print(f"| {key} | {c['_videos']} | {n} | {pct('quadruped')} | {pct('nobody')} | {pct('off body')} | "
              f"{pct('no thigh')} | {pct('few parts')} | {out_text} | {pct('held other')} | "
              f"{c['_false']} of {c['_nonq']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
