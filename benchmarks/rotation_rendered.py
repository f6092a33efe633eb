"""Held-angle error and uncertainty coverage on rendered people (real MediaPipe), per camera condition.

Reads pose files with their render sidecars — ``NAME.npz`` + ``NAME.json`` (``hipvision extract`` of a
``python -m hipvision.synthetic.render render seated_ir`` video) or ``STEM.full.poses.npz`` + ``STEM.json``
(a `benchmarks/accuracy.py` cache) — runs `analyze_rotation` and prints, per condition (the sidecar's
camera condition, prefixed by the folder's name), for the legs near and away from a camera turned ≥ 10°
(fitted yaw), and overall: rotated legs, MAE, bias, worst error, the
share whose truth lies within held ± uncertainty_deg (coverage) and the median uncertainty.

``--set NAME=VALUE`` recomputes every uncertainty with those `UncertaintyModel` constants changed (from each
effort's own evidence), to compare constants without analysing again. Never point it at a held-out set
while tuning.

    python benchmarks/rotation_rendered.py /tmp/ir14-renders /tmp/bench1314-renders/bench-100
    python benchmarks/rotation_rendered.py /tmp/ir14-renders --set turn_deg=9.8 --set tilt_deg=0
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import hipvision.core.rotation.status as rotation_status  # noqa: E402
from hipvision.core.rotation import analyze_rotation  # noqa: E402
from hipvision.core.rotation.uncertainty import (  # noqa: E402
    DEFAULT_MODEL, HoldEvidence, UncertaintyModel, uncertainty_deg, uncertainty_model_for,
)
from hipvision.io import load_sequence  # noqa: E402
from hipvision.synthetic.render.sidecar import load_sidecar, match_efforts  # noqa: E402


@dataclasses.dataclass(frozen=True)
class RenderedLeg:
    """One rotated leg's effort: condition, truth and held angle (degrees), and its uncertainty evidence."""

    condition: str
    truth_deg: float
    held_deg: float
    evidence: HoldEvidence


def pose_files(folder: Path, model: str = "full") -> list[tuple[Path, Path]]:
    """(pose file, sidecar) pairs of the seated videos in ``folder``; of an accuracy cache, the pose files of
    ``model`` (``STEM.<model>.poses.npz``)."""
    pairs = []
    own = f".{model}.poses.npz"
    for npz in sorted(folder.glob("*.npz")):
        if npz.name.endswith(".poses.npz") and not npz.name.endswith(own):
            continue                                          # other pose models of an accuracy cache
        side = folder / (npz.name.removesuffix(own).removesuffix(".npz") + ".json")
        if side.is_file() and (npz.name.startswith("seated") or not npz.name.endswith(".poses.npz")):
            pairs.append((npz, side))
    return pairs


def rendered_legs(folder: Path, model: str = "full") -> list[RenderedLeg]:
    """Every rotated leg's matched effort in ``folder`` (pose files of ``model``, `pose_files`), with the evidence
    its uncertainty came from."""
    seen: list[HoldEvidence] = []
    real = rotation_status.uncertainty_deg

    def spy(ev: HoldEvidence, *args, **kwargs) -> float:      # keep each effort's evidence
        seen.append(ev)
        return real(ev, *args, **kwargs)

    out = []
    rotation_status.uncertainty_deg = spy
    try:
        for npz, side in pose_files(folder, model):
            truth = load_sidecar(side)
            condition = f"{folder.name}/{truth.get('camera', {}).get('condition', '?')}"
            seen.clear()
            res = analyze_rotation(load_sequence(npz))
            for leg in ("left", "right"):
                g = res.leg(leg)
                pairs = match_efforts(truth["rotation"]["efforts"], [e.to_dict() for e in g.efforts], leg=leg)
                if g.measured and not g.efforts:                   # held throughout: no effort to match
                    rotated = [t for t in truth["rotation"]["efforts"] if t["leg"] == leg and t["held_deg"] > 0]
                    pairs = [(min(rotated, key=lambda t: abs(t["held_deg"] - g.held_deg)),
                              {"held_deg": g.held_deg})] if rotated else []
                for t, m in pairs:
                    if t["held_deg"] <= 0 or not m or m.get("held_deg") is None:
                        continue
                    ev = next((e for e in seen if abs(e.held_deg - m["held_deg"]) < 0.05), None)
                    if ev is not None:
                        out.append(RenderedLeg(condition, float(t["held_deg"]), float(m["held_deg"]), ev))
    finally:
        rotation_status.uncertainty_deg = real
    return out


def table(legs: list[RenderedLeg], model: UncertaintyModel = DEFAULT_MODEL) -> str:
    """Markdown table per condition and overall."""
    rows = ["| condition | legs | MAE ° | bias ° | worst ° | within held ± uncertainty | median ± ° |",
            "|---|---|---|---|---|---|---|"]
    turned = {"turned ≥ 10°, leg near": lambda g: abs(g.evidence.yaw_deg) >= 10 and not g.evidence.away,
              "turned ≥ 10°, leg away": lambda g: abs(g.evidence.yaw_deg) >= 10 and g.evidence.away}
    for name in sorted({g.condition for g in legs}) + list(turned) + ["all"]:
        sel = [g for g in legs if name in ("all", g.condition) or (name in turned and turned[name](g))]
        err = np.array([g.held_deg - g.truth_deg for g in sel])
        unc = np.array([uncertainty_deg(g.evidence, model) for g in sel])
        inside = np.abs(err) <= unc
        rows.append(f"| {name} | {len(sel)} | {np.mean(np.abs(err)):.2f} | {np.mean(err):+.2f} | "
                    f"{np.max(np.abs(err)):.1f} | {100 * inside.mean():.0f}% ({inside.sum()}/{len(sel)}) | "
                    f"{np.median(unc):.2f} |")
    return "\n".join(rows)


def folders_parser(doc: str | None, *, model: bool = False) -> argparse.ArgumentParser:
    """A command-line parser taking folders of rendered pose files with their sidecars (``folders``); with
    ``model``, also ``--model`` (which pose files of an accuracy cache `pose_files` reads)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", type=Path, nargs="+", help="folders of pose files with their render sidecars")
    if model:
        ap.add_argument("--model", default="full", help="of an accuracy cache, read STEM.MODEL.poses.npz "
                        "(default: full); a folder of NAME.npz is read whatever its model")
    return ap


def main() -> None:
    ap = folders_parser(__doc__, model=True)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="an UncertaintyModel constant to change (repeatable)")
    args = ap.parse_args()
    base = uncertainty_model_for(f"pose_landmarker_{args.model}")     # the constants the analysis used
    model = dataclasses.replace(base, **{k: float(v) for k, v in (s.split("=") for s in args.set)})
    legs = [g for folder in args.folders for g in rendered_legs(folder, args.model)]
    print(f"constants: {model}")
    print(table(legs, model))


if __name__ == "__main__":
    main()
