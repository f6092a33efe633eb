"""Causal (live) circles analysis: one frame at a time, the same counter as offline.

`CirclesStream.update` takes the world landmarks of each frame as they come;
filtering is causal (One-Euro), the body frame and the centre of the path are
trailing averages, and counting is `CircleCounter`, exactly as offline. The
state for a display (counts, progress of the current circle, direction, the
latest rep's measures) is available after every frame, and `result()` gives a
`CirclesResult` for everything so far.

The live view (`hipvision.live.circles.CirclesLive`) uses it only to draw between
its re-analyses: the current circle's progress arc and direction, the trail, the
top view and the posture hint. The counts it shows and speaks, and the last
circle's verdict, come from the file analysis re-run on the frames so far
(`hipvision.core.circles.recount`), which is what is saved; this stream's own
count is not shown (it misses circles until its depth correction is confirmed).
"""

from __future__ import annotations

import copy
import math
from collections import deque

import numpy as np

from hipvision.core.circles.result import CircleRep, CirclesResult, CirclesSettings
from hipvision.core.circles.summary import neutral_forward, rep_measures, summarise
from hipvision.core.circles.counting import CircleCounter
from hipvision.core.circles.depth import IDENTITY, apply_depth, depth_fit
from hipvision.core.circles.oblique import oblique_window_scale
from hipvision.core.circles.quality import polygon_moments
from hipvision.core.circles.trajectory import (TRACKED, CircleTrack, base_length, body_coordinates, change_rate, hip_flexion_deg,
                                               midpoints, orthonormal_frame, quadruped_ok,
                                               support_frame)
from hipvision.core.filtering import OneEuroFilter


class TrailingMean:
    """Mean of the values pushed during the last ``window_s`` seconds (NaN when empty)."""

    def __init__(self, window_s: float):
        self.window_s = window_s
        self._items: deque[tuple[float, np.ndarray]] = deque()
        self._sum: np.ndarray | float = 0.0

    def push(self, t_s: float, value: np.ndarray) -> None:
        value = np.asarray(value, float)
        self._items.append((t_s, value))
        self._sum = self._sum + value
        while self._items[0][0] <= t_s - self.window_s:
            self._sum = self._sum - self._items.popleft()[1]

    def mean(self) -> np.ndarray | float:
        if not self._items:
            return math.nan
        return self._sum / len(self._items)

    def clear(self) -> None:
        self._items.clear()
        self._sum = 0.0


class CirclesStream:
    """Live circles analysis. Feed `update` every frame in time order.

    Attributes for displays (after each `update`):
        counts: {"clockwise": n, "counterclockwise": n}.
        progress: fraction (0..1) of the current circle; direction: +1 cw, -1 ccw, 0 unknown.
        valid: the person is in a usable quadruped posture now.
        pelvis_m, centre_m: (2,) current pelvis and path centre [forward, right], metres (NaN if unknown).
        torso_m: current torso length estimate, metres.
        last_rep: measures of the most recent counted circle (`CircleRep`) or None.
    """

    def __init__(self, *, settings: CirclesSettings = CirclesSettings(), source: str = "live", model: str = ""):
        self.settings = settings
        self.source, self.model = source, model
        self.reset()

    def reset(self) -> None:
        """Forget everything (start a new set)."""
        s = self.settings
        self._filter = OneEuroFilter(s.live_min_cutoff_hz, s.live_beta, reset_after_s=s.max_gap_s)
        self.counter = CircleCounter(s.counter)
        self._frame = TrailingMean(s.frame_window_s)
        self._centre = TrailingMean(s.centre_window_s)
        self._torso = TrailingMean(30.0)
        self._ok_since: float | None = None
        self._last_ok_t = -math.inf
        self._base: deque[tuple[float, float]] = deque()
        self._last_valid_t = -math.inf
        self._rows: dict[str, list] = {k: [] for k in ("t", "valid", "pelvis", "centre", "shoulders", "flex",
                                                       "torso", "az", "ratio")}
        self.valid = False
        self.pelvis_m = self.centre_m = np.full(2, np.nan)
        self.torso_m = math.nan
        self.last_rep: CircleRep | None = None
        self._n_reps = 0
        self._rep_centre: np.ndarray | None = None
        self._devs: deque[tuple[float, np.ndarray, float]] = deque()  # (t, pelvis - centre, camera azimuth)
        self._depth_coeffs, self._depth_target, self._depth_ratio = IDENTITY.copy(), IDENTITY.copy(), 1.0
        self._last_a, self._a_rate = math.nan, 0.0
        self._depth_t = self._last_depth_update = self._depth_found_t = -math.inf
        self._depth_streak = 0
        self._depth_kind: str | None = None  # what the last window found: "loop", "oblique" or None
        self._detected = 0

    @property
    def counts(self) -> dict[str, int]:
        return self.counter.count

    @property
    def progress(self) -> float:
        return self.counter.progress

    @property
    def direction(self) -> int:
        return self.counter.direction

    @property
    def frames(self) -> int:
        return len(self._rows["t"])

    def update(self, t_s: float, world: np.ndarray) -> None:
        """Feed one frame: ``world`` is the (33, 3) world landmarks in metres (all NaN = nobody)."""
        s = self.settings
        raw = np.asarray(world, float)[list(TRACKED)]
        pts = self._filter(t_s, raw)[None] if np.all(np.isfinite(raw)) else np.full((1, len(TRACKED), 3), np.nan)
        self._detected += bool(np.all(np.isfinite(raw)))
        up_raw, fwd_raw = support_frame(pts)
        base = base_length(pts)[0]
        if np.isfinite(base):
            self._base.append((t_s, base))
        while self._base and self._base[0][0] <= t_s - s.planted_span_s:
            self._base.popleft()
        tb, vb = (np.array(v) for v in zip(*self._base)) if self._base else (np.zeros(0), np.zeros(0))
        rate = change_rate(tb, vb, span_s=s.planted_span_s, centred=False)[-1] if len(tb) else 0.0
        raw_ok = bool(quadruped_ok(pts, up_raw, base_rate_m_s=rate, limits=s.posture)[0])
        seen = bool(np.all(np.isfinite(pts)))
        if raw_ok:
            if self._ok_since is None or t_s - self._last_ok_t > s.max_gap_s:
                self._ok_since = t_s
            self._last_ok_t = t_s
        elif seen and t_s - self._last_ok_t > s.max_gap_s / 2:
            # seen in another posture for a while (frames without a person, or a brief
            # failed check, do not reset the timer: offline fills such gaps the same way)
            self._ok_since = None
        valid = raw_ok and t_s - self._ok_since >= s.min_posture_s
        if valid:
            if t_s - self._last_valid_t > s.max_gap_s:  # a new stretch: forget the old frame and centre
                for w in (self._frame, self._centre):
                    w.clear()
                self._rep_centre = None
                self._devs.clear()
                self._depth_streak, self._depth_kind = 0, None
                self._depth_coeffs, self._depth_target, self._depth_ratio = IDENTITY.copy(), IDENTITY.copy(), 1.0
                self._last_a, self._a_rate = math.nan, 0.0
            self._last_valid_t = t_s
            self._frame.push(t_s, np.concatenate([up_raw[0], fwd_raw[0]]))
            sh, hip, _, _ = midpoints(pts)
            self._torso.push(t_s, np.linalg.norm(sh - hip, axis=1)[0])
        frame = self._frame.mean()
        if np.ndim(frame):
            up, fwd, _ = orthonormal_frame(frame[None, :3], frame[None, 3:])
            pelvis, shoulders, az = body_coordinates(pts, up, fwd)
            pelvis, shoulders, az = pelvis[0], shoulders[0], float(az[0])
        else:
            pelvis, shoulders, az = np.full(2, np.nan), np.full(3, np.nan), math.nan
        torso = float(self._torso.mean())
        if valid and np.all(np.isfinite(pelvis)):
            self._centre.push(t_s, pelvis)
        trailing = self._centre.mean()
        trailing = np.asarray(trailing) if np.ndim(trailing) else np.full(2, np.nan)
        valid = valid and bool(np.all(np.isfinite(pelvis)))
        pelvis = self._undo_depth(t_s, pelvis, trailing, az, torso, valid)
        # the centroid of the latest circle is unbiased where circling stops; before it, the trailing mean
        centre = self._rep_centre if self._rep_centre is not None else trailing
        i = self.frames
        self.counter.update(i, t_s, pelvis, centre, torso, valid)
        for key, value in (("t", t_s), ("valid", valid), ("pelvis", pelvis), ("centre", centre),
                           ("shoulders", shoulders), ("flex", float(hip_flexion_deg(pts)[0])), ("torso", torso),
                           ("az", az), ("ratio", self._depth_ratio)):
            self._rows[key].append(value)
        self.valid, self.pelvis_m, self.centre_m, self.torso_m = valid, pelvis, centre, torso
        if len(self.counter.reps) > self._n_reps:
            self._n_reps = len(self.counter.reps)
            track, span = self.track(), self.counter.reps[-1]
            neutral = neutral_forward(track, self.counter.reps[0].start_index)
            self.last_rep = rep_measures(track, span, self._n_reps, s, smooth=True, neutral_forward_m=neutral)
            sl = slice(span.start_index, span.end_index + 1)
            _, centroid, _ = polygon_moments(track.pelvis_m[sl][track.valid[sl]])
            if np.all(np.isfinite(centroid)):
                self._rep_centre = centroid

    def track(self) -> CircleTrack:
        """Everything seen so far as a `CircleTrack`."""
        r = self._rows
        n = len(r["t"])
        return CircleTrack(
            t_s=np.asarray(r["t"], float), valid=np.asarray(r["valid"], bool),
            pelvis_m=np.asarray(r["pelvis"], float).reshape(n, 2), centre_m=np.asarray(r["centre"], float).reshape(n, 2),
            shoulders_m=np.asarray(r["shoulders"], float).reshape(n, 3), hip_flexion_deg=np.asarray(r["flex"], float),
            torso_m=np.asarray(r["torso"], float), camera_azimuth_deg=np.asarray(r["az"], float),
            depth_ratio=np.asarray(r["ratio"], float),
        )

    def _undo_depth(self, t_s: float, pelvis: np.ndarray, centre: np.ndarray, az: float, torso: float,
                    valid: bool) -> np.ndarray:
        """The pelvis with its depth motion rebuilt where it looks under-reported (see `depth`),
        fitted on the last ``window_s`` every ``step_s`` and eased in over ``step_s``."""
        ds = self.settings.depth
        if not (valid and np.all(np.isfinite(centre))):
            return pelvis
        dev = pelvis - centre
        self._devs.append((t_s, dev, az))
        while self._devs[0][0] <= t_s - ds.window_s:
            self._devs.popleft()
        if t_s - self._depth_t >= ds.step_s:
            self._depth_t = t_s
            t = np.array([d[0] for d in self._devs])
            devs = np.array([d[1] for d in self._devs])
            azimuth = float(np.nanmedian([d[2] for d in self._devs]))
            coeffs, ratio = depth_fit(t, devs, azimuth, torso, settings=ds, live=True)
            kind = "loop" if ratio < 1.0 else None
            if kind is None:  # no squashed loop; from an oblique view the depth may still be shrunk
                k = oblique_window_scale(t, devs, azimuth, torso, settings=ds)
                if k > 1.0:
                    coeffs, kind = IDENTITY * min(k, ds.oblique_max_stretch), "oblique"
            # only windows that found the same kind of correction confirm each other
            same = kind is not None and kind == self._depth_kind
            self._depth_streak = self._depth_streak + 1 if same else int(kind is not None)
            self._depth_kind = kind
            if self._depth_streak >= ds.min_windows:  # confirmed: keep it (it belongs to the view) for hold_s
                self._depth_target, self._depth_ratio, self._depth_found_t = coeffs, ratio, t_s
            elif t_s - self._depth_found_t > ds.hold_s:
                self._depth_target, self._depth_ratio = IDENTITY.copy(), 1.0
        dt = t_s - self._last_depth_update
        step = min(1.0, dt / ds.step_s) if np.isfinite(dt) else 1.0
        self._depth_coeffs = self._depth_coeffs + step * (self._depth_target - self._depth_coeffs)
        across = np.array([-np.sin(np.radians(az)), np.cos(np.radians(az))])
        a = float(dev @ across)
        rate = (a - self._last_a) / dt if np.isfinite(dt) and 0 < dt <= ds.step_s and np.isfinite(self._last_a) else 0.0
        self._a_rate += min(1.0, dt / ds.rate_smoothing_s if np.isfinite(dt) else 1.0) * (rate - self._a_rate)
        self._last_a, self._last_depth_update = a, t_s
        return centre + apply_depth(dev, self._a_rate, az, self._depth_coeffs)

    def result(self) -> CirclesResult:
        """The result so far (the circle in progress is closed as if the set ended now)."""
        counter = copy.deepcopy(self.counter)
        counter.finish()
        track = self.track()
        rate = self._detected / self.frames if self.frames else 0.0
        return summarise(track, counter.reps, counter.partials, rejected=counter.rejected, settings=self.settings,
                         source=self.source, model=self.model, detection_rate=rate, live=True,
                         rejected_spans=counter.rejected_spans)
