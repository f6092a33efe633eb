"""Why a camera high above the knees misses or misreads seated IR: one row per leg of each rendered video.

For every seated video (pose file + render sidecar, as `rotation_rendered.py` reads them: ``NAME.npz`` +
``NAME.json`` or ``STEM.full.poses.npz`` + ``STEM.json``), whatever its file name, prints the true camera
(sidecar pitch, yaw = −heading), the fitted view and its source, and per leg: the truth (its best
internal-rotation effort, 0 = resting), the status and held ± uncertainty, and what happened to the frames
of the true hold:

* ``seated``  share of the hold's frames in which the person-level tests pass (world flexion and upright
  trunk, `seated.seated_posture`, with the hysteresis of `seated_state`);
* ``drop``    median image thigh drop (hip → knee, down) over the image shank length at rest: a thigh seen
  from above drops about tan(pitch) shank lengths (`frame.thigh_drop_limit` is the per-leg test's limit);
* the share of the hold's frames per rejection reason (``frame.Reason``), and of frames measured (ok).

``--table`` prints instead the per-condition table of `benchmarks/accuracy.py` (MAE, bias, worst, coverage,
missed legs, resting legs "no effort", efforts found) over every seated video in the folders.

    python benchmarks/rotation_overhead.py /tmp/ir14c-renders
    python benchmarks/rotation_overhead.py /tmp/ir14c-renders --table

Never point it at a held-out set.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from rotation_rendered import folders_parser  # noqa: E402

from hipvision.core import geometry as g  # noqa: E402
from hipvision.core.rotation import analyze_rotation  # noqa: E402
from hipvision.core.rotation.frame import Reason  # noqa: E402
from hipvision.core.rotation.measure import roll_view  # noqa: E402
from hipvision.core.rotation.seated import hips_still, seated_posture, seated_state  # noqa: E402
from hipvision.io import load_sequence  # noqa: E402
from hipvision.landmarks import LEG, SIDES  # noqa: E402
from hipvision.synthetic.render.metrics import leg_rows, seated_table  # noqa: E402
from hipvision.synthetic.render.sidecar import load_sidecar, match_efforts  # noqa: E402


def seated_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(pose file, sidecar) of every seated video in ``folder`` (full-model pose files of an accuracy cache)."""
    out = []
    for npz in sorted(folder.glob("*.npz")):
        if npz.name.endswith(".poses.npz") and not npz.name.endswith(".full.poses.npz"):
            continue
        side = folder / (npz.name.removesuffix(".full.poses.npz").removesuffix(".npz") + ".json")
        if side.is_file() and load_sidecar(side).get("rotation") is not None:
            out.append((npz, side))
    return out


def video_rows(npz: Path, side: Path) -> list[str]:
    """Markdown rows, one per leg, of one video."""
    truth = load_sidecar(side)
    seq = load_sequence(npz)
    t = seq.timestamps_s
    px = seq.image_px()
    res = analyze_rotation(seq)
    cam = truth["camera"]
    first = roll_view(px, seq.frame_size, hfov_deg=60.0)
    upright, bent = seated_posture(px, seq.visibility, seq.world, first)
    seated, _ = seated_state(t, upright, bent, hips_still(t, px))
    v = res.view
    rows = []
    for k, leg in enumerate(SIDES):
        inward = [e for e in truth["rotation"]["efforts"] if e["leg"] == leg and e["held_deg"] > 0]
        best = max(inward, key=lambda e: e["held_deg"]) if inward else None
        hold = ((t >= best["start_s"]) & (t <= best["end_s"])) if best else np.ones(len(t), bool)
        h, kn, a = (px[:, LEG[leg][j]] for j in ("hip", "knee", "ankle"))
        rest = ~hold if (~hold).any() else hold
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = ((kn - h)[:, 1] / g.norm(a - kn))[rest]
        drop = float(np.nanmedian(ratio)) if np.isfinite(ratio).any() else float("nan")
        r = res.reasons[hold, k]
        shares = {Reason(int(c)).code: np.mean(r == c) for c in np.unique(r)}
        why = ", ".join(f"{name} {100 * s:.0f}%" for name, s in sorted(shares.items(), key=lambda x: -x[1]))
        got = res.leg(leg)
        held = "—" if not np.isfinite(got.held_deg) else f"{got.held_deg:.1f} ± {got.uncertainty_deg:.1f}"
        rows.append(f"| {npz.name.split('.')[0]} | {cam['condition']} | {cam['pitch_deg']:.0f} / "
                    f"{-cam['subject_heading_deg'][0]:.0f} | {v.pitch_deg:.0f} / {v.yaw_deg:.0f} {v.source} | {leg} | "
                    f"{best['held_deg'] if best else 0:.1f} | {got.status} | {held} | "
                    f"{100 * float(np.mean(seated[hold])):.0f}% | {drop:.2f} | {why} |")
    return rows


def condition_table(pairs: list[tuple[Path, Path]]) -> str:
    """`benchmarks/accuracy.py`'s per-condition seated table over the videos ``pairs``."""
    legs, efforts = [], {}
    for npz, side in pairs:
        truth = load_sidecar(side)
        cond = truth["camera"]["condition"]
        result = analyze_rotation(load_sequence(npz)).to_dict()
        legs += leg_rows(truth["rotation"]["efforts"], result, condition=cond, video=npz.name)
        acc = efforts.setdefault(cond, [0, 0, 0])
        for leg in SIDES:
            measured = (result.get(leg) or {}).get("efforts") or []
            pairs_ = match_efforts(truth["rotation"]["efforts"], measured, leg=leg)
            found = sum(1 for _, m in pairs_ if m and m.get("held_deg") is not None)
            acc[0] += len(pairs_)
            acc[1] += found
            acc[2] += len(measured) - found
    return seated_table(legs, efforts)[0]


def main() -> None:
    ap = folders_parser(__doc__)
    ap.add_argument("--table", action="store_true", help="the per-condition table of benchmarks/accuracy.py")
    args = ap.parse_args()
    if args.table:
        print(condition_table([pair for folder in args.folders for pair in seated_pairs(folder)]))
        return
    print("| video | condition | true pitch / yaw ° | fitted pitch / yaw ° | leg | truth ° | status | held ° | "
          "seated | drop | frames of the hold |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for folder in args.folders:
        for npz, side in seated_pairs(folder):
            for row in video_rows(npz, side):
                print(row, flush=True)


if __name__ == "__main__":
    main()
