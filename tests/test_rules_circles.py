"""Hip-circle rules at their edges, with exact known answers (issue 19).

The counter's rejection rules (radius gate and its hysteresis, smallest circle, roundness, duration,
the last circle's completion, partials, pauses, gaps, reversals), the depth rebuild's ratio limits,
and what the user is told (camera-view and depth warnings, verdicts, start position, the 5 + 5
protocol). Pelvis paths are drawn directly in the body frame ([forward, right], metres), torso 1 m,
so every distance threshold reads in torso lengths. No video.
"""

from __future__ import annotations

import numpy as np
import pytest

from hipvision.core.circles import CirclesSettings, summarise
from hipvision.core.circles.summary import rep_measures
from hipvision.core.circles.confidence import ConfidenceSettings, _near_the_gate, _set_reasons, diagonal_behind, view_of
from hipvision.core.circles.counting import CircleCounter, CounterSettings, RepSpan
from hipvision.core.circles.depth import IDENTITY, apply_depth, depth_fit, loop_terms
from hipvision.core.circles.edges import circle_radius_reference
from hipvision.core.circles.quality import RepQuality, protocol, start_position, verdict
from hipvision.core.circles.trajectory import CircleTrack, hip_flexion_deg

FPS = 30.0


def _phase(turns_deg: list[float], *, speed_deg_s: float = 90.0, still_s: float = 1.0,
           start_deg: float = 0.0) -> np.ndarray:
    """Phase (radians) per sample: still, then each signed turn at ``speed_deg_s`` (+ = clockwise), still."""
    out, cur = [0.0] * int(still_s * FPS), 0.0
    for d in turns_deg:
        n = int(round(abs(d) / speed_deg_s * FPS))
        out += list(cur + d * np.arange(1, n + 1) / n)
        cur += d
    out += [cur] * int(still_s * FPS)
    return np.radians(np.array(out) + start_deg)


def _count(xy: np.ndarray, *, valid: np.ndarray | None = None, settings: CounterSettings = CounterSettings(),
           torso_m: float = 1.0):
    counter = CircleCounter(settings)
    for i, p in enumerate(xy):
        counter.update(i, i / FPS, p, np.zeros(2), torso_m, True if valid is None else bool(valid[i]))
    counter.finish()
    return counter


def _polar(phase: np.ndarray, radius: np.ndarray | float) -> np.ndarray:
    return np.broadcast_to(radius, phase.shape)[:, None] * np.stack([np.cos(phase), np.sin(phase)], axis=1)


def _result(counter: CircleCounter) -> tuple[int, int, int, list[int]]:
    """(clockwise, counter-clockwise, rejected, partial sweeps rounded to degrees)."""
    return (counter.count["clockwise"], counter.count["counterclockwise"], counter.rejected,
            [round(p.sweep_deg) for p in counter.partials])


THREE_TURNS = _phase([3 * 360 + 10])


# ------------------------------------------------------------------ the radius gate and the smallest circle

@pytest.mark.parametrize("radius, expected", [
    (0.034, (0, 0, 0, [])),    # under the 0.035 enter gate: the angle never accumulates
    (0.036, (0, 0, 3, [])),    # over it: three 360° sweeps, each too small to count (0.04)
    (0.039, (0, 0, 3, [])),
    (0.041, (3, 0, 0, [])),    # big enough
])
def test_enter_gate_and_smallest_circle(radius, expected):
    assert _result(_count(_polar(THREE_TURNS, radius))) == expected


@pytest.mark.parametrize("torso_m", [0.5, 2.0])
def test_every_distance_rule_scales_with_the_torso(torso_m):
    """The same paths with every length times the torso: the same answers (gates, smallest circle,
    hysteresis, partials)."""
    for radius, expected in ((0.034, (0, 0, 0, [])), (0.039, (0, 0, 3, [])), (0.041, (3, 0, 0, []))):
        assert _result(_count(_polar(THREE_TURNS, torso_m * radius), torso_m=torso_m)) == expected
    phase = THREE_TURNS + np.radians(180)
    inner = np.where(np.degrees(phase) % 360 < 120, 0.03, 0.12)
    assert _result(_count(_polar(phase, torso_m * inner), torso_m=torso_m)) == (3, 0, 0, [])
    assert _result(_count(_polar(_phase([240]), torso_m * 0.1), torso_m=torso_m)) == (0, 0, 0, [222])
    assert _result(_count(_polar(_phase([240]), torso_m * 0.038), torso_m=torso_m)) == (0, 0, 0, [])


@pytest.mark.parametrize("inner, expected", [
    (0.030, (3, 0, 0, [])),             # between exit (0.025) and enter (0.035): the turn still counts
    (0.024, (0, 0, 0, [237, 237])),     # under the exit gate for 120° of turn: more than a dip may jump
])
def test_radius_gate_hysteresis(inner, expected):
    """Circles 0.12 from the centre except for 120° of each turn, which pass ``inner`` from it."""
    phase = THREE_TURNS + np.radians(180)
    deg = np.degrees(phase) % 360
    assert _result(_count(_polar(phase, np.where(deg < 120, inner, 0.12)))) == expected


@pytest.mark.parametrize("minor, expected", [
    (0.055, (3, 0, 0, [])),
    (0.045, (0, 0, 3, [])),
])
def test_roundness_gate(minor, expected):
    """Ellipses 0.2 × ``minor`` (semi-axes): roundness 0.275 counts, 0.225 is too flat (0.25). The last of
    the three ends at the turning edge, about 17° short of a full turn: it is judged with the previous
    circle's samples over that turn (without the ellipse's tip it measured 0.256 and was counted)."""
    xy = np.stack([0.2 * np.cos(THREE_TURNS), minor * np.sin(THREE_TURNS)], axis=1)
    assert _result(_count(xy)) == expected


@pytest.mark.parametrize("period_s, expected", [(0.95, (0, 0, 3, [])), (1.05, (3, 0, 0, []))])
def test_shortest_circle_lasts_one_second(period_s, expected):
    assert _result(_count(_polar(_phase([3 * 360 + 10], speed_deg_s=360 / period_s), 0.1))) == expected


@pytest.mark.parametrize("hold_s, expected", [(24.0, (1, 0, 0, [])), (28.0, (0, 0, 1, []))])
def test_longest_circle_lasts_30_seconds(hold_s, expected):
    """Half a circle, a still hold at 0.1 from the centre (the angle stays, the run goes on), the other half:
    about 4 s + ``hold_s`` for the circle; over 30 s it is rejected."""
    first = _phase([180])
    second = _phase([190]) + first[-1]
    phase = np.r_[first, np.full(int(hold_s * FPS), first[-1]), second]
    assert _result(_count(_polar(phase, 0.1))) == expected


@pytest.mark.parametrize("jump_deg, expected", [(32, (4, 0, 0, [])), (34, (3, 0, 0, []))])
def test_a_turn_faster_than_1080_deg_s_is_not_counted(jump_deg, expected):
    """Three and a half turns at 90°/s with five jumps of ``jump_deg`` (the centre jumping): a frame's step
    of 35° (jump + 3°) is within 1080°/s at 30 fps and counts, 37° does not."""
    phase = np.degrees(_phase([3 * 360 + 200]))
    for k in range(5):
        phase[60 + 80 * k:] += jump_deg
    assert _result(_count(_polar(np.radians(phase), 0.1))) == expected


# ------------------------------------------------------------------ the last circle of a run

@pytest.mark.parametrize("last_deg, expected", [
    (334, (2, 0, 0, [])),       # its sweep (from where the turning began) 316°: within 45° of a circle
    (332, (1, 0, 0, [314])),    # 314°: a partial
    (230, (1, 0, 0, [212])),    # 212°: still a partial (at least 210°)
    (226, (1, 0, 0, [])),       # 208°: nothing (a stroke past the centre sweeps up to 180°, more with jitter)
])
def test_last_circle_completion_and_partial_edges(last_deg, expected):
    """One circle and ``last_deg`` more. The first circle starts where the turn reached 20°/s over the
    last second, 18° after it began, so the last one's sweep is ``last_deg`` - 18°."""
    assert _result(_count(_polar(_phase([360 + last_deg]), 0.1))) == expected


def test_a_partial_must_sweep_away_from_the_centre():
    """Half a turn at 0.1 counts as a partial; the same turn with the path passing near the centre
    (a rock through it) does not, nor one closer than the smallest circle."""
    assert _result(_count(_polar(_phase([240]), 0.1))) == (0, 0, 0, [222])
    assert _result(_count(_polar(_phase([240]), 0.038))) == (0, 0, 0, [])


@pytest.mark.parametrize("back_deg, expected", [(85, (2, 0, 0, [])), (95, (1, 0, 0, [276]))])
def test_reversal_after_90_deg_back(back_deg, expected):
    """One circle and a half, ``back_deg`` back, then on: under 90° back the run goes on. Over 90° the other
    way's turn starts where that turning began, so the partial's sweep is measured from there (276°)."""
    assert _result(_count(_polar(_phase([360 + 180, -back_deg, back_deg + 180 + 10]), 0.1))) == expected


def test_reversal_splits_into_two_directions():
    c = _count(_polar(_phase([2 * 360 + 30, -(2 * 360 + 60)]), 0.1))
    assert [r.direction_name for r in c.reps] == ["clockwise"] * 2 + ["counterclockwise"] * 2


@pytest.mark.parametrize("pause_s, expected", [(0.9, (3, 0, 0, [])), (1.1, (2, 0, 0, []))])
def test_pause_at_the_centre_ends_the_run_after_one_second(pause_s, expected):
    """A circle and a half, ``pause_s`` at the centre, then a half and a circle more."""
    first = _phase([360 + 180])
    second = _phase([180 + 360 + 10]) + first[-1]
    n = int(pause_s * FPS)
    phase = np.r_[first, np.full(n, first[-1]), second]
    radius = np.r_[np.full(len(first), 0.1), np.zeros(n), np.full(len(second), 0.1)]
    assert _result(_count(_polar(phase, radius))) == expected


@pytest.mark.parametrize("gap_s, expected", [(0.45, (3, 0, 0, [])), (0.55, (2, 0, 0, [211]))])
def test_posture_gap_ends_the_run_after_half_a_second(gap_s, expected):
    first = _phase([360 + 220], still_s=0.5)
    second = _phase([140 + 360 + 10], still_s=0.5) + first[-1]
    n = int(round(gap_s * FPS))
    phase = np.r_[first, np.full(n, first[-1]), second]
    valid = np.r_[np.ones(len(first)), np.zeros(n), np.ones(len(second))]
    assert _result(_count(_polar(phase, 0.1), valid=valid)) == expected


def test_counter_state_for_displays():
    c = CircleCounter()
    phase = _phase([90])
    for i, p in enumerate(_polar(phase, 0.1)):
        c.update(i, i / FPS, p, np.zeros(2), 1.0, True)
    assert c.direction == 1 and c.progress == pytest.approx(72 / 360, abs=0.02)
    c.finish()
    assert c.direction == 0 and c.progress == 0.0


# ------------------------------------------------------------------ depth rebuild: ratio limits

def _squashed(ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """A circle of 0.2 m seen side-on (az 90°: depth = right), its depth motion ``ratio`` of the across."""
    t = np.arange(300) / FPS
    w = 2 * np.pi * t / 3
    return t, np.stack([0.2 * np.cos(w), 0.2 * ratio * np.sin(w)], axis=1)


@pytest.mark.parametrize("ratio, rebuilt", [(0.045, False), (0.055, True), (0.24, True), (0.26, False)])
def test_depth_rebuild_between_its_ratio_limits(ratio, rebuilt):
    """Under 0.05 the quarter-turn depth part is leakage (seen rocking); from 0.25 it is normal depth."""
    t, dev = _squashed(ratio)
    coeffs, found = depth_fit(t, dev, 90.0, 0.5)
    if rebuilt:
        assert found == pytest.approx(ratio, rel=0.02)
        assert not np.array_equal(coeffs, IDENTITY)
    else:
        assert found == 1.0 and np.array_equal(coeffs, IDENTITY)


def test_depth_rebuild_makes_the_loop_as_deep_as_wide():
    t, dev = _squashed(0.24)
    coeffs, _ = depth_fit(t, dev, 90.0, 0.5)
    a_rate = np.gradient(-dev[:, 0], t)                   # across = -forward seen from the right
    out = apply_depth(dev, a_rate, np.full(len(t), 90.0), np.tile(coeffs, (len(t), 1)))
    core = slice(60, -60)
    assert np.abs(out[core, 1]).max() == pytest.approx(0.2, rel=0.03)
    np.testing.assert_allclose(out[:, 0], dev[:, 0])      # the across motion is kept as it is


# ------------------------------------------------------------------ what the user is told

def _track(az: float, *, n: int = 120, ratio: float = 1.0, valid_fraction: float = 1.0) -> CircleTrack:
    t = np.arange(n) / FPS
    w = 2 * np.pi * t / 4
    valid = np.arange(n) < round(valid_fraction * n)
    return CircleTrack(t, valid, -0.02 + 0.1 * np.stack([np.cos(w), np.sin(w)], 1), np.zeros((n, 2)),
                       np.zeros((n, 3)), np.full(n, 90.0), np.full(n, 0.6), np.full(n, az), np.full(n, ratio))


def _summary(track: CircleTrack, *, reps: bool = False, rejected: int = 0, detection_rate: float | None = 1.0,
             frame_fill: float | None = None):
    spans = [RepSpan(1, 0, len(track.t_s) - 1, 0.0, float(track.t_s[-1]), 360.0)] if reps else []
    return summarise(track, spans, [], rejected=rejected, settings=CirclesSettings(), detection_rate=detection_rate,
                     frame_fill=frame_fill)


def _warnings(track: CircleTrack, **kwargs):
    return _summary(track, **kwargs).warnings


BEST = "film from about 45° between the head and the side for best results"
IN_LINE = ("camera in line with the body: forward–back motion is seen only in depth, the least accurate "
           f"direction; {BEST}")
SIDE = f"camera at the side: side-to-side motion is seen only in depth, the least accurate direction; {BEST}"
BEHIND = f"camera diagonally behind the hips: the pose model follows their path least well from here; {BEST}"
#: Straight behind: up onto a shelf, or round to the front diagonal (`summary.BEHIND_PLACE`).
IN_LINE_BEHIND = ("camera in line with the body: forward–back motion is seen only in depth, the least accurate "
                  "direction; film from higher up behind you (a shelf, looking down at the hips) or from about 45° "
                  "between the head and the side for best results")


@pytest.mark.parametrize("az, warning", [
    (26.0, IN_LINE), (27.0, None), (-26.0, IN_LINE), (154.0, IN_LINE_BEHIND), (153.0, BEHIND),
    (180.0, IN_LINE_BEHIND), (-154.0, IN_LINE_BEHIND),
    (63.0, None), (64.0, SIDE), (-64.0, SIDE), (116.0, SIDE), (117.0, BEHIND), (-117.0, BEHIND), (45.0, None),
    (-45.0, None), (135.0, BEHIND), (-135.0, BEHIND),
])
def test_camera_view_warnings_near_their_edges(az, warning):
    """In line or at the side unless |sin 2·azimuth| ≥ 0.8 (about 26.6-63.4° off the body's axes, the edges the
    confidence reasons use, `confidence.camera_view`), diagonally behind between them more than 90° from the head;
    none at a front diagonal, where circles are counted best."""
    camera = [w for w in _warnings(_track(az), reps=True) if w.startswith("camera")]
    assert camera == ([] if warning is None else [warning])


@pytest.mark.parametrize("az", [26.0, 27.0, 63.0, 64.0, 116.0, 117.0, 153.0, 154.0])
def test_warning_and_reasons_place_the_camera_alike_at_the_edges(az):
    """The warning's place and the reasons' (`confidence.view_of`) are one classification: no azimuth gets a
    "diagonally behind" warning with a "camera at the side" reason."""
    track = _track(az)
    view, _ = view_of(track, track.valid, ConfidenceSettings())
    in_line = IN_LINE_BEHIND if abs(az) > 90 else IN_LINE
    warned = {"in line": in_line, "side": SIDE}.get(view, BEHIND if diagonal_behind(view, az) else None)
    camera = [w for w in _warnings(track, reps=True) if w.startswith("camera")]
    assert camera == ([] if warned is None else [warned])


def test_side_view_without_circles_says_they_can_look_like_rocking():
    assert SIDE + "; from here circles can look like rocking" in _warnings(_track(90.0))
    assert SIDE in _warnings(_track(90.0), reps=True)


@pytest.mark.parametrize("ratio, faint, az, fill, place", [
    (0.151, False, 45.0, None, None), (0.5, False, 45.0, None, None),
    (0.149, True, 135.0, None, BEST),       # diagonally behind: move to the front diagonal
    (0.149, True, 90.0, None, BEST),        # side-on: likewise
    # at the front diagonal already: not "film from about 45°" (held-out seed 9983, a camera 1.2 m away at 45°)
    (0.149, True, 45.0, None, "film from a little higher and nearer, with the hips well in view"),
    (0.149, True, 45.0, 0.64, "film from a little higher, with the whole body in view"),
])
def test_depth_note_is_information_unless_faint_enough_to_warn(ratio, faint, az, fill, place):
    """A rebuilt depth is information (corrected for); faint enough to reverse the direction, a warning
    saying what to change."""
    result = _summary(_track(az, ratio=ratio), reps=True, frame_fill=fill)
    warned, told = ([[w for w in lines if w.startswith("the pose model saw")]
                     for lines in (result.warnings, result.info)])
    note = (f"the pose model saw motion toward and away from the camera about {1 / ratio:.0f} times smaller "
            "than across; those circles were counted as if as deep as they are wide (their size is "
            "measured across the view)")
    assert warned == ([note + f"; with so little depth motion the direction can come out reversed: {place}"]
                      if faint else [])
    assert told == ([] if faint else [note])
    still = _summary(_track(45.0, ratio=1.0), reps=True)
    assert not [w for w in [*still.warnings, *still.info] if w.startswith("the pose model saw")]


def test_detection_posture_and_rejection_warnings():
    assert "a person was found in only 49% of the frames" in _warnings(_track(45.0), detection_rate=0.49)
    assert not any("person was found" in w for w in _warnings(_track(45.0), detection_rate=0.5))
    assert "on hands and knees in only 28% of the frames" in _warnings(_track(45.0, valid_fraction=0.28))
    assert not any("hands and knees in only" in w for w in _warnings(_track(45.0, valid_fraction=0.31)))
    assert "1 circle-like movement was too small, flat or quick to count" in _warnings(_track(45.0), rejected=1)
    assert "2 circle-like movements were too small, flat or quick to count" in _warnings(_track(45.0), rejected=2)
    assert "no hip circles found" in _warnings(_track(45.0))
    assert "no hip circles found" not in _warnings(_track(45.0), reps=True)


GOOD = RepQuality(radius_cm=10.0, radius_pct_torso=20.0, area_cm2=314.0, roundness=0.8, sit_back_cm=8.0,
                  peak_hip_flexion_deg=110.0, spine_motion_cm=1.0, smoothness=-1.5, duration_s=4.0, verdict="")


@pytest.mark.parametrize("change, cue", [
    ({}, "good circle"),
    ({"radius_pct_torso": 12.0}, "good circle"), ({"radius_pct_torso": 11.9}, "make the circle bigger"),
    ({"sit_back_cm": 5.0}, "good circle"), ({"sit_back_cm": 4.9}, "sit further back"),
    ({"spine_motion_cm": 3.0}, "good circle"), ({"spine_motion_cm": 3.1}, "keep the shoulders still"),
    ({"spine_motion_cm": 2.5, "radius_cm": 5.0, "sit_back_cm": 3.0}, "good circle"),
    ({"spine_motion_cm": 2.6, "radius_cm": 5.0, "sit_back_cm": 3.0}, "keep the shoulders still"),
    ({"roundness": 0.5}, "good circle"), ({"roundness": 0.49}, "make it rounder"),
    ({"smoothness": -3.0}, "good circle"), ({"smoothness": -3.01}, "move more smoothly"),
    ({"duration_s": 2.5}, "good circle"), ({"duration_s": 2.49}, "slow down"),
    ({"radius_pct_torso": 5.0, "duration_s": 1.0}, "make the circle bigger"),   # the first cue in the order wins
])
def test_verdict_edges(change, cue):
    q = RepQuality(**{**GOOD.__dict__, **change})
    assert verdict(q) == cue


def test_the_confidence_settings_are_carried_by_the_circles_settings():
    """`CirclesSettings.confidence` reaches every place that names the camera's view: 30° from the head is about 45°
    (|sin 2·az| 0.87 ≥ 0.8: no camera warning, the start position judged, a rebuilt set told to film a little
    higher) unless the settings ask for 0.95 (in line: warned, not judged, told to move to the diagonal)."""
    track = _track(30.0, ratio=0.2)
    spans = [RepSpan(1, 0, len(track.t_s) - 1, 0.0, float(track.t_s[-1]), 360.0)]
    narrow = CirclesSettings(confidence=ConfidenceSettings(oblique_min_sin2az=0.95))
    default = summarise(track, spans, [], settings=CirclesSettings())
    result = summarise(track, spans, [], settings=narrow)
    assert not [w for w in default.warnings if w.startswith("camera")] and default.start_position.ok is True
    assert [w for w in result.warnings if w.startswith("camera")] == [IN_LINE]
    assert result.start_position.ok is None
    assert default.confidence.changes == ("film from a little higher and nearer, with the hips well in view",)
    assert result.confidence.changes == ("move the camera to about 45° between the head and the side",)


def test_straight_behind_the_advice_is_a_shelf_or_the_diagonal_unless_already_looking_down():
    """A rebuilt set straight behind: "raise the camera higher behind you, onto a shelf … or 45°"
    (`confidence.SHELF_BEHIND`); the same path read from a camera already looking down (`path_from_image`): the
    diagonal only, and no in-line warning."""
    from dataclasses import replace as with_

    from hipvision.core.circles.confidence import FRONT_DIAGONAL, SHELF_BEHIND

    track = _track(180.0, ratio=0.2)
    spans = [RepSpan(1, 0, len(track.t_s) - 1, 0.0, float(track.t_s[-1]), 360.0)]
    level = summarise(track, spans, [], settings=CirclesSettings())
    steep = summarise(with_(track, path_from_image=True), spans, [], settings=CirclesSettings())
    assert level.confidence.changes == (SHELF_BEHIND,)
    assert steep.confidence.changes == (FRONT_DIAGONAL,)
    assert any(w.startswith("camera in line") for w in level.warnings)
    assert not any(w.startswith("camera in line") or "shelf" in w for w in steep.warnings)


@pytest.mark.parametrize("az, judged", [(90.0, True), (-90.0, True), (45.0, True), (-45.0, True), (0.0, False),
                                         (180.0, False), (-165.0, False), (135.0, False), (-150.0, False)])
def test_start_position_is_judged_only_where_its_distances_are_across_the_view(az, judged):
    """Shoulders over hands and hips over knees are distances toward the head: from the side and about 45° in front
    they lie across the view; in line (in front or behind) and diagonally behind they are depth, which the pose model
    misread on rendered neutral starts by 14-26 cm (`summary.NOT_JUDGED_IN_DEPTH`)."""
    start = _summary(_track(az)).start_position
    if judged:
        assert start.ok is True and start.message.startswith("good start position")
    else:
        assert start.ok is None and start.message.startswith("not judged from this camera")
        assert "film from the side or about 45° in front" in start.message


@pytest.mark.parametrize("shoulders, hips, ok, message", [
    (0.119, -0.119, True, "good start position: shoulders over hands, hips over knees"),
    (0.121, 0.0, False, "bring the shoulders back over the hands (12 cm off)"),
    (-0.13, 0.0, False, "bring the shoulders forward over the hands (13 cm off)"),
    (0.0, 0.121, False, "bring the hips back over the knees (12 cm off)"),
    (0.14, -0.16, False, "bring the shoulders back over the hands (14 cm off); "
                         "bring the hips forward over the knees (16 cm off)"),
])
def test_start_position_within_the_settings_12_cm(shoulders, hips, ok, message):
    """12 cm (`CirclesSettings.start_tolerance_cm`): an 8 cm posture tolerance plus what the pose model misread of
    neutral rendered starts."""
    s = start_position(np.array([[hips, 0.3]] * 5), np.array([[shoulders, 0.3, 0.5]] * 5),
                       tolerance_cm=CirclesSettings().start_tolerance_cm)
    assert (s.ok, s.message) == (ok, message)
    assert s.shoulders_over_hands_cm == pytest.approx(100 * abs(shoulders))
    assert s.hips_over_knees_cm == pytest.approx(100 * abs(hips))


@pytest.mark.parametrize("cw, ccw, partials, message", [
    (5, 5, 0, "set complete: 5 clockwise and 5 counter-clockwise"),
    (6, 5, 1, "set complete: 6 clockwise and 5 counter-clockwise (1 extra clockwise); 1 unfinished circle not counted"),
    (4, 5, 2, "4 clockwise and 5 counter-clockwise of 5 each: do 1 more clockwise; 2 unfinished circles not counted"),
    (0, 3, 0, "0 clockwise and 3 counter-clockwise of 5 each: do 5 more clockwise and 2 more counter-clockwise"),
])
def test_protocol_messages(cw, ccw, partials, message):
    p = protocol(cw, ccw, partials=partials)
    assert p.message == message
    assert p.missing == {"clockwise": max(0, 5 - cw), "counterclockwise": max(0, 5 - ccw)}


# ------------------------------------------------------------------ a set's confidence reasons

@pytest.mark.parametrize("gap_s, near", [(3.0, True), (3.25, False)])
def test_rejected_movements_within_3_s_of_a_set_are_its_reasons(gap_s, near):
    """A set from 10 to 20 s; a rejected circle-like movement ending ``gap_s`` before it and one starting
    ``gap_s`` after it: up to 3 s away they belong to the set and say so, further away they do not."""
    track = CircleTrack(t_s=np.zeros(1), valid=np.zeros(1, bool), pelvis_m=np.zeros((1, 2)), centre_m=np.zeros((1, 2)),
                        shoulders_m=np.zeros((1, 3)), hip_flexion_deg=np.zeros(1), torso_m=np.ones(1),
                        camera_azimuth_deg=np.zeros(1))  # one frame, outside the set: no posture or depth reasons
    before = RepSpan(1, 0, 0, 10.0 - gap_s - 2.0, 10.0 - gap_s, 360.0)
    after = RepSpan(1, 0, 0, 20.0 + gap_s, 20.0 + gap_s + 2.0, 360.0)
    reasons = [r.text for r in _set_reasons(track, 10.0, 20.0, [], [], [before, after], ConfidenceSettings())]
    assert reasons == ([f"a circle-like movement at {r.start_s:.1f} s was too small, flat or quick to count: if it "
                        "was a circle, make it bigger and slower" for r in (before, after)] if near else [])


def test_a_circles_measures_use_its_own_samples_only():
    """A 10 cm circle over samples 0-120 (inclusive) of a track that jumps 1 m away just after it: the rep's
    size is the circle's, exactly as if the track ended with it."""
    n = 121
    phase = np.linspace(0, 2 * np.pi, n)
    pelvis = np.r_[0.1 * np.stack([np.cos(phase), np.sin(phase)], 1), [[1.0, 1.0]] * 2]

    def track(frames: int) -> CircleTrack:
        return CircleTrack(t_s=np.arange(frames) / FPS, valid=np.ones(frames, bool), pelvis_m=pelvis[:frames],
                           centre_m=np.zeros((frames, 2)), shoulders_m=np.zeros((frames, 3)),
                           hip_flexion_deg=np.full(frames, 90.0), torso_m=np.ones(frames),
                           camera_azimuth_deg=np.full(frames, 90.0))

    span = RepSpan(1, 0, n - 1, 0.0, (n - 1) / FPS, 360.0)
    rep = rep_measures(track(n + 2), span, 1, CirclesSettings())
    assert rep == rep_measures(track(n), span, 1, CirclesSettings())
    assert rep.radius_cm == pytest.approx(10.0, abs=0.05) and rep.roundness == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("knee_angle_deg, flexion", [(0, 90.0), (30, 120.0), (-30, 60.0)])
def test_hip_flexion_is_180_minus_the_shoulder_hip_knee_angle(knee_angle_deg, flexion):
    """Hips 0.6 m up and 1 m forward, shoulders 0.5 m further forward, knees 0.4 m from the hips, straight down
    (thigh square to the trunk: 90°) or turned ``knee_angle_deg`` toward the shoulders (+, as sitting back) or
    away from them (-)."""
    hip = np.array([1.0, 0.0, 0.6])
    a = np.radians(knee_angle_deg)
    knee = hip + 0.4 * np.array([np.sin(a), 0.0, -np.cos(a)])
    side = np.array([0.0, 0.15, 0.0])
    pts = np.array([[hip + [0.5, 0, 0] + side, hip + [0.5, 0, 0] - side, hip + side, hip - side,
                     hip + [0.5, 0, -0.6] + side, hip + [0.5, 0, -0.6] - side, knee + side, knee - side]])
    assert hip_flexion_deg(pts)[0] == pytest.approx(flexion)


def test_circle_radius_reference_is_each_circles_own_radius_interpolated_between_them():
    """Two circles, 10 cm (0-4 s) then 20 cm (4-8 s), 30 fps: the reference is 0.1 m up to the first one's
    midpoint, 0.2 m from the second one's, and halfway between at 4 s."""
    n = 241
    t = np.arange(n) / FPS
    phase = 2 * np.pi * t / 4.0
    radius = np.where(t < 4.0, 0.1, 0.2)
    track = CircleTrack(t_s=t, valid=np.ones(n, bool), pelvis_m=radius[:, None] * np.stack([np.cos(phase),
                        np.sin(phase)], 1), centre_m=np.zeros((n, 2)), shoulders_m=np.zeros((n, 3)),
                        hip_flexion_deg=np.full(n, 90.0), torso_m=np.ones(n), camera_azimuth_deg=np.full(n, 90.0))
    reps = [RepSpan(1, 0, 119, 0.0, 119 / FPS, 360.0), RepSpan(1, 120, 240, 4.0, 8.0, 360.0)]
    ref = circle_radius_reference(track, reps, max_gap_s=0.5)
    assert ref[[0, 59, 180, 240]] == pytest.approx([0.1, 0.1, 0.2, 0.2])
    assert ref[120] == pytest.approx(0.1 + 0.1 * (4.0 - 119 / FPS / 2) / (6.0 - 119 / FPS / 2))


@pytest.mark.parametrize("samples, judged", [(20, True), (19, False)])
def test_a_depth_window_needs_20_finite_samples(samples, judged):
    """A 10 cm circle sampled ``samples + 1`` times over 2 s or more, one sample missing: 20 finite samples are
    enough for the loop fit, 19 are not."""
    t = np.arange(samples + 1) * 2.0 / 19
    dev = 0.1 * np.stack([np.cos(np.pi * t), np.sin(np.pi * t)], axis=1)
    dev[10] = np.nan
    assert (loop_terms(t, dev, 90.0, 1.0) is not None) == judged


def test_after_a_gap_in_the_samples_the_next_circles_count():
    """Three circles (0.1 from the centre), 1 s with no samples at all (a gap over 0.5 s ends the run), three
    more from where they left off: 6 circles; the run after the gap starts at once, outside the gate."""
    xy = _polar(_phase([3 * 360 + 10], still_s=0.0), 0.1)
    counter = CircleCounter()
    for i, p in enumerate(np.r_[xy, xy]):
        counter.update(i, i / FPS + (1.0 if i >= len(xy) else 0.0), p, np.zeros(2), 1.0, True)
    counter.finish()
    assert _result(counter) == (6, 0, 0, [])


@pytest.mark.parametrize(("radii_pct", "gate", "fragile"), [
    ([5.4, 4.7], 0.04, True),          # the far-side set that hid a third circle: median 5.05% < 1.5 × 4%
    ([5.9, 5.9, 5.9], 0.04, True),     # just under 6%
    ([6.0, 6.0, 6.0], 0.04, False),    # at 1.5 × the gate: not fragile
    ([4.1, 12.0, 12.5], 0.04, False),  # one small circle in a set of big ones: the median decides
    ([8.0, 8.5], 0.06, True),          # the gate is the counter's, whatever it is set to
    ([], 0.04, False),                 # no circles: nothing to say here
])
def test_a_set_of_circles_barely_above_the_smallest_counted_is_not_trusted(radii_pct, gate, fragile):
    from types import SimpleNamespace

    reps = [SimpleNamespace(radius_pct_torso=r) for r in radii_pct]
    reasons = [r.text for r in _near_the_gate(reps, gate, ConfidenceSettings())]
    assert bool(reasons) is fragile
    if fragile:
        assert "make each circle bigger, or bring the camera nearer" in reasons[0]
