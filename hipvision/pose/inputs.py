"""Whatever the user gave (a ``.npz`` of poses, a video file, an image folder, a camera, a URL) → `PoseSequence`."""

from __future__ import annotations

import os
from pathlib import Path

from hipvision.io.files import load_sequence
from hipvision.io.sources import CaptureSource, open_source
from hipvision.pose.extract import one_pass
from hipvision.pose.segments import extract_in_segments, segment_count
from hipvision.progress import ProgressFactory
from hipvision.sequence import PoseSequence


def poses_from_input(path: str | os.PathLike, *, model: str | os.PathLike | None = None,
                     progress: ProgressFactory | None = None, segments: int | None = None) -> PoseSequence:
    """Landmarks for whatever the user gave: a ``.npz`` from ``hipvision extract`` is loaded;
    anything else (video file, image folder, camera, URL) is opened and run through the model.

    A video file long enough is tracked in ``segments`` consecutive pieces on as many threads at once
    (`hipvision.pose.segments`; None = `hipvision.pose.segments.SEGMENTS`, 1 = one pass).

    Raises:
        InputError: the input cannot be read. ModelError: the model cannot be loaded.
    """
    if isinstance(path, (str, os.PathLike)) and Path(path).suffix.lower() == ".npz":
        return load_sequence(path)
    with open_source(path) as source:
        split = (isinstance(source, CaptureSource) and not source.is_live and source.video_path is not None
                 and segment_count(source.frame_count, source.fps, wanted=segments) > 1)
        if not split:
            return one_pass(source, model, progress=progress)
    return extract_in_segments(path, model=model, progress=progress, segments=segments)
