"""`PoseTracker`: MediaPipe Pose Landmarker on frames, following one subject, finding small people.

How a frame is processed
------------------------
1. **Whole frame.** A VIDEO-mode landmarker (``num_poses`` > 1, integer
   millisecond timestamps strictly increasing) sees the whole frame. Among the
   people it finds, the subject is chosen by `hipvision.core.subject.choose_subject`:
   the one continuing the subject's previous box (IoU, then centre distance);
   with no recent subject (lost for more than ``reacquire_after_s``), the
   largest, most central person.
2. **Small people: tile search.** When nobody is found, the frame is searched
   in overlapping tiles (2×2, then 3×3; at most once per ``search_every_s``; not
   within `SEARCH_AFTER_LARGE_S` of seeing the subject large, who then left or is hidden)
   by a separate IMAGE-mode landmarker: a tile is a fraction of the frame, so
   the person fills more of the detector's 224 px input (MediaPipe resamples
   each tile to its model inputs itself; upscaling it first would add no
   detail). Landmarks are mapped back to full-frame coordinates.
3. **Following the found person in a crop.** The subject is then followed in
   a square window around them (2.5× their size), with its own VIDEO-mode
   landmarker. VIDEO mode keeps tracking state and smooths landmarks in the
   coordinates of its input, so each window gets a fresh instance (its own
   timestamp clock): the window is *sticky*, kept while the person stays well
   inside it and re-cut (new instance, ~0.1 s) only when they near its edge or
   change size a lot. Every ``full_frame_every_s`` the whole frame is tried
   again (IMAGE mode: a fresh detection, no stale tracking state); when it
   finds the subject there, whole-frame tracking resumes.

Coordinates: image landmarks normalised to the full frame (x, y in 0..1; z on
the scale of x), world landmarks in metres (hip-centred), as in `PoseSequence`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from hipvision.core import subject as subj
from hipvision.core.posture import frame_is_quadruped
from hipvision.errors import ModelError
from hipvision.landmarks import NUM_LANDMARKS
from hipvision.pose import usage_logging
from hipvision.pose.growth_later import MAX_KEPT_BYTES, LaterGrowth
from hipvision.pose.image_motion import GrowthPair, HipGrowthMeter
from hipvision.io.shield import shielded
from hipvision.io.sources import Frame, quiet_native_logs

#: Tile grids tried, in order, when nobody is found in the whole frame.
SEARCH_GRIDS = ((2, 2), (3, 3))
SEARCH_OVERLAP = 0.25
WINDOW_SCALE = 2.5
#: After the subject was last seen large (`hipvision.core.subject.is_small` false), seconds without a tile search.
SEARCH_AFTER_LARGE_S = 5.0
#: A whole-frame VIDEO instance left tracking for longer than this is replaced before reuse.
STALE_TRACKING_S = 0.5
#: Frames for which a "yes" of the all-fours gate holds (the hip growth's gate, see `PoseTracker`): while on all
#: fours it is asked on every 8th frame only (a third of the tracker's own CPU per frame was the gate, issue 16).
#: Up to 7 frames after the person got up are then measured for nothing, which does no harm: the circles analysis
#: reads the growth only on all fours. While not on all fours it is asked on every frame.
GATE_HOLD_FRAMES = 8


@dataclass(frozen=True)
class FramePose:
    """The subject's landmarks in one frame (all NaN when nobody was found).

    Attributes:
        timestamp_s: seconds from the start of the source.
        image: (33, 3) normalised image landmarks (see `hipvision.sequence`).
        visibility: (33,) 0..1 (0 when nobody was found).
        presence: (33,) 0..1 (0 when nobody was found).
        world: (33, 3) world landmarks, metres.
        hip_growth: relative growth of the image region around the hips since the previous
            frame (dimensionless, + = grew = came closer; NaN where unknown), measured from the
            frames by `hipvision.pose.image_motion`, not by the pose model; measured only after a frame
            on all fours (see `PoseTracker`); NaN here within `PoseTracker.growth_later`, which computes it
            after the fact.
    """

    timestamp_s: float
    image: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    hip_growth: float = math.nan

    @property
    def detected(self) -> bool:
        """A person was found in this frame."""
        return not bool(np.isnan(self.image[:, 0]).all())

    @classmethod
    def missing(cls, timestamp_s: float) -> "FramePose":
        """A frame in which nobody was found."""
        nan = np.full((NUM_LANDMARKS, 3), np.nan)
        zeros = np.zeros(NUM_LANDMARKS)
        return cls(timestamp_s, nan, zeros, zeros.copy(), nan.copy())


def model_path(model: str | os.PathLike | None) -> Path:
    """The pose model file: ``model`` (a path or a model name such as ``full``) if given,
    else the provisioned default (see `hipvision.pose.models.resolve_model`; provisions it on first use).

    Raises:
        ModelError: the given file does not exist, or no model can be had.
    """
    from hipvision.pose.models import resolve_model

    return resolve_model(explicit=model)


class _Landmarker:
    """One MediaPipe PoseLandmarker instance (VIDEO or IMAGE mode) with its own timestamp clock."""

    def __init__(self, path: Path, *, video: bool, num_poses: int, verbose: bool) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        self._verbose = verbose
        self._video = video
        self._last_ms = -1
        self.last_t = -math.inf  # time of the last frame seen
        self.tracking = False  # the last frame had poses: VIDEO mode will track from their regions
        # MediaPipe prints some warnings on each landmarker's first inferences ("Input tensor memory is not
        # aligned ..."): those are silenced until this one has found a pose (per instance: the report's
        # key-frame detector, opened after the analysis, leaked them to stderr when this was per process)
        self._first_logs_done = False
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
            num_poses=num_poses,
        )
        usage_logging.block()  # MediaPipe's usage uploads stay off the network while this instance lives
        try:
            with quiet_native_logs(not verbose):
                self._task = vision.PoseLandmarker.create_from_options(options)
        except Exception as exc:  # RuntimeError/ValueError/FileNotFoundError from the native loader
            usage_logging.unblock()
            raise ModelError(f"cannot load pose model {path}: {exc}".splitlines()[0]) from None

    def detect(self, rgb: np.ndarray, timestamp_s: float) -> list[tuple[np.ndarray, ...]]:
        """People in an RGB image: a list of (image (33,3), visibility, presence, world (33,3))."""
        import mediapipe as mp

        # shielded: a stop signal raised inside MediaPipe's Python glue can leave a half-built `mp.Image`
        # whose __del__ then fails ("Exception ignored ... Traceback", CI: SIGHUP of a live session); the
        # signal instead stops the work right after this call (one frame's inference later at most)
        with shielded(), quiet_native_logs(not (self._verbose or self._first_logs_done)):
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            if self._video:
                ms = max(int(round(timestamp_s * 1000.0)), self._last_ms + 1)
                self._last_ms = ms
                result = self._task.detect_for_video(image, ms)
            else:
                result = self._task.detect(image)
            del image
        if result.pose_landmarks:
            self._first_logs_done = True
        self.last_t, self.tracking = timestamp_s, bool(result.pose_landmarks)
        return [_to_arrays(lms, world) for lms, world in zip(result.pose_landmarks, result.pose_world_landmarks)]

    def close(self) -> None:
        if self._task is None:
            return
        try:
            with quiet_native_logs(not self._verbose):
                self._task.close()  # its last usage upload happens in here
        finally:
            self._task = None
            usage_logging.unblock()


def _in_frame(image: np.ndarray, window: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Landmarks of a crop (`hipvision.core.subject.crop_to_frame`) in the whole frame, at MediaPipe's own float32
    precision, as the whole frame's are: a pose file (float32) then gives back exactly what was found."""
    return subj.crop_to_frame(image, window, size).astype(np.float32).astype(float)


def _to_arrays(landmarks: list, world: list) -> tuple[np.ndarray, ...]:
    """MediaPipe landmark lists → (image (33,3), visibility (33,), presence (33,), world (33,3))."""
    nan = math.nan
    image = np.array([(p.x, p.y, p.z) for p in landmarks], dtype=float)
    vis = np.array([nan if p.visibility is None else p.visibility for p in landmarks], dtype=float)
    pres = np.array([nan if p.presence is None else p.presence for p in landmarks], dtype=float)
    wld = np.array([(p.x, p.y, p.z) for p in world], dtype=float)
    return image, vis, pres, wld


class PoseTracker:
    """Pose landmarks of one subject, frame by frame (a context manager; see the module docstring).

    Args:
        model: path of a ``.task`` model bundle or a model name; None = the provisioned default.
        verbose: let MediaPipe's native log lines through (hidden by default).
        num_poses: people the whole-frame landmarker looks for (>1 so the subject
            can be told apart from others).
        crop_search: search tiles for people too small for the whole frame.
        reacquire_after_s: after the subject has been unseen this long, the
            largest, most central person becomes the subject.
        search_every_s: least time between two tile searches while nobody is found.
        full_frame_every_s: while following in a crop, how often the whole frame is tried again.

    Attributes:
        model_name: the model's name (file stem), recorded in results.
        stats: counters: ``frames``, ``detected``, ``searches``, ``search_hits``, ``crop_frames``.

    Each `FramePose` also carries ``hip_growth``, the looming of the region around the
    subject's hips since the previous processed frame (`hipvision.pose.image_motion`), measured only
    when the previous frame's pose was on all fours (`hipvision.core.posture.frame_is_quadruped`, asked once
    in `GATE_HOLD_FRAMES` frames while the answer is yes; its one user is the circles analysis): NaN elsewhere.
    Its flow runs on a worker thread while the model runs on the frame; within `growth_later` (files, through
    `hipvision.pose.extract`) only the two small boxes it needs are kept and the flow is computed after the loop.
    """

    def __init__(self, model: str | os.PathLike | None = None, *, verbose: bool = False, num_poses: int = 2,
                 crop_search: bool = True, reacquire_after_s: float = 0.25, search_every_s: float = 1.0,
                 full_frame_every_s: float = 1.0) -> None:
        self._path = model_path(model)
        self.model_name = self._path.stem
        self._verbose = verbose
        self._num_poses = max(2, int(num_poses))
        self._crop_search = crop_search
        self._reacquire_after_s = reacquire_after_s
        self._search_every_s = search_every_s
        self._full_every_s = full_frame_every_s
        self._full = _Landmarker(self._path, video=True, num_poses=self._num_poses, verbose=verbose)
        self._search: _Landmarker | None = None
        self._crop: _Landmarker | None = None
        self._window: np.ndarray | None = None  # (4,) pixels, while following in a crop
        self._subject_box: np.ndarray | None = None
        self._subject_t = -math.inf
        self._last_search_t = -math.inf
        self._last_full_t = -math.inf
        self.stats = {"frames": 0, "detected": 0, "searches": 0, "search_hits": 0, "crop_frames": 0}
        self._growth = HipGrowthMeter()
        self._growth_pool: ThreadPoolExecutor | None = None  # runs the meter alongside the model
        self._gate_held = 0  # frames still to keep for the growth without asking the all-fours gate
        self._later: LaterGrowth | None = None  # while `growth_later` runs: the pairs whose flow waits
        self._later_first = 0  # ... and the frame count when it started (its rows count from there)

    # -- public -----------------------------------------------------------------------------------
    def process(self, frame: Frame) -> FramePose:
        """Landmarks of the subject in ``frame`` (frames must come in time order)."""
        t = frame.timestamp_s
        size = (frame.image.shape[1], frame.image.shape[0])
        # the hip growth needs only the previous frame's landmarks: measure it while the model runs (only
        # after a frame on all fours: elsewhere it is NaN and costs nothing)
        growth_job = self._start_growth(frame)
        recent = self._subject_box is not None and t - self._subject_t <= self._reacquire_after_s
        previous = self._subject_box if recent else None
        found = None
        if self._window is not None:
            found = self._follow_crop(frame, size, previous)
        if found is None:
            found = self._whole_frame(frame, size, previous)
        row = self.stats["frames"] - self._later_first  # this frame's row within `growth_later`
        self.stats["frames"] += 1
        growth = self._growth_result(growth_job)
        if found is None:
            self._growth.reset()
            self._gate_held = 0
            return FramePose.missing(t)
        pose, box = found
        self._subject_box, self._subject_t = box, t
        self.stats["detected"] += 1
        if isinstance(growth_job, GrowthPair):  # (as the worker's growth: kept only when someone is found here)
            self._later.add(row, growth_job)
        image, vis, pres, world = pose
        self._growth.advance(frame.image, image, keep=self._on_all_fours(image, vis, world, size))
        return FramePose(t, image, vis, pres, world, hip_growth=growth)

    @contextmanager
    def growth_later(self, *, max_bytes: int = MAX_KEPT_BYTES) -> Iterator[LaterGrowth]:
        """Within this block the hip growth is computed after the fact: `process` returns it as NaN and keeps
        each measured frame's two grey boxes in the `LaterGrowth` yielded, whose rows count the frames processed
        within the block (0 = the first); call its `LaterGrowth.fill` / `results` for the growths (see
        `hipvision.pose.growth_later`; `extract` does this for files). The boxes kept stay under ``max_bytes``."""
        if self._later is not None:
            raise RuntimeError("growth_later is already active")
        self._later = LaterGrowth(self._growth.flow, max_bytes=max_bytes)
        self._later_first = self.stats["frames"]
        try:
            yield self._later
        finally:
            self._later = None

    def _start_growth(self, frame: Frame) -> Future | GrowthPair | None:
        """The hip growth of ``frame`` (only after a frame kept on all fours): its flow submitted to the worker
        thread (the job returned), or within `growth_later` its two boxes, to keep for later (`process` keeps
        them if someone is found in ``frame``)."""
        if not self._growth.armed:
            return None
        if self._later is None:
            return self._growth_worker().submit(self._growth.measure, frame.image)  # Frame.image is BGR
        return self._growth.pair(frame.image)

    def _growth_result(self, job: Future | GrowthPair | None) -> float:
        """The worker's growth (waits for it); NaN without a job or for boxes kept for later."""
        return job.result() if isinstance(job, Future) else math.nan

    def _on_all_fours(self, image: np.ndarray, vis: np.ndarray, world: np.ndarray, size: tuple[int, int]) -> bool:
        """The hip growth's gate: `frame_is_quadruped`, whose "yes" holds for `GATE_HOLD_FRAMES` frames."""
        if self._gate_held > 0:
            self._gate_held -= 1
            return True
        keep = frame_is_quadruped(image, vis, world, size)
        self._gate_held = GATE_HOLD_FRAMES - 1 if keep else 0
        return keep

    def _growth_worker(self) -> ThreadPoolExecutor:
        if self._growth_pool is None:
            self._growth_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hip-growth")
        return self._growth_pool

    @property
    def window(self) -> np.ndarray | None:
        """(4,) the crop window (pixels) the subject is followed in, or None (whole frame)."""
        return None if self._window is None else self._window.copy()

    def close(self) -> None:
        """Release every landmarker instance (and the previous frame kept for ``hip_growth``)."""
        if self._growth_pool is not None:
            self._growth_pool.shutdown(wait=True)
            self._growth_pool = None
        self._growth.reset()
        for name in ("_crop", "_search", "_full"):
            lm = getattr(self, name, None)
            if lm is not None:
                lm.close()
                setattr(self, name, None)

    def __enter__(self) -> "PoseTracker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- steps ------------------------------------------------------------------------------------
    def _pick(self, poses: list, size: tuple[int, int], previous: np.ndarray | None):
        """The subject among ``poses`` (full-frame coordinates) as (pose, box px), or None."""
        boxes = [subj.landmarks_box(p[0][:, :2] * size) for p in poses]
        keep = [i for i, b in enumerate(boxes) if b is not None]
        if not keep:
            return None
        index = subj.choose_subject(np.array([boxes[i] for i in keep]), previous, size)
        return None if index is None else (poses[keep[index]], boxes[keep[index]])

    def _whole_frame(self, frame: Frame, size: tuple[int, int], previous: np.ndarray | None):
        if self._full.tracking and frame.timestamp_s - self._full.last_t > STALE_TRACKING_S:
            # VIDEO mode would track from regions of a frame long gone (after crop following): start afresh
            self._full.close()
            self._full = _Landmarker(self._path, video=True, num_poses=self._num_poses, verbose=self._verbose)
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        self._last_full_t = frame.timestamp_s
        found = self._pick(self._full.detect(rgb, frame.timestamp_s), size, previous)
        if found is not None or not self._crop_search:
            return found
        if frame.timestamp_s - self._last_search_t < self._search_every_s:
            return None
        if frame.timestamp_s - self._subject_t <= SEARCH_AFTER_LARGE_S and not subj.is_small(self._subject_box, size):
            return None  # seen large a moment ago: gone or hidden, not too small to find
        self._last_search_t = frame.timestamp_s
        self.stats["searches"] += 1
        found = self._search_tiles(frame, size, previous)
        if found is not None:
            self.stats["search_hits"] += 1
            self._start_window(found[1], size)
        return found

    def _searcher(self) -> _Landmarker:
        """The IMAGE-mode instance (tile search, whole-frame checks while following a crop)."""
        if self._search is None:
            self._search = _Landmarker(self._path, video=False, num_poses=self._num_poses, verbose=self._verbose)
        return self._search

    def _search_tiles(self, frame: Frame, size: tuple[int, int], previous: np.ndarray | None):
        searcher = self._searcher()
        for rows, cols in SEARCH_GRIDS:
            poses = []
            for tile in subj.search_tiles(size, rows=rows, cols=cols, overlap=SEARCH_OVERLAP):
                for image, vis, pres, world in self._detect_in(searcher, frame, tile):
                    poses.append((_in_frame(image, tile, size), vis, pres, world))
            found = self._pick(poses, size, previous)
            if found is not None:
                return found
        return None

    def _follow_crop(self, frame: Frame, size: tuple[int, int], previous: np.ndarray | None):
        t = frame.timestamp_s
        window = self._window
        poses = [(_in_frame(p[0], window, size), *p[1:]) for p in self._detect_in(self._crop, frame, window)]
        found = self._pick(poses, size, previous if previous is not None else self._subject_box)
        if found is None:  # lost in the crop: back to the whole frame (and a search, if due)
            self._stop_window()
            return None
        self.stats["crop_frames"] += 1
        if t - self._last_full_t >= self._full_every_s:
            # IMAGE mode: a fresh detection, no tracking state left over from a frame long ago
            whole = self._pick(self._searcher().detect(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), t),
                               size, found[1])
            self._last_full_t = t
            if whole is not None:  # big enough for the whole frame again
                self._stop_window()
                self.stats["crop_frames"] -= 1
                return whole
        if not subj.window_fits(found[1], window, size):
            self._start_window(found[1], size)
        return found

    def _detect_in(self, landmarker: _Landmarker, frame: Frame, window: np.ndarray) -> list:
        x0, y0, x1, y1 = (int(v) for v in window)
        rgb = cv2.cvtColor(frame.image[y0:y1, x0:x1], cv2.COLOR_BGR2RGB)  # crop + convert in one pass
        return landmarker.detect(rgb, frame.timestamp_s)

    def _start_window(self, box: np.ndarray, size: tuple[int, int]) -> None:
        self._stop_window()
        self._window = subj.crop_window(box, size, scale=WINDOW_SCALE)
        self._crop = _Landmarker(self._path, video=True, num_poses=self._num_poses, verbose=self._verbose)

    def _stop_window(self) -> None:
        self._window = None
        if self._crop is not None:
            self._crop.close()
            self._crop = None
