"""The package's public face: what ``from hipvision import …`` gives, and that it stays light."""

import subprocess
import sys
from pathlib import Path

import pytest

import hipvision

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name, home", [
    ("analyze_rotation", "hipvision.core.rotation"), ("RotationSettings", "hipvision.core.rotation"),
    ("RotationResult", "hipvision.core.rotation"), ("analyze_circles", "hipvision.core.circles"),
    ("CirclesSettings", "hipvision.core.circles"), ("CirclesResult", "hipvision.core.circles"),
    ("analyze_session", "hipvision.core.session"), ("PoseSequence", "hipvision.sequence"),
])
def test_each_public_name_is_the_object_of_its_module(name, home):
    import importlib

    assert name in hipvision.__all__
    assert getattr(hipvision, name) is getattr(importlib.import_module(home), name)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'analyse_circles'"):
        hipvision.analyse_circles  # noqa: B018


def test_reading_the_settings_loads_no_analysis_or_model_library():
    """Settings are cheap to read and change (scipy, MediaPipe and OpenCV load with the analysis or the model)."""
    code = ("import sys; from hipvision import CirclesSettings, RotationSettings; "
            "CirclesSettings(target_per_direction=10); RotationSettings(); "
            "print(' '.join(m for m in ('scipy', 'mediapipe', 'cv2', 'matplotlib') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == []
