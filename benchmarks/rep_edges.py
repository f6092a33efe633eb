"""Rep edges against the render truth, per video and set: a set's first start, the boundaries between its circles,
its last end (signed, seconds: + = measured late).

    python benchmarks/rep_edges.py DIR [DIR ...] [--json OUT]

Each DIR holds rendered videos' poses ``<stem>.full.poses.npz`` (`benchmarks/accuracy.py --extract-only`, or
`hipvision extract` of a sample) next to their truth sidecar ``<stem>.json`` (for a sample, `samples/<stem>.json`
is used when DIR has none). Reps are paired with `match_intervals`, as in `benchmarks/accuracy.py`. A set is a run
of true reps the same way, each starting where the last ended. Prints one line per video (counts, the signed
errors start/end of each circle, sets split by |) and, per kind of edge, the share within 0.3 s and the medians.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hipvision.core.circles import analyze_circles  # noqa: E402
from hipvision.io import load_sequence  # noqa: E402
from hipvision.synthetic.render.sidecar import match_intervals  # noqa: E402

KINDS = ("first", "inner", "last")


def pairs(dirs: list[Path]) -> list[tuple[str, Path, Path]]:
    """(name, poses, truth) of every video in ``dirs`` that has a truth sidecar."""
    out = []
    for d in dirs:
        for poses in sorted(d.glob("*.full.poses.npz")):
            stem = poses.name.removesuffix(".full.poses.npz")
            truth = next((p for p in (d / f"{stem}.json", ROOT / "samples" / f"{stem}.json") if p.is_file()), None)
            if truth is not None:
                out.append((f"{d.name}/{stem}", poses, truth))
    return out


def true_sets(reps: list[dict]) -> list[list[int]]:
    """Indices of the true reps grouped into sets (the same way, each starting where the last ended)."""
    groups: list[list[int]] = []
    for k, r in enumerate(reps):
        last = reps[groups[-1][-1]] if groups else None
        if last is not None and last["direction"] == r["direction"] and abs(last["end_s"] - r["start_s"]) < 1e-3:
            groups[-1].append(k)
        else:
            groups.append([k])
    return groups


def video_edges(truth: dict, result: dict) -> tuple[dict[str, list[float]], list[str]]:
    """Signed edge errors of one video by kind, and a printable text per set."""
    t_reps = truth["circles"]["reps"]
    matched = match_intervals(t_reps, result.get("reps") or [])
    edges: dict[str, list[float]] = {k: [] for k in KINDS}
    texts = []
    for group in true_sets(t_reps):
        words = []
        for j, k in enumerate(group):
            t, m = matched[k]
            if m is None:
                words.append("miss")
                continue
            start, end = m["start_s"] - t["start_s"], m["end_s"] - t["end_s"]
            edges["first" if j == 0 else "inner"].append(start)
            edges["last" if j == len(group) - 1 else "inner"].append(end)
            words.append(f"{start:+.2f}/{end:+.2f}")
        texts.append(" ".join(words))
    return edges, texts


def summary_line(label: str, errors: list[float]) -> str:
    a = np.abs(errors)
    if not len(a):
        return f"{label:6s} n=  0"
    return (f"{label:6s} n={len(a):3d} within 0.3 s {np.mean(a <= 0.3):4.0%}  median |error| {np.median(a):.2f} s  "
            f"median signed {np.median(errors):+.2f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", type=Path, nargs="+")
    ap.add_argument("--json", type=Path, help="write every video's counts and edge errors here")
    args = ap.parse_args(argv)
    totals: dict[str, list[float]] = {k: [] for k in KINDS}
    videos = {}
    for name, poses, truth_path in pairs(args.dirs):
        truth = json.loads(truth_path.read_text())
        result = analyze_circles(load_sequence(poses)).to_dict()
        edges, texts = video_edges(truth, result)
        got = (int(result.get("clockwise") or 0), int(result.get("counterclockwise") or 0))
        want = (truth["circles"]["clockwise"], truth["circles"]["counterclockwise"])
        for k in KINDS:
            totals[k].extend(edges[k])
        videos[name] = {"counted": got, "truth": want, "confidence": result.get("confidence"), "edges": edges}
        print(f"{name:44s} {got[0]}+{got[1]} ({want[0]}+{want[1]}) {result.get('confidence')}: {' | '.join(texts)}",
              flush=True)
    for k in KINDS:
        print(summary_line(k, totals[k]))
    print(summary_line("all", sum(totals.values(), [])))
    if args.json:
        args.json.write_text(json.dumps(videos, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
