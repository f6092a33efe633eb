"""MediaPipe through `hipvision.pose`: the task families hipvision does not use load only when used
(`hipvision.pose.lazy_drawing`), and then they work (issue 16: a whole command against bare MediaPipe)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FAMILIES = ("audio", "text", "retrieval", "decision")


def _run(code: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_mediapipe_imports_none_of_the_unused_task_families():
    code = ("import sys, hipvision.pose, mediapipe; from mediapipe.tasks.python import BaseOptions, vision; "
            f"print(sum(1 for m in sys.modules if m.split('.')[3:4] and m.split('.')[3] in {FAMILIES!r} "
            "and m.startswith('mediapipe.tasks.python.') and m.count('.') > 3)); "
            "print(vision.PoseLandmarkerOptions.__name__)")
    assert _run(code) == ["0", "PoseLandmarkerOptions"]


def test_the_lazy_task_families_still_work_when_used():
    code = ("import hipvision.pose, mediapipe as mp; "
            "from mediapipe.tasks.python.audio import AudioClassifier; "
            "from mediapipe.tasks.python import text; "
            "print(AudioClassifier.__name__, text.TextClassifier.__name__, mp.tasks.decision.__name__)")
    assert _run(code) == ["AudioClassifier", "TextClassifier", "mediapipe.tasks.python.decision"]
