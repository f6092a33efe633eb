"""Is a wrong circles count ever reported with high confidence? Synthetic skeletons, all round the person.

Films scripted quadruped skeletons (`hipvision.synthetic.quadruped`, known circles) from cameras all
round the person (in front, 45°, side-on, 45° behind, behind), at three heights, with the pose model's
depth motion as measured (gain 1), shrunk (0.4, 0.1), removed (0) or turned the wrong way (-0.05), and
prints per camera placement: videos, exact (counts and directions), confidence high/low, and the count of
wrong-and-high (must be 0). ``--samples`` adds the rendered samples (real MediaPipe; poses cached as
.npz next to this script's ``--cache``). Set edges: rep start/end error against the true times.

    python benchmarks/circles_confidence.py            # about 3 min on 2 cores
    python benchmarks/circles_confidence.py --quick
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hipvision.core.circles import analyze_circles  # noqa: E402
from hipvision.synthetic.quadruped import (Circles, Hold, Rock, SitBack, pelvis_script, quadruped_camera,  # noqa: E402
                                           render_quadruped)

CW, CCW = True, False


def two_sets(per: int, radius_m: float, period_s: float, *, sit_back: bool, first_cw: bool = True,
             minor_ratio: float = 1.0, major_axis_deg: float = 0.0) -> list:
    """As the rendered benchmark does it: still, a lead-in to the front of the circle, ``per`` circles, back to
    the start position, a pause (maybe sitting back toward the heels), the other direction."""
    def one(cw: bool) -> Circles:
        return Circles(per, radius_m, cw, period_s, start_deg=0.0, centre_back_m=0.02, minor_ratio=minor_ratio,
                       major_axis_deg=major_axis_deg)
    pause = [Hold(0.3), SitBack(0.14, 1.5, 0.8), Hold(0.5)] if sit_back else [Hold(2.0)]
    return [Hold(1.5), one(first_cw), *pause, one(not first_cw), Hold(1.5)]


#: name → script segments
SCRIPTS = {
    "5+5 sit-back": two_sets(5, 0.08, 2.8, sit_back=True),
    "3+3 ccw first": two_sets(3, 0.06, 3.0, sit_back=True, first_cw=False),
    "4+4 ellipse sideways": two_sets(4, 0.10, 2.5, sit_back=False, minor_ratio=0.6, major_axis_deg=90.0),
    "2+2 small": two_sets(2, 0.05, 3.0, sit_back=False),
    "1 slow big": [Hold(1.5), Circles(1, 0.20, CW, 4.5, start_deg=0.0), Hold(1.5)],
    "3 slow ellipse": [Hold(1.5), Circles(3, 0.08, CCW, 4.5, minor_ratio=0.5, start_deg=0.0), Hold(1.5)],
    "still": [Hold(15.0)],
    "rocking fwd-back": [Hold(1.5), Rock(6, 0.08, 2.5, axis_deg=0), Hold(1.5)],
    "rocking side": [Hold(1.5), Rock(6, 0.06, 2.5, axis_deg=90), Hold(1.5)],
    "sit-backs": [Hold(1.5), SitBack(0.14, 1.5, 0.8), Hold(1.0), SitBack(0.16, 1.0, 0.8), Hold(1.5)],
}
#: camera heading (degrees; 0 in front of the head, 90 at the person's left, 180 behind) → placement name
HEADINGS = {0.0: "in front", 45.0: "45° front", 90.0: "side", 135.0: "45° behind", 180.0: "behind"}
PITCHES = {20.0: "", 5.0: " floor", 45.0: " high"}
GAINS = (1.0, 0.4, 0.1, 0.0, -0.05)


def run_case(name: str, heading: float, pitch: float, gain: float) -> dict:
    script = pelvis_script(SCRIPTS[name])
    seed = zlib.crc32(f"{name}/{heading}/{pitch}/{gain}".encode()) % 10_000
    camera = quadruped_camera(heading, pitch_deg=pitch)
    seq = render_quadruped(script, camera=camera, seed=seed, depth_motion_gain=gain)
    res = analyze_circles(seq)
    exact = [r.direction for r in res.reps] == script.directions
    edges = ([abs(v) for r, t in zip(res.reps, script.reps) for v in (r.start_s - t.start_s, r.end_s - t.end_s)]
             if exact else [])
    return {"case": name, "placement": HEADINGS[heading] + PITCHES[pitch], "gain": gain, "exact": exact,
            "true": f"{script.clockwise}+{script.counterclockwise}", "got": f"{res.clockwise}+{res.counterclockwise}",
            "confidence": res.confidence.level, "reasons": list(res.confidence.reasons), "edges": edges,
            "set_levels": [s.confidence.level for s in res.sets],
            "sets_exact": _sets_exact(res, script)}


def _sets_exact(res, script) -> list[tuple[bool, str]]:
    """(count right, confidence) per direction."""
    out = []
    for s in res.sets:
        want = script.clockwise if s.direction == "clockwise" else script.counterclockwise
        out.append((s.count == want, s.confidence.level))
    return out


def sample_cases(cache: Path) -> list[dict]:
    """The rendered samples with real MediaPipe poses (extracted once into ``cache``)."""
    from hipvision.io import load_sequence, save_sequence
    from hipvision.pose import poses_from_input
    from hipvision.core.session import analyze_session

    out = []
    cache.mkdir(parents=True, exist_ok=True)
    for name in ("hip_circles", "standing_rocking", "session"):
        npz = cache / f"{name}.npz"
        if not npz.exists():
            save_sequence(poses_from_input(ROOT / "samples" / f"{name}.mp4", progress=False), npz)
        seq = load_sequence(npz)
        truth = json.loads((ROOT / "samples" / f"{name}.json").read_text())["circles"]
        want = [r["direction"] for r in truth["reps"]]
        if name == "session":
            phases = [p for p in analyze_session(seq).to_dict()["phases"] if p["kind"] == "quadruped" and p["result"]]
            res = phases[0]["result"] if phases else {"reps": [], "confidence": "low", "confidence_reasons": []}
            got, level, reasons = [r["direction"] for r in res["reps"]], res["confidence"], res["confidence_reasons"]
            starts = [(r["start_s"], r["end_s"]) for r in res["reps"]]
        else:
            res = analyze_circles(seq)
            got, level, reasons = [r.direction for r in res.reps], res.confidence.level, list(res.confidence.reasons)
            starts = [(r.start_s, r.end_s) for r in res.reps]
        exact = got == want
        edges = ([abs(a - r["start_s"]) for (a, _), r in zip(starts, truth["reps"])]
                 + [abs(b - r["end_s"]) for (_, b), r in zip(starts, truth["reps"])]) if exact else []
        out.append({"case": f"sample {name}", "placement": "rendered (side-on)", "gain": None, "exact": exact,
                    "true": f"{truth['clockwise']}+{truth['counterclockwise']}",
                    "got": f"{got.count('clockwise')}+{got.count('counterclockwise')}", "confidence": level,
                    "reasons": reasons, "edges": edges, "set_levels": [], "sets_exact": []})
    return out


def report(rows: list[dict]) -> None:
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["placement"], []).append(r)
    print(f"{'placement':24s} {'videos':>6s} {'exact':>6s} {'high':>5s} {'exact&high':>10s} {'wrong&high':>10s} "
          f"{'edges<=0.3s':>11s}")
    for place, rs in [*by.items(), ("all", rows)]:
        edges = np.array([e for r in rs for e in r["edges"]])
        within = f"{np.mean(edges <= 0.3):.0%}" if edges.size else "-"
        print(f"{place:24s} {len(rs):6d} {sum(r['exact'] for r in rs):6d} "
              f"{sum(r['confidence'] == 'high' for r in rs):5d} "
              f"{sum(r['exact'] and r['confidence'] == 'high' for r in rs):10d} "
              f"{sum((not r['exact']) and r['confidence'] == 'high' for r in rs):10d} {within:>11s}")
    sets = [x for r in rows for x in r["sets_exact"]]
    print(f"sets (one direction each): {len(sets)}, right {sum(ok for ok, _ in sets)}, high "
          f"{sum(lv == 'high' for _, lv in sets)}, wrong and high {sum((not ok) and lv == 'high' for ok, lv in sets)}")
    gains = sorted({r["gain"] for r in rows if r["gain"] is not None}, reverse=True)
    for g in gains:
        rs = [r for r in rows if r["gain"] == g]
        print(f"  depth gain {g:+.2f}: {len(rs)} videos, exact {sum(r['exact'] for r in rs)}, high "
              f"{sum(r['confidence'] == 'high' for r in rs)}, wrong&high "
              f"{sum((not r['exact']) and r['confidence'] == 'high' for r in rs)}")
    for r in rows:
        if not r["exact"] and r["confidence"] == "high":
            print(f"WRONG AND HIGH: {r['case']} {r['placement']} gain {r['gain']}: {r['got']} for {r['true']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one camera height, gains 1 and 0.1 only")
    ap.add_argument("--samples", action="store_true", help="add the rendered samples (runs the pose model once)")
    ap.add_argument("--cache", type=Path, default=ROOT / ".cache" / "confidence")
    ap.add_argument("--json", type=Path, help="write every case here")
    args = ap.parse_args(argv)
    t0 = time.time()
    rows = []
    pitches = [20.0] if args.quick else list(PITCHES)
    gains = (1.0, 0.1) if args.quick else GAINS
    for name in SCRIPTS:
        for heading in HEADINGS:
            for pitch in pitches:
                for gain in gains:
                    if pitch != 20.0 and gain not in (1.0, 0.1):
                        continue
                    rows.append(run_case(name, heading, pitch, gain))
    if args.samples:
        rows += sample_cases(args.cache)
    report(rows)
    print(f"{len(rows)} cases in {time.time() - t0:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
