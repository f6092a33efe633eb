"""Rep quality: shape maths with known answers, verdicts, start position, protocol, and per-rep
measures on scripted skeletons."""

import math

import numpy as np
import pytest

from hipvision.core.circles import analyze_circles
from hipvision.core.circles.quality import (RepQuality, loop_roundness, polygon_moments, protocol, roundness_from_cov,
                                            sparc, start_position, verdict)
from hipvision.synthetic.quadruped import (Circles, Hold, pelvis_script, quadruped_joints, render_quadruped)
from hipvision.synthetic.quadruped import hip_flexion_deg as true_flexion


@pytest.mark.parametrize("a, b, n, uneven", [(0.1, 0.1, 200, False), (0.12, 0.05, 150, True), (0.03, 0.02, 40, True)])
def test_polygon_moments_of_an_ellipse(a, b, n, uneven):
    rng = np.random.default_rng(1)
    u = np.sort(rng.uniform(0, 2 * np.pi, n)) if uneven else np.linspace(0, 2 * np.pi, n, endpoint=False)
    rot = np.radians(30)
    pts = np.stack([a * np.cos(u), b * np.sin(u)], axis=1) @ np.array([[np.cos(rot), np.sin(rot)],
                                                                         [-np.sin(rot), np.cos(rot)]])
    pts += [0.3, -0.2]
    area, centroid, cov = polygon_moments(pts)
    assert area == pytest.approx(np.pi * a * b, rel=0.02 if n > 100 else 0.05)  # inscribed polygon
    assert centroid == pytest.approx([0.3, -0.2], abs=0.02 * a)
    assert roundness_from_cov(cov) == pytest.approx(b / a, rel=0.03)
    area_cw, _, _ = polygon_moments(pts[::-1])
    assert area_cw == pytest.approx(-area)  # sign = direction of travel


def test_sparc_prefers_an_even_speed_to_stop_and_go():
    fs = 30.0
    t = np.arange(0, 4, 1 / fs)
    even = np.full_like(t, 0.15)
    stop_go = 0.15 * (1 - np.cos(2 * np.pi * t / 0.5))  # four stops per circle... eight, at 2 Hz
    assert sparc(even, fs) > sparc(stop_go, fs)
    assert sparc(even, fs) < 0


def _q(**kw):
    base = dict(radius_cm=10.0, radius_pct_torso=20.0, area_cm2=314.0, roundness=0.9, sit_back_cm=10.0,
                peak_hip_flexion_deg=100.0, spine_motion_cm=1.0, smoothness=-2.0, duration_s=4.0, verdict="")
    return RepQuality(**{**base, **kw})


@pytest.mark.parametrize("changes, expected", [
    ({}, "good circle"),
    ({"radius_pct_torso": 8.0, "radius_cm": 4.0}, "make the circle bigger"),
    ({"sit_back_cm": 2.0}, "sit further back"),
    ({"spine_motion_cm": 4.0}, "keep the shoulders still"),
    ({"roundness": 0.3}, "make it rounder"),
    ({"smoothness": -4.5}, "move more smoothly"),
    ({"duration_s": 1.5}, "slow down"),
    ({"radius_pct_torso": 8.0, "spine_motion_cm": 5.0}, "make the circle bigger"),  # the first problem wins
])
def test_verdicts(changes, expected):
    assert verdict(_q(**changes)) == expected


def test_start_position_ok_and_not():
    n = 30
    good = start_position(np.zeros((n, 2)) + [0.02, 0.0], np.zeros((n, 3)) + [0.01, 0.0, 0.5], tolerance_cm=8.0)
    assert good.ok and good.hips_over_knees_cm == pytest.approx(2.0) and "good" in good.message
    bad = start_position(np.zeros((n, 2)) + [0.12, 0.0], np.zeros((n, 3)) + [-0.10, 0.0, 0.5], tolerance_cm=8.0)
    assert bad.ok is False
    assert "hips back over the knees" in bad.message and "shoulders forward over the hands" in bad.message
    assert start_position(np.full((3, 2), np.nan), np.full((3, 3), np.nan), tolerance_cm=8.0).ok is None


@pytest.mark.parametrize("cw, ccw, partials, missing, words", [
    (5, 5, 0, {"clockwise": 0, "counterclockwise": 0}, ["set complete"]),
    (5, 3, 0, {"clockwise": 0, "counterclockwise": 2}, ["2 more counter-clockwise"]),
    (0, 0, 1, {"clockwise": 5, "counterclockwise": 5}, ["5 more clockwise", "1 unfinished circle"]),
    (6, 5, 0, {"clockwise": 0, "counterclockwise": 0}, ["1 extra clockwise"]),
])
def test_protocol_says_what_is_missing(cw, ccw, partials, missing, words):
    p = protocol(cw, ccw, partials=partials)
    assert p.missing == missing
    assert all(w in p.message for w in words)


# ---------------------------------------------------------------- measures on skeletons

def test_rep_measures_match_the_script():
    script = pelvis_script([Hold(1.5), Circles(3, 0.12, True, 4.0, centre_back_m=0.03), Hold(1.5)])
    seq = render_quadruped(script, view="45", seed=5)
    res = analyze_circles(seq)
    assert res.total == 3
    joints = quadruped_joints(script)
    flex = true_flexion(joints)
    for rep, truth in zip(res.reps, script.reps):
        assert rep.radius_cm == pytest.approx(12.0, rel=0.08)
        assert rep.area_cm2 == pytest.approx(math.pi * 144, rel=0.16)
        assert rep.roundness > 0.85
        assert rep.sit_back_cm == pytest.approx(15.0, abs=2.5)  # 12 cm circle centred 3 cm behind the knees
        window = (script.t_s >= truth.start_s) & (script.t_s <= truth.end_s)
        assert rep.peak_hip_flexion_deg == pytest.approx(flex[window].max(), abs=3.0)
        assert rep.duration_s == pytest.approx(4.0, abs=0.4)
        assert rep.spine_motion_cm < 3.0
        assert rep.verdict == "good circle"
    assert res.start_position.ok
    assert res.to_dict()["protocol"]["missing"] == {"clockwise": 2, "counterclockwise": 5}


@pytest.mark.parametrize("segment, render, expected", [
    (Circles(3, 0.04, True, 4.0), {}, "make the circle bigger"),
    (Circles(3, 0.10, True, 4.0, centre_back_m=-0.08), {}, "sit further back"),
    (Circles(3, 0.10, False, 4.0), {"trunk_follow": 0.6}, "keep the shoulders still"),
    (Circles(3, 0.10, True, 4.0, minor_ratio=0.3), {}, "make it rounder"),
    (Circles(3, 0.10, True, 4.0, pauses=tuple((k / 4, 0.5) for k in range(1, 12))), {}, "move more smoothly"),
    (Circles(3, 0.10, False, 2.0), {}, "slow down"),
])
def test_each_fault_gets_its_cue(segment, render, expected):
    script = pelvis_script([Hold(1.5), segment, Hold(1.5)])
    res = analyze_circles(render_quadruped(script, view="45", seed=11, **render))
    assert res.total == 3
    assert [r.verdict for r in res.reps] == [expected] * 3


@pytest.mark.parametrize("view, gain, segment, estimated, expected", [
    # side-on the sideways half is depth, squashed 0.3× as MediaPipe does: a round 10 cm circle (19% of the torso)
    # read 12% and 0.4 round, and was told "make it rounder"; now no cue on what was not measured
    ("side", 0.3, Circles(3, 0.10, True, 4.0), True, "good circle"),
    ("behind", 0.3, Circles(3, 0.10, True, 4.0), True, None),
    ("45", 0.3, Circles(3, 0.10, True, 4.0), True, "good circle"),  # scaled back 2.6× from the path's symmetry
    # a real sideways ellipse is not seen side-on (its short half is the depth): no roundness cue there; at 45°
    # it is measured, and cued
    ("side", 1.0, Circles(3, 0.10, True, 4.0, minor_ratio=0.3), True, "good circle"),
    ("45", 1.0, Circles(3, 0.10, True, 4.0, minor_ratio=0.3), False, "make it rounder"),
    # a small circle is small across the view too: still cued
    ("side", 1.0, Circles(3, 0.04, True, 4.0), True, "make the circle bigger"),
    ("behind", 1.0, Circles(3, 0.04, True, 4.0), True, "make the circle bigger"),
    ("45", 1.0, Circles(3, 0.10, True, 4.0), False, "good circle"),
])
def test_size_is_an_estimate_where_half_the_circle_was_not_measured(view, gain, segment, estimated, expected):
    """Issue 13 goal 5: side-on, in line, and where the depth was rebuilt or scaled back, the size and roundness
    are marked estimates and their cues rest only on the motion across the view."""
    script = pelvis_script([Hold(1.5), segment, Hold(1.5)])
    res = analyze_circles(render_quadruped(script, view=view, seed=11, depth_motion_gain=gain))
    assert res.total == 3
    assert [r.size_estimated for r in res.reps] == [estimated] * 3
    assert "make it rounder" not in [r.verdict for r in res.reps] or not estimated
    if expected is not None:
        assert [r.verdict for r in res.reps] == [expected] * 3
    assert all(d["size_estimated"] is estimated for d in res.to_dict()["reps"])


def test_json_shape_matches_the_interface():
    script = pelvis_script([Hold(1.5), Circles(1.6, 0.1, True, 3.0), Hold(1.0)])
    d = analyze_circles(render_quadruped(script, view="side", seed=2)).to_dict()
    for key in ("kind", "schema_version", "software", "model", "source", "duration_s", "warnings", "total",
                "clockwise", "counterclockwise", "partial", "reps", "partials", "protocol", "start_position",
                "series"):
        assert key in d
    assert d["kind"] == "circles" and d["total"] == 1 and d["partial"] == 1
    assert set(d["reps"][0]) == {"index", "direction", "start_s", "end_s", "duration_s", "radius_cm",
                                 "radius_pct_torso", "area_cm2", "roundness", "sit_back_cm", "peak_hip_flexion_deg",
                                 "spine_motion_cm", "smoothness", "verdict", "size_estimated"}
    assert set(d["partials"][0]) == {"direction", "start_s", "end_s", "fraction"}
    assert d["partials"][0]["fraction"] == pytest.approx(0.6, abs=0.1)
    s = d["series"]
    assert len(s["t_s"]) == len(s["forward_cm"]) == len(s["right_cm"]) == len(s["rep"])
    assert set(filter(None, s["rep"])) == {1}


#: a 6 cm circle as counted on a rendered 45° video (held-out set, circles-025), cm: it starts with a
#: hook, so its closed outline crosses itself
HOOKED_LOOP_CM = np.array([
    (0.1, 9.0), (-0.5, 11.0), (-1.7, 12.6), (-3.3, 13.7), (-5.0, 14.4), (-6.6, 14.7),
    (-8.0, 14.5), (-9.1, 13.9), (-10.0, 12.9), (-10.8, 11.6), (-11.6, 10.1), (-12.4, 8.5),
    (-13.1, 7.1), (-13.7, 5.9), (-14.1, 4.9), (-14.4, 4.1), (-14.6, 3.3), (-14.7, 2.6),
    (-14.7, 1.8), (-14.5, 1.2), (-14.0, 0.7), (-13.3, 0.5), (-12.0, 0.8), (-10.3, 1.4),
    (-8.3, 2.2), (-5.9, 3.0), (-3.6, 3.6), (-1.6, 3.7), (-0.3, 3.1), (0.3, 2.1),
    (-0.0, 0.6), (-0.9, -0.9), (-2.1, -2.0), (-3.0, -2.6), (-3.5, -2.4), (-3.4, -1.5),
    (-2.8, -0.2), (-2.0, 1.4), (-1.3, 3.0), (-0.9, 4.3), (-1.0, 5.4), (-1.4, 6.2),
    (-2.1, 6.8), (-2.8, 7.2), (-3.4, 7.4), (-3.9, 7.5)])


def test_loop_roundness_sees_a_loop_whose_outline_crosses_itself():
    assert roundness_from_cov(polygon_moments(HOOKED_LOOP_CM)[2]) < 0.05  # the region's moments alone: flat
    assert loop_roundness(HOOKED_LOOP_CM) > 0.8
    rng = np.random.default_rng(0)
    line = np.stack([np.linspace(-10, 10, 60), rng.normal(0, 0.2, 60)], axis=1)
    assert loop_roundness(line) < 0.1
    assert loop_roundness(np.full((5, 2), np.nan)) == 0.0
