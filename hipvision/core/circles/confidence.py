"""How far a circles count can be trusted: ``"high"`` or ``"low"``, with the reasons in plain words.

Nothing new is measured here: the confidence is read from what the analysis already knows about the
recording (see `assess`). A count is ``"low"`` when any of these holds for its set (one direction) or for
the whole result; each reason says what to change:

* the motion toward and away from the camera (depth) was barely seen: its rms is under
  ``faint_depth_ratio`` of the motion across the view, in frames whose depth was taken as measured (side-on
  and in-line views show one half of every circle only in depth, which the pose model under-reports; a
  circle and a rock look alike there);
* the depth was rebuilt (`depth`: from the across motion or from the image growth): the count
  rests on a loop the pose model did not measure, and its size is an estimate (not a reason for a side-on set
  whose loop the image growth showed by itself, turning its way: `_image_confirms`);
* an unfinished circle, or a circle-like movement rejected as too small, flat or quick, in or next to
  the set (a circle may have been missed);
* the hips went round somewhere no circle was counted (net area swept around the centre, outside the
  counted and unfinished circles; from a side-on or in-line camera it also says where to move it);
* the posture was lost in part of the set, the person was on hands and knees in few frames, or found
  in few frames;
* one circle took far more or less time than the others of its set (a merged or split circle);
* a count one away from the protocol's (the likeliest miscount: a missed or extra circle at an edge);
* a set's circles barely bigger than the smallest the counter takes (median radius under ``near_gate_ratio``
  times it): a sibling circle a little smaller was not counted and left no trace (seen on a far camera: 3
  small circles counted 2, with nothing else to say so).

A still hold seen from anywhere is ``"high"`` with 0 circles: too little moved for a circle to hide.

A result that is low for any of these reasons, with the person spanning under ``small_fill`` of the frame, also
says to bring the camera closer (from afar the image growth that shows the depth motion side-on fades).

Each reason is a `Reason`: why, and what to change (``change``, "" when nothing would), so that a display
short of room can show the change whole and cut the why; its ``text`` is the two in one sentence, as the
JSON's ``confidence_reasons`` gives it, and ``what_to_change`` lists the distinct changes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from hipvision.core.circles.counting import RepSpan
from hipvision.core.circles.depth import DepthSettings, depth_axes, image_loop_terms, image_way, loop_terms
from hipvision.core.circles.trajectory import CircleTrack
from hipvision.core.filtering import finite_runs
from hipvision.core.geometry import circular_mean_deg
from hipvision.core.posture import HEAD_DOWN_DEG

HIGH, LOW = "high", "low"
DIRECTIONS = ("clockwise", "counterclockwise")
_LABEL = {"clockwise": "clockwise", "counterclockwise": "counter-clockwise"}


@dataclass(frozen=True)
class ConfidenceSettings:
    """Limits of `assess` (fractions, seconds, torso lengths)."""

    size_estimate_scale: float = 1.25  # a circle's size is an estimate where its depth was scaled back more
    faint_depth_ratio: float = 0.35  # depth motion that goes with the across motion (in step or a quarter turn
    # out, `depth.loop_terms`) over the across motion, where the depth was taken as measured
    min_measured_ratio: float = 0.25  # ... before an oblique view's depth scale (which goes up to 4)
    still_across_torso: float = 0.02  # rms across motion below this: nothing moved that a circle would
    image_seen_share: float = 0.5  # image growth measured in at least this share of the frames judged: the image
    # could tell rocking from squashed circles about 45° in front (`_depth_reasons`)
    rebuilt_min_across_share: float = 0.8  # a rebuilt set with a circle that moved across the view less than this
    # share of its set's median is not confirmed by the image (`_image_confirms`): rendered far side-on, the return
    # from sitting back opened a set as an extra circle at 0.71 (true circles of such sets: 0.91-1.07, 153 of them)
    oblique_min_sin2az: float = 0.8  # |sin 2·azimuth| at least this: the camera about 45° off the body's axes
    min_detection_rate: float = 0.7
    min_frames_per_s: float = 9.0  # poses analysed per second (median step): below it circles are missed or merged
    # (a busy computer live, or a low-rate video): 5 + 5 sets subsampled to 7.5 fps with a ±1 frame jitter lost a
    # circle from every camera placement, synthetic and MediaPipe's; at 10 fps none did
    min_valid_fraction: float = 0.3  # of the whole recording on hands and knees
    min_valid_in_set: float = 0.8  # of a set's own time
    tempo_range: tuple[float, float] = (0.55, 1.8)  # a circle's duration over its set's median
    max_gap_in_set: float = 0.5  # time between two consecutive circles of a set over its median circle: a set is
    # circled without a break, so more is a circle the counter lost there (`_set_reasons`). On 26 rendered seeds
    # (20 placements; 2026-12-07) 23 sets had a gap of at least 0.2: 18 miscounted (one `high`: a shelf 53° round
    # from the head, 3 small circles counted 2 around a 2.3 s gap, 0.97), 5 right and `low` already; no right `high`
    # set had one. 0.5, not 0.2: a synthetic set that went back to the middle and out again between its circles
    # (a real break) left 0.44
    edge_s: float = 3.0  # rejected movements this close to a set belong to it
    loop_window_s: float = 6.0  # windows in which uncounted turning is looked for: net area swept around
    min_loop_area: float = 2.0  # the centre at least this many smallest countable circles' areas
    min_loop_of_counted: float = 0.25  # ... and this share of the smaller set's median circle area
    min_loopiness: float = 0.5  # ... and net over total area swept at least this (a rock sweeps both ways)
    min_loopiness_in_line: float = 0.2  # ... in line with the body or diagonally behind, where the forward-back half is
    # depth: seen small and noisy, it sweeps both ways as well (held-out 9991 from behind: 2 + 2 counted 1 + 0 "high",
    # its missed set at 0.29-0.31 of its area one way); rocking and still negatives there sweep no net area
    split_min_area: float = 0.5  # a set whose own way of turning, outside every circle, swept at least this many
    # smallest countable circles' areas both within ``edge_s`` before its first circle and after its last, and
    split_of_circle: float = 0.12  # this share of its circles' median area on each side: a circle split between
    # its entry and exit and missed (held-out 9941, shelf side-on: 2 small circles counted 1, "high": 0.86 and 0.61
    # smallest circles, 0.22 and 0.16 of its circle; the other 24 sets counted "high" on the dev and held-out
    # caches: at most 0.28 smallest circles on one side; a single 20 cm circle's entry and exit, synthetic: 0.6-1.2
    # smallest circles but 0.007-0.013 of it; a straight entry and exit bulge into an arc at most a tenth of a circle)
    near_gate_ratio: float = 1.5  # a set's median radius under this × the counter's smallest circle: fragile
    after_set_min_deg: float = 210.0  # the path went on turning a set's way this far after its last counted circle
    after_set_min_radius: float = 0.5  # (frames at least this share of the set's median radius from the centre):
    # a circle may have been missed (`_turned_on_after`)
    open_end_span_s: float = 3.0  # live (``open_end_s``): a set is under way at the last frame when a circle or an
    # unfinished one ended within this, or 1.2 of its circles' median duration if longer, of it; the turning of
    # that last span is never "uncounted" (a first circle under way has no circle before it)
    head_down_deg: float = HEAD_DOWN_DEG  # the pose model's torso this far from up on hands and knees: read head down
    min_head_down_share: float = 0.25  # of the valid frames (at least ``min_head_down_frames``) read head down: the
    min_head_down_frames: int = 10  # camera is low behind the hips and the body misread (`seen_from_low_behind`)
    min_view_frames: int = 10  # frames with a known azimuth needed to say the camera is in front of the head where
    # the posture was seldom recognised (`_in_front_of_head`)
    small_fill: float = 0.42  # a low result whose person spans less of the frame than this says to come closer
    large_fill: float = 0.6  # ... and more than this is not told to come nearer (`analyze.frame_fill`: 0.53-0.66
    # side-on from 1.5-2.3 m; rendered from about a metre: 0.75-0.80 side-on, 0.60-0.64 at 45° in front)
    # (rendered side-on: 0.32-0.39 at 2.6-3.4 m, where 4 of 7 videos still miscount; 0.53-0.66 at
    # 1.5-2.3 m; a synthetic person 2.6 m from a 1280 px camera: 0.44)


@dataclass(frozen=True)
class Reason:
    """Why a count is unsure (``why``) and what to change about it (``change``: what the person can do, "" when
    nothing would); ``text`` says both in one sentence, joined by ``sep``; ``at_s``: the time (seconds) of what
    it is about, when it is about one moment or span of the recording (its start), else None."""

    why: str
    change: str = ""
    sep: str = "; "
    at_s: float | None = None

    @property
    def text(self) -> str:
        return f"{self.why}{self.sep}{self.change}" if self.change else self.why

    def of_set(self, direction: str) -> "Reason":
        """This reason as said of one set (``direction``) in the whole result's list: "clockwise: ..."."""
        return replace(self, why=f"{_LABEL[direction]}: {self.why}")


@dataclass(frozen=True)
class Confidence:
    """``level`` "high" or "low"; ``said``: why it is low and what to change, one `Reason` each (empty when high)."""

    level: str = HIGH
    said: tuple[Reason, ...] = ()

    @staticmethod
    def of(reasons: "list[Reason | str]") -> "Confidence":
        """Low when there is any reason (a plain string is a reason with nothing to change); repeats dropped."""
        unique = tuple(dict.fromkeys(r if isinstance(r, Reason) else Reason(r) for r in reasons))
        return Confidence(LOW if unique else HIGH, unique)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Each reason in one sentence: why, and what to change."""
        return tuple(r.text for r in self.said)

    @property
    def changes(self) -> tuple[str, ...]:
        """The distinct changes the reasons ask for, in order (a reason with nothing to change adds none)."""
        return tuple(dict.fromkeys(r.change for r in self.said if r.change))

    def to_dict(self) -> dict:
        return {"confidence": self.level, "confidence_reasons": list(self.reasons),
                "what_to_change": list(self.changes)}


@dataclass(frozen=True)
class CircleSetSummary:
    """The circles of one direction: count, time span (None when none) and confidence."""

    direction: str
    count: int
    start_s: float | None
    end_s: float | None
    confidence: Confidence

    def to_dict(self) -> dict:
        span = {k: None if v is None else round(v, 2) for k, v in (("start_s", self.start_s), ("end_s", self.end_s))}
        return {"direction": self.direction, "count": self.count, **span, **self.confidence.to_dict()}


@dataclass(frozen=True)
class _Circle:
    """What `assess` needs of a counted or unfinished circle (times in seconds)."""

    direction: str
    start_s: float
    end_s: float
    fraction: float = 1.0


def assess(track: CircleTrack, reps: list, partials: list, *, rejected: list[RepSpan] = (), unclosed: list = (),
           detection_rate: float | None = None, valid_fraction: float = 1.0, target_per_direction: int = 5,
           min_radius_torso: float = 0.04, frame_fill: float | None = None, open_end_s: float | None = None,
           counted: list[RepSpan] | None = None, settings: ConfidenceSettings = ConfidenceSettings(),
           depth: DepthSettings = DepthSettings()) -> tuple[Confidence, list[CircleSetSummary]]:
    """The result's confidence and one `CircleSetSummary` per direction (in time order).

    Args:
        track: the analysed track (pelvis, centre, validity, camera azimuth, depth ratio).
        reps, partials: the result's `CircleRep` and `CirclePartial` (direction, start_s, end_s[, fraction]).
        rejected: the counter's rejected 360° sweeps.
        unclosed: arcs that went on the same way right after a set's last counted circle without closing a
            circle or turning enough for a partial (`CircleCounter.unclosed`; direction, start_s, end_s, fraction):
            each makes its set low (the set's last circle may have been missed).
        detection_rate: share of frames with a person; valid_fraction: share on hands and knees.
        min_radius_torso: the counter's smallest circle (torso lengths), for the uncounted-turning check.
        frame_fill: share of the frame the person spans (`analyze.frame_fill`), or None: a result (and each set)
            that is low for other reasons also says to bring the camera closer when it is under ``small_fill``
            (it never makes a result low by itself).
        open_end_s: the last frame's time (seconds) when the recording is still going (the live recount of the
            frames so far), else None. The set under way there is not judged by its end: its circle under way is
            not "unfinished" (nor an unclosed sweep, nor uncounted turning) and its count is not "short of" the
            target (on a clean 45° 5 + 5 set those made about half of each circle "low" live); its first
            ``open_end_span_s`` are not judged by the share on hands and knees (getting into position).
        counted: the spans (direction, start_s, end_s) the counter counted ``reps`` in, before a set's leftover
            sweep was split between its entry and exit (`CircleCounter.as_counted`), or None: ``reps``' own. The
            checks of turning that no circle took in look outside these: the split moves only the reported
            times, so it does not move what those checks see (it did, on a held-out seed: a right 2 + 2 side-on
            became low when its re-timed first circle left the entry's turn to the sit-back's return before it,
            and a right 2 + 2 from behind and high became high when the exit's turn went inside its last circle).
        settings: this check's limits; depth: the analysis's depth-window gates (`CirclesSettings.depth`), which
            judge whether the image saw a rebuilt set's loop (`_image_confirms`).
    """
    circles = [_Circle(r.direction, r.start_s, r.end_s) for r in reps]
    turned = circles if counted is None else [_Circle(r.direction_name, r.start_s, r.end_s) for r in counted]
    unfinished = [_Circle(p.direction, p.start_s, p.end_s, p.fraction) for p in partials]
    recent = _under_way_from(circles, unfinished, open_end_s, settings)
    unfinished = [c for c in unfinished if c.end_s < recent]
    unclosed = [a for a in unclosed if a.end_s < recent]
    t = track.t_s
    low_behind = _low_behind_reasons(track, settings)
    in_front = not low_behind and _in_front_of_head(track, settings)
    settling = open_end_s is not None and (len(t) < 2 or t[-1] - t[0] < settings.open_end_span_s)
    # a recording still going, in its first seconds: the person is getting into position (not judged yet)
    overall = low_behind + ([IN_FRONT] if in_front else [])
    overall += [] if settling else _recording_reasons(detection_rate, valid_fraction, settings, in_front=in_front)
    overall += _frame_rate_reasons(track.t_s, settings)
    # the smaller set's typical circle: a missed circle of a set of small ones must not hide behind the
    # other set's big ones (from behind, a shelf: 2 small circles counted 1, high, next to 2 big ones)
    counted_cm2 = min((float(np.median([r.area_cm2 for r in reps if r.direction == d]))
                       for d in DIRECTIONS if any(r.direction == d for r in reps)), default=0.0)
    # the last span of a recording still going is the circle under way, not uncounted turning
    under_way = [] if open_end_s is None else [_Circle("", open_end_s - _open_span(circles, settings), math.inf)]
    overall += _uncounted_turning(track, turned + unfinished + under_way, min_radius_torso, counted_cm2, settings)
    overall += _image_loops_uncounted(track, turned + unfinished + under_way, settings)
    if not circles:
        overall += _depth_reasons(track, np.ones(len(track.t_s), bool), settings, counted=False, line=not settling,
                                  front_line=open_end_s is None)
    sets = []
    for direction in DIRECTIONS:
        mine = [c for c in circles if c.direction == direction]
        part = [c for c in unfinished if c.direction == direction]
        items = mine + part
        if not items:
            continue
        start, end = min(c.start_s for c in items), max(c.end_s for c in items)
        # the rebuilt loop seen in the image, with no circle the other way at its edges: a depth window (10 s)
        # rebuilds both sides of a seam with one direction (rendered from the floor side-on: a set's last circle
        # counted the other way 0.9 s after its second, which the image had seen turning the set's way)
        seen = _image_confirms(track, (t >= start) & (t <= end), mine, settings, depth) and not any(
            c.direction != direction and c.end_s >= start - settings.edge_s and c.start_s <= end + settings.edge_s
            for c in circles)
        reasons = list(overall) + _set_reasons(track, start, end, mine, part, rejected, settings, seen=seen)
        # the counter keeps only arcs after a circle
        reasons += [Reason(f"the hips went {360 * a.fraction:.0f}° further the same way after a {_LABEL[direction]} "
                           f"circle ({a.start_s:.1f}-{a.end_s:.1f} s) without closing a circle: if that was a circle, "
                           "it was missed", at_s=a.start_s) for a in unclosed
                    if a.direction == direction and not (_mostly_rebuilt(track, a.start_s, a.end_s) and not seen)]
        if mine and not any(a.direction == direction for a in unclosed) and not any(
                c.end_s > mine[-1].end_s for c in part):  # an arc the counter saw is reported once, as its own
            reasons += _turned_on_after(track, mine, circles, open_end_s is not None, settings, seen=seen)
        reasons += _near_the_gate([r for r in reps if r.direction == direction], min_radius_torso, settings)
        mine_cm2 = [r.area_cm2 for r in reps if r.direction == direction]
        if mine_cm2:
            reasons += _split_circle(track, turned + unfinished + under_way, direction, min_radius_torso,
                                     float(np.median(mine_cm2)), settings, seen=seen)
        if abs(len(mine) - target_per_direction) == 1 and not (mine and mine[-1].end_s >= recent):
            word = "short of" if len(mine) < target_per_direction else "more than"
            reasons.append(Reason(f"{len(mine)} {_LABEL[direction]} circles, one {word} the {target_per_direction} "
                                  f"asked: if you did {target_per_direction}, one was "
                                  f"{'missed' if len(mine) < target_per_direction else 'counted twice or added'}",
                                  "check it on the video"))
        sets.append(CircleSetSummary(direction, len(mine), start, end, Confidence.of(reasons)))
    # a direction with no circles next to one with some: its circles could hide only away from the other's set,
    # and there the path is judged as a result with nothing counted is (seen from behind, a stream of MediaPipe's
    # landmarks where a set's two circles were a line: 2 + 2 counted 0 + 2, "high")
    empty = [d for d in DIRECTIONS if not any(s.direction == d for s in sets)]
    hidden: list[Reason] = []
    if circles and empty:
        away = np.ones(len(t), bool)
        for done in sets:
            away &= ~((t >= done.start_s - settings.edge_s) & (t <= done.end_s + settings.edge_s))
        hidden = [r for r in _depth_reasons(track, away, settings, counted=False, line=not settling)
                  if r not in overall]
    every = list(overall) + [r.of_set(s.direction) for s in sets for r in s.confidence.said if r not in overall]
    every += [r.of_set(d) for d in empty for r in hidden]
    # a direction with no circles at all is as sure as the whole result (the same view, the same person)
    for direction in empty:
        sets.append(CircleSetSummary(direction, 0, None, None, Confidence.of(every)))
    sets.sort(key=lambda s: math.inf if s.start_s is None else s.start_s)
    if low_behind:  # one placement advice: off the floor as well as to the diagonal
        every = [_off_the_floor(r) for r in every]
        sets = [replace(s, confidence=Confidence.of([_off_the_floor(r) for r in s.confidence.said])) for s in sets]
    elif track.path_from_image:  # already looking down from behind: the diagonal is what is left to try
        every = [_up_there_already(r) for r in every]
        sets = [replace(s, confidence=Confidence.of([_up_there_already(r) for r in s.confidence.said])) for s in sets]
    if frame_fill is not None and frame_fill > settings.large_fill:  # already near: "higher", not "nearer"
        every = [_not_nearer(r) for r in every]
        sets = [replace(s, confidence=Confidence.of([_not_nearer(r) for r in s.confidence.said])) for s in sets]
    if every and frame_fill is not None and frame_fill < settings.small_fill:
        closer = Reason(f"the person spans only {100 * frame_fill:.0f}% of the frame", CLOSER, ": ")
        every.append(closer)
        sets = [replace(s, confidence=Confidence.of([*s.confidence.said, closer])) if s.confidence.level == LOW
                else s for s in sets]
    return Confidence.of(every), sets


# ------------------------------------------------------------------ reasons

def _under_way_from(circles: list[_Circle], unfinished: list[_Circle], open_end_s: float | None,
                    s: ConfidenceSettings) -> float:
    """With the recording still going (``open_end_s``, seconds): the time from which a set is under way at the
    last frame (its last circle or unfinished circle ended within ``open_end_span_s``, or 1.2 of the circles'
    median duration, of it); +inf when none is, or the recording has ended."""
    if open_end_s is None:
        return math.inf
    ends = [c.end_s for c in circles + unfinished]
    return open_end_s - _open_span(circles, s) if ends and open_end_s - max(ends) < _open_span(circles, s) else math.inf


def _open_span(circles: list[_Circle], s: ConfidenceSettings) -> float:
    """Seconds back from a still-going recording's last frame that a circle under way may take."""
    durations = [c.end_s - c.start_s for c in circles]
    return max(s.open_end_span_s, 1.2 * float(np.median(durations)) if durations else 0.0)


def _in_front_of_head(track: CircleTrack, settings: ConfidenceSettings) -> bool:
    """Whether the camera is in line in front of the head (`camera_view` "in line", azimuth under 90°), read over
    every frame whose azimuth is known, on hands and knees or not: where the person is seldom recognised on hands and
    knees, those are few (rendered from in front, the frames with an azimuth read it within 6-20° of the truth).

    Not where the path was read from the image (`CircleTrack.path_from_image`): its azimuth is then set to straight in
    front or behind by `analyze.with_image_path`, and a camera on a shelf 37° round from the head, read so, counted
    its 3 + 3 right from the hips' image height (rendered; no camera straight in front took that path)."""
    known = np.isfinite(track.camera_azimuth_deg)
    if track.path_from_image or known.sum() < settings.min_view_frames:
        return False
    view, azimuth = view_of(track, known, settings)
    return view == "in line" and abs(azimuth) < 90


def _recording_reasons(detection_rate: float | None, valid_fraction: float, s: ConfidenceSettings, *,
                       in_front: bool = False) -> list[Reason]:
    """Reasons from how often a person (``detection_rate``) and the posture (``valid_fraction``) were found; from a
    camera ``in_front`` of the head (`IN_FRONT`) the posture's change is the front diagonal, not "higher"."""
    out = []
    if detection_rate is not None and detection_rate < s.min_detection_rate:
        out.append(Reason(f"a person was found in only {100 * detection_rate:.0f}% of the frames",
                          "get the whole body in view, in good light", ": "))
    if valid_fraction < s.min_valid_fraction:
        out.append(Reason(f"recognised on hands and knees in only {100 * valid_fraction:.0f}% of the frames",
                          FRONT_DIAGONAL if in_front else MORE_IN_VIEW, ": "))
    return out


def _frame_rate_reasons(t_s: np.ndarray, s: ConfidenceSettings) -> list[Reason]:
    """Too few poses a second (``t_s``: the analysed frames' times, seconds) to follow a circle reliably."""
    steps = np.diff(np.asarray(t_s, float))
    steps = steps[np.isfinite(steps) & (steps > 0)]
    if len(steps) < 2:
        return []
    rate = 1.0 / float(np.median(steps))
    if rate >= s.min_frames_per_s:
        return []
    return [Reason(f"only {rate:.0f} frames a second were analysed (a busy computer, or a video of few frames a "
                   "second): circles can be missed or merged",
                   f"close other programs, or film at {s.min_frames_per_s:.0f} frames a second or more")]


def _rebuilt_frames(track: CircleTrack) -> np.ndarray:
    """(T,) True where the depth was rebuilt from the across motion (`CircleTrack.depth_ratio` < 1); all False when
    the track carries no depth ratios."""
    if track.depth_ratio is None:
        return np.zeros(len(track.t_s), bool)
    return track.depth_ratio < 1.0


def _mostly_rebuilt(track: CircleTrack, start_s: float, end_s: float) -> bool:
    """Whether most valid frames from ``start_s`` to ``end_s`` (seconds) had their depth rebuilt from the across motion
    (`_rebuilt_frames`). Turning found there outside the counted circles is not reported as a circle
    missed (an unfinished circle, an arc after a set's last circle, turning between sets): the rebuild bends any
    straight move with an across part into an arc its own way (a sit-back, a set's lead-out), and on 104 rendered
    videos most such reports pointed at no missed circle (docs/circles-accuracy.md). A set whose own frames were
    rebuilt says that its count rests on the rebuild (`_depth_reasons`)."""
    rows = track.valid & (track.t_s >= start_s) & (track.t_s <= end_s)
    return bool(rows.any()) and float(np.mean(_rebuilt_frames(track)[rows])) > 0.5


def _set_reasons(track: CircleTrack, start: float, end: float, mine: list[_Circle], part: list[_Circle],
                 rejected: list[RepSpan], s: ConfidenceSettings, *, seen: bool = False) -> list[Reason]:
    """Reasons of one set (``start`` to ``end``, seconds); ``seen``: its rebuilt depth's loop was seen in the image
    (`_image_confirms`): the rebuild is not a reason, and turning left out of its circles is judged as where the depth
    was measured."""
    t = track.t_s
    inside = (t >= start) & (t <= end)
    out = []
    if inside.any():
        valid_share = float(track.valid[inside].mean())
        if valid_share < s.min_valid_in_set:
            out.append(Reason(f"the hands-and-knees posture was lost in {100 * (1 - valid_share):.0f}% of the set",
                              "more of the hips and legs in view", ": "))
        out += _depth_reasons(track, inside, s, counted=True, rebuild_seen=seen)
    for p in part:
        if _mostly_rebuilt(track, p.start_s, p.end_s) and not seen:
            continue  # a straight lead-out bent by the rebuild, as often as a circle left unfinished
        out.append(Reason(f"an unfinished circle at {p.start_s:.1f} s ({100 * p.fraction:.0f}% of a turn): if it "
                          "was a whole circle, it was missed", at_s=p.start_s))
    near = [r for r in rejected if r.end_s >= start - s.edge_s and r.start_s <= end + s.edge_s]
    for r in near:
        out.append(Reason(f"a circle-like movement at {r.start_s:.1f} s was too small, flat or quick to count",
                          "if it was a circle, make it bigger and slower", ": ", at_s=r.start_s))
    durations = np.array([c.end_s - c.start_s for c in mine])
    median = float(np.median(durations)) if len(durations) else math.nan
    if len(durations) >= 2:
        for a, b in zip(mine, mine[1:]):
            if b.start_s - a.end_s > s.max_gap_in_set * median:
                out.append(Reason(f"{b.start_s - a.end_s:.1f} s passed between two {_LABEL[a.direction]} circles "
                                  f"({a.end_s:.1f}-{b.start_s:.1f} s) without a circle counted, where each took about "
                                  f"{median:.1f} s: if you went on circling there, one was missed",
                                  "check it on the video", at_s=a.end_s))
    if len(durations) >= 3:
        lo, hi = s.tempo_range
        for k, c in enumerate(mine):
            ratio = durations[k] / median
            if not lo <= ratio <= hi:
                out.append(Reason(f"one circle ({c.start_s:.1f}-{c.end_s:.1f} s) took {durations[k]:.1f} s where the "
                                  f"others took about {median:.1f} s: two circles may have been merged or one split",
                                  "keep an even pace", at_s=c.start_s))
    return out


def _turned_on_after(track: CircleTrack, mine: list[_Circle], circles: list[_Circle], open_end: bool,
                     s: ConfidenceSettings, *, seen: bool) -> list[Reason]:
    """A reason when, after a set's last counted circle (``mine``: the set's counted circles; ``circles``: every
    counted circle), the hips went on turning the set's way by ``after_set_min_deg`` or more before the next counted
    circle or the end: the pelvis's angle about the path's centre, summed over consecutive valid frames both at least
    ``after_set_min_radius`` of the set's median radius from it (nearer, the angle is noise).

    The counter reports such an arc (`CircleCounter.unclosed`) only where the path crossed its gates, which follow
    the circles' size over the whole recording: fresh seed 10131, 45° in front, a set of three small circles
    (5 cm, after three of 10 cm) lost its last one in a recording that ended 1.6 s later, and was reported 2 for 3,
    `high`: the path had turned 244° further its way, mostly inside the gate. On 21 rendered seeds (546 sets) the
    reason is given on 3 sets: that one and 2 right ones that were `low` already (with 180°, 2 right `high` sets would
    have turned `low`). Not judged where the frames were mostly rebuilt and the image did not confirm the set (the
    rebuild bends a sit-back into an arc its way, `_mostly_rebuilt`), where the counter reported the arc itself (an
    arc after the set, an unfinished circle), nor after a recording's last circle while it is still going (the live
    analysis: that is the next circle under way)."""
    last = mine[-1]
    later = [c.start_s for c in circles if c.start_s >= last.end_s and c is not last]
    if not later and open_end:
        return []
    stop = min(later) if later else math.inf
    t = track.t_s
    if _mostly_rebuilt(track, last.end_s, min(stop, float(t[-1]))) and not seen:
        return []
    dev = track.pelvis_m - track.centre_m
    radius = np.hypot(dev[:, 0], dev[:, 1])
    typical = float(np.median([np.nanmedian(radius[(t >= c.start_s) & (t <= c.end_s)]) for c in mine]))
    rows = np.flatnonzero(track.valid & (t >= last.end_s) & (t < stop))
    if len(rows) < 2 or not typical > 0:
        return []
    a, b = rows[:-1], rows[1:]
    out = radius >= s.after_set_min_radius * typical
    use = (b == a + 1) & out[a] & out[b]
    step = np.angle(np.exp(1j * (np.arctan2(dev[b, 1], dev[b, 0]) - np.arctan2(dev[a, 1], dev[a, 0]))))
    way = 1.0 if last.direction == "clockwise" else -1.0
    turned = float(np.degrees(np.max(np.concatenate([[0.0], np.cumsum(way * np.where(use, step, 0.0))]))))
    if turned < s.after_set_min_deg:
        return []
    return [Reason(f"the hips went about {turned:.0f}° further the same way after the last {_LABEL[last.direction]} "
                   f"circle ({last.end_s:.1f} s) without closing a circle: if that was a circle, it was missed",
                   "check it on the video", at_s=last.end_s)]


#: What to change for circles near the counter's smallest (`_near_the_gate`).
BIGGER_OR_NEARER = "make each circle bigger, or bring the camera nearer"


def _near_the_gate(reps: list, min_radius_torso: float, s: ConfidenceSettings) -> list[Reason]:
    """A reason when a set's circles (`CircleRep`, ``radius_pct_torso`` in % of the torso) are barely above the
    counter's smallest circle (``min_radius_torso``, torso lengths)."""
    sizes = [r.radius_pct_torso for r in reps if r.radius_pct_torso is not None and math.isfinite(r.radius_pct_torso)]
    if not sizes or float(np.median(sizes)) >= s.near_gate_ratio * 100.0 * min_radius_torso:
        return []
    return [Reason(f"the circles were small (radius about {float(np.median(sizes)):.0f}% of the torso, near the "
                   "smallest that is counted): a slightly smaller one would have been missed",
                   BIGGER_OR_NEARER)]


def camera_view(azimuth_deg: float, settings: ConfidenceSettings = ConfidenceSettings()) -> str:
    """"side" | "in line" | "oblique" for a camera at ``azimuth_deg`` (`CircleTrack.camera_azimuth_deg`: 0 = in
    front of the head, ±180 = behind the hips): oblique where ``|sin 2·azimuth|`` is at least
    ``settings.oblique_min_sin2az`` (about 27-63° off the body's axes), else the nearer axis; unknown (NaN) reads
    oblique. The one classification behind every reason and warning that names where the camera is."""
    if not math.isfinite(azimuth_deg):
        return "oblique"
    if abs(math.sin(math.radians(2 * azimuth_deg))) >= settings.oblique_min_sin2az:
        return "oblique"
    return "in line" if min(abs(azimuth_deg), 180 - abs(azimuth_deg)) < 45 else "side"


def head_down_share(track: CircleTrack, settings: ConfidenceSettings = ConfidenceSettings()) -> float:
    """Share (0..1) of the valid frames whose torso reads head down (`CircleTrack.torso_tilt_deg` at least
    ``settings.head_down_deg``), among those where it was seen; 0 when under ``settings.min_head_down_frames`` were
    seen or the tilt was not read."""
    if track.torso_tilt_deg is None:
        return 0.0
    tilt = track.torso_tilt_deg[track.valid]
    tilt = tilt[np.isfinite(tilt)]
    if len(tilt) < settings.min_head_down_frames:
        return 0.0
    return float(np.mean(tilt >= settings.head_down_deg))


def seen_from_low_behind(track: CircleTrack, settings: ConfidenceSettings = ConfidenceSettings()) -> bool:
    """Whether the camera was low behind the hips, where they hide the shoulders and the pose model misreads the
    body: its torso reads head down (`head_down_share`) in at least ``settings.min_head_down_share`` of the valid
    frames. From there the camera's azimuth is misread too (rendered from the floor behind: -37°, 58°, 75°, 114°,
    -125°, -163°), so the view is then taken as in line behind (`view_of`), and nothing read from the body's
    shape (the count, its direction, the start position) is to be trusted."""
    return head_down_share(track, settings) >= settings.min_head_down_share


#: What to change when the camera was low behind the hips (`seen_from_low_behind`): off the floor, to either of the
#: two places the rendered sets counted best (`SHELF_BEHIND`, `FRONT_DIAGONAL`).
LOW_BEHIND_CHANGE = ("raise the camera off the floor: onto a shelf behind you, looking down at the hips, or to about "
                     "table height, about 45° between the head and the side")


def _low_behind_reasons(track: CircleTrack, s: ConfidenceSettings) -> list[Reason]:
    share = head_down_share(track, s)
    if share < s.min_head_down_share:
        return []
    return [Reason(f"in {100 * share:.0f}% of the frames on hands and knees the body read head down, which it is "
                   "not: the camera is low behind the hips, which hide the shoulders, and from there the pose model "
                   "misreads the body (the count, the direction and the start position cannot be trusted)",
                   LOW_BEHIND_CHANGE)]


def _off_the_floor(reason: Reason) -> Reason:
    """``reason`` with the placement advice (`FRONT_DIAGONAL`, `SHELF_BEHIND`) replaced by `LOW_BEHIND_CHANGE`, which
    includes both."""
    return replace(reason, change=LOW_BEHIND_CHANGE) if reason.change in (FRONT_DIAGONAL, SHELF_BEHIND) else reason


def _up_there_already(reason: Reason) -> Reason:
    """``reason`` with "higher behind you, or 45°" (`SHELF_BEHIND`) replaced by the diagonal (`FRONT_DIAGONAL`): for a
    camera that already looked down from in line (`CircleTrack.path_from_image`)."""
    return replace(reason, change=FRONT_DIAGONAL) if reason.change == SHELF_BEHIND else reason


def view_of(track: CircleTrack, rows: np.ndarray | None = None,
            settings: ConfidenceSettings = ConfidenceSettings()) -> tuple[str, float]:
    """(`camera_view`, circular mean azimuth in degrees) over ``rows`` (default: the valid frames): "in line"
    at 180° when the camera was low behind the hips (`seen_from_low_behind`), whose azimuth the pose model
    misreads."""
    if seen_from_low_behind(track, settings):
        return "in line", 180.0
    a = circular_mean_deg(track.camera_azimuth_deg[track.valid if rows is None else rows])
    return camera_view(a, settings), a


def size_is_estimate(track: CircleTrack, rows: np.ndarray, settings: ConfidenceSettings = ConfidenceSettings()) -> bool:
    """Whether the size of the path in ``rows`` is an estimate: the camera is side-on or in line with the body
    (one half of each circle is motion toward it, which the pose model sees least well), or the depth of most of
    its valid frames was rebuilt (`CircleTrack.depth_ratio` < 1), scaled back by more than
    ``settings.size_estimate_scale``, or not scaled back at all (`CircleTrack.depth_scale` 1.0).

    About 45° the pose model's depth came out 1.5-3.8 times too small on every rendered person measured
    (`oblique.oblique_depth_scales`), so a depth left as it came (no symmetric scale found, or one under 1) is not a
    measured size: on 25 rendered seeds the 7 circles of `high` results sized that way read 0.55-0.57 of the truth
    (radius error 43-46%), shown without the estimate's mark until 2026-12-07."""
    use = rows & track.valid
    if not use.any():
        return False
    if view_of(track, use, settings)[0] != "oblique":
        return True
    scale = track.depth_scale[use] if track.depth_scale is not None else np.ones(int(use.sum()))
    unsure = (scale > settings.size_estimate_scale) | (scale <= 1.0)
    return bool(np.mean(_rebuilt_frames(track)[use] | unsure) > 0.5)


#: How the rebuilt-depth reason goes on when the pose model's depth was taken as mirrored (`CircleTrack.depth_mirrored`).
MIRRORED = (", and turning the other way from how the hips' image grew and shrank: it was taken as mirrored from "
            "here, and the depth was rebuilt turning the image's way")


def _depth_reasons(track: CircleTrack, rows: np.ndarray, s: ConfidenceSettings, *, counted: bool,
                   line: bool = True, front_line: bool = False, rebuild_seen: bool = False) -> list[Reason]:
    """Reasons from the depth of the path in ``rows`` (valid frames only): rebuilt, or barely seen. With nothing
    ``counted`` and ``line``, depth seen only in step with the across motion counts as not seen (the path a line);
    the live recount's first seconds pass ``line=False`` (the move into position is a line too). About 45° in front
    the line is judged only with ``front_line`` (a whole recording with nothing counted, not the frames so far: the
    next set's first turn is a line too) and where the image growth was not measured (`_image_seen`). With
    ``rebuild_seen`` (a set whose rebuilt loop the image saw, `_image_confirms`) the rebuild is not a reason."""
    use = rows & track.valid
    if not use.any():
        return []
    out = []
    ratio = track.depth_ratio if track.depth_ratio is not None else np.ones(len(track.t_s))
    rebuilt = use & _rebuilt_frames(track)
    if rebuilt.any() and not rebuild_seen:
        times = 1.0 / float(np.median(ratio[rebuilt]))
        seen = MIRRORED if track.depth_mirrored else ", so the depth was rebuilt"
        out.append(Reason(f"the pose model saw the motion toward and away from the camera about {times:.0f} times "
                          f"smaller than across{seen}: the count and direction rest on that rebuild and the size is "
                          "an estimate", _move_camera(*view_of(track, use, s))))
    measured = use & (ratio >= 1.0)
    if measured.sum() < 10:
        return out
    torso = float(np.nanmedian(track.torso_m[measured]))
    view, azimuth = view_of(track, measured, s)
    rows = np.flatnonzero(measured)
    sl = slice(rows[0], rows[-1] + 1)  # one stretch; frames not measured are left out by the fit
    dev = np.where(measured[sl, None], track.pelvis_m[sl] - track.centre_m[sl], np.nan)
    terms = loop_terms(track.t_s[sl], dev, azimuth, torso, settings=DepthSettings(min_across_torso=s.still_across_torso))
    if terms is None:
        return out  # too short, or too little moved for a circle to hide in it
    alpha, _, beta = terms[:3]
    seen = math.hypot(alpha, beta)  # depth motion that goes with the across motion, in step or a quarter turn out
    front = view == "oblique" and not diagonal_behind(view, azimuth)
    line = (line and not counted and (not front or (front_line and not _image_seen(track, measured, s)))
            and abs(beta) < s.faint_depth_ratio <= seen)
    if line:
        # nothing counted, side-on, in line or diagonally behind: depth that moves only in step with the across
        # motion (the path a tilted line) is also what the pose model makes of circles whose depth it squashed and
        # copied from the across motion (from behind, seed 5913: 2 + 2 counted 0 + 0 "high"); only the quarter-turn
        # part shows a loop. Behind the hips the azimuth can read 35-45° off straight behind (held-out 9937: -144°,
        # 2 + 2 counted 0 + 0 "high"), so a diagonal view behind is judged so too. About 45° in front, where
        # rocking is such a line, only the image growth tells it from squashed circles (`depth.image_loop`):
        # without it the line is judged so as well (seed 10099's near 45° 2 + 2, its growth left out: 0 + 0 "high")
        seen = max(abs(beta), 1e-3)
    scale = float(np.median(track.depth_scale[measured])) if track.depth_scale is not None else 1.0
    if scale > 1.0 and seen / scale < s.min_measured_ratio:  # scaled back from the path's symmetry, but by
        out.append(Reason(f"the pose model saw the motion toward and away from the camera about {scale / seen:.0f} "
                          "times smaller than across; it was scaled back by an estimate, so the count is unsure",
                          _move_camera("oblique", azimuth)))
    elif seen < s.faint_depth_ratio:
        times = f"about {1 / seen:.0f} times" if seen > 0.02 else "far"
        what = ("the hips' motion toward and away from the camera was seen " + times + " smaller than across")
        if view == "side":
            what = ("camera at the side: the side-to-side half of each circle is motion toward the camera, seen "
                    + times + " smaller than the forward-back half")
        elif view == "in line":
            what = ("camera in line with the body: the forward-back half of each circle is motion toward the camera, "
                    "seen " + times + " smaller than the side-to-side half")
        if line:
            what += ", and what was seen of it went back and forth with the other half, in a line, not round"
        missed = "" if counted else " (circles can look like rocking from here, so some may have been missed)"
        change = _move_camera(view, azimuth)
        if line and front and track.image_seen is None:
            change = NO_GROWTH_CHANGE  # the camera was in the right place; the poses lack what tells them apart
        out.append(Reason(f"{what}{missed}", change))
    return out


#: What to change where a line about 45° in front was judged only because the poses carry no image growth at all
#: (saved before hipvision measured it): the camera is where it should be.
NO_GROWTH_CHANGE = ("run hipvision on the video itself, or extract the poses again: these were saved without the "
                    "image growth around the hips, which tells circles from rocking from this camera")


def _image_seen(track: CircleTrack, rows: np.ndarray, s: ConfidenceSettings) -> bool:
    """Whether the image growth around the hips was measured in at least ``image_seen_share`` of ``rows`` (bool,
    (T,)): the depth windows could then look for loops in the image as well as in the pose model's depth."""
    if track.image_seen is None or not rows.any():
        return False
    return float(np.mean(track.image_seen[rows])) >= s.image_seen_share


def _image_can_confirm(view: str, azimuth_deg: float) -> bool:
    """Whether, from a camera at ``view`` / ``azimuth_deg`` (`view_of`), the image growth's loop may confirm a
    rebuilt set (`_image_confirms`): side-on, or about 45° in front of the hips (not `diagonal_behind`)."""
    return view == "side" or (view == "oblique" and not diagonal_behind(view, azimuth_deg))


def _image_confirms(track: CircleTrack, rows: np.ndarray, circles: list[_Circle], s: ConfidenceSettings,
                    depth: DepthSettings) -> bool:
    """Whether the loop of a set (``rows``, (T,) bool; its counted ``circles``) whose depth was rebuilt (in most of its
    valid frames) was seen in the image itself: the camera side-on or about 45° in front (`view_of`, not
    `diagonal_behind`), where the image around the hips grows and shrinks as they come toward the camera and go away
    (side-on that is the side-to-side half of each circle, at 45° a mix of both halves); the growth measured in at
    least ``image_seen_share`` of the set's frames; and
    the across motion against the image's depth evidence (`CircleTrack.image_approach_m`) a clean loop by the gates
    that let the image alone say which way the hips went (`depth.image_way`: loopiness, fit, every cycle one way, at
    least 30° out of step with the across motion), turning the way of the set's rebuilt path.

    Side-on the rebuilt count is then not resting on the rebuild alone: on 129 held-out rendered videos the image
    growth's loop turned the true way in every side-on set (`depth._mirrored`). A straight move bent into an arc by
    the rebuild (a lead-in counted as a circle: rendered 45° in front read side-on, 2 + 2 counted 2 + 3) leaves the
    image's loop mostly in step with the across motion (17° out of step there) and is not confirmed. Nor is a view
    whose pose-model depth was taken as mirrored (`CircleTrack.depth_mirrored`): there the two signals disagreed,
    and the direction rests on the image alone. Nor a set with a circle whose motion across the view is under
    ``rebuilt_min_across_share`` of its set's median (`_even_across`): a rebuilt circle is as deep as its across
    motion is wide, and a move into or out of the set bent into an arc is the likeliest extra one.

    About 45° in front (since 2026-12-07; measured on 23 rendered seeds): of the 45°-in-front sets confirmed this way,
    every count was right but one (4 counted for 3: the turning before and after the set closed one more circle; it
    stayed `low` by the count asked, 5), and 16 more exact results became `high` (75 -> 91 of 299), none wrong. Not
    45° behind the hips, where the image's loop turned against the truth through whole sets (seed 5901) and a set
    counted 2 for 3 was confirmed (seed 10103)."""
    use = rows & track.valid
    if (track.image_approach_m is None or track.depth_mirrored or use.sum() < 20
            or float(np.mean(_rebuilt_frames(track)[use])) <= 0.5):
        return False
    view, azimuth = view_of(track, use, s)
    if not _image_can_confirm(view, azimuth) or not _image_seen(track, use, s):
        return False
    w = np.flatnonzero(use)
    torso = float(np.nanmedian(track.torso_m[w]))
    dev = track.pelvis_m[w] - track.centre_m[w]
    image = image_loop_terms(track.t_s[w], dev, track.image_approach_m[w], azimuth, torso, settings=depth)
    path = loop_terms(track.t_s[w], dev, azimuth, torso, settings=depth)
    return (image_way(image, depth) and path is not None and np.sign(image[1]) == np.sign(path[1]) != 0
            and _even_across(track, circles, azimuth, s))


def _even_across(track: CircleTrack, circles: list[_Circle], azimuth_deg: float, s: ConfidenceSettings) -> bool:
    """Whether every one of ``circles`` (one set's, counted) moved across the view (rms about its own mean, along the
    across axis of a camera at ``azimuth_deg``) at least ``rebuilt_min_across_share`` of the set's median."""
    sizes = [across_rms_m(track, c.start_s, c.end_s, azimuth_deg) for c in circles]
    return not sizes or min(sizes) >= s.rebuilt_min_across_share * float(np.median(sizes))


def across_rms_m(track: CircleTrack, start_s: float, end_s: float, azimuth_deg: float | None = None) -> float:
    """How far the pelvis moved across the view from ``start_s`` to ``end_s`` (seconds): the rms about its mean,
    metres, of its valid frames along the across axis of a camera at ``azimuth_deg`` (default: the circular mean of
    those frames' `CircleTrack.camera_azimuth_deg`); 0 with no valid frame."""
    rows = track.valid & (track.t_s >= start_s) & (track.t_s <= end_s)
    if not rows.any():
        return 0.0
    if azimuth_deg is None:
        azimuth_deg = circular_mean_deg(track.camera_azimuth_deg[rows])
    a = (track.pelvis_m[rows] - track.centre_m[rows]) @ depth_axes(azimuth_deg)[0]
    a = a[np.isfinite(a)]
    return float(np.sqrt(np.mean((a - a.mean()) ** 2))) if len(a) else 0.0


def _image_loops_uncounted(track: CircleTrack, circles: list[_Circle], s: ConfidenceSettings) -> list[Reason]:
    """Where the image around the hips grew and shrank in a clear loop (`CircleTrack.image_loops`, a window of
    about 10 s) that no counted or unfinished circle overlaps: the hips went round there, whatever the pose
    model's path shows (from behind, seed 5913: 2 + 2 counted 0 + 0, "high", the path a tilted line)."""
    spans = [(a, b) for a, b in track.image_loops if not any(c.start_s <= b and c.end_s >= a for c in circles)]
    if not spans:
        return []
    view, azimuth = view_of(track, track.valid, s) if track.valid.any() else ("oblique", math.nan)
    return [Reason(f"the image around the hips grew and shrank as in circles at {_span_s(spans[0][0], spans[-1][1])} "
                   "s but no circle was counted there: if you circled", _move_camera(view, azimuth), ", ",
                   at_s=spans[0][0])]


_VIEW_WORDS = {"side": "camera at the side", "in line": "camera in line with the body"}


#: Where circles are counted best: on every rendered set, cameras about 45° between the head and a side (the
#: pose model sees the face, the shoulders and the hips) were exact far more often than 45° behind the hips, where
#: the pose model's depth and the image growth often turned against each other (docs/circles-accuracy.md,
#: "Where to put the camera"). Side-on and in line, it is where to go, not "45° either way".
FRONT_DIAGONAL = "move the camera to about 45° between the head and the side"
#: Where to go from straight behind: up, or round to the front diagonal. On 25 rendered seeds (2026-12-07) a camera
#: straight behind from a shelf (28-40° down) counted 20 of 25 videos exactly, all 20 `high` (the hips' image height
#: follows the sit-back, `elevation.looks_down`), against 1 of 25 from table height and 0 of 25 from the floor; about
#: 45° in front 22 and 20 of 25, 12 and 11 `high` (docs/circles-accuracy.md, "Where to put the camera").
SHELF_BEHIND = ("raise the camera higher behind you, onto a shelf looking down at the hips, or move it to about 45° "
                "between the head and the side")

#: What to change when the person was seldom recognised on hands and knees (`_recording_reasons`).
MORE_IN_VIEW = "more of the body in view (hands, knees, hips and shoulders), camera a little higher"
#: A camera in line in front of the head (`_in_front_of_head`): its picture is the head and shoulders with the hips
#: behind them, so the hips' path is the pose model's guess. Rendered from there (25 seeds, 2026-12-07: table height, a
#: phone on the floor, a shelf; 75 videos) 1 was counted right, and 3 wrong counts were `high` (0 + 0 for 3 + 3, 2 + 0
#: for 2 + 2, 0 + 0 from the shelf) until this reason: every count from there is low. The posture was recognised in
#: 15-30% of the frames on some (told "camera a little higher" until then, which does not help there).
IN_FRONT = Reason("camera in line in front of the head: the head and shoulders hide the hips, so where the hips went "
                  "is the pose model's guess", FRONT_DIAGONAL)


def forward_in_depth(view: str, azimuth_deg: float) -> bool:
    """Whether from a ``view`` at ``azimuth_deg`` (`view_of`) the motion toward the head is mostly motion toward the
    camera: in line with the body (in front or behind) or diagonally behind the hips (`diagonal_behind`)."""
    return view == "in line" or diagonal_behind(view, azimuth_deg)


def diagonal_behind(view: str, azimuth_deg: float) -> bool:
    """Whether a ``view`` at ``azimuth_deg`` (`view_of`) is an oblique one behind the hips (more than 90° from the
    head): the placement where the rendered sets counted circles least reliably, after in line behind."""
    return view == "oblique" and math.isfinite(azimuth_deg) and abs(azimuth_deg) > 90


#: What to change when the person spans under ``ConfidenceSettings.small_fill`` of the frame (`assess`).
CLOSER = ("bring the camera closer, so that the body fills most of it (from afar the hips' motion toward the camera is "
          "barely seen)")
#: What to change about a camera already about 45° in front (`_move_camera`): the place the rendered sets counted
#: best from a little above the hips, with the person filling the frame (`NOT_NEARER` when it already does).
HIGHER_NEARER = "film from a little higher and nearer, with the hips well in view"
#: `HIGHER_NEARER` for a person who already fills most of the frame (``ConfidenceSettings.large_fill``).
NOT_NEARER = "film from a little higher, with the whole body in view"


def camera_change(view: str, azimuth_deg: float = math.nan, frame_fill: float | None = None,
                  settings: ConfidenceSettings = ConfidenceSettings(), *, looked_down: bool = False) -> str:
    """What to change about the camera, seen from ``view`` at ``azimuth_deg`` (`view_of`): straight behind, up onto a
    shelf or round to the front diagonal (`SHELF_BEHIND`; the diagonal only when it ``looked_down`` already,
    `CircleTrack.path_from_image`, as `assess` does with `_up_there_already`); from the side, in line in front or
    diagonally behind, to the front diagonal (`FRONT_DIAGONAL`); there already, a little higher and nearer
    (`HIGHER_NEARER`; not nearer when the person spans more than ``settings.large_fill`` of the frame,
    ``frame_fill``: `NOT_NEARER`)."""
    if view == "in line" and math.isfinite(azimuth_deg) and abs(azimuth_deg) > 90 and not looked_down:
        return SHELF_BEHIND
    if view in ("side", "in line") or diagonal_behind(view, azimuth_deg):
        return FRONT_DIAGONAL
    return NOT_NEARER if frame_fill is not None and frame_fill > settings.large_fill else HIGHER_NEARER


def _move_camera(view: str, azimuth_deg: float = math.nan) -> str:
    """`camera_change` without the frame's fill (`assess` takes "nearer" out afterwards, `_not_nearer`)."""
    return camera_change(view, azimuth_deg)


def _not_nearer(reason: Reason) -> Reason:
    """``reason`` with "nearer" taken out of its change (`HIGHER_NEARER` → `NOT_NEARER`)."""
    return replace(reason, change=NOT_NEARER) if reason.change == HIGHER_NEARER else reason


#: How an `_uncounted_turning` reason begins, before and after its moment (`merged_reasons` reads them back).
_WENT_ROUND_AT, _NONE_COUNTED = "the hips went round at ", "but no circle was counted there"
_WENT_ROUND = re.compile(rf"^{_WENT_ROUND_AT}(?P<span>\S+) s (?P<rest>{_NONE_COUNTED}.*)$", re.DOTALL)


def merged_reasons(reasons: Sequence[str]) -> list[str]:
    """``reasons`` to read (terminal, report): the ones that differ only in when the hips went round without a
    circle counted said once with all their moments, in order, where the first stood ("the hips went round at
    5-11 s, 14-15 s and 18-24 s but no circle was counted there: ..."); the others as they are, none twice. The
    result's JSON keeps each reason with its own moment (the live view and the video show them at that time)."""
    moments: dict[tuple[bool, str], list[str]] = {}     # (went round?, the rest or the whole text) -> its moments
    for text in reasons:
        m = _WENT_ROUND.match(text)
        spans = moments.setdefault((True, m["rest"]) if m else (False, text), [])
        if m and m["span"] not in spans:
            spans.append(m["span"])
    out = []
    for (went_round, text), spans in moments.items():
        if not went_round:
            out.append(text)
            continue
        listed = " s, ".join(spans[:-1]) + f" s and {spans[-1]}" if len(spans) > 1 else spans[0]
        out.append(f"{_WENT_ROUND_AT}{listed} s {text}")
    return out


def _span_s(start_s: float, end_s: float) -> str:
    """A time span for a reason, "5-8", in whole seconds unless they would read the same ("1.2-1.4"); one time
    ("9.7") when those would too."""
    if f"{start_s:.1f}" == f"{end_s:.1f}":
        return f"{start_s:.1f}"
    if round(start_s) == round(end_s):
        return f"{start_s:.1f}-{end_s:.1f}"
    return f"{start_s:.0f}-{end_s:.0f}"


def _area_outside(track: CircleTrack, circles: list[_Circle]) -> tuple[np.ndarray, np.ndarray]:
    """(T,) the valid frames outside every one of ``circles`` and (T-1,) the area (m², + = clockwise seen from
    above) the pelvis swept around the moving centre from each frame to the next, 0 unless both are such frames."""
    t = track.t_s
    free = track.valid & np.all(np.isfinite(track.pelvis_m - track.centre_m), axis=1)
    for c in circles:
        free &= ~((t >= c.start_s) & (t <= c.end_s))
    dev = track.pelvis_m - track.centre_m
    da = 0.5 * (dev[:-1, 0] * dev[1:, 1] - dev[:-1, 1] * dev[1:, 0])
    return free, np.where(free[:-1] & free[1:], da, 0.0)


def _split_circle(track: CircleTrack, circles: list[_Circle], direction: str, min_radius_torso: float,
                  set_cm2: float, s: ConfidenceSettings, *, seen: bool = False) -> list[Reason]:
    """A reason when the set ``direction`` of ``circles`` (the counted and unfinished ones, as counted) was turned
    its own way outside every circle both within ``edge_s`` before its first circle and after its last, each at
    least ``split_min_area`` smallest countable circles' areas and ``split_of_circle`` of its counted circles' median
    area (``set_cm2``, cm²): a circle the counter's phase cut in two, its halves left at the set's entry and exit.
    Not where most of the set's frames had their depth rebuilt (`CircleTrack.depth_ratio` < 1): a rebuild from the
    across motion bends the straight moves into and out of the set into arcs its own way (synthetic side-on 5 + 5,
    depth seen at 0.1: counted right, and both ends turned), unless the image saw the set's loop (``seen``,
    `_image_confirms`)."""
    mine = [c for c in circles if c.direction == direction]
    torso = float(np.nanmedian(track.torso_m)) if np.any(np.isfinite(track.torso_m)) else math.nan
    if not mine or len(track.t_s) < 3 or not torso > 0:
        return []
    start, end = min(c.start_s for c in mine), max(c.end_s for c in mine)
    if _mostly_rebuilt(track, start, end) and not seen:
        return []
    _, da = _area_outside(track, circles)
    da = np.nan_to_num(da) * (1.0 if direction == "clockwise" else -1.0)
    t = track.t_s[:-1]
    before = float(da[(t >= start - s.edge_s) & (t < start)].sum())
    after = float(da[(t >= end) & (t < end + s.edge_s)].sum())
    if min(before, after) < max(s.split_min_area * math.pi * (min_radius_torso * torso) ** 2,
                                s.split_of_circle * set_cm2 / 1e4):
        return []
    view, azimuth = view_of(track, track.valid, s) if track.valid.any() else ("oblique", math.nan)
    change = _move_camera(view, azimuth) if view != "oblique" or diagonal_behind(view, azimuth) \
        else "make each circle bigger"
    return [Reason(f"the hips turned {_LABEL[direction]} both before the set's first counted circle and after its "
                   "last without closing a circle: if that was one more circle, it was split between the two and "
                   "missed", change, at_s=start)]


def _uncounted_turning(track: CircleTrack, circles: list[_Circle], min_radius_torso: float, counted_cm2: float,
                       s: ConfidenceSettings) -> list[Reason]:
    """Where the hips went round outside every counted and unfinished circle: in a window, a net area swept
    around the centre of at least ``min_loop_area`` smallest circles and ``min_loop_of_counted`` of the
    median area of the smaller set's counted circles (``counted_cm2``), mostly one way (``min_loopiness``).

    Only frames whose depth was measured (`CircleTrack.depth_ratio` ≥ 1) count. Where it was rebuilt from the across
    motion, any back-and-forth turns the rebuild's way: a straight sit-back between two sets became an arc the first
    set's way: on 104 rendered videos (seeds 10069-10097) 74 of 117 such reports pointed at no missed circle (7 of 41
    with measured frames only). A set whose own frames were rebuilt says so anyway (`_depth_reasons`), and turning
    the image itself saw is reported by `_image_loops_uncounted`."""
    t = track.t_s
    if len(t) < 3:
        return []
    free, da = _area_outside(track, circles)
    measured = ~_rebuilt_frames(track)
    free &= measured
    da = np.where(measured[:-1] & measured[1:], da, 0.0)
    cum = np.concatenate([[0.0], np.cumsum(np.nan_to_num(da))])
    total = np.concatenate([[0.0], np.cumsum(np.abs(np.nan_to_num(da)))])
    torso = float(np.nanmedian(track.torso_m)) if np.any(np.isfinite(track.torso_m)) else math.nan
    if not torso > 0:
        return []
    limit = max(s.min_loop_area * math.pi * (min_radius_torso * torso) ** 2, s.min_loop_of_counted * counted_cm2 / 1e4)
    # a window starting at the first frame of each second (bounded by the frames, not by the time span)
    second = np.floor(t - t[0])
    starts = t[np.r_[True, np.diff(second) > 0]]
    starts = starts[starts <= max(t[-1] - s.loop_window_s, t[0]) + 1e-9]
    lo = np.searchsorted(t, starts)
    hi = np.searchsorted(t, starts + s.loop_window_s)
    flagged = np.zeros(len(t), bool)
    view, azimuth = view_of(track, track.valid, s) if track.valid.any() else ("oblique", math.nan)
    loopiness = s.min_loopiness_in_line if forward_in_depth(view, azimuth) else s.min_loopiness
    for a, b in zip(lo, np.minimum(hi, len(t) - 1)):
        net = abs(cum[b] - cum[a])
        if b > a and net >= limit and net >= loopiness * (total[b] - total[a]):
            # the times said: where the window's net turning happened (2% to 98% of it), outside the counted circles
            gained = np.sign(cum[b] - cum[a]) * (cum[a:b + 1] - cum[a])
            lo_k = a + int(np.argmax(gained >= 0.02 * net))
            hi_k = a + int(np.argmax(gained >= 0.98 * net))
            flagged[lo_k:hi_k + 1] |= free[lo_k:hi_k + 1]
    out = []
    for a, b in finite_runs(flagged):
        why = f"{_WENT_ROUND_AT}{_span_s(t[a], t[b - 1])} s {_NONE_COUNTED}: if you circled"
        at_s = float(t[a])
        if diagonal_behind(view, azimuth):
            out.append(Reason(f"{why}, make each circle bigger and keep the hips in view; from diagonally behind "
                              "the pose model follows the hips' path least well", FRONT_DIAGONAL, ": ", at_s))
        elif view == "oblique":
            out.append(Reason(why, "make each circle bigger and keep the hips in view", ", ", at_s))
        else:  # from here the camera is what to change: it sees one half of each circle only in depth
            out.append(Reason(f"{why}, make each circle bigger and keep the hips in view; {_VIEW_WORDS[view]} sees "
                              "one half of each circle only in depth", _move_camera(view, azimuth), ": ", at_s))
    return out
