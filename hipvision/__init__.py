"""hipvision: hip mobility numbers from a camera or a video.

    from hipvision import PoseSequence, load_sequence
    seq = load_sequence("poses.npz")          # written by `hipvision extract`
"""

from hipvision.sequence import PoseSequence
from hipvision.io import load_sequence, save_sequence

__version__ = "0.1.0"

__all__ = ["PoseSequence", "load_sequence", "save_sequence", "__version__"]
