"""Quadruped hip circles: how many, which way, how big, and how good.

    from hipvision.core.circles import analyze_circles
    result = analyze_circles(seq)            # recorded video: zero-phase filtering
    result = analyze_circles(seq, live=True) # the causal stream (draws the live view's arc and trail)
    result.to_dict()                         # the circles JSON

Pipeline: landmarks → pelvis path relative to the planted hands and knees in the
body's horizontal frame (`trajectory`) → `CircleCounter` (the same streaming counter
offline and live, `counting`) → per-rep measures and verdicts, start position and the
5 + 5 protocol (`summary`, `quality`); the typed result is in `result`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from hipvision.core.circles.oblique import oblique_depth_scales
from hipvision.core.circles.edges import circle_radius_reference
from hipvision.core.circles.confidence import across_rms_m
from hipvision.core.circles.counting import CircleCounter, CounterSettings, RepSpan
from hipvision.core.circles.depth import (
    IDENTITY,
    apply_depth,
    depth_evidence,
    image_frames_read,
)
from hipvision.core.circles.elevation import (
    ElevationSettings,
    hip_image_motion_m,
    in_camera_frame,
    in_line,
    looks_down,
    world_across_scale,
)
from hipvision.core.circles.quality import polygon_moments
from hipvision.core.circles.result import CirclesResult, CirclesSettings, with_posture
from hipvision.core.circles.stream import CirclesStream
from hipvision.core.circles.summary import summarise
from hipvision.core.circles.trajectory import (
    TRACKED,
    CircleTrack,
    base_length,
    body_coordinates,
    change_rate,
    hip_flexion_deg,
    midpoints,
    orthonormal_frame,
    quadruped_ok,
    segments,
    support_frame,
    windowed_mean,
)
from hipvision.core.filtering import debounce, smooth_offline
from hipvision.core.posture import POSTURES, QUADRUPED, PostureFeatures, classify_frames, posture_features
from hipvision.core.posture_check import RECORDING, posture_mismatch
from hipvision.landmarks import Landmark as L
from hipvision.sequence import PoseSequence


@dataclass(frozen=True)
class BodyPath:
    """The pelvis path in body coordinates before any depth rebuild (what `depth.depth_coefficients` sees).

    ``t`` (T,) seconds; ``pts`` the smoothed tracked world landmarks (metres); ``valid`` (T,) on hands and knees;
    ``seg`` (T,) tracked-stretch ids; ``pelvis``, ``centre`` (T, 2) metres (forward, right) and the moving centre;
    ``shoulders`` (T, 2); ``az`` (T,) camera azimuth, degrees; ``torso`` (T,) shoulder-to-hip length, metres;
    ``from_image``: the path in line was taken from the image (`with_image_path`).
    """

    t: np.ndarray
    pts: np.ndarray
    valid: np.ndarray
    seg: np.ndarray
    pelvis: np.ndarray
    centre: np.ndarray
    shoulders: np.ndarray
    az: np.ndarray
    torso: np.ndarray
    from_image: bool = False

    @property
    def dev(self) -> np.ndarray:
        """(T, 2) pelvis minus centre, metres."""
        return self.pelvis - self.centre


def body_path(seq: PoseSequence, settings: CirclesSettings = CirclesSettings(), *,
              features: PostureFeatures | None = None) -> BodyPath:
    """The posture, body frame and pelvis path of a sequence of at least 2 frames, zero-phase filtered
    (``features``: ``posture_features(seq)`` if the caller has them)."""
    s = settings
    t = seq.timestamps_s
    pts = smooth_offline(t, seq.world[:, list(TRACKED)], cutoff_hz=s.cutoff_hz, max_gap_s=s.max_gap_s)
    up_raw, fwd_raw = support_frame(pts)
    rate = change_rate(t, base_length(pts), span_s=s.planted_span_s)
    hands = hands_seen(seq)
    raw_ok = quadruped_ok(pts, up_raw, base_rate_m_s=rate, limits=s.posture, hands_seen=hands)
    # the classifier's hands-and-knees frames, where the hands stayed planted or were not seen (then guessed)
    sh, hip, _, _ = midpoints(pts)
    with np.errstate(invalid="ignore"):
        planted = rate <= s.posture.max_base_rate_torso_s * np.linalg.norm(sh - hip, axis=1)
    raw_ok |= on_all_fours(seq, features) & (planted | ~hands)
    valid = debounce(t, raw_ok, min_on_s=s.min_posture_s, max_fill_s=s.max_gap_s / 2)
    seg = segments(t, valid, max_gap_s=s.max_gap_s)
    up = windowed_mean(t, up_raw, valid, seg, window_s=s.frame_window_s)
    fwd = windowed_mean(t, fwd_raw, valid, seg, window_s=s.frame_window_s)
    up, fwd, _ = orthonormal_frame(up, fwd)
    pelvis, shoulders, az = body_coordinates(pts, up, fwd)
    pelvis, az, from_image = with_image_path(seq, pelvis, valid, seg, az, s.elevation)
    centre = windowed_mean(t, pelvis, valid, seg, window_s=s.centre_window_s, centred=False)
    sh, hip, _, _ = midpoints(pts)
    return BodyPath(t, pts, valid, seg, pelvis, centre, shoulders, az, np.linalg.norm(sh - hip, axis=1), from_image)


def with_image_path(seq: PoseSequence, pelvis_m: np.ndarray, valid: np.ndarray, seg: np.ndarray,
                    camera_azimuth_deg: np.ndarray,
                    settings: ElevationSettings = ElevationSettings()) -> tuple[np.ndarray, np.ndarray, bool]:
    """(T, 2) ``pelvis_m`` and (T,) camera azimuth, in the frames seen in line where the camera looks down steeply
    (`elevation.looks_down`) taken in the camera's frame: the mid-hip's image motion (`elevation.hip_image_motion_m`),
    in metres of the pose model's own across motion (`elevation.world_across_scale`; ``seg``: the tracked segments),
    with the camera straight behind or in front (`elevation.in_camera_frame`); unchanged for any other camera, or
    when the person spans less than ``settings.min_fill`` of the frame (`frame_fill` over the frames in line), where
    the index misreads. The third item says whether the path was taken from the image."""
    px = seq.image_px()
    if not looks_down(px, seq.world, valid, camera_azimuth_deg, settings=settings):
        return pelvis_m, camera_azimuth_deg, False
    line = in_line(camera_azimuth_deg, settings.max_off_line_deg)
    fill = frame_fill(seq, valid & line)
    if fill is not None and fill < settings.min_fill:
        return pelvis_m, camera_azimuth_deg, False
    motion = hip_image_motion_m(px, seq.world, valid, float(np.sin(np.radians(settings.assumed_deg))))
    motion = motion * world_across_scale(seq.timestamps_s, motion, pelvis_m, valid & line, seg, settings)
    pelvis_m, camera_azimuth_deg = in_camera_frame(pelvis_m, camera_azimuth_deg, motion, line)
    return pelvis_m, camera_azimuth_deg, True


def track_offline(seq: PoseSequence, settings: CirclesSettings = CirclesSettings(), *,
                  open_end: bool = False, features: PostureFeatures | None = None) -> CircleTrack:
    """Per-frame pelvis path and posture from a whole sequence, with zero-phase filtering (``open_end``: the
    recording goes on after it, see `depth.depth_coefficients`; ``features``: ``posture_features(seq)`` if the
    caller has them)."""
    s = settings
    t = seq.timestamps_s
    if len(t) < 2:  # nothing to filter or count
        n = len(t)
        nan = np.full((n, 3), np.nan)
        return CircleTrack(t, np.zeros(n, bool), nan[:, :2], nan[:, :2].copy(), nan.copy(), nan[:, 0].copy(),
                           nan[:, 0].copy(), nan[:, 0].copy())
    features = posture_features(seq) if features is None else features
    path = body_path(seq, s, features=features)
    pts, valid, seg, pelvis, centre, shoulders, az, torso_all = (path.pts, path.valid, path.seg, path.pelvis,
                                                                 path.centre, path.shoulders, path.az, path.torso)
    dev = path.dev
    approach = image_approach_m(seq, valid, torso_all)
    evidence = depth_evidence(t, dev, valid, seg, az, torso_all, settings=s.depth, approach_m=approach,
                              open_end=open_end)
    coeffs, ratio = evidence.coeffs, evidence.ratios
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
                       hip_flexion_deg(pts), np.full(len(t), torso), az, ratio, scale,
                       evidence.image_loops, features.torso_tilt_deg, evidence.mirrored,
                       None if seq.hip_growth is None else np.isfinite(seq.hip_growth),
                       None if seq.hip_growth is None else approach, path.from_image)


def growth_frames_read(seq: PoseSequence, settings: CirclesSettings = CirclesSettings()) -> np.ndarray:
    """(T,) bool: the frames whose ``seq.hip_growth`` the offline analysis (`analyze_circles` of this very
    sequence, these settings) can read: those of the depth windows that consult the image
    (`depth.image_frames_read`). The growth of the other frames cannot change its counts, depth or sizes (the
    confidence's check for loops nothing counted, `CircleTrack.image_loops`, reads every window's). Computed from the
    world landmarks (the analysis's first half, `body_path`); a slice of ``seq`` (a session's phase) is
    filtered and windowed differently and may read other frames."""
    if len(seq) < 2:
        return np.zeros(len(seq), bool)
    path = body_path(seq, settings)
    return image_frames_read(path.t, path.dev, path.valid, path.seg, path.az, path.torso, settings=settings.depth)


#: Wrist visibility (0..1) under which the pose model did not see the hands (`quadruped_ok`'s ``hands_seen``).
MIN_HAND_VISIBILITY = 0.5


def hands_seen(seq: PoseSequence) -> np.ndarray:
    """(T,) whether the pose model saw at least one wrist (visibility at least `MIN_HAND_VISIBILITY`)."""
    return np.nanmax(seq.visibility[:, [L.LEFT_WRIST, L.RIGHT_WRIST]], axis=1) >= MIN_HAND_VISIBILITY


def on_all_fours(seq: PoseSequence, features: PostureFeatures | None = None) -> np.ndarray:
    """(T,) frames the posture classifier (`hipvision.core.posture`, which also reads how foreshortened each
    segment is in the image) labels hands and knees. Where the wrists were not seen (filmed from behind),
    `quadruped_ok` judges the thighs and hips against a support plane through guessed wrists: from behind
    at table height and from a shelf (rendered, benchmark seed 100) it passed 72% and 33% of the frames,
    dropping out about 1 s in every circle as the hips sat back, while this classifier read 100%. ``features``:
    ``posture_features(seq)`` if the caller has them."""
    features = posture_features(seq) if features is None else features
    return classify_frames(features) == POSTURES.index(QUADRUPED)


#: Landmark visibility (0..1) from which a landmark counts as seen when measuring how much of the frame the person fills.
MIN_SEEN_VISIBILITY = 0.5


def frame_fill(seq: PoseSequence, valid: np.ndarray) -> float | None:
    """Share of the frame (0..1) the person spans: the extent of the landmarks seen (visibility at least
    `MIN_SEEN_VISIBILITY`) across the frame's width or down its height, whichever share is larger, median over
    the ``valid`` (T,) frames; None when unknown. Rendered side-on: 0.32-0.39 with the camera 2.6-3.4 m away
    (the person filling 35-45% of the frame), 0.53-0.66 at 1.5-2.3 m. `analyze_circles` passes every frame when
    none was on hands and knees (a person found in a few frames of a phone on the floor 4.8 m in front: 0.1)."""
    if not valid.any() or not all(v > 0 for v in seq.frame_size):
        return None
    px = seq.image_px()[valid]
    seen = seq.visibility[valid] >= MIN_SEEN_VISIBILITY
    if not seen.any():
        return None
    rows = seen.any(axis=1)  # frames with a landmark seen (nanmax of an all-NaN row warns)
    px, seen = px[rows], seen[rows]
    with np.errstate(invalid="ignore"):
        x, y = np.where(seen, px[..., 0], np.nan), np.where(seen, px[..., 1], np.nan)
        width = (np.nanmax(x, axis=1) - np.nanmin(x, axis=1)) / seq.frame_size[0]
        height = (np.nanmax(y, axis=1) - np.nanmin(y, axis=1)) / seq.frame_size[1]
    share = np.fmax(width, height)
    share = share[np.isfinite(share)]
    return float(np.median(share)) if share.size else None


def image_approach_m(seq: PoseSequence, valid: np.ndarray, torso_m: np.ndarray) -> np.ndarray | None:
    """(T,) how far the hips came toward the camera since the first frame, metres (+ = closer; NaN where
    the image growth is unknown), from ``seq.hip_growth``; None when the sequence has none.

    A region at distance Z that comes closer by dZ grows by dZ / Z, so the summed growth times Z is the
    approach. Z is the focal length over the torso's pixels per metre (median over ``valid`` frames;
    the torso's world length from the pose model), the focal length taken as the frame's larger side
    (a field of view of about 53°; only the loop's direction and presence are used, see `depth._image_rebuild`).
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


def count_track(track: CircleTrack, counter: CircleCounter, ref_radius_m: np.ndarray | None = None, *,
                open_end: bool = False) -> CircleCounter:
    """Feed a whole track to ``counter`` and finish it (``ref_radius_m``: (T,) see `circle_radius_reference`;
    ``open_end``: the recording goes on, see `CircleCounter.finish`)."""
    for i, t in enumerate(track.t_s):
        counter.update(i, float(t), track.pelvis_m[i], track.centre_m[i], float(track.torso_m[i]),
                       bool(track.valid[i]), math.nan if ref_radius_m is None else float(ref_radius_m[i]))
    counter.finish(open_end=open_end)
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


def analyze_circles(seq: PoseSequence, settings: CirclesSettings = CirclesSettings(), *,
                    live: bool = False, open_end: bool = False, command_input: str = RECORDING) -> CirclesResult:
    """Count and grade quadruped hip circles in a pose sequence.

    Args:
        seq: landmarks of one person (world landmarks are required).
        live: replay the sequence through the causal stream (`CirclesStream`) instead of the
            offline zero-phase analysis. The live view draws its progress arc and trail from that
            stream, but the counts it shows are this function's offline analysis of the frames so
            far (`hipvision.live.circles.CirclesLive`), as saved.
        settings: thresholds and filter settings.
        open_end: the frames so far of a recording still going (the live recount): the confidence does not
            judge the set under way at the last frame by its end (`confidence.assess`, ``open_end_s``), and the
            depth windows that hold the last frame count their loop's whole turns, not its cycles between
            upward zero crossings (`depth.loop_terms`), so that a set's first circle counts as it closes; the
            circles that a count with the gates 2% higher or lower does not hold are listed in
            ``unsure_reps`` (`gate_sensitive`; the live view does not show them), and the newest circle in
            ``held_reps`` while it may be a set's lead-out (`odd_newest`; not shown yet).

    A recording mostly in another posture (seated, standing: `posture_check.posture_mismatch`) says so
    (`result.with_posture`), not the analysis's own causes; not checked with ``live`` (as `analyze_rotation`).
    ``command_input``: how the commands it names take their input (`PostureMismatch.command_input`).
    """
    if live:
        stream = CirclesStream(settings=settings, source=seq.source, model=seq.model)
        for i, t in enumerate(seq.timestamps_s):
            stream.update(float(t), seq.world[i])
        return stream.result()
    features = posture_features(seq) if len(seq) else None  # the posture gate and the posture check share them
    track = track_offline(seq, settings, open_end=open_end, features=features)
    first = count_track(track, CircleCounter(settings.counter))
    track.centre_m = refine_centre(track, first.reps, max_gap_s=settings.max_gap_s)
    ref = circle_radius_reference(track, first.reps, max_gap_s=settings.max_gap_s)
    counter = count_track(track, CircleCounter(settings.counter), ref, open_end=open_end)
    result = summarise(track, counter.reps, counter.partials, rejected=counter.rejected, settings=settings,
                       source=seq.source, model=seq.model, detection_rate=seq.detection_rate,
                       rejected_spans=counter.rejected_spans, unclosed=counter.unclosed,
                       frame_fill=frame_fill(seq, track.valid if track.valid.any() else np.ones(len(track.valid), bool)),
                       open_end=open_end, counted=counter.as_counted)
    result.open_reps = counter.open_reps
    if open_end:
        result.unsure_reps = gate_sensitive(track, ref, counter.reps, settings.counter)
        result.held_reps = odd_newest(track, counter.reps[:len(counter.reps) - counter.open_reps])
    return with_posture(result, posture_mismatch(seq, QUADRUPED, command_input=command_input, features=features))


#: How far (a fraction) the live recount moves every gate of the counter up and down to find the circles that
#: hang on one gate crossing (`gate_sensitive`).
GATE_MARGIN = 0.02


def gate_sensitive(track: CircleTrack, ref_radius_m: np.ndarray, reps: list[RepSpan], counter: CounterSettings, *,
                   margin: float = GATE_MARGIN) -> tuple[int, ...]:
    """Indices of the ``reps`` counted on ``track`` (with ``ref_radius_m``, see `count_track`) that a count
    with every gate of ``counter`` ``margin`` higher, or ``margin`` lower, does not also hold (no circle the
    same way spans its middle): circles that hang on the pelvis crossing a gate by less than ``margin`` of it.

    Why (the live recount, `hipvision.core.circles.recount`): the analysis of the frames so far and that of all
    of them differ by tenths of a millimetre in the path's centre, the circles' radius and the torso (each a
    median or fit over every frame). `hip_circles_behind` without 20% of its frames: at 4.33 s the pelvis came
    back out past the raised gate (39 mm) by +0.27 mm in the analysis of the frames to 9.47 s and by -0.04 mm
    in the saved one, which turned a back-and-forth through the middle into a second counter-clockwise circle
    (1.53-4.53 s) that the saved result does not hold, shown from 9.4 s to 21.8 s."""
    unsure: set[int] = set()
    for factor in (1.0 - margin, 1.0 + margin):
        moved = dataclasses.replace(counter, gate_enter=counter.gate_enter * factor,
                                    gate_exit=counter.gate_exit * factor,
                                    gate_enter_of_circle=counter.gate_enter_of_circle * factor,
                                    gate_exit_of_circle=counter.gate_exit_of_circle * factor)
        other = count_track(track, CircleCounter(moved), ref_radius_m, open_end=True).reps
        for i, r in enumerate(reps):
            middle = (r.start_s + r.end_s) / 2
            if not any(o.direction == r.direction and o.start_s <= middle <= o.end_s for o in other):
                unsure.add(i)
    return tuple(sorted(unsure))


#: The live recount holds back the newest circle that ended within ``ODD_RECENT_S`` of the last frame while it took over
#: ``ODD_DURATION`` times, or moved across the view under ``ODD_ACROSS`` times, the median of the other circles the same
#: way (`odd_newest`).
ODD_RECENT_S = 3.0
ODD_DURATION = 1.5
ODD_ACROSS = 0.7


def odd_newest(track: CircleTrack, reps: list[RepSpan]) -> tuple[int, ...]:
    """The index of the newest of ``reps`` (closed circles counted on ``track`` of the frames so far) when it ended
    within ``ODD_RECENT_S`` of the last frame and is unlike the other circles the same way: it took over
    ``ODD_DURATION`` times their median duration, or its motion across the view (rms about its mean, along the
    across axis of the camera's azimuth) was under ``ODD_ACROSS`` times theirs; else ().

    Why (the live recount, `hipvision.core.circles.recount`): where the depth is rebuilt, the analysis of the
    frames so far bends a set's lead-out, or the sit-back after it, into one more circle the set's way, which the
    analysis of all frames drops once the next set's windows blend the direction out. On 8 rendered videos whose
    live replay showed more than saved (`benchmarks/live_saved.py`), each of the 15 circles that an analysis of the
    frames so far counted and the saved one did not was the newest of its direction; 8 of them took 4.4-5.3 s where
    their sets' circles took 2.5-3.2 s, or moved across 0.62-0.68 of their sets' circles. Of the 891 saved circles
    on 19 seeds that matched a true one, 4 were that unlike their set's others (3 slower, 1 narrower). Held back, a
    circle is shown
    once a later circle follows it or ``ODD_RECENT_S`` have passed (the person holding still or sitting back after
    a set): at most about 3 s late."""
    if len(reps) < 2 or not len(track.t_s):
        return ()
    i = max(range(len(reps)), key=lambda k: reps[k].end_s)
    newest = reps[i]
    others = [r for k, r in enumerate(reps) if k != i and r.direction == newest.direction]
    if not others or track.t_s[-1] - newest.end_s > ODD_RECENT_S:
        return ()
    typical_s = float(np.median([r.end_s - r.start_s for r in others]))
    typical_m = float(np.median([across_rms_m(track, r.start_s, r.end_s) for r in others]))
    slow = newest.end_s - newest.start_s > ODD_DURATION * typical_s
    narrow = typical_m > 0 and across_rms_m(track, newest.start_s, newest.end_s) < ODD_ACROSS * typical_m
    return (i,) if slow or narrow else ()
