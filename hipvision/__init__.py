"""hipvision: hip mobility numbers from a camera or a video.

    from hipvision import poses_from_input, analyze_rotation, analyze_circles

    seq = poses_from_input("clip.mp4")            # or a .npz written by `hipvision extract`
    ir = analyze_rotation(seq)                    # seated hip internal rotation per leg
    print(ir.to_dict()["left"]["held_deg"])
    circles = analyze_circles(seq)                # quadruped hip circles
    print(circles.to_dict()["clockwise"])

    from hipvision import CirclesSettings         # settings are frozen dataclasses: change one, pass it
    analyze_circles(seq, settings=CirclesSettings(target_per_direction=10))

The analyses and the pose model are imported on first use, so `import hipvision` stays light.
"""

from importlib import import_module
from typing import Any

from hipvision._version import __version__
from hipvision.io.files import load_sequence, save_sequence
from hipvision.sequence import PoseSequence


_LAZY = {
    "analyze_rotation": "hipvision.core.rotation",
    "analyze_circles": "hipvision.core.circles",
    "analyze_session": "hipvision.core.session",
    "poses_from_input": "hipvision.pose",
    "RotationSettings": "hipvision.core.rotation",
    "RotationResult": "hipvision.core.rotation",
    "CirclesSettings": "hipvision.core.circles",
    "CirclesResult": "hipvision.core.circles",
}

__all__ = ["PoseSequence", "load_sequence", "save_sequence", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hipvision' has no attribute {name!r}")
