"""Seated hip internal rotation (IR) per leg: `analyze_rotation` for files, `RotationTracker` live.

The test: the person sits on a table edge facing the camera, hips and knees at
90°, thighs pointing at the camera, shanks hanging. Rotating a hip inward
swings that foot *outward*; the IR angle is the shank's (knee → ankle) angle
from the vertical in the frontal plane, degrees, + = IR (foot lateral),
- = external rotation. Marks: < 30° limited, 30–45° functional, ≥ 45° target.

Pipeline (the same per-frame maths for both modes, `measure`):
landmarks (left and right put back where the pose model swapped them, `sides`) → posture (`seated`) →
knee anchors from rest frames (`anchor`) → camera view (roll/pitch/yaw, `view`) → per-frame
angle and validity reason (`frame`) → filter (files: Hampel → gap fill → zero-phase Butterworth;
live: causal One-Euro) → held / peak / efforts / class (`summary`).

    from hipvision import load_sequence
    from hipvision.core.rotation import RotationSettings, analyze_rotation
    result = analyze_rotation(load_sequence("poses.npz"), RotationSettings(min_hold_s=1.0))
    result.left.held_deg, result.right.cls, result.to_dict()
"""

from __future__ import annotations

import dataclasses

from hipvision.core.filtering import smooth_offline
from hipvision.core.posture import SEATED
from hipvision.core.posture_check import RECORDING, posture_mismatch
from hipvision.core.rotation.anchor import KNEES
from hipvision.core.rotation.frame import Reason
from hipvision.core.rotation.measure import measure_recording
from hipvision.core.rotation.result import RotationResult, RotationSettings, summarise
from hipvision.core.rotation.sides import restore_sides, swapped_info
from hipvision.core.rotation.stream import FrameArrays, RotationTracker
from hipvision.core.rotation.uncertainty import frame_evidence
from hipvision.sequence import PoseSequence


def analyze_rotation(seq: PoseSequence, settings: RotationSettings = RotationSettings(), *,
                     live: bool = False, command_input: str = RECORDING) -> RotationResult:
    """Measure seated hip IR per leg over a recording.

    Args:
        seq: landmarks of one person (see `PoseSequence`).
        settings: every parameter of the analysis (hold time, estimator, field of view, filters).
        live: True replays the sequence through the causal `RotationTracker` (what the
            live camera mode would have shown); False filters with zero phase (files).
        command_input: how the commands named by a posture mismatch take their input
            (`posture_check.PostureMismatch.command_input`; the command line passes the file it was given).
    """
    if live:
        tracker = RotationTracker(frame_size=seq.frame_size, settings=settings, source=seq.source, model=seq.model)
        for i, t in enumerate(seq.timestamps_s):
            tracker.update(FrameArrays(seq.image[i], seq.visibility[i], seq.world[i]), float(t))
        return tracker.result()
    seq, swapped = restore_sides(seq)
    t = seq.timestamps_s
    measured, view = measure_recording(t, seq.image_px(), seq.visibility, seq.world, seq.frame_size,
                                       estimator=settings.estimator, hfov_deg=settings.hfov_deg,
                                       fit_pitch_yaw=settings.fit_pitch_yaw)
    raw, reasons = measured.raw_deg, measured.reasons
    filtered = (smooth_offline(t, raw, cutoff_hz=settings.cutoff_hz, max_gap_s=settings.max_gap_s)
                if len(t) else raw.copy())
    result = summarise(t, raw, filtered, reasons, view, settings, mode="offline", source=seq.source,
                       model=seq.model, knee_px=measured.px[:, list(KNEES)], evidence=frame_evidence(measured.px, view),
                       height_hint_deg=measured.height_hint_deg,
                       posture=posture_mismatch(seq, SEATED, command_input=command_input,
                                                measured_share=float((reasons == int(Reason.OK)).any(axis=1).mean())
                                                if len(t) else 0.0))
    if swapped:
        result = dataclasses.replace(result, info=result.info + (swapped_info(swapped, len(t)),))
    return result

