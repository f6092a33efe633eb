"""Hip circles per camera placement on a small rendered development set (issue 13).

Renders (or reuses, from a cache folder) short hip-circle videos from every quadruped camera
condition — side-on, 45° in front and behind, behind at table height, on the floor and from a
shelf — plus a slow set, an elliptical set and rocking negatives, runs the pose model once per
video (cached .npz) and the circles analysis every run, and prints per video and per placement:
counts and directions exact, the confidence, and wrong-and-high (a wrong count marked "high").

    python benchmarks/circles_placements.py --cache /tmp/circles13-renders
    python benchmarks/circles_placements.py --cache /tmp/circles13-renders --only behind --json out.json

Seeds 5000+ (not the accuracy benchmark's). Rendering needs the ``synth`` extra.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import Item, analyse, circle_row, ensure_rendered  # noqa: E402

from hipvision.io import write_json_atomic  # noqa: E402
from hipvision.synthetic.render.randomize import QUADRUPED_CONDITIONS  # noqa: E402
from hipvision.synthetic.render.scenes import make_spec  # noqa: E402
from hipvision.synthetic.render.sidecar import load_sidecar  # noqa: E402

SEED = 5000


#: The placements people film from that the accuracy benchmark did not cover (first), then the ones it did.
NEW_PLACEMENTS = ("behind", "behind_floor", "behind_high", "oblique_back", "oblique_front", "floor_side", "shelf_side")


def plan(*, per_condition: int, fps: float) -> list[tuple[str, str, object]]:
    """(placement, file stem, VideoSpec) of the development set: one round of every placement (new ones
    first), the slow, elliptical and rocking cases, then further rounds."""
    conditions = [*NEW_PLACEMENTS, *(c for c in QUADRUPED_CONDITIONS if c not in NEW_PLACEMENTS)]
    rounds = []
    for i in range(per_condition):
        rounds.append([(cond, f"circles-{cond}-{SEED + 10 * c + i}",
                        make_spec("hip_circles", SEED + 10 * c + i, fps=fps, condition=cond,
                                  options={"per_direction": 2 + i})) for c, cond in enumerate(conditions)])
    extras = (("oblique_back", "slow", {"per_direction": 2, "period_s": 4.5}),
              ("behind_high", "ellipse", {"per_direction": 3, "ellipse": 0.55}),
              ("behind", "ellipse", {"per_direction": 2, "ellipse": 1.5}))
    special = [("side", f"circles-side-{SEED}", make_spec("hip_circles", SEED, fps=fps, condition="side",
                                                          options={"per_direction": 2}))]
    special += [(cond, f"circles-{cond}-{name}-{SEED + 500 + k}",
                make_spec("hip_circles", SEED + 500 + k, fps=fps, condition=cond, options=options))
               for k, (cond, name, options) in enumerate(extras)]
    # short sets (issue 13, second pass): one circle each way, and slow elliptical circles side-on
    short = (("side", "single", {"per_direction": 1}), ("oblique_front", "single", {"per_direction": 1}),
             ("side", "slow-ellipse", {"per_direction": 2, "period_s": 4.5, "ellipse": 0.7}),
             ("oblique_back", "single", {"per_direction": 1}))
    special += [(cond, f"circles-{cond}-{name}-{SEED + 610 + k}",
                 make_spec("hip_circles", SEED + 610 + k, fps=fps, condition=cond, options=options))
                for k, (cond, name, options) in enumerate(short)]
    special += [(f"{cond} (rocking)", f"rocking-{cond}-{SEED + 600 + k}",
                 make_spec("rocking", SEED + 600 + k, fps=fps, condition=cond, options={"duration_s": 10.0}))
                for k, cond in enumerate(("behind", "oblique_back", "behind_floor"))]
    return rounds[0] + special + [it for r in rounds[1:] for it in r]


def video_row(placement: str, stem: str, cache: Path, model: str | None) -> dict:
    """Truth, counts, confidence and verdicts of one video."""
    truth = load_sidecar(cache / f"{stem}.json")
    result = analyse(stem, cache, "circles", model)
    row = circle_row(truth, result)
    wrong = not row["exact"]
    conf = result.get("confidence")
    return {"placement": placement, "stem": stem, "truth": (truth["circles"]["clockwise"],
                                                            truth["circles"]["counterclockwise"]),
            "counted": (result.get("clockwise"), result.get("counterclockwise")), "exact": row["exact"],
            "confidence": conf, "reasons": result.get("confidence_reasons") or [],
            "wrong_and_high": wrong and conf == "high", "posture": result.get("posture_fraction"),
            "view": result.get("view")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/circles13-renders"))
    ap.add_argument("--per-condition", type=int, default=2)
    ap.add_argument("--fps", type=float, default=15.0)
    ap.add_argument("--only", help="only stems containing this text")
    ap.add_argument("--model", help="pose model (.task)")
    ap.add_argument("--rig-cache", type=Path)
    ap.add_argument("--render-only", action="store_true")
    ap.add_argument("--rendered", action="store_true", help="analyse only the videos already rendered")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    items = [it for it in plan(per_condition=args.per_condition, fps=args.fps) if not args.only or args.only in it[1]]
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.rendered:
        items = [it for it in items if (args.cache / f"{it[1]}.json").is_file()]
    ensure_rendered([Item(stem, spec, placement) for placement, stem, spec in items], args.cache, args.rig_cache)
    if args.render_only:
        return 0
    rows = [video_row(p, stem, args.cache, args.model) for p, stem, _ in items]
    for r in rows:
        flag = "ok " if r["exact"] else ("WRONG-HIGH" if r["wrong_and_high"] else "wrong")
        print(f"{r['stem']:44s} truth {r['truth'][0]}+{r['truth'][1]} counted {r['counted'][0]}+{r['counted'][1]} "
              f"{flag:10s} {r['confidence']}  {'; '.join(r['reasons'])[:110]}")
    print()
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["placement"], []).append(r)
    for p, rs in by.items():
        print(f"{p:24s} exact {sum(r['exact'] for r in rs)}/{len(rs)}  high {sum(r['confidence'] == 'high' for r in rs)}"
              f"  wrong-and-high {sum(r['wrong_and_high'] for r in rs)}")
    print(f"{'overall':24s} exact {sum(r['exact'] for r in rows)}/{len(rows)}  "
          f"wrong-and-high {sum(r['wrong_and_high'] for r in rows)}")
    if args.json:
        write_json_atomic(args.json, {"rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
