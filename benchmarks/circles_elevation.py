"""How far the camera looks down on a person on hands and knees, from the pose model's landmarks (issue 13).

Two estimates of the elevation of the line of sight (degrees below horizontal, + = looking down), per frame,
from the legs of a person on all fours, whose shanks lie on the floor (horizontal, pointing back from the knees)
and whose thighs stand vertical:

* ``shank_thigh``: a horizontal segment along the line of sight is foreshortened in the image by sin(elevation), a
  vertical one by cos(elevation). With each leg's image vectors scaled by its world lengths (the pose model's
  `PoseSequence.world`) — shank (knee → ankle) across ``u`` and down ``v``, thigh (knee → hip) up ``w`` — the
  elevation ``e`` and the shank's angle ``φ`` from the line of sight solve ``u = s·sin φ``, ``v = s·sin e·cos φ``,
  ``w = s·cos e`` (``s`` the image scale, orthographic): ``u²C² − (u² + v² + w²)C + w² = 0`` for ``C = cos² e``.
* ``floor``: the floor rectangle of knees and ankles: the shank's image drop ``v`` against the knees' and
  ankles' image widths (across the view, not foreshortened) over their world widths: sin e = v / (scale · shank).

Side-on the shank runs across the view and says nothing about the elevation: the estimate is "can't tell"
(``in_line`` False) where the analysis's camera azimuth (`hipvision.core.circles.analyze.body_path`) is more than
``max_off_line_deg`` from in line (in front of the head or behind the hips). The sign: from behind the feet are
nearer the camera than the knees (lower in the image when it looks down), from the front farther.

For every rendered video (``<stem>.json`` sidecar + ``<stem>.<model>.poses.npz``, as `benchmarks/accuracy.py`
leaves them) prints the truth (the sidecar's ``camera.pitch_deg``, and the line of sight's elevation at the hips',
knees' and ankles' image rows, `true_elevation_deg`) against each estimate: median and inter-quartile range over the
frames on all fours, and whether the view is in line.

    python benchmarks/circles_elevation.py /tmp/speed16e-cache /tmp/behind13j/c5901
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hipvision.core.circles.analyze import body_path  # noqa: E402
from hipvision.io import load_sequence  # noqa: E402
from hipvision.landmarks import Landmark as L  # noqa: E402
from hipvision.sequence import PoseSequence  # noqa: E402

SIDES = ("LEFT", "RIGHT")


def _legs(seq: PoseSequence) -> dict[str, np.ndarray]:
    """Per frame, the mean of both legs: shank image vector (knee → ankle, px, y down) over its world length, thigh
    image rise (knee → hip, px, + = up) over its world length, and the shank's image drop over the image scale of the
    knees' and ankles' widths."""
    px, world = seq.image_px(), seq.world
    u, v, w = [], [], []
    for side in SIDES:
        hip, knee, ankle = (L[f"{side}_{name}"] for name in ("HIP", "KNEE", "ANKLE"))
        shank_m = np.linalg.norm(world[:, ankle] - world[:, knee], axis=1)
        thigh_m = np.linalg.norm(world[:, hip] - world[:, knee], axis=1)
        shank = px[:, ankle] - px[:, knee]
        u.append(shank[:, 0] / shank_m)
        v.append(shank[:, 1] / shank_m)
        w.append((px[:, knee, 1] - px[:, hip, 1]) / thigh_m)
    widths_px = (np.linalg.norm(px[:, L.RIGHT_KNEE] - px[:, L.LEFT_KNEE], axis=1)
                 + np.linalg.norm(px[:, L.RIGHT_ANKLE] - px[:, L.LEFT_ANKLE], axis=1))
    widths_m = (np.linalg.norm(world[:, L.RIGHT_KNEE] - world[:, L.LEFT_KNEE], axis=1)
                + np.linalg.norm(world[:, L.RIGHT_ANKLE] - world[:, L.LEFT_ANKLE], axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return dict(u=np.mean(u, axis=0), v=np.mean(v, axis=0), w=np.mean(w, axis=0),
                    floor=np.mean(v, axis=0) / (widths_px / widths_m))


def shank_thigh_elevation_deg(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(T,) elevation (degrees, unsigned) that makes a floor-lying shank's image (``u`` across, ``v`` down) and a
    vertical thigh's image rise ``w`` (each over its world length) consistent (see the module docstring)."""
    u2, total = u ** 2, u ** 2 + v ** 2 + w ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(np.maximum(total ** 2 - 4 * u2 * w ** 2, 0.0))
        cos2 = np.where(u2 > 1e-9, (total - root) / (2 * np.maximum(u2, 1e-12)), w ** 2 / (v ** 2 + w ** 2))
    return np.degrees(np.arccos(np.sqrt(np.clip(cos2, 0.0, 1.0))))


def floor_elevation_deg(floor: np.ndarray) -> np.ndarray:
    """(T,) elevation (degrees, unsigned) from the shank's image drop over the floor rectangle's scale."""
    return np.degrees(np.arcsin(np.clip(np.abs(floor), 0.0, 1.0)))


@dataclass(frozen=True)
class Elevation:
    """Per-video summary: ``shank_thigh`` and ``floor`` are (25th percentile, median, 75th percentile), degrees,
    signed (+ = looking down), over the frames on all fours; ``in_line``: the view is within ``max_off_line_deg``
    of in line (else the estimates cannot tell); ``azimuth_deg`` the analysis's median camera azimuth;
    ``on_all_fours`` the share of such frames; ``knee_row_px``, ``hip_row_px``, ``ankle_row_px`` the median image
    rows (px, down) of the knees', hips' and ankles' midpoints over those frames."""

    shank_thigh: tuple[float, float, float]
    floor: tuple[float, float, float]
    in_line: bool
    azimuth_deg: float
    on_all_fours: float
    knee_row_px: float
    hip_row_px: float
    ankle_row_px: float


def elevation(seq: PoseSequence, *, max_off_line_deg: float = 45.0) -> Elevation:
    """The two elevation estimates of a sequence of a person on all fours (see the module docstring)."""
    path = body_path(seq)
    ok = path.valid
    az = float(np.degrees(np.angle(np.nanmean(np.exp(1j * np.radians(path.az[ok])))))) if ok.any() else np.nan
    legs = _legs(seq)
    # from behind (|az| > 90) the shank points toward the camera: looking down puts the ankles below the knees
    toward = 1.0 if abs(az) > 90 else -1.0
    sign = np.sign(legs["v"]) * toward
    estimates = {"shank_thigh": sign * shank_thigh_elevation_deg(legs["u"], legs["v"], legs["w"]),
                 "floor": sign * floor_elevation_deg(legs["floor"])}

    def spread(x: np.ndarray) -> tuple[float, float, float]:
        x = x[ok & np.isfinite(x)]
        return tuple(float(q) for q in np.percentile(x, [25, 50, 75])) if x.size else (np.nan,) * 3

    rows = {name: seq.image_px()[:, [L[f"LEFT_{name}"], L[f"RIGHT_{name}"]], 1].mean(axis=1)
            for name in ("HIP", "KNEE", "ANKLE")}
    row = {name: float(np.nanmedian(r[ok])) if ok.any() else np.nan for name, r in rows.items()}
    return Elevation(spread(estimates["shank_thigh"]), spread(estimates["floor"]),
                     bool(abs(np.cos(np.radians(az))) >= np.cos(np.radians(max_off_line_deg))), az,
                     float(ok.mean()), row["KNEE"], row["HIP"], row["ANKLE"])


def _camera(sidecar: Path) -> dict:
    cam = json.loads(sidecar.read_text())["camera"]
    return ast.literal_eval(cam) if isinstance(cam, str) else cam


def true_elevation_deg(cam: dict, row_px: float, height_px: int) -> float:
    """The line of sight's elevation (degrees, + = looking down) at an image row, from the sidecar's camera: its
    pitch plus the row's angle below the image centre."""
    return float(cam["pitch_deg"] + np.degrees(np.arctan((row_px - height_px / 2) / cam["focal_px"])))


def _row(name: str, cam: dict, seq: PoseSequence, est: Elevation) -> dict:
    truth = {f"{part}_deg": true_elevation_deg(cam, getattr(est, f"{part}_row_px"), seq.frame_size[1])
             for part in ("hip", "knee", "ankle")}
    return dict(video=name, placement=cam["condition"], pitch_deg=cam["pitch_deg"], **truth,
                **{k: getattr(est, k) for k in Elevation.__dataclass_fields__})


def _line(r: dict) -> str:
    def fmt(q):
        return f"{q[1]:6.1f} [{q[0]:5.1f} {q[2]:5.1f}]"
    return (f"{r['video']:42s} {r['placement']:13s} {r['pitch_deg']:5.1f} {r['hip_deg']:5.1f} {r['knee_deg']:5.1f} "
            f"{r['ankle_deg']:6.1f} | {fmt(r['shank_thigh']):>20s} | {fmt(r['floor']):>20s} | "
            f"{r['azimuth_deg']:4.0f} {'yes' if r['in_line'] else 'no ':3s} {r['on_all_fours']:5.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("caches", nargs="+", type=Path, help="folders of rendered videos with pose files")
    ap.add_argument("--model", default="full")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)
    rows = []
    print(f"{'video':42s} {'placement':13s} pitch  hips knees ankles | {'shank/thigh':>20s} | {'floor':>20s} | "
          "az   in line fours")
    for cache in args.caches:
        for pose_file in sorted(cache.glob(f"*.{args.model}.poses.npz")):
            stem = pose_file.name[: -len(f".{args.model}.poses.npz")]
            sidecar = pose_file.with_name(stem + ".json")
            if not sidecar.exists():
                continue
            seq = load_sequence(pose_file)
            rows.append(_row(f"{cache.name}/{stem}", _camera(sidecar), seq, elevation(seq)))
            print(_line(rows[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
