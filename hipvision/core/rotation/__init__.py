"""Seated hip internal rotation per leg: `analyze_rotation` for recordings, `RotationTracker` live.

    from hipvision.core.rotation import analyze_rotation, RotationSettings
    result = analyze_rotation(seq, RotationSettings(min_hold_s=1.0))
    result.left.held_deg, result.right.cls, result.to_dict()
"""

from importlib import import_module

from hipvision.core.rotation.frame import Reason
from hipvision.core.rotation.result import CSV_DOC, CSV_HEADER, ESTIMATORS, LegResult, RotationResult, RotationSettings
from hipvision.core.rotation.stream import FrameArrays, Reading, RotationTracker, coaching_message
from hipvision.core.rotation.summary import THRESHOLDS_DEG, Effort, class_with_uncertainty, classify
from hipvision.core.rotation.uncertainty import asymmetry_verdict, uncertainty_deg

#: Loaded on first use: they need scipy.signal (seconds to import), the settings above do not.
_LAZY = {"analyze_rotation": "analyze", "FrameArrays": "stream", "Reading": "stream", "RotationTracker": "stream",
         "coaching_message": "stream"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["analyze_rotation", "ESTIMATORS", "RotationResult", "LegResult", "RotationSettings", "RotationTracker",
           "Reading", "FrameArrays", "coaching_message", "Reason", "Effort", "classify", "class_with_uncertainty",
           "uncertainty_deg", "asymmetry_verdict", "THRESHOLDS_DEG",
           "CSV_HEADER", "CSV_DOC"]
