"""From counted spans to the result: per-rep measures, start position, protocol check and warnings."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from hipvision.core.circles.confidence import (
    FRONT_DIAGONAL, HIGH, LOW_BEHIND_CHANGE, ConfidenceSettings, assess, camera_change, diagonal_behind,
    forward_in_depth, seen_from_low_behind,
    size_is_estimate, view_of,
)
from hipvision.core.circles.counting import PartialSpan, RepSpan
from hipvision.core.circles.depth import depth_axes
from hipvision.core.circles.elevation import ElevationSettings
from hipvision.core.circles.quality import (
    NOT_JUDGED, StartPosition, protocol, rep_quality, start_position, verdict,
)
from hipvision.core.circles.result import (
    CirclePartial,
    CircleRep,
    CirclesResult,
    CirclesSettings,
    FEW_ON_ALL_FOURS,
    NO_CIRCLES,
)
from hipvision.core.circles.trajectory import CircleTrack
from hipvision.core.filtering import lowpass_zero_phase
from hipvision.core.geometry import circular_mean_deg


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


def across_radius_m(pelvis_m: np.ndarray, camera_azimuth_deg: np.ndarray) -> float:
    """The radius of a circle from its motion across the view only (√2 × RMS about its mean along the image's
    horizontal direction on the floor; equals the radius for a circle), metres.

    Args:
        pelvis_m: (N, 2) [forward, right], metres; camera_azimuth_deg: (N,) as `CircleTrack.camera_azimuth_deg`.
    """
    mean_az = circular_mean_deg(camera_azimuth_deg)
    ok = np.all(np.isfinite(pelvis_m), axis=1)
    if not math.isfinite(mean_az) or ok.sum() < 2:
        return math.nan
    across, _ = depth_axes(mean_az)
    along = (pelvis_m[ok] - pelvis_m[ok].mean(axis=0)) @ across
    return math.sqrt(2.0 * float(np.mean(along ** 2)))


def rep_measures(track: CircleTrack, span: RepSpan, index: int, settings: CirclesSettings, *,
                 smooth: bool = False, neutral_forward_m: float = 0.0, judged: bool = True) -> CircleRep:
    """A `CircleRep` (measures and verdict) for the samples of ``span``.

    ``smooth``: low-pass the rep's samples (zero-phase, ``settings.cutoff_hz``) first,
    for a causally filtered (live) track, so live and offline measures agree.
    ``neutral_forward_m``: the pelvis's forward position at the start (see `neutral_forward`).
    ``judged``: False from a camera low behind the hips (`confidence.seen_from_low_behind`), which misreads the body:
    the verdict is `NOT_JUDGED` (the measures stay, the result is low).
    """
    sl = slice(span.start_index, span.end_index + 1)
    keep = track.valid[sl]
    t, pelvis, shoulders = track.t_s[sl][keep], track.pelvis_m[sl][keep], track.shoulders_m[sl][keep]
    if smooth:
        pelvis = lowpass_zero_phase(t, pelvis, cutoff_hz=settings.cutoff_hz)
        shoulders = lowpass_zero_phase(t, shoulders, cutoff_hz=settings.cutoff_hz)
    torso = float(np.nanmedian(track.torso_m[sl]))
    q = rep_quality(t, pelvis, shoulders, track.hip_flexion_deg[sl][keep], torso,
                    neutral_forward_m=neutral_forward_m, thresholds=settings.verdicts)
    rows = np.zeros(len(track.t_s), bool)
    rows[sl] = True
    estimated = size_is_estimate(track, rows, settings.confidence)
    cue_q = q
    if estimated:  # the size cue from the half measured across the view only; no roundness cue
        cue_q = replace(q, radius_pct_torso=100 * across_radius_m(pelvis, track.camera_azimuth_deg[sl][keep]) / torso)
    return CircleRep(index=index, direction=span.direction_name, start_s=span.start_s, end_s=span.end_s,
                     duration_s=span.end_s - span.start_s, radius_cm=q.radius_cm,
                     radius_pct_torso=q.radius_pct_torso, area_cm2=q.area_cm2, roundness=q.roundness,
                     sit_back_cm=q.sit_back_cm, peak_hip_flexion_deg=q.peak_hip_flexion_deg,
                     spine_motion_cm=q.spine_motion_cm, smoothness=q.smoothness,
                     verdict=(verdict(cue_q, settings.verdicts, roundness_measured=not estimated) if judged
                              else NOT_JUDGED),
                     size_estimated=estimated)


#: The start position from a camera low behind the hips (`confidence.seen_from_low_behind`): the shoulders are hidden
#: and the body misread, so shoulders over hands and hips over knees are not judged (rendered from the floor behind,
#: the misread body was told to move its shoulders 31-33 cm forward).
NOT_JUDGED_FROM_LOW = StartPosition(None, math.nan, math.nan, "not judged: from a camera this low behind the hips "
                                    "the shoulders are hidden")
#: The start position from a camera in line with the body or diagonally behind the hips (`confidence.view_of`,
#: `diagonal_behind`): the distances toward the head are then mostly motion toward the camera, which the pose model
#: misreads; on 25 rendered seeds of neutral starts (hips over the knees, shoulders 2 cm ahead of the hands) it read
#: the hips 14-26 cm ahead and the shoulders 7-23 cm (medians, straight behind from table height and a shelf, 45°
#: behind): 72 of 75 were told to move.
#: Where to film from to have the start position judged (`NOT_JUDGED_IN_DEPTH`).
IN_DEPTH_PLACE = "film from the side or about 45° in front to check it"
NOT_JUDGED_IN_DEPTH = StartPosition(None, math.nan, math.nan, "not judged from this camera: from here the distances "
                                    "toward the head are motion toward the camera, which the pose model misreads; "
                                    f"{IN_DEPTH_PLACE}")


def start_judged(track: CircleTrack, before: np.ndarray, settings: CirclesSettings, *,
                 low_behind: bool) -> StartPosition:
    """The start position from the frames ``before`` the first circle (`start_frames`), or why it is not judged: a
    camera ``low_behind`` the hips (`confidence.seen_from_low_behind`: `NOT_JUDGED_FROM_LOW`), or in line with the
    body or diagonally behind the hips (`confidence.forward_in_depth`: `NOT_JUDGED_IN_DEPTH`), where the distances it
    checks are depth."""
    if low_behind:
        return NOT_JUDGED_FROM_LOW
    if track.valid.any() and forward_in_depth(*view_of(track, settings=settings.confidence)):
        return NOT_JUDGED_IN_DEPTH
    return start_position(track.pelvis_m[before], track.shoulders_m[before], tolerance_cm=settings.start_tolerance_cm)


def summarise(track: CircleTrack, reps: list[RepSpan], partials: list[PartialSpan], *, rejected: int = 0,
              settings: CirclesSettings = CirclesSettings(), source: str = "", model: str = "",
              detection_rate: float | None = None, live: bool = False,
              rejected_spans: list[RepSpan] = (), unclosed: list[PartialSpan] = (),
              frame_fill: float | None = None, open_end: bool = False,
              counted: list[RepSpan] | None = None) -> CirclesResult:
    """Measures, protocol, start position, series, warnings and confidence from a track and its counted spans
    (``unclosed``: the counter's `CircleCounter.unclosed`; ``frame_fill``: share of the frame the person spans;
    ``open_end``: the recording is still going at the last frame; ``counted``: `CircleCounter.as_counted`; see
    `confidence.assess`)."""
    t = track.t_s
    first = min([sp.start_index for sp in [*reps, *partials]], default=len(t))
    neutral = neutral_forward(track, first)
    low_behind = seen_from_low_behind(track, settings.confidence)
    out_reps = [rep_measures(track, span, k + 1, settings, smooth=live, neutral_forward_m=neutral,
                             judged=not low_behind) for k, span in enumerate(reps)]
    out_partials = [CirclePartial(p.direction_name, p.start_s, p.end_s, p.fraction) for p in partials]
    rep_of_frame = np.zeros(len(t), int)
    for k, span in enumerate(reps):
        rep_of_frame[span.start_index:span.end_index + 1] = k + 1
    before = start_frames(track, first)
    start = start_judged(track, before, settings, low_behind=low_behind)
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
    unclosed_arcs = [CirclePartial(p.direction_name, p.start_s, p.end_s, p.fraction) for p in unclosed]
    result.confidence, result.sets = assess(track, out_reps, out_partials, rejected=list(rejected_spans),
                                            unclosed=unclosed_arcs,
                                            detection_rate=detection_rate, valid_fraction=valid_fraction,
                                            target_per_direction=settings.target_per_direction,
                                            min_radius_torso=settings.counter.min_radius, frame_fill=frame_fill,
                                            open_end_s=float(t[-1]) if open_end and len(t) else None,
                                            counted=counted, settings=settings.confidence, depth=settings.depth)
    result.warnings.extend(_warnings(track, result, rejected, detection_rate, frame_fill, settings.confidence))
    result.info.extend(_info(track, settings.elevation.assumed_deg))
    return result


#: Below this depth/across ratio the rebuilt depth's direction is unsure: on rendered side-on videos the
#: pose model reported the depth motion 5-80 times too small, and in 4 of 17 that were counted (two sets
#: of 30 videos) a set came out turning the wrong way, all of them under this ratio (at 45° and from high
#: up: 1.3-4 times too small, always the right way, never under this ratio). See docs/circles-accuracy.md.
FAINT_DEPTH_RATIO = 0.15

#: The placement to suggest in a warning (see `confidence.FRONT_DIAGONAL`).
BEST_PLACE = "film from about 45° between the head and the side for best results"
#: The places to suggest from straight behind (see `confidence.SHELF_BEHIND`).
BEHIND_PLACE = ("film from higher up behind you (a shelf, looking down at the hips) or from about 45° between the "
                "head and the side for best results")


def _warnings(track: CircleTrack, result: CirclesResult, rejected: int, detection_rate: float | None,
              frame_fill: float | None = None, settings: ConfidenceSettings = ConfidenceSettings()) -> list[str]:
    out = []
    view, a = view_of(track, settings=settings) if track.valid.any() else (None, math.nan)
    if detection_rate is not None and detection_rate < 0.5:
        out.append(f"a person was found in only {100 * detection_rate:.0f}% of the frames")
    if result.valid_fraction < 0.3:
        out.append(f"{FEW_ON_ALL_FOURS} {100 * result.valid_fraction:.0f}% of the frames")
    if not result.reps and not result.partials:
        out.append(NO_CIRCLES)
    if rejected:
        out.append(f"{rejected} circle-like movement{'s were' if rejected > 1 else ' was'} too small, flat or "
                   "quick to count")
    if view is not None:
        if seen_from_low_behind(track, settings):
            out.append(f"camera low behind the hips: the pose model misreads the body from there; {LOW_BEHIND_CHANGE}")
        elif view == "in line" and not track.path_from_image:
            out.append("camera in line with the body: forward–back motion is seen only in depth, the least "
                       f"accurate direction; {BEHIND_PLACE if abs(a) > 90 else BEST_PLACE}")
        elif view == "side":
            unsure = "; from here circles can look like rocking" if not result.reps else ""
            out.append("camera at the side: side-to-side motion is seen only in depth, the least accurate "
                       f"direction; {BEST_PLACE}{unsure}")
        elif diagonal_behind(view, a):
            out.append(f"camera diagonally behind the hips: the pose model follows their path least well from here; "
                       f"{BEST_PLACE}")
    note = _depth_note(track)
    if note is not None and note[1] < FAINT_DEPTH_RATIO:  # where to film from, unless the camera is there already
        change = (camera_change(view, a, frame_fill, settings, looked_down=track.path_from_image)
                  if view is not None else FRONT_DIAGONAL)
        place = BEST_PLACE if change == FRONT_DIAGONAL else change
        if result.reps and all(s.confidence.level == HIGH for s in result.sets if s.count):
            # every counted set's loop was seen in the image itself (`confidence._image_confirms`)
            out.append(f"{note[0]}; their direction was read from how the image of the hips grew and shrank as they "
                       f"came closer and went away: {place}")
        else:
            out.append(f"{note[0]}; with so little depth motion the direction can come out reversed: {place}")
    return out  # the start position is not repeated here: it has its own line (`StartPosition.message`)


#: What `_info` says of a path taken from the image (`CircleTrack.path_from_image`; the assumed elevation in degrees).
FROM_IMAGE_NOTE = ("camera looking down from in line with the body: the hips' forward-back motion was read from their "
                   "height in the image (sizes assume the camera about {:.0f}° above them)")


def _info(track: CircleTrack, assumed_deg: float = ElevationSettings().assumed_deg) -> list[str]:
    """What the analysis corrected for at no real cost: depth rebuilt where the pose model saw too little
    of it (a warning instead when it was faint enough to reverse the direction, `_warnings`); a path taken from the
    image of a camera looking down in line (`FROM_IMAGE_NOTE`, with the elevation its sizes assume)."""
    note = _depth_note(track)
    out = [FROM_IMAGE_NOTE.format(assumed_deg)] if track.path_from_image else []
    return out + ([note[0]] if note is not None and note[1] >= FAINT_DEPTH_RATIO else [])


def _depth_note(track: CircleTrack) -> tuple[str, float] | None:
    """(note, median depth/across ratio) when the pose model saw the depth motion smaller than the across."""
    ratio = track.depth_ratio[track.valid] if track.depth_ratio is not None else np.zeros(0)
    if not (ratio.size and np.any(ratio < 1.0)):
        return None
    r = float(np.median(ratio[ratio < 1.0]))
    return (f"the pose model saw motion toward and away from the camera about {1 / r:.0f} times smaller "
            "than across; those circles were counted as if as deep as they are wide (their size is "
            "measured across the view)", r)
