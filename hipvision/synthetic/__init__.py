"""Synthetic landmark sequences built from 3D geometry, with known answers.

Pure numpy: skeletons in a scene frame are seen through a pinhole camera and
turned into a `PoseSequence` exactly like the pose model would deliver one.
Used by the tests, the benchmarks and the notebook.
"""

from hipvision.synthetic.camera import PinholeCamera, sequence_from_joints

__all__ = ["PinholeCamera", "sequence_from_joints"]
