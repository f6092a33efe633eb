"""Edges of the rules that make a circles set's confidence "low", through `assess` on constructed tracks: the
share of frames with a person and on hands and knees, the posture lost in a set, a circle's tempo against its
set's, a count one off the protocol's, faint depth (its ratio, the smallest across motion it is judged on, the
side / in-line / oblique wording) and depth scaled back from an oblique view's symmetry."""

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from hipvision.core.circles.confidence import assess
from hipvision.core.circles.depth import depth_axes
from hipvision.core.circles.trajectory import CircleTrack

FPS = 30.0
PERIOD_S = 2.5


def _track(seconds: float, *, across_m: float = 0.0, depth_ratio: float = 1.0, azimuth_deg: float = 45.0,
           invalid: int = 0, depth_scale: float | None = None) -> CircleTrack:
    """``seconds`` at 30 fps of an ellipse around the centre (torso 1 m): ``across_m`` amplitude across the
    camera's view, ``depth_ratio`` times that toward it, a quarter turn out (a circle seen with its depth
    under-reported that much); 0 = still. The first ``invalid`` frames are off hands and knees."""
    t = np.arange(round(seconds * FPS) + 1) / FPS
    across, depth = depth_axes(azimuth_deg)
    w = 2 * np.pi * t / PERIOD_S
    pelvis = across_m * (np.cos(w)[:, None] * across + depth_ratio * np.sin(w)[:, None] * depth)
    valid = np.arange(len(t)) >= invalid
    n = len(t)
    return CircleTrack(t_s=t, valid=valid, pelvis_m=pelvis, centre_m=np.zeros((n, 2)), shoulders_m=np.zeros((n, 3)),
                       hip_flexion_deg=np.full(n, 90.0), torso_m=np.ones(n), camera_azimuth_deg=np.full(n, azimuth_deg),
                       depth_scale=None if depth_scale is None else np.full(n, depth_scale))


def _reps(durations: list[float], direction: str = "clockwise") -> list[SimpleNamespace]:
    """Back-to-back circles as `assess` reads a `CircleRep` (200 cm², radius 10% of the torso)."""
    ends = np.cumsum(durations)
    return [SimpleNamespace(direction=direction, start_s=float(e - d), end_s=float(e), area_cm2=200.0,
                            radius_pct_torso=10.0) for d, e in zip(durations, ends)]


def _set_reasons(track: CircleTrack, reps: list[SimpleNamespace], **kw) -> tuple[str, ...]:
    confidence, sets = assess(track, reps, [], **kw)
    mine = [s for s in sets if s.direction == reps[0].direction]
    assert len(mine) == 1 and mine[0].count == len(reps)
    assert confidence.level == ("low" if mine[0].confidence.reasons else "high")
    return mine[0].confidence.reasons


FIVE = _reps([2.0] * 5)


@pytest.mark.parametrize("detection_rate, valid_fraction, reasons", [
    (0.70, 0.30, ()),
    (0.69, 0.30, ("a person was found in only 69% of the frames: get the whole body in view, in good light",)),
    (0.70, 0.29, ("recognised on hands and knees in only 29% of the frames: more of the body in view (hands, knees, "
                  "hips and shoulders), camera a little higher",)),
])
def test_a_person_found_in_under_70_percent_or_on_hands_and_knees_in_under_30_percent_is_low(
        detection_rate, valid_fraction, reasons):
    assert _set_reasons(_track(10.0), FIVE, detection_rate=detection_rate, valid_fraction=valid_fraction) == reasons


IN_FRONT = ("camera in line in front of the head: the head and shoulders hide the hips, so where the hips went is the "
            "pose model's guess; move the camera to about 45° between the head and the side")


@pytest.mark.parametrize("azimuth_deg, change", [
    (0.0, "move the camera to about 45° between the head and the side"),
    (-20.0, "move the camera to about 45° between the head and the side"),
    (180.0, "more of the body in view (hands, knees, hips and shoulders), camera a little higher"),
    (90.0, "more of the body in view (hands, knees, hips and shoulders), camera a little higher"),
])
def test_seldom_on_hands_and_knees_from_in_front_of_the_head_names_the_diagonal_not_higher(azimuth_deg, change):
    """From in line in front of the head the head and shoulders hide the hips (rendered from a shelf in front: 19-30%
    of the frames recognised): "a little higher" does not help there, the front diagonal does; from behind or the
    side the change stays "more of the body in view"."""
    reasons = _set_reasons(_track(10.0, azimuth_deg=azimuth_deg), FIVE, valid_fraction=0.29)
    assert f"recognised on hands and knees in only 29% of the frames: {change}" in reasons


@pytest.mark.parametrize("azimuth_deg, in_front", [(0.0, True), (-20.0, True), (26.0, True), (28.0, False),
                                                   (45.0, False), (90.0, False), (180.0, False), (160.0, False)])
def test_a_camera_in_line_in_front_of_the_head_is_never_high(azimuth_deg, in_front):
    """In line in front of the head (within about 27° of it, `camera_view`) the hips are hidden behind the head and
    shoulders: a clean, fully measured set of five is low there and only there (rendered from in front: 3 wrong counts
    were high, 1 of 75 videos right)."""
    reasons = _set_reasons(_track(10.0, across_m=0.1, azimuth_deg=azimuth_deg), FIVE)
    assert (IN_FRONT in reasons) == in_front
    if not in_front and abs(azimuth_deg) < 90:
        assert reasons == ()


@pytest.mark.parametrize("invalid, low", [(60, False), (61, True)])
def test_a_set_with_the_posture_lost_in_over_20_percent_of_its_frames_is_low(invalid, low):
    """A 10 s set (301 frames): 60 frames off hands and knees is 19.9% (not low), 61 is 20.3% (low)."""
    reasons = _set_reasons(_track(10.0, invalid=invalid), FIVE)
    assert reasons == (("the hands-and-knees posture was lost in 20% of the set: more of the hips and legs in view",)
                       if low else ())


def _tempo(start: float, end: float, took: float) -> str:
    return (f"one circle ({start:.1f}-{end:.1f} s) took {took:.1f} s where the others took about 2.0 s: two circles "
            "may have been merged or one split; keep an even pace")


@pytest.mark.parametrize("durations, reasons", [
    ([2.0, 2.0, 2.0, 2.0, 1.11], ()),                                   # 0.555 of the set's median: even enough
    ([2.0, 2.0, 2.0, 2.0, 1.09], (_tempo(8.0, 9.09, 1.09),)),         # 0.545: too quick
    ([2.0, 2.0, 2.0, 2.0, 3.58], ()),                                   # 1.79
    ([2.0, 2.0, 2.0, 2.0, 3.62], (_tempo(8.0, 11.62, 3.62),)),        # 1.81: too slow
    ([2.0, 2.0, 1.0], (_tempo(4.0, 5.0, 1.0),)),                       # judged from 3 circles on
    ([2.0, 0.5], ()),                                                   # not with 2 (0.4 of their median)
])
def test_a_circle_quicker_than_0_55_or_slower_than_1_8_times_its_sets_median_is_named(durations, reasons):
    reps = _reps(durations)
    reasons_seen = _set_reasons(_track(sum(durations)), reps, target_per_direction=len(durations))
    assert reasons_seen == reasons


@pytest.mark.parametrize("gap_s, low", [(0.0, False), (0.9, False), (1.1, True), (2.0, True)])
def test_a_gap_over_half_a_circle_between_two_circles_of_a_set_is_low(gap_s, low):
    """A set is circled without a break: three 2 s circles with ``gap_s`` between the second and third (a shelf 53°
    round from the head, rendered: 3 small circles counted 2 around a 2.3 s gap, `high` before the rule)."""
    reps = _reps([2.0, 2.0, 2.0])
    reps[2] = SimpleNamespace(**{**vars(reps[2]), "start_s": reps[2].start_s + gap_s, "end_s": reps[2].end_s + gap_s})
    reasons = _set_reasons(_track(6.0 + gap_s), reps, target_per_direction=3)
    gap = (f"{gap_s:.1f} s passed between two clockwise circles (4.0-{4.0 + gap_s:.1f} s) without a circle counted, "
           "where each took about 2.0 s: if you went on circling there, one was missed; check it on the video")
    assert reasons == ((gap,) if low else ())


@pytest.mark.parametrize("count, reasons", [
    (3, ()), (5, ()), (7, ()),
    (4, ("4 clockwise circles, one short of the 5 asked: if you did 5, one was missed; check it on the video",)),
    (6, ("6 clockwise circles, one more than the 5 asked: if you did 5, one was counted twice or added; check it "
         "on the video",)),
])
def test_a_count_exactly_one_off_the_protocols_is_low(count, reasons):
    assert _set_reasons(_track(2.0 * count), _reps([2.0] * count)) == reasons


FAINT_OBLIQUE = "the hips' motion toward and away from the camera was seen about {} times smaller than across; " \
                "film from a little higher and nearer, with the hips well in view"
FAINT_BEHIND = "the hips' motion toward and away from the camera was seen about {} times smaller than across; " \
               "move the camera to about 45° between the head and the side"
FAINT_IN_LINE = "camera in line with the body: the forward-back half of each circle is motion toward the camera, " \
                "seen about {} times smaller than the side-to-side half; move the camera to about 45° between the head " \
                "and the side"
FAINT_IN_LINE_BEHIND = "camera in line with the body: the forward-back half of each circle is motion toward the " \
                       "camera, seen about {} times smaller than the side-to-side half; raise the camera higher " \
                       "behind you, onto a shelf looking down at the hips, or move it to about 45° between the head " \
                       "and the side"
FAINT_SIDE = "camera at the side: the side-to-side half of each circle is motion toward the camera, seen about {} " \
             "times smaller than the forward-back half; move the camera to about 45° between the head and the side"


def test_a_path_read_from_the_image_is_not_taken_as_a_camera_in_front():
    """A path read from the hips' image height (`CircleTrack.path_from_image`) has its azimuth set to straight in
    front or behind by construction; a shelf 37° round from the head was read so and counted right: no `IN_FRONT`."""
    track = replace(_track(10.0, across_m=0.1, azimuth_deg=0.0), path_from_image=True)
    assert IN_FRONT not in _set_reasons(track, FIVE)


@pytest.mark.parametrize("depth_ratio, reasons", [
    (0.36, ()),
    (0.34, (FAINT_OBLIQUE.format(3),)),
    (0.15, (FAINT_OBLIQUE.format(7),)),
])
def test_depth_seen_under_0_35_of_the_across_motion_is_faint(depth_ratio, reasons):
    assert _set_reasons(_track(10.0, across_m=0.1, depth_ratio=depth_ratio), FIVE) == reasons


@pytest.mark.parametrize("across_m, judged", [(0.0283 * 1.05, True), (0.0283 * 0.95, False)])
def test_faint_depth_is_judged_only_on_across_motion_of_at_least_2_percent_of_the_torso(across_m, judged):
    """rms across motion = amplitude/√2: 0.02 torso lengths at an amplitude of 0.0283 m (torso 1 m)."""
    reasons = _set_reasons(_track(10.0, across_m=across_m, depth_ratio=0.2), FIVE)
    assert reasons == ((FAINT_OBLIQUE.format(5),) if judged else ())


@pytest.mark.parametrize("azimuth_deg, said", [
    (27.0, FAINT_OBLIQUE), (26.0, FAINT_IN_LINE), (-27.0, FAINT_OBLIQUE), (-26.0, FAINT_IN_LINE),
    (153.0, FAINT_BEHIND), (154.0, FAINT_IN_LINE_BEHIND), (63.0, FAINT_OBLIQUE), (64.0, FAINT_SIDE),
    (-117.0, FAINT_BEHIND), (-116.0, FAINT_SIDE), (0.0, FAINT_IN_LINE), (90.0, FAINT_SIDE), (135.0, FAINT_BEHIND),
    (180.0, FAINT_IN_LINE_BEHIND), (-170.0, FAINT_IN_LINE_BEHIND),
])
def test_the_view_is_oblique_while_the_sine_of_twice_the_azimuth_is_at_least_0_8(azimuth_deg, said):
    """|sin 2a| = 0.8 at a = 26.6° from a body axis: nearer the axis the camera is in line (0°, 180°) or at the
    side (±90°), and the faint-depth reason says where to move it: to a front diagonal from in line, side-on
    and diagonally behind (more than 90° from the head); higher and nearer at a front diagonal."""
    reasons = _set_reasons(_track(10.0, across_m=0.1, depth_ratio=0.2, azimuth_deg=azimuth_deg), FIVE)
    in_front = (IN_FRONT,) if abs(azimuth_deg) < 27.0 else ()  # the hips hidden (`IN_FRONT`) before the depth
    assert reasons == (*in_front, said.format(5))


@pytest.mark.parametrize("frame_fill, nearer", [(None, True), (0.6, True), (0.61, False), (0.64, False)])
def test_a_person_filling_the_frame_is_not_told_to_come_nearer(frame_fill, nearer):
    """At a front diagonal the change is "a little higher and nearer"; where the person already spans more than 60%
    of the frame (rendered from about a metre at 45° in front: 0.60-0.64) only "a little higher" stays."""
    reasons = _set_reasons(_track(10.0, across_m=0.1, depth_ratio=0.2), FIVE, frame_fill=frame_fill)
    expected = FAINT_OBLIQUE.format(5)
    if not nearer:
        expected = expected.replace("a little higher and nearer, with the hips well in view",
                                    "a little higher, with the whole body in view")
    assert reasons == (expected,)
    side = _set_reasons(_track(10.0, across_m=0.1, depth_ratio=0.2, azimuth_deg=90.0), FIVE, frame_fill=frame_fill)
    assert side == (FAINT_SIDE.format(5),)      # elsewhere the move to the front diagonal stays


SCALED = "the pose model saw the motion toward and away from the camera about {} times smaller than across; it " \
         "was scaled back by an estimate, so the count is unsure; film from a little higher and nearer, with the " \
         "hips well in view"


@pytest.mark.parametrize("depth_ratio, scale, reasons", [
    (0.5, 1.9, ()),                             # 0.5 seen / 1.9 = 0.26 of the across motion before the scaling
    (0.5, 2.1, (SCALED.format(4),)),            # 0.24
    (0.3, 1.5, (SCALED.format(5),)),            # 0.2: scaled back, not faint (0.3 < 0.35 as it is now)
    (0.2, 1.0, (FAINT_OBLIQUE.format(5),)),     # not scaled: faint
])
def test_depth_scaled_back_from_under_a_quarter_of_the_across_motion_is_low(depth_ratio, scale, reasons):
    assert _set_reasons(_track(10.0, across_m=0.1, depth_ratio=depth_ratio, depth_scale=scale), FIVE) == reasons



def _two_sizes(*, first_counted: bool, depth_ratio: float = 1.0) -> tuple[str, tuple[str, ...]]:
    """A set of 2 small clockwise circles (radius 4 cm, 0-5 s), still 5-6 s, then 4 big counter-clockwise
    ones (9 cm, 6-16 s), torso 0.45 m, filmed from behind, the depth seen at ``depth_ratio`` of the truth (1.0:
    measured; under 1: rebuilt); the first small circle is counted or not. Returns the confidence level and the
    clockwise set's reasons."""
    t = np.arange(round(16 * FPS) + 1) / FPS
    w = 2 * np.pi * t / PERIOD_S
    small, big = t < 5.0, t >= 6.0
    radius = np.where(small, 0.04, np.where(big, 0.09, 0.0))
    sense = np.where(small, 1.0, -1.0)  # clockwise: forward -> right
    pelvis = radius[:, None] * np.stack([np.cos(w), sense * np.sin(w)], axis=1)
    n = len(t)
    track = CircleTrack(t_s=t, valid=np.ones(n, bool), pelvis_m=pelvis, centre_m=np.zeros((n, 2)),
                        shoulders_m=np.zeros((n, 3)), hip_flexion_deg=np.full(n, 90.0), torso_m=np.full(n, 0.45),
                        camera_azimuth_deg=np.full(n, 180.0), depth_ratio=np.full(n, depth_ratio))
    rep = lambda d, a, cm: SimpleNamespace(direction=d, start_s=a, end_s=a + PERIOD_S,  # noqa: E731
                                           area_cm2=np.pi * cm ** 2, radius_pct_torso=100 * cm / 45)
    reps = [rep("clockwise", 0.0, 4.0)] if first_counted else []
    reps += [rep("clockwise", 2.5, 4.0)] + [rep("counterclockwise", 6.0 + k * PERIOD_S, 9.0) for k in range(4)]
    confidence, sets = assess(track, reps, [], target_per_direction=2)
    return confidence.level, next(s for s in sets if s.direction == "clockwise").confidence.reasons


def test_a_missed_small_circle_next_to_a_set_of_big_ones_is_reported():
    """The uncounted turning is measured against the smaller set's circles: a missed 4 cm circle (50 cm²) was
    under a quarter of the other set's 9 cm circles (254 cm²) and went unreported (from behind, from a
    shelf: 2 small circles counted 1 next to 2 big ones, "high")."""
    _, reasons = _two_sizes(first_counted=False)
    assert any(r.startswith("the hips went round at 0-2 s but no circle was counted there") for r in reasons)
    _, reasons = _two_sizes(first_counted=True)
    assert not any("no circle was counted" in r for r in reasons)


def test_turning_where_the_depth_was_rebuilt_is_not_reported_as_a_missed_circle_but_the_rebuild_is():
    """Where the depth was rebuilt from the across motion, turning outside the counted circles is what the rebuild
    makes of any back-and-forth (a straight sit-back between two sets bulged into an arc the first set's way: 74 of
    117 such reports on 104 rendered videos pointed at no missed circle). The same missed circle as above, its depth
    rebuilt: no "went round" report, and the set is still low, saying that it rests on a rebuild."""
    level, reasons = _two_sizes(first_counted=False, depth_ratio=0.2)
    assert not any("no circle was counted" in r for r in reasons)
    assert level == "low"
    assert any("the depth was rebuilt: the count and direction rest on that rebuild" in r for r in reasons)


@pytest.mark.parametrize("before_s, after_s, split", [
    (1.25, 1.25, True),    # half a circle left at each end: one circle cut in two by the counter's phase
    (0.1, 0.1, False),     # 14° at each end: an entry and an exit
    (1.25, 0.0, False),    # all of it before the set: not a circle split between its ends
    (0.0, 1.25, False),
])
def test_a_set_turned_its_own_way_at_both_ends_may_have_lost_a_circle_split_between_them(before_s, after_s, split):
    """Circles all the way through 10 s (4 turns); the counted circles leave ``before_s`` of turning before the
    first and ``after_s`` after the last (held-out 9941: 2 circles counted 1, "high", the other circle's halves
    left at the set's two ends)."""
    track = _track(10.0, across_m=0.1)
    dev = track.pelvis_m - track.centre_m
    turn = np.sum(dev[:-1, 0] * dev[1:, 1] - dev[:-1, 1] * dev[1:, 0])
    direction = "clockwise" if turn > 0 else "counterclockwise"
    start, end = before_s, 10.0 - after_s
    n = round((end - start) / PERIOD_S)
    edges = np.linspace(start, end, n + 1)
    reps = [SimpleNamespace(direction=direction, start_s=float(a), end_s=float(b), area_cm2=314.0,
                            radius_pct_torso=10.0) for a, b in zip(edges, edges[1:])]
    reasons = _set_reasons(track, reps, target_per_direction=n)
    said = [r for r in reasons if "split between the two and missed" in r]
    assert bool(said) == split, reasons


@pytest.mark.parametrize("start, end, said", [(5.0, 8.0, "5-8"), (1.2, 1.4, "1.2-1.4"), (9.71, 9.74, "9.7")])
def test_a_reason_s_time_span_reads_as_one_time_when_its_ends_would_read_the_same(start, end, said):
    """"went round at 9.7-9.7 s" (a report from the floor behind) reads "at 9.7 s"."""
    from hipvision.core.circles.confidence import _span_s
    assert _span_s(start, end) == said


@pytest.mark.parametrize("depth_ratio, said", [(1.0, True), (0.2, False)])
def test_an_unfinished_circle_or_an_arc_past_a_set_is_reported_where_the_depth_was_measured_not_rebuilt(depth_ratio,
                                                                                                        said):
    """Four clockwise circles (0-10 s), then an unfinished one (10-11.8 s, 70% of a turn) or an arc after the last
    circle (200°): "if it was a whole circle, it was missed" where the depth was measured, not where it was rebuilt
    from the across motion (a straight lead-out bends into an arc the set's way there; on 104 rendered videos 19 of 22
    unfinished circles and all 11 arcs in rebuilt frames pointed at no missed circle). Rebuilt, the set is still low
    and says it rests on the rebuild."""
    track = replace(_track(12.0, across_m=0.1), depth_ratio=np.full(round(12.0 * FPS) + 1, depth_ratio))
    dev = track.pelvis_m - track.centre_m
    turn = np.sum(dev[:-1, 0] * dev[1:, 1] - dev[:-1, 1] * dev[1:, 0])
    direction = "clockwise" if turn > 0 else "counterclockwise"
    reps = _reps([PERIOD_S] * 4, direction)
    partial = SimpleNamespace(direction=direction, start_s=10.0, end_s=11.8, fraction=0.7)
    arc = SimpleNamespace(direction=direction, start_s=10.0, end_s=11.4, fraction=200 / 360)
    for partials, unclosed, words in (([partial], [], "unfinished circle at 10.0 s"),
                                      ([], [arc], "further the same way after a")):
        confidence, sets = assess(track, reps, partials, unclosed=unclosed, target_per_direction=4)
        (mine,) = [s for s in sets if s.direction == direction]
        assert any(words in r for r in mine.confidence.reasons) == said, mine.confidence.reasons
        if not said:
            assert mine.confidence.level == "low"
            assert any("the depth was rebuilt" in r for r in mine.confidence.reasons)


@pytest.mark.parametrize("depth_scale, estimate", [(None, True), (1.0, True), (1.01, False), (1.25, False),
                                                   (1.26, True)])
def test_a_size_at_45_degrees_is_measured_only_where_a_small_depth_scale_was_found(depth_scale, estimate):
    """About 45° the pose model's depth is always too small: left as it came (scale 1.0, or no scale at all) the size
    is an estimate (rendered: such `high` circles read 0.55 of the truth), as it is where the scale did most of the
    work (over 1.25); between the two the size counts as measured."""
    from hipvision.core.circles.confidence import size_is_estimate

    track = _track(10.0, across_m=0.1, depth_scale=depth_scale)
    assert size_is_estimate(track, np.ones(len(track.t_s), bool)) is estimate
