"""Counting hip circles: exact counts and directions on scripted skeletons with known answers."""

import dataclasses

import numpy as np
import pytest

from circles_cases import COUNT_CASES, VIEWS, ZERO_CASES, filmed
from hipvision.core.circles import analyze_circles
from hipvision.core.circles.counting import CLOCKWISE, COUNTERCLOCKWISE, CircleCounter, CounterSettings
from hipvision.synthetic.quadruped import Circles, Hold, pelvis_script, render_quadruped

TORSO = 0.5


def _feed(path_xy, t, *, centre=(0.0, 0.0), valid=None, settings=CounterSettings()):
    counter = CircleCounter(settings)
    for i, (ti, p) in enumerate(zip(t, path_xy)):
        counter.update(i, ti, p, np.asarray(centre), TORSO, True if valid is None else bool(valid[i]))
    counter.finish()
    return counter


def _circle(turns, *, radius=0.1, period_s=4.0, fps=30.0, clockwise=True, start_deg=0.0):
    n = int(round(abs(turns) * period_s * fps)) + 1
    t = np.arange(n) / fps
    phase = np.radians(start_deg) + (1 if clockwise else -1) * 2 * np.pi * t / period_s
    return t, radius * np.stack([np.cos(phase), np.sin(phase)], axis=1)  # [forward, right]


# ---------------------------------------------------------------- the counter on plain 2D paths

@pytest.mark.parametrize("turns, clockwise, reps, partial", [
    (1, True, 1, 0), (3, False, 3, 0), (2.6, True, 2, 1), (0.3, True, 0, 0), (0.95, False, 1, 0),
])
def test_counter_counts_whole_turns_and_reports_the_rest_as_partial(turns, clockwise, reps, partial):
    t, xy = _circle(turns, clockwise=clockwise)
    c = _feed(xy, t)
    assert len(c.reps) == reps and len(c.partials) == partial
    assert all(r.direction == (CLOCKWISE if clockwise else COUNTERCLOCKWISE) for r in c.reps)
    if partial:
        assert c.partials[0].fraction == pytest.approx(turns - reps, abs=0.03)


@pytest.mark.parametrize("last_s, counted", [(1.5, False), (2.4, True), (3.3, True)])
def test_a_runs_last_circle_in_a_fraction_of_the_time_of_the_others_is_not_counted(last_s, counted):
    """Three circles of 3 s, then a last sweep of 330° (a circle as the counter closes one at a run's end) in
    ``last_s``: in 1.5 s, half the time of the others, it is the move off the circle bent into an arc (rendered
    far side-on, seed 10163: 1.7 s after five circles of 3.1-3.5 s), rejected; in 2.4 s or more it is a circle.
    The path then goes to the centre and stays there (the run ends)."""
    fps = 30.0
    t1, xy1 = _circle(3, radius=0.08, period_s=3.0, fps=fps)
    n = int(round(last_s * fps))
    phase = np.radians(np.linspace(0.0, 330.0, n + 1)[1:])
    xy2 = 0.08 * np.stack([np.cos(phase), np.sin(phase)], axis=1)
    t2 = t1[-1] + np.arange(1, n + 1) / fps
    t3 = t2[-1] + np.arange(1, 61) / fps
    c = _feed(np.concatenate([xy1, xy2, np.zeros((60, 2))]), np.concatenate([t1, t2, t3]))
    assert len(c.reps) == (4 if counted else 3)
    assert c.rejected == (0 if counted else 1)


def test_a_quick_last_circle_that_is_not_counted_makes_the_count_low():
    """Where the rule above is wrong: three clockwise circles of 3 s and a real fourth in 1.4 s, filmed from behind
    (where the counter closes it at the run's end): it is not counted (3 for 4), and the result says the count is
    unsure and why."""
    script = pelvis_script([Hold(1.5), Circles(3, 0.08, True, 3.0, start_deg=0.0, return_to_centre=False),
                            Circles(1, 0.08, True, 1.4, start_deg=0.0, lead_s=0.05), Hold(1.5)])
    res = analyze_circles(render_quadruped(script, view="behind", seed=6))
    assert len(script.reps) == 4 and (res.clockwise, res.counterclockwise) == (3, 0)
    assert res.confidence.level == "low"
    assert any("too small, flat or quick to count" in r for r in res.confidence.reasons)


def test_forward_then_right_is_clockwise():
    """Clockwise = forward → person's right → back → left (seen from above, head at 12 o'clock)."""
    t = np.arange(121) / 30
    quarter = [(1, 0), (0, 1), (-1, 0), (0, -1)]  # forward, right, back, left
    phase = np.interp(t, np.linspace(0, 4, 5), np.arange(5))
    xy = 0.1 * np.stack([np.cos(phase * np.pi / 2), np.sin(phase * np.pi / 2)], axis=1)
    assert np.allclose(xy[::30][:4], 0.1 * np.array(quarter), atol=1e-9)
    c = _feed(xy, t)
    assert [r.direction_name for r in c.reps] == ["clockwise"]


def test_counter_ignores_a_line_through_the_centre():
    t = np.arange(600) / 30
    xy = np.stack([0.1 * np.sin(2 * np.pi * t / 3), 0.002 * np.cos(2 * np.pi * t / 1.3)], axis=1)
    c = _feed(xy, t)
    assert c.reps == [] and c.partials == []


def test_counter_reversal_splits_runs_at_the_turning_point():
    t1, a = _circle(2, clockwise=True)
    t2, b = _circle(3, clockwise=False)
    xy = np.concatenate([a, b[1:]])
    t = np.arange(len(xy)) / 30
    c = _feed(xy, t)
    assert [r.direction for r in c.reps] == [CLOCKWISE] * 2 + [COUNTERCLOCKWISE] * 3
    assert c.partials == []


def test_counter_gap_in_posture_ends_the_run():
    t, xy = _circle(2.25)
    valid = np.ones(len(t), bool)
    valid[(t > 4.2) & (t < 6.0)] = False  # not on hands and knees for 1.8 s in the second circle
    c = _feed(xy, t, valid=valid)
    assert len(c.reps) == 1  # the broken second circle is not a rep: 6 s → 9 s is a new, partial one
    assert [p.fraction for p in c.partials] == [pytest.approx(0.75, abs=0.03)]


def test_counter_rejects_tiny_and_too_fast_circles():
    t, xy = _circle(3, radius=0.012)  # below the gate (3.5 % of a 0.5 m torso)
    assert _feed(xy, t).reps == []
    t, xy = _circle(3, radius=0.1, period_s=0.5)  # faster than min_rep_s
    c = _feed(xy, t)
    assert c.reps == [] and c.rejected >= 2


# ---------------------------------------------------------------- whole skeletons, three views

@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("name", list(COUNT_CASES))
def test_counts_directions_and_radius_offline(name, view):
    script, seq = filmed(name, view)
    result = analyze_circles(seq)
    assert [r.direction for r in result.reps] == script.directions
    assert (result.clockwise, result.counterclockwise) == (script.clockwise, script.counterclockwise)
    assert len(result.partials) == len(script.partials)
    for got, want in zip(result.partials, script.partials):
        assert got.direction == want.direction and got.fraction == pytest.approx(want.fraction, abs=0.1)
    for got, want in zip(result.reps, script.reps):
        assert got.radius_cm == pytest.approx(100 * want.radius_m, rel=0.15)
        assert got.duration_s == pytest.approx(want.end_s - want.start_s, rel=0.25)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("name", list(ZERO_CASES))
def test_not_circles_count_zero(name, view):
    _, seq = filmed(name, view)
    result = analyze_circles(seq)
    assert result.total == 0 and result.partials == []
    assert "no hip circles found" in result.warnings


LIVE_CASES = [
    ("5+5 r10 4s", "45"), ("4 cw r3 4s", "side"), ("5 cw r8 2s", "behind"), ("5+5 noisy", "behind"),
    ("5+5 dropouts", "side"), ("3 cw then 2 ccw", "45"), ("5 cw, stand up, 5 ccw", "side"),
    ("6 cw speed 2→8s", "behind"), ("3.6 cw: partial at the end", "45"), ("rocking diagonal noisy", "side"),
    ("fidgets", "behind"),
]


@pytest.mark.parametrize("name, view", LIVE_CASES)
def test_live_causal_counter_agrees_with_offline(name, view):
    script, seq = filmed(name, view)
    offline = analyze_circles(seq)
    live = analyze_circles(seq, live=True)
    assert [r.direction for r in live.reps] == [r.direction for r in offline.reps] == script.directions
    assert len(live.partials) == len(offline.partials) == len(script.partials)
    for a, b in zip(live.reps, offline.reps):
        assert a.radius_cm == pytest.approx(b.radius_cm, rel=0.1)
        assert abs(a.end_s - b.end_s) < 0.6


def test_live_and_saved_results_name_the_model_and_the_source():
    script, seq = filmed("3 cw then 2 ccw", "45")
    seq = dataclasses.replace(seq, model="pose_landmarker_full", source="clip.mp4")
    for result in (analyze_circles(seq, live=True), analyze_circles(seq)):
        assert (result.model, result.source) == ("pose_landmarker_full", "clip.mp4")


def _stroke(bend_m, *, half_length=0.1, offset=0.025, duration_s=1.5, fps=30.0):
    """One rocking stroke from front to back passing ``offset`` beside the centre, its ends bent ``bend_m``
    toward the other side (a noisy line): it sweeps 180° plus what the bend adds."""
    t = np.arange(int(duration_s * fps) + 1) / fps
    x = half_length * np.cos(np.pi * t / duration_s)
    return t, np.stack([x, offset - bend_m * (x / half_length) ** 2], axis=1)


@pytest.mark.parametrize("bend, partial", [(0.036, 0), (0.06, 1)])
def test_a_stroke_past_the_centre_is_no_partial_circle_until_it_turns_past_210_degrees(bend, partial):
    """A straight stroke past the centre sweeps just under 180°; bent at its ends (jitter) 193° here:
    no unfinished circle (partials need 210°; with 180° it was one); bent further, 219°: one."""
    t, xy = _stroke(bend)
    c = _feed(xy, t)
    assert c.reps == [] and len(c.partials) == partial
    if partial:
        assert 210 <= c.partials[0].sweep_deg <= 240
    else:
        assert 185 <= np.degrees(np.ptp(np.unwrap(np.arctan2(xy[:, 1], xy[:, 0])))) < 210
