"""Pose model adapter: the only package that imports mediapipe (lazily, when a model is loaded).

    from hipvision.io.sources import open_source
    from hipvision.pose import PoseTracker, extract

    with open_source("clip.mp4") as source, PoseTracker() as tracker:
        seq = extract(source, tracker)          # a PoseSequence, one row per frame
"""

from hipvision.pose import lazy_drawing
from hipvision.pose.extract import SequenceBuilder, extract, input_warnings, landmarks_of_images
from hipvision.pose.inputs import poses_from_input
from hipvision.pose.landmarker import FramePose, PoseTracker, model_path

__all__ = ["FramePose", "PoseTracker", "SequenceBuilder", "extract", "input_warnings", "landmarks_of_images",
           "model_path", "poses_from_input"]

lazy_drawing.defer()  # MediaPipe's matplotlib-based drawing helpers load only if used
