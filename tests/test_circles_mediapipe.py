"""Circles on what the real pose model reported for rendered videos with known answers
(tests/fixtures/mediapipe_circles: MediaPipe shows side-to-side motion seen along the line of
sight about 10 times too small)."""

import json
from pathlib import Path

import pytest

from circles_cases import assert_live_equals_saved, assert_live_reps_are_real, assert_never_over, replay_live
from hipvision.core.circles import analyze_circles
from hipvision.io import load_sequence

FIXTURES = Path(__file__).parent / "fixtures" / "mediapipe_circles"
SAMPLE_TRUTH = Path(__file__).parent.parent / "samples" / "hip_circles.json"  # the render truth of that video


@pytest.fixture(scope="module")
def circles_seq():
    return load_sequence(FIXTURES / "hip_circles_side.npz")


def test_side_view_circles_are_counted_offline(circles_seq):
    res = analyze_circles(circles_seq)
    assert [r.direction for r in res.reps] == ["clockwise"] * 5 + ["counterclockwise"] * 5
    assert res.partials == []
    cw = [r.radius_cm for r in res.reps[:5]]
    ccw = [r.radius_cm for r in res.reps[5:]]
    assert all(6.0 * 0.8 <= r <= 6.0 * 1.2 for r in cw)  # truth: 6.0 cm
    assert all(8.1 * 0.8 <= r <= 8.1 * 1.2 for r in ccw)  # truth: 8.1 cm
    assert all(r.sit_back_cm == pytest.approx(9.1, abs=1.5) for r in res.reps[:5])
    assert any("times smaller" in w for w in res.warnings)
    assert res.start_position.ok


def test_side_view_circles_live_has_no_phantoms(circles_seq):
    """Live needs a circle or two to see that depth is under-reported, so it misses some circles
    here (a known gap), but it never counts one that was not done or in the wrong direction."""
    live, saved = analyze_circles(circles_seq, live=True), analyze_circles(circles_seq)
    assert (saved.clockwise, saved.counterclockwise) == (5, 5)
    assert_live_reps_are_real(live, saved, max_missed=5)
    assert live.clockwise > 0


@pytest.fixture(scope="module")
def replayed(circles_seq):
    return replay_live(circles_seq)


def test_side_view_live_count_equals_the_saved_count(replayed):
    """On the live path (the live view fed the frames with their times): at the end of each set the count
    shown is the saved 5 + 5, and never more (the causal stream, which used to give the live count, showed
    2+1)."""
    shown, saved = replayed
    assert (saved.clockwise, saved.counterclockwise) == (5, 5)
    delays = assert_live_equals_saved(shown, saved)
    # the saved circles are re-timed once their set has ended (half its leftover turn moved to the set's start,
    # `CircleCounter._centre_circles`), which the analysis of a set still under way cannot do: a circle may show
    # up to about half a second before its saved end, but not before the true one (the video's render truth)
    assert min(delays) > -0.6
    truth = json.loads(SAMPLE_TRUTH.read_text())["circles"]["reps"]
    assert [r["direction"] for r in truth] == [r.direction for r in saved.reps]
    done = {"clockwise": 0, "counterclockwise": 0}
    for rep in truth:
        done[rep["direction"]] += 1
        first = next(e["t_s"] for e in shown if e[rep["direction"]] >= done[rep["direction"]])
        assert first - rep["end_s"] > -0.5, (rep, first)


@pytest.mark.xfail(strict=True, reason=(
    "the second set's first circle (counter-clockwise, closed 22.8 s; 23.3 s since the saved circles are re-timed at the set end) shows 3.4 s (2.9 s) after it closes, the others "
    "0.35-1.0 s: the depth windows that hold the last frame also hold the sit-back before it, whose quarter-turn "
    "ratio is below min_ratio (0.023 at 23.2 s) and fit below min_fit_r2 (0.25 at 24.2 s); two windows in a row "
    "pass only from 26.2 s. (The first set's first circle was 2.85 s late until the open window counted whole "
    "turns, depth.turn_signs.)"))
def test_side_view_live_shows_each_circle_within_a_second(replayed):
    shown, saved = replayed
    delays = assert_live_equals_saved(shown, saved)
    assert max(delays) <= 1.0, [round(d, 2) for d in delays]


@pytest.mark.parametrize("live", [False, True])
def test_rocking_counts_zero(live):
    res = analyze_circles(load_sequence(FIXTURES / "standing_rocking_side.npz"), live=live)
    assert res.total == 0 and res.partials == []


def test_the_last_circle_of_a_recording_that_ends_a_set_is_counted():
    """45° in front and near (`near_oblique_2_2.npz`, 2 + 2): the depth is rebuilt from the image growth, and the
    last window that found the loop is centred about 16 s, inside the last circle (15.1-17.4 s). Past it the
    rebuild carried no direction and the measured depth, a line mostly in step with the across motion, was
    stretched 12 times into a 60 cm line: the last circle was a 69% partial (2 + 1). Nothing follows that set in
    the recording, so offline the rebuild keeps its direction there."""
    res = analyze_circles(load_sequence(FIXTURES / "near_oblique_2_2.npz"))
    assert [r.direction for r in res.reps] == ["clockwise"] * 2 + ["counterclockwise"] * 2
    assert res.reps[-1].end_s == pytest.approx(17.45, abs=1.0)  # 18.07 s: ends 0.6 s late (goal: 0.3 s)
    # the depth was rebuilt, but the image growth's own loop turned each set's way (`confidence._image_confirms`,
    # about 45° in front since 2026-12-07): a confident 2 + 2
    assert res.confidence.level == "high", res.confidence.reasons


def test_a_smaller_set_after_a_bigger_one_is_counted_with_its_own_gate():
    """High side-on (`high_side_small_second_set.npz`, 2 + 2): the first counting pass found the first set's
    circles only; their radius held to the end of the recording raised the gate of the smaller second set, whose
    path dipped into it every turn (2 + 0). Held two circles' time past the last circle, it no longer reaches
    the second set."""
    res = analyze_circles(load_sequence(FIXTURES / "high_side_small_second_set.npz"))
    assert [r.direction for r in res.reps] == ["clockwise"] * 2 + ["counterclockwise"] * 2


def test_rocking_at_45_degrees_whose_pose_model_depth_leaked_a_loop_counts_no_circle():
    """Forward-back rocking filmed about 45° in front (`rocking_45_front.npz`, fresh seed 10117): the pose model's
    depth was a line with a small quarter-turn leak (9-15° out of step with the across motion), which the rebuild
    stretched into circles, 3 + 0 counted; the image growth's clean loop turned the other way in every such window
    (`depth._line_against_image`). Now no circle, and the result is not a confident zero."""
    res = analyze_circles(load_sequence(FIXTURES / "rocking_45_front.npz"))
    assert res.total == 0
    assert res.confidence.level == "low"


#: (fixture, true directions in order, true rep (start, end) seconds) of two 45° renders whose world depth was faint
#: and whose image growth showed every set's loop turning the true way, as the pose model's faint depth did
OBLIQUE_AGREEING = [
    ("oblique_back_3_3.npz", ["counterclockwise"] * 3 + ["clockwise"] * 3,
     [(1.60, 4.13), (4.13, 6.70), (6.70, 9.00), (12.22, 14.58), (14.58, 17.24), (17.24, 19.49)]),
    ("oblique_front_2_2.npz", ["clockwise"] * 2 + ["counterclockwise"] * 2,
     [(1.60, 4.11), (4.11, 6.75), (10.91, 13.61), (13.61, 16.37)]),
]


@pytest.mark.parametrize("name, directions, spans", OBLIQUE_AGREEING, ids=["45-behind-3-3", "45-front-2-2"])
def test_at_45_degrees_a_faint_pose_model_depth_agreeing_with_the_image_loop_counts(name, directions, spans):
    """About 45° from the head or the tail, the pose model's depth was 0.01-0.08 of the across motion and the image
    growth's loop turned the same way in every window; 45° behind that loop ran only 23-30° out of step with the
    across motion (the image's own gate wants 30°), 45° in front a 2-circle set's windows held one whole cycle each
    (it wants two). The lower gates of two agreeing signals applied side-on only: 0 + 0 and 1 + 0 were counted.
    Now they apply at 45° too: every circle counted, the true way, each edge within half a second of the truth."""
    res = analyze_circles(load_sequence(FIXTURES / name))
    assert [r.direction for r in res.reps] == directions
    for rep, (start, end) in zip(res.reps, spans):
        assert rep.start_s == pytest.approx(start, abs=0.5) and rep.end_s == pytest.approx(end, abs=0.5)
    assert res.confidence.level == "low"  # the depth was rebuilt from the image's loop


@pytest.mark.parametrize("name", [case[0] for case in OBLIQUE_AGREEING], ids=["45-behind-3-3", "45-front-2-2"])
def test_at_45_degrees_the_live_view_never_shows_more_than_the_saved_count(name):
    """The live path on the same poses: the analysis of the frames so far lowers the image's gates at 45° only in
    windows closed before the last frame; with them in the window still open too, the 45°-behind video showed a
    fourth counter-clockwise circle at 12.4 s (the set's way carried into the next set's first turn)."""
    shown, saved = replay_live(load_sequence(FIXTURES / name))
    assert_never_over(shown, {"clockwise": saved.clockwise, "counterclockwise": saved.counterclockwise})


@pytest.mark.xfail(strict=True, reason=(
    "live lags the saved count at 45° behind: the windows that lower the image's gates count only once closed "
    "(5 s after their centre), so the clockwise set shows 1 of 3 at the recording's end (21.0 s)"))
def test_at_45_degrees_behind_the_live_view_ends_each_set_at_the_saved_count():
    shown, saved = replay_live(load_sequence(FIXTURES / "oblique_back_3_3.npz"))
    assert_live_equals_saved(shown, saved)


def test_a_small_last_set_whose_last_circle_was_missed_is_not_confident():
    """45° in front (`oblique_small_last_set.npz`, fresh seed 10131): three 10 cm clockwise circles, then three 5 cm
    counter-clockwise ones, the last ending 1.6 s before the recording. The counter's gates follow the bigger
    circles, the last small one stayed mostly inside them, and it was missed with nothing reported: 3 + 2, `high`,
    the one wrong-and-high result on 21 rendered seeds. The path had turned 244° further the set's way after its last
    counted circle (`confidence._turned_on_after`): that set is now `low` and says so; the first set stays `high`."""
    res = analyze_circles(load_sequence(FIXTURES / "oblique_small_last_set.npz"))
    assert (res.clockwise, res.counterclockwise) == (3, 2)  # the miss itself is not mended
    sets = {s.direction: s for s in res.sets}
    assert sets["clockwise"].confidence.level == "high"
    assert sets["counterclockwise"].confidence.level == "low"
    assert any("further the same way after the last counter-clockwise circle" in r
               for r in sets["counterclockwise"].confidence.reasons)
    assert res.confidence.level == "low"
