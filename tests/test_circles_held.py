"""The live recount holds back the newest circle while it may be a set's lead-out (`analyze.odd_newest`,
`CirclesResult.held_reps`): one that took far longer, or moved across the view far less, than the other circles
the same way and ended in the last 3 s. Such circles, counted by an analysis of the frames so far and dropped by the
analysis of all of them, made the live view show more than it saved (`benchmarks/live_saved.py`)."""

from types import SimpleNamespace

import pytest
from conftest import replay_recount

from hipvision.core.circles import CirclesSettings
from hipvision.core.circles.analyze import ODD_RECENT_S, count_track, odd_newest, track_offline
from hipvision.core.circles.counting import CircleCounter, RepSpan
from hipvision.synthetic.quadruped import Circles, Hold, pelvis_script, quadruped_camera, render_quadruped

#: three clockwise circles of 3 s, then a still hold
SCRIPT = pelvis_script([Hold(1.5), Circles(3, 0.07, True, 3.0), Hold(2.5)])


@pytest.fixture(scope="module")
def counted():
    seq = render_quadruped(SCRIPT, camera=quadruped_camera("45"), seed=3)
    track = track_offline(seq, CirclesSettings())
    reps = count_track(track, CircleCounter(CirclesSettings().counter)).reps
    assert [r.direction_name for r in reps] == ["clockwise"] * 3
    return track, reps


def _span(reps, start_s: float, end_s: float) -> RepSpan:
    return RepSpan(reps[0].direction, 0, 1, start_s, end_s, 360.0)


def test_a_newest_circle_like_its_sets_others_is_not_held(counted):
    track, reps = counted
    assert odd_newest(track, reps) == ()


def test_a_newest_circle_made_of_the_hold_after_a_set_is_held(counted):
    """2.4 s (like the others) but with the hips still: it moved across the view far less than the set's circles."""
    track, reps = counted
    t_end = float(track.t_s[-1])
    assert odd_newest(track, reps + [_span(reps, t_end - 2.5, t_end - 0.1)]) == (3,)


def test_a_newest_circle_far_slower_than_its_sets_others_is_held(counted):
    """Across the last circle and the hold after it: 5 s where the set's took 3 s."""
    track, reps = counted
    t_end = float(track.t_s[-1])
    assert odd_newest(track, reps[:2] + [_span(reps, reps[2].start_s, t_end - 0.2)]) == (2,)


def test_an_odd_newest_circle_is_shown_once_it_ended_long_enough_ago(counted):
    """Not held once it ended more than `ODD_RECENT_S` before the last frame (the person held still after it), nor
    when it is the only circle its way (nothing to compare it with)."""
    track, reps = counted
    t_end = float(track.t_s[-1])
    late = _span(reps, reps[2].end_s, reps[2].end_s + 2.4)
    assert t_end - late.end_s < ODD_RECENT_S and odd_newest(track, reps + [late]) == (3,)
    old = SimpleNamespace(**{**vars(track), "t_s": track.t_s + ODD_RECENT_S})
    assert odd_newest(old, reps + [late]) == ()
    assert odd_newest(track, [_span(reps, t_end - 2.5, t_end - 0.1)]) == ()


def test_the_live_view_does_not_show_a_held_circle_and_keeps_its_pace(monkeypatch):
    """An analysis every 0.5 s of frame time: while its newest circle is held (analyses of the frames to under 7 s)
    the count shown leaves it out; it is shown from the analysis that no longer holds it. A held circle does not
    bring the next analysis sooner (a circle hanging on a gate does: the next frames settle that, not this)."""
    analysed: list[float] = []

    def fake_analysis(seq, *, settings, open_end, command_input):
        t_end = float(seq.timestamps_s[-1])
        analysed.append(t_end)
        reps = [SimpleNamespace(direction="clockwise", start_s=1.0, end_s=3.0)]
        if t_end >= 5.0:
            reps.append(SimpleNamespace(direction="clockwise", start_s=3.0, end_s=4.9))
        held = (1,) if len(reps) == 2 and t_end < 7.0 else ()
        return SimpleNamespace(reps=reps, open_reps=0, unsure_reps=(), held_reps=held, t_s=seq.timestamps_s)

    shown = replay_recount(monkeypatch, fake_analysis, frames=81, fps=8.0, direction="clockwise")
    assert analysed == [0.125 + 0.5 * k for k in range(len(analysed))]
    assert max(shown[:int(7.0 * 8)]) == 1
    assert shown[-1] == 2


def test_a_set_followed_by_a_still_hold_is_not_said_to_have_turned_on():
    """The check behind the last test of `test_circles_mediapipe.py` on a synthetic set of three circles and a hold
    after it: nothing turned after the last circle, and no set reports it (`confidence._turned_on_after`)."""
    from hipvision.core.circles import analyze_circles

    res = analyze_circles(render_quadruped(SCRIPT, camera=quadruped_camera("45"), seed=3))
    assert res.clockwise == 3
    assert not any("further the same way after the last" in r for s in res.sets for r in s.confidence.reasons)


def test_an_unfinished_circle_the_counter_saw_after_a_set_is_reported_once():
    """Three circles, then 80% of a fourth the same way and a hold: the fourth is not counted; the counter reports it
    as an unfinished circle, and the turning after the set's last circle (`confidence._turned_on_after`) is not
    reported a second time."""
    from hipvision.core.circles import analyze_circles

    script = pelvis_script([Hold(1.5), Circles(3.8, 0.07, True, 3.0), Hold(2.0)])
    res = analyze_circles(render_quadruped(script, camera=quadruped_camera("45"), seed=3))
    assert res.clockwise == 3
    reasons = [r for s in res.sets for r in s.confidence.reasons]
    assert any("an unfinished circle" in r for r in reasons)
    assert not any("further the same way after the last" in r for r in reasons)
