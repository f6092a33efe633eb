"""Why a turned camera reads seated IR low: the held-angle error of each rendered leg split into its causes.

For every rotated leg of the rendered seated videos in the given folders (pose files + render sidecars,
as `rotation_rendered.py` reads them), the median angle over the true hold (not the analysis' held
statistic) is measured minus the truth, degrees, with:

* ``mp_fit``    MediaPipe's landmarks (knees anchored) and the fitted camera view: what the analysis reads;
* ``mp_true``   MediaPipe's landmarks and the true camera (sidecar: roll, pitch, yaw = −heading, focal);
* ``jt_fit``    the rendered joints' projections and the fitted view;
* ``jt_true``   the joints and the true camera: the geometry left (shanks off the common frontal plane);
* ``mp_pitch``, ``mp_yaw``  MediaPipe's landmarks, the fitted view with only its pitch (yaw) made true.

Rows are grouped by camera turn (true |yaw| ≥ 10° or not) and by leg: *near* (on the camera's side)
or *away*. Also the fitted yaw and pitch minus the true ones, and the same view fitted on the joints.

    python benchmarks/rotation_view_causes.py /tmp/ir14-renders /tmp/bench1314-renders/bench-100

Never point it at a held-out set.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from rotation_rendered import folders_parser, pose_files  # noqa: E402

from hipvision.core.rotation.frame import angles_image  # noqa: E402
from hipvision.core.rotation.measure import measure_recording  # noqa: E402
from hipvision.core.rotation.view import CameraView, estimate_view_image  # noqa: E402
from hipvision.io import load_sequence  # noqa: E402
from hipvision.landmarks import Landmark as L  # noqa: E402
from hipvision.synthetic.render.sidecar import load_sidecar  # noqa: E402

#: Sidecar joint names → landmarks (what the view fit and the angle need).
JOINTS = {"hip.L": L.LEFT_HIP, "hip.R": L.RIGHT_HIP, "knee.L": L.LEFT_KNEE, "knee.R": L.RIGHT_KNEE,
          "ankle.L": L.LEFT_ANKLE, "ankle.R": L.RIGHT_ANKLE, "shoulder.L": L.LEFT_SHOULDER,
          "shoulder.R": L.RIGHT_SHOULDER}
VARIANTS = ("mp_fit", "mp_true", "jt_fit", "jt_true", "mp_pitch", "mp_yaw")


@dataclasses.dataclass(frozen=True)
class LegCauses:
    """One rotated leg's effort: errors (degrees, measured − true) per variant, and the views' errors."""

    video: str
    turned: bool        # true |yaw| ≥ 10°
    away: bool          # the leg away from the camera
    truth_deg: float
    errors: dict[str, float]
    yaw_err_deg: float      # |fitted yaw| − |true yaw| (negative: the fit turned less than the camera)
    pitch_err_deg: float    # fitted − true pitch
    joint_yaw_err_deg: float


def true_view(camera: dict, frame_size: tuple[int, int]) -> CameraView:
    """The sidecar's camera as a `CameraView` (the renderer's heading is the person's: yaw = −heading)."""
    return CameraView(camera["roll_deg"], camera["pitch_deg"], -camera["subject_heading_deg"][0],
                      camera["focal_px"], (frame_size[0] / 2, frame_size[1] / 2), "truth", 0)


def video_causes(npz: Path, side: Path) -> list[LegCauses]:
    """`LegCauses` of every rotated effort of one video."""
    truth = load_sidecar(side)
    seq = load_sequence(npz)
    t = seq.timestamps_s
    measured, fitted = measure_recording(t, seq.image_px(), seq.visibility, seq.world, seq.frame_size)
    frames = truth["frames"]
    idx = np.clip(np.searchsorted(np.asarray(frames["t_s"], float), t - 1e-3), 0, len(frames["t_s"]) - 1)
    joints = np.full((len(t), 33, 2), np.nan)
    for name, lm in JOINTS.items():
        joints[:, lm] = np.asarray(frames["joints_px"][name], float)[idx]
    true_ir = np.stack([np.asarray(frames["ir_left_deg"], float)[idx],
                        np.asarray(frames["ir_right_deg"], float)[idx]], axis=-1)
    tv = true_view(truth["camera"], seq.frame_size)
    rest = (np.abs(true_ir) < 0.5).all(axis=-1)
    joint_view = estimate_view_image(joints[rest], seq.frame_size, at_rest=True)
    angles = {"mp_fit": angles_image(measured.px, fitted), "mp_true": angles_image(measured.px, tv),
              "jt_fit": angles_image(joints, fitted), "jt_true": angles_image(joints, tv),
              "mp_pitch": angles_image(measured.px, dataclasses.replace(fitted, pitch_deg=tv.pitch_deg)),
              "mp_yaw": angles_image(measured.px, dataclasses.replace(fitted, yaw_deg=tv.yaw_deg))}
    out = []
    for e in truth["rotation"]["efforts"]:
        if e["held_deg"] <= 0:
            continue
        leg = 0 if e["leg"] == "left" else 1
        hold = (t >= e["start_s"]) & (t <= e["end_s"])
        out.append(LegCauses(
            video=f"{npz.parent.name}/{npz.name.split('.')[0]}", turned=abs(tv.yaw_deg) >= 10,
            away=(tv.yaw_deg > 0) == (leg == 1), truth_deg=float(e["held_deg"]),
            errors={k: float(np.nanmedian(a[hold, leg]) - e["held_deg"]) for k, a in angles.items()},
            yaw_err_deg=abs(fitted.yaw_deg) - abs(tv.yaw_deg), pitch_err_deg=fitted.pitch_deg - tv.pitch_deg,
            joint_yaw_err_deg=abs(joint_view.yaw_deg) - abs(tv.yaw_deg)))
    return out


def table(legs: list[LegCauses]) -> str:
    """Markdown table: mean error per variant and mean view errors, per (turned, near/away) group."""
    rows = ["| camera | leg | n | " + " | ".join(VARIANTS) + " | yaw fit − true | on joints | pitch fit − true |",
            "|---|---|---|" + "---|" * (len(VARIANTS) + 3)]
    for turned in (True, False):
        for away in (False, True):
            sel = [g for g in legs if g.turned == turned and g.away == away]
            if not sel:
                continue
            means = [np.mean([g.errors[k] for g in sel]) for k in VARIANTS]
            rows.append(f"| {'turned ≥ 10°' if turned else 'within 10°'} | {'away' if away else 'near'} | "
                        f"{len(sel)} | " + " | ".join(f"{m:+.2f}" for m in means) +
                        f" | {np.mean([g.yaw_err_deg for g in sel]):+.1f} | "
                        f"{np.mean([g.joint_yaw_err_deg for g in sel]):+.1f} | "
                        f"{np.mean([g.pitch_err_deg for g in sel]):+.1f} |")
    return "\n".join(rows)


def main() -> None:
    args = folders_parser(__doc__, model=True).parse_args()
    legs = [g for folder in args.folders for npz, side in pose_files(folder, args.model)
            for g in video_causes(npz, side)]
    print(table(legs))


if __name__ == "__main__":
    main()
