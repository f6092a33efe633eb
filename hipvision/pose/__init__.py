"""Pose model adapter: the only package that imports mediapipe."""
