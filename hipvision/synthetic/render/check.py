"""Check what the pose model sees in a rendered video against its sidecar.

`check_sequence` is numpy-only: detection rate (overall and per phase), whether
the person's left and right were labelled correctly (landmarks nearer the true
left joints than the true right ones), and the pixel error of hips, knees and
ankles. `check_video` runs the pose model first (hipvision.pose).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from hipvision.landmarks import Landmark as L
from hipvision.sequence import PoseSequence
from hipvision.synthetic.render.sidecar import load_sidecar

#: (truth joint stem, left landmark, right landmark) compared for left/right labelling.
LR_PAIRS = (("hip", L.LEFT_HIP, L.RIGHT_HIP), ("knee", L.LEFT_KNEE, L.RIGHT_KNEE),
            ("ankle", L.LEFT_ANKLE, L.RIGHT_ANKLE), ("shoulder", L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
            ("wrist", L.LEFT_WRIST, L.RIGHT_WRIST))


def check_sequence(seq: PoseSequence, sidecar: dict) -> dict:
    """Detection and left/right labelling of ``seq`` against the truth in ``sidecar``.

    Returns a dict: frames, detection_rate, lr_correct (fraction of detected frames
    whose left/right assignment is the nearer one), leg_error_px (median distance of
    hips, knees and ankles from their true projections), and the same per phase.
    """
    frames = sidecar["frames"]
    n = min(len(seq), len(frames["t_s"]))
    truth = {k: np.asarray(v, float)[:n] for k, v in frames["joints_px"].items()}
    px = seq.image_px()[:n]
    detected = seq.detected[:n]
    same = np.zeros(n)
    swap = np.zeros(n)
    for stem, left, right in LR_PAIRS:
        tl, tr = truth[f"{stem}.L"], truth[f"{stem}.R"]
        same += np.linalg.norm(px[:, left] - tl, axis=1) + np.linalg.norm(px[:, right] - tr, axis=1)
        swap += np.linalg.norm(px[:, left] - tr, axis=1) + np.linalg.norm(px[:, right] - tl, axis=1)
    correct = same < swap
    legs = [(L.LEFT_HIP, "hip.L"), (L.RIGHT_HIP, "hip.R"), (L.LEFT_KNEE, "knee.L"), (L.RIGHT_KNEE, "knee.R"),
            (L.LEFT_ANKLE, "ankle.L"), (L.RIGHT_ANKLE, "ankle.R")]
    dist = np.stack([np.linalg.norm(px[:, i] - truth[j], axis=1) for i, j in legs])
    leg_err = np.full(n, np.nan)
    leg_err[detected] = np.nanmedian(dist[:, detected], axis=0)

    def summary(mask: np.ndarray) -> dict:
        det = mask & detected
        return {"frames": int(mask.sum()), "detection_rate": round(float(det.sum() / max(mask.sum(), 1)), 4),
                "lr_correct": round(float(correct[det].mean()), 4) if det.any() else None,
                "leg_error_px": round(float(np.nanmedian(leg_err[det])), 1) if det.any() else None}

    phase = np.asarray(frames["phase"][:n])
    out = {"video": sidecar["video"]["file"], **summary(np.ones(n, bool))}
    out["phases"] = {p: summary(phase == p) for p in dict.fromkeys(phase.tolist())}
    return out


def check_video(video: str | os.PathLike, *, model: str | os.PathLike | None = None) -> dict:
    """Run the pose model on ``video`` and `check_sequence` it against ``<video>.json``."""
    from hipvision.pose import poses_from_input

    video = Path(video)
    seq = poses_from_input(video, model=model, progress=False)
    return check_sequence(seq, load_sidecar(video.with_suffix(".json")))
