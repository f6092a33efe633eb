"""MediaPipe's drawing helpers (and its audio, text, retrieval and decision tasks) are loaded only if something
uses them.

``mediapipe.tasks.python.vision`` (imported by ``import mediapipe``) imports its ``drawing_utils`` and
``drawing_styles``, and those import ``matplotlib.pyplot``: most of MediaPipe's import time (4.2 of 4.8 s of
one ``hipvision circles`` run at load 11, issue 16). hipvision draws with OpenCV and never calls them.
``import mediapipe`` also imports every task family: audio (with its sound-device recorder), text, retrieval
and decision; without them MediaPipe imports in half the CPU time (0.03 instead of 0.07 s, issue 16).
`defer` makes those modules lazy with the standard library's `importlib.util.LazyLoader`: the module
object exists at once, and its code (with matplotlib) runs on the first attribute access, so any code
that does use them still works.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys

#: MediaPipe modules whose code runs only when first used.
LAZY_MODULES = ("mediapipe.tasks.python.vision.drawing_utils", "mediapipe.tasks.python.vision.drawing_styles",
                "mediapipe.tasks.python.audio", "mediapipe.tasks.python.text", "mediapipe.tasks.python.retrieval",
                "mediapipe.tasks.python.decision")


class _LazyFinder(importlib.abc.MetaPathFinder):
    """Finds the `LAZY_MODULES` as the normal path finder does, with their loader wrapped in a LazyLoader."""

    def find_spec(self, name, path, target=None):  # noqa: ANN001 - the importlib protocol
        if name not in LAZY_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return spec  # not found, or a loader LazyLoader cannot wrap: the normal import
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def defer() -> None:
    """Make the `LAZY_MODULES` lazy for the rest of the process (once; before MediaPipe is imported, else no effect)."""
    if not any(isinstance(finder, _LazyFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LazyFinder())
