"""Quadruped hip circles: how many, which way, how big, and how good.

    from hipvision.core.circles import analyze_circles
    result = analyze_circles(seq)            # recorded video: zero-phase filtering
    result = analyze_circles(seq, live=True) # what the live (causal) analysis would report
    result.to_dict()                         # the circles JSON

Pipeline: landmarks → pelvis path relative to the planted hands and knees in the
body's horizontal frame (`circles_trajectory`) → `CircleCounter` (the same
streaming counter offline and live, `circles_counting`) → per-rep measures and
verdicts, start position and the 5 + 5 protocol (`circles_quality`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from hipvision.core.circles_depth import (IDENTITY, DepthSettings, apply_depth, depth_coefficients,
                                          oblique_depth_scales)
from hipvision.core.circles_confidence import CircleSetSummary, Confidence, assess
from hipvision.core.circles_edges import circle_radius_reference
from hipvision.core.circles_counting import CircleCounter, CounterSettings, PartialSpan, RepSpan
from hipvision.core.circles_quality import (Protocol, polygon_moments, StartPosition, VerdictThresholds, protocol, rep_quality,
                                            start_position)
from hipvision.core.circles_trajectory import (TRACKED, CircleTrack, PostureLimits, base_length, body_coordinates,
                                               change_rate, debounce,
                                               hip_flexion_deg, midpoints, orthonormal_frame,
                                               quadruped_ok, segments, support_frame, windowed_mean)
from hipvision.core.filtering import lowpass_zero_phase, smooth_offline
from hipvision.landmarks import Landmark as L
from hipvision.sequence import SCHEMA_VERSION, PoseSequence


@dataclass(frozen=True)
class CirclesSettings:
    """Every tunable of the circles analysis (seconds, hertz; see the component classes)."""

    cutoff_hz: float = 1.5  # offline zero-phase low-pass of the landmarks
    live_min_cutoff_hz: float = 2.0  # live One-Euro filter
    live_beta: float = 0.0
    max_gap_s: float = 0.5  # longer gaps in tracking split the analysis
    centre_window_s: float = 8.0  # moving centre of the pelvis path (longer than the slowest circle)
    frame_window_s: float = 4.0  # averaging of the body frame (the supports are planted)
    min_posture_s: float = 0.5  # quadruped posture held at least this long to count as valid
    planted_span_s: float = 2.5  # window over which the hands and knees must stay put (about a circle long:
    # the model's knees–hands distance wobbles with the circling, seen obliquely; a real move of them persists)
    posture: PostureLimits = PostureLimits()
    counter: CounterSettings = CounterSettings()
    depth: DepthSettings = DepthSettings()
    verdicts: VerdictThresholds = VerdictThresholds()
    target_per_direction: int = 5
    start_tolerance_cm: float = 8.0


@dataclass(frozen=True)
class CircleRep:
    """One counted circle (units in the field names; see `rep_quality`)."""

    index: int
    direction: str
    start_s: float
    end_s: float
    duration_s: float
    radius_cm: float
    radius_pct_torso: float
    area_cm2: float
    roundness: float
    sit_back_cm: float
    peak_hip_flexion_deg: float
    spine_motion_cm: float
    smoothness: float  # SPARC of the pelvis speed: negative, closer to 0 = smoother
    verdict: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CirclePartial:
    direction: str
    start_s: float
    end_s: float
    fraction: float  # of a full circle, 0..1

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class CirclesResult:
    """Result of `analyze_circles`; ``to_dict()`` is the circles JSON."""

    reps: list[CircleRep]
    partials: list[CirclePartial]
    protocol: Protocol
    start_position: StartPosition
    t_s: np.ndarray  # (T,) series: seconds
    pelvis_cm: np.ndarray  # (T, 2) [forward, right], NaN where not on hands and knees
    rep_of_frame: np.ndarray  # (T,) 1-based rep index, 0 outside reps
    valid_fraction: float
    torso_cm: float
    source: str = ""
    model: str = ""
    duration_s: float = 0.0
    live: bool = False
    warnings: list[str] = field(default_factory=list)
    confidence: Confidence = Confidence()  # how far the counts can be trusted (`circles_confidence`)
    sets: list[CircleSetSummary] = field(default_factory=list)  # per direction: count, span, confidence
    shown: list[dict] | None = None  # live: what the view showed, {t_s, clockwise, counterclockwise} per change
    open_reps: int = 0  # the last reps were still in progress when the data ended (not in JSON; see `circles_recount`)
    track: CircleTrack | None = field(default=None, repr=False)  # per-frame detail (CSV, overlays); not in JSON

    @property
    def clockwise(self) -> int:
        return sum(r.direction == "clockwise" for r in self.reps)

    @property
    def counterclockwise(self) -> int:
        return sum(r.direction == "counterclockwise" for r in self.reps)

    @property
    def total(self) -> int:
        return len(self.reps)

    def to_dict(self) -> dict:
        from hipvision.session import software_versions  # late: not needed by the numbers

        def col(x: np.ndarray) -> list:
            return [None if not np.isfinite(v) else round(float(v), 2) for v in x]

        return {
            "kind": "circles", "schema_version": SCHEMA_VERSION, "software": software_versions(),
            "model": self.model, "source": self.source, "duration_s": round(self.duration_s, 3),
            "mode": "live" if self.live else "offline", "warnings": list(self.warnings),
            **self.confidence.to_dict(), "sets": [st.to_dict() for st in self.sets],
            **({"shown": list(self.shown)} if self.shown is not None else {}),
            "total": self.total, "clockwise": self.clockwise, "counterclockwise": self.counterclockwise,
            "partial": len(self.partials), "valid_fraction": round(self.valid_fraction, 3),
            "torso_cm": None if not np.isfinite(self.torso_cm) else round(self.torso_cm, 1),
            "reps": [_rounded(r.to_dict()) for r in self.reps],
            "partials": [_rounded(p.to_dict()) for p in self.partials],
            "protocol": self.protocol.to_dict(),
            "start_position": _rounded(self.start_position.to_dict()),
            "series": {"t_s": [round(float(v), 3) for v in self.t_s],
                       "forward_cm": col(self.pelvis_cm[:, 0]), "right_cm": col(self.pelvis_cm[:, 1]),
                       "rep": [int(k) if k else None for k in self.rep_of_frame]},
        }


def _rounded(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else round(v, 2) if isinstance(v, float)
                else v) for k, v in d.items()}


# ------------------------------------------------------------------ offline

def track_offline(seq: PoseSequence, settings: CirclesSettings = CirclesSettings()) -> CircleTrack:
    """Per-frame pelvis path and posture from a whole sequence, with zero-phase filtering."""
    s = settings
    t = seq.timestamps_s
    if len(t) < 2:  # nothing to filter or count
        n = len(t)
        nan = np.full((n, 3), np.nan)
        return CircleTrack(t, np.zeros(n, bool), nan[:, :2], nan[:, :2].copy(), nan.copy(), nan[:, 0].copy(),
                           nan[:, 0].copy(), nan[:, 0].copy())
    pts = smooth_offline(t, seq.world[:, list(TRACKED)], cutoff_hz=s.cutoff_hz, max_gap_s=s.max_gap_s)
    up_raw, fwd_raw = support_frame(pts)
    rate = change_rate(t, base_length(pts), span_s=s.planted_span_s)
    raw_ok = quadruped_ok(pts, up_raw, base_rate_m_s=rate, limits=s.posture)
    valid = debounce(t, raw_ok, min_on_s=s.min_posture_s, max_fill_s=s.max_gap_s / 2)
    seg = segments(t, valid, max_gap_s=s.max_gap_s)
    up = windowed_mean(t, up_raw, valid, seg, window_s=s.frame_window_s)
    fwd = windowed_mean(t, fwd_raw, valid, seg, window_s=s.frame_window_s)
    up, fwd, _ = orthonormal_frame(up, fwd)
    pelvis, shoulders, az = body_coordinates(pts, up, fwd)
    centre = windowed_mean(t, pelvis, valid, seg, window_s=s.centre_window_s, centred=False)
    sh, hip, _, _ = midpoints(pts)
    torso_all = np.linalg.norm(sh - hip, axis=1)
    dev = pelvis - centre
    coeffs, ratio = depth_coefficients(t, dev, valid, seg, az, torso_all, settings=s.depth,
                                       approach_m=image_approach_m(seq, valid, torso_all))
    # where no loop was rebuilt, an oblique view still shrinks the depth: scale it back
    scale = np.where(ratio < 1.0, 1.0, oblique_depth_scales(t, dev, valid, seg, az, torso_all, settings=s.depth))
    coeffs[:, 2] *= scale
    if np.any(coeffs != IDENTITY):
        across = np.stack([-np.sin(np.radians(az)), np.cos(np.radians(az))], axis=1)
        a = np.sum(dev * across, axis=1)
        a_rate = np.full(len(t), np.nan)
        for sid in np.unique(seg[valid]):
            rows = np.flatnonzero((seg == sid) & valid & np.isfinite(a))
            if len(rows) > 2:
                a_rate[rows] = np.gradient(a[rows], t[rows])
        pelvis = np.where(np.isfinite(centre), centre + apply_depth(dev, np.nan_to_num(a_rate), az, coeffs), pelvis)
    ok = valid & np.isfinite(torso_all)
    torso = float(np.median(torso_all[ok])) if ok.any() else math.nan
    return CircleTrack(t, valid & np.all(np.isfinite(pelvis), axis=1), pelvis, centre, shoulders,
                       hip_flexion_deg(pts), np.full(len(t), torso), az, ratio, scale)


def image_approach_m(seq: PoseSequence, valid: np.ndarray, torso_m: np.ndarray) -> np.ndarray | None:
    """(T,) how far the hips came toward the camera since the first frame, metres (+ = closer; NaN where
    the image growth is unknown), from ``seq.hip_growth``; None when the sequence has none.

    A region at distance Z that comes closer by dZ grows by dZ / Z, so the summed growth times Z is the
    approach. Z is the focal length over the torso's pixels per metre (median over ``valid`` frames;
    the torso's world length from the pose model), the focal length taken as the frame's larger side
    (a field of view of about 53°; only the loop's direction and presence are used, see `image_fit`).
    """
    growth = seq.hip_growth
    if growth is None or not valid.any():
        return None
    px = seq.image_px()
    shoulders = (px[:, L.LEFT_SHOULDER] + px[:, L.RIGHT_SHOULDER]) / 2
    hips = (px[:, L.LEFT_HIP] + px[:, L.RIGHT_HIP]) / 2
    px_per_m = np.linalg.norm(shoulders - hips, axis=1) / torso_m
    ok = valid & np.isfinite(px_per_m) & (px_per_m > 0)
    if not ok.any():
        return None
    distance_m = max(seq.frame_size) / float(np.median(px_per_m[ok]))
    known = np.isfinite(growth)
    return np.where(known, np.cumsum(np.where(known, growth, 0.0)) * distance_m, np.nan)


def count_track(track: CircleTrack, counter: CircleCounter, ref_radius_m: np.ndarray | None = None) -> CircleCounter:
    """Feed a whole track to ``counter`` and finish it (``ref_radius_m``: (T,) see `circle_radius_reference`)."""
    for i, t in enumerate(track.t_s):
        counter.update(i, float(t), track.pelvis_m[i], track.centre_m[i], float(track.torso_m[i]),
                       bool(track.valid[i]), math.nan if ref_radius_m is None else float(ref_radius_m[i]))
    counter.finish()
    return counter


def refine_centre(track: CircleTrack, reps: list[RepSpan], *, max_gap_s: float) -> np.ndarray:
    """(T, 2) centre of the path from the centroids of the circles found in a first pass.

    A moving average is biased where circling starts or stops (it sees part of a
    circle plus the still start position); the centroid of each complete circle
    is not. Within each tracked stretch that has circles, the centre is
    interpolated between their centroids (held constant before the first and
    after the last); elsewhere the moving average is kept.
    """
    centre = track.centre_m.copy()
    if not reps:
        return centre
    seg = segments(track.t_s, track.valid, max_gap_s=max_gap_s)
    mids: dict[int, list[tuple[float, np.ndarray]]] = {}
    run_starts = {r.start_index for r in reps} - {r.end_index for r in reps}
    run_starts_only = [r for r in reps if r.start_index in run_starts]
    # the first circle of a run may include the move into it: use it only if it is the only one
    interior = [r for r in reps if r.start_index not in run_starts]
    chosen = interior + [r for r in run_starts_only
                         if not any(o.start_index == r.end_index for o in interior)]
    for span in chosen:
        sl = slice(span.start_index, span.end_index + 1)
        _, centroid, _ = polygon_moments(track.pelvis_m[sl][track.valid[sl]])
        if np.all(np.isfinite(centroid)):
            mids.setdefault(int(seg[span.start_index]), []).append(((span.start_s + span.end_s) / 2, centroid))
    for sid, pts in mids.items():
        rows = seg == sid
        tm = np.array([p[0] for p in pts])
        cm = np.array([p[1] for p in pts])
        centre[rows] = np.stack([np.interp(track.t_s[rows], tm, cm[:, k]) for k in range(2)], axis=1)
    return centre


def analyze_circles(seq: PoseSequence, *, live: bool = False,
                    settings: CirclesSettings = CirclesSettings()) -> CirclesResult:
    """Count and grade quadruped hip circles in a pose sequence.

    Args:
        seq: landmarks of one person (world landmarks are required).
        live: replay the sequence through the causal live analysis
            (`CirclesStream`) instead of the offline zero-phase one.
        settings: thresholds and filter settings.
    """
    if live:
        from hipvision.core.circles_stream import CirclesStream

        stream = CirclesStream(settings=settings, source=seq.source, model=seq.model)
        for i, t in enumerate(seq.timestamps_s):
            stream.update(float(t), seq.world[i])
        return stream.result()
    track = track_offline(seq, settings)
    first = count_track(track, CircleCounter(settings.counter))
    track.centre_m = refine_centre(track, first.reps, max_gap_s=settings.max_gap_s)
    ref = circle_radius_reference(track, first.reps, max_gap_s=settings.max_gap_s)
    counter = count_track(track, CircleCounter(settings.counter), ref)
    result = summarise(track, counter.reps, counter.partials, rejected=counter.rejected, settings=settings,
                       source=seq.source, model=seq.model, detection_rate=seq.detection_rate,
                       rejected_spans=counter.rejected_spans)
    result.open_reps = counter.open_reps
    return result


# ------------------------------------------------------------------ summary

def start_frames(track: CircleTrack, first_index: int, *, still_m_s: float = 0.03) -> np.ndarray:
    """(T,) bool: the frames of the start position: valid, before ``first_index`` (the first
    circle) and still (pelvis slower than ``still_m_s``); failing half a second of those, the
    valid frames before the first circle, or else all valid frames."""
    before = track.valid.copy()
    before[first_index:] = False
    if len(track.t_s) > 2:
        speed = np.linalg.norm(np.gradient(track.pelvis_m, track.t_s, axis=0), axis=1)
        still = before & (speed < still_m_s)
        if still.any() and np.ptp(track.t_s[still]) >= 0.5:
            return still
    if not before.any() or np.ptp(track.t_s[before]) < 0.5:
        return track.valid
    return before


def neutral_forward(track: CircleTrack, first_index: int) -> float:
    """Forward position of the pelvis in the start position (median before the first circle), metres."""
    fwd = track.pelvis_m[start_frames(track, first_index), 0]
    fwd = fwd[np.isfinite(fwd)]
    return float(np.median(fwd)) if len(fwd) else 0.0


def rep_measures(track: CircleTrack, span: RepSpan, index: int, settings: CirclesSettings, *,
                 smooth: bool = False, neutral_forward_m: float = 0.0) -> CircleRep:
    """A `CircleRep` (measures and verdict) for the samples of ``span``.

    ``smooth``: low-pass the rep's samples (zero-phase, ``settings.cutoff_hz``) first,
    for a causally filtered (live) track, so live and offline measures agree.
    ``neutral_forward_m``: the pelvis's forward position at the start (see `neutral_forward`).
    """
    sl = slice(span.start_index, span.end_index + 1)
    keep = track.valid[sl]
    t, pelvis, shoulders = track.t_s[sl][keep], track.pelvis_m[sl][keep], track.shoulders_m[sl][keep]
    if smooth:
        pelvis = lowpass_zero_phase(t, pelvis, cutoff_hz=settings.cutoff_hz)
        shoulders = lowpass_zero_phase(t, shoulders, cutoff_hz=settings.cutoff_hz)
    q = rep_quality(t, pelvis, shoulders, track.hip_flexion_deg[sl][keep], float(np.nanmedian(track.torso_m[sl])),
                    neutral_forward_m=neutral_forward_m, thresholds=settings.verdicts)
    return CircleRep(index=index, direction=span.direction_name, start_s=span.start_s, end_s=span.end_s,
                     duration_s=span.end_s - span.start_s, radius_cm=q.radius_cm,
                     radius_pct_torso=q.radius_pct_torso, area_cm2=q.area_cm2, roundness=q.roundness,
                     sit_back_cm=q.sit_back_cm, peak_hip_flexion_deg=q.peak_hip_flexion_deg,
                     spine_motion_cm=q.spine_motion_cm, smoothness=q.smoothness, verdict=q.verdict)


def summarise(track: CircleTrack, reps: list[RepSpan], partials: list[PartialSpan], *, rejected: int = 0,
              settings: CirclesSettings = CirclesSettings(), source: str = "", model: str = "",
              detection_rate: float | None = None, live: bool = False,
              rejected_spans: list[RepSpan] = ()) -> CirclesResult:
    """Measures, protocol, start position, series, warnings and confidence from a track and its counted spans."""
    t = track.t_s
    first = min([sp.start_index for sp in [*reps, *partials]], default=len(t))
    neutral = neutral_forward(track, first)
    out_reps = [rep_measures(track, span, k + 1, settings, smooth=live, neutral_forward_m=neutral)
                for k, span in enumerate(reps)]
    out_partials = [CirclePartial(p.direction_name, p.start_s, p.end_s, p.fraction) for p in partials]
    rep_of_frame = np.zeros(len(t), int)
    for k, span in enumerate(reps):
        rep_of_frame[span.start_index:span.end_index + 1] = k + 1
    before = start_frames(track, first)
    start = start_position(track.pelvis_m[before], track.shoulders_m[before],
                           tolerance_cm=settings.start_tolerance_cm)
    prot = protocol(sum(r.direction == "clockwise" for r in out_reps),
                    sum(r.direction == "counterclockwise" for r in out_reps), partials=len(out_partials),
                    target_per_direction=settings.target_per_direction)
    pelvis_cm = np.where(track.valid[:, None], 100 * track.pelvis_m, np.nan)
    valid_fraction = float(track.valid.mean()) if len(t) else 0.0
    torso = float(np.nanmedian(track.torso_m)) if np.any(np.isfinite(track.torso_m)) else math.nan
    result = CirclesResult(
        reps=out_reps, partials=out_partials, protocol=prot, start_position=start, t_s=t, pelvis_cm=pelvis_cm,
        rep_of_frame=rep_of_frame, valid_fraction=valid_fraction, torso_cm=100 * torso, source=source, model=model,
        duration_s=float(t[-1] - t[0]) if len(t) > 1 else 0.0, live=live, track=track,
    )
    result.warnings.extend(_warnings(track, result, rejected, detection_rate))
    result.confidence, result.sets = assess(track, out_reps, out_partials, rejected=list(rejected_spans),
                                            detection_rate=detection_rate, valid_fraction=valid_fraction,
                                            target_per_direction=settings.target_per_direction,
                                            min_radius_torso=settings.counter.min_radius)
    return result


#: Below this depth/across ratio the rebuilt depth's direction is unsure: on rendered side-on videos the
#: pose model reported the depth motion 5-80 times too small, and in 4 of 17 that were counted (two sets
#: of 30 videos) a set came out turning the wrong way, all of them under this ratio (at 45° and from high
#: up: 1.3-4 times too small, always the right way, never under this ratio). See docs/circles-accuracy.md.
FAINT_DEPTH_RATIO = 0.15


def _warnings(track: CircleTrack, result: CirclesResult, rejected: int, detection_rate: float | None) -> list[str]:
    out = []
    if detection_rate is not None and detection_rate < 0.5:
        out.append(f"a person was found in only {100 * detection_rate:.0f}% of the frames")
    if result.valid_fraction < 0.3:
        out.append(f"on hands and knees in only {100 * result.valid_fraction:.0f}% of the frames")
    if not result.reps and not result.partials:
        out.append("no hip circles found")
    if rejected:
        out.append(f"{rejected} circle-like movement{'s were' if rejected > 1 else ' was'} too small, flat or "
                   "quick to count")
    az = track.camera_azimuth_deg[track.valid]
    if az.size:
        a = float(np.degrees(np.angle(np.mean(np.exp(1j * np.radians(az))))))
        off = min(abs(a), 180 - abs(a))
        if off < 25:
            out.append("camera in line with the body: forward–back motion is seen only in depth, the least "
                       "accurate direction; film from about 45° to the side for best results")
        elif abs(90 - abs(a)) < 25:
            unsure = "; from here circles can look like rocking" if not result.reps else ""
            out.append("camera at the side: side-to-side motion is seen only in depth, the least accurate "
                       f"direction; film from about 45° for best results{unsure}")
    ratio = track.depth_ratio[track.valid] if track.depth_ratio is not None else np.zeros(0)
    if ratio.size and np.any(ratio < 1.0):
        r = float(np.median(ratio[ratio < 1.0]))
        faint = "; with so little depth motion the direction can come out reversed" if r < FAINT_DEPTH_RATIO else ""
        out.append(f"the pose model saw motion toward and away from the camera about {1 / r:.0f} times smaller "
                   "than across; those circles were counted as if as deep as they are wide (their size is "
                   f"measured across the view){faint}")
    if result.start_position.ok is False:
        out.append(f"start position: {result.start_position.message}")
    return out
