"""Seated hip internal rotation (IR) per leg: `analyze_rotation` for files, `RotationTracker` live.

The test: the person sits on a table edge facing the camera, hips and knees at
90°, thighs pointing at the camera, shanks hanging. Rotating a hip inward
swings that foot *outward*; the IR angle is the shank's (knee → ankle) angle
from the vertical in the frontal plane, degrees, + = IR (foot lateral),
- = external rotation. Marks: < 30° limited, 30–45° functional, ≥ 45° target.

Pipeline (the same per-frame maths for both modes, `rotation_measure`):
landmarks → posture (`rotation_posture`) → knee anchors from rest frames
(`rotation_anchor`) → camera view (roll/pitch/yaw, `rotation_view`) → per-frame
angle and validity reason (`rotation_frame`) → filter (files: Hampel → gap fill → zero-phase Butterworth;
live: causal One-Euro) → held / peak / efforts / class (`rotation_summary`).

    from hipvision import load_sequence
    from hipvision.core.rotation import analyze_rotation
    result = analyze_rotation(load_sequence("poses.npz"))
    result.left.held_deg, result.right.cls, result.to_dict()
"""

from __future__ import annotations

from hipvision.core.filtering import smooth_offline
from hipvision.core.rotation_anchor import KNEES
from hipvision.core.rotation_frame import Reason
from hipvision.core.rotation_live import FrameArrays, Reading, RotationTracker, coaching_message
from hipvision.core.rotation_measure import measure_recording
from hipvision.core.rotation_result import (
    CSV_DOC, CSV_HEADER, ESTIMATORS, LegResult, RotationResult, Settings, summarise,
)
from hipvision.core.rotation_summary import THRESHOLDS_DEG, Effort, class_with_uncertainty, classify
from hipvision.core.rotation_uncertainty import asymmetry_verdict, frame_evidence, uncertainty_deg
from hipvision.sequence import PoseSequence


def analyze_rotation(seq: PoseSequence, *, live: bool = False, min_hold_s: float = 1.0,
                     estimator: str = "image", hfov_deg: float = 60.0, cutoff_hz: float = 2.0,
                     settings: Settings | None = None) -> RotationResult:
    """Measure seated hip IR per leg over a recording.

    Args:
        seq: landmarks of one person (see `PoseSequence`).
        live: True replays the sequence through the causal `RotationTracker` (what the
            live camera mode would have shown); False filters with zero phase (files).
        min_hold_s: an angle counts as held when sustained this long, seconds.
        estimator: "image" (2D landmarks, camera view fitted; default, the more accurate in
            our tests) or "world" (MediaPipe world landmarks).
        hfov_deg: assumed horizontal field of view of the camera, degrees.
        cutoff_hz: low-pass cut-off of the offline filter, Hz.
        settings: all parameters at once (overrides the keywords above).
    """
    settings = settings or Settings(min_hold_s=min_hold_s, estimator=estimator, hfov_deg=hfov_deg,
                                    cutoff_hz=cutoff_hz)
    if live:
        tracker = RotationTracker(frame_size=seq.frame_size, settings=settings, source=seq.source, model=seq.model)
        for i, t in enumerate(seq.timestamps_s):
            tracker.update(FrameArrays(seq.image[i], seq.visibility[i], seq.world[i]), float(t))
        return tracker.result()
    t = seq.timestamps_s
    measured, view = measure_recording(t, seq.image_px(), seq.visibility, seq.world, seq.frame_size,
                                       estimator=settings.estimator, hfov_deg=settings.hfov_deg,
                                       fit_pitch_yaw=settings.fit_pitch_yaw)
    raw, reasons = measured.raw_deg, measured.reasons
    filtered = (smooth_offline(t, raw, cutoff_hz=settings.cutoff_hz, max_gap_s=settings.max_gap_s)
                if len(t) else raw.copy())
    return summarise(t, raw, filtered, reasons, view, settings, mode="offline", source=seq.source,
                     model=seq.model, knee_px=measured.px[:, list(KNEES)], evidence=frame_evidence(measured.px, view))


__all__ = ["analyze_rotation", "ESTIMATORS", "RotationResult", "LegResult", "Settings", "RotationTracker", "Reading",
           "coaching_message", "Reason", "Effort", "classify", "class_with_uncertainty", "uncertainty_deg",
           "asymmetry_verdict", "THRESHOLDS_DEG", "CSV_HEADER", "CSV_DOC"]
