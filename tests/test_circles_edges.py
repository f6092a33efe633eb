"""Set edges: the move from the start position onto the circle is not a circle, nor is the sit-back between
sets; the last circle of a set is one when it closes; rep start and end within 0.3 s of the truth."""

import zlib

import numpy as np
import pytest

from hipvision.core.circles import CirclesSettings, analyze_circles
from hipvision.core.circles.counting import CircleCounter, CounterSettings, RepSpan
from hipvision.core.circles.edges import circle_radius_reference
from hipvision.core.circles.trajectory import CircleTrack
from hipvision.synthetic.quadruped import Circles, Hold, Rock, SitBack, pelvis_script, quadruped_camera, render_quadruped

CW, CCW = True, False


def sets(per, radius_m, period_s, *, sit_back=True, minor_ratio=1.0, major_axis_deg=0.0):
    """Still in the start position, out to the front of the circle, ``per`` circles, back in, a pause (a
    sit-back toward the heels), the other way: as people do it (the circle's centre 2 cm behind the start)."""
    def one(cw):
        return Circles(per, radius_m, cw, period_s, start_deg=0.0, centre_back_m=0.02, minor_ratio=minor_ratio,
                       major_axis_deg=major_axis_deg)
    pause = [Hold(0.3), SitBack(0.14, 1.5, 0.8), Hold(0.5)] if sit_back else [Hold(2.0)]
    return pelvis_script([Hold(1.5), one(CW), *pause, one(CCW), Hold(1.5)])


SETS = {
    "5+5, sit-back": sets(5, 0.08, 2.8),
    "3+3 slow, sit-back": sets(3, 0.10, 4.5),
    "4+4 sideways ellipse, sit-back": sets(4, 0.10, 2.5, minor_ratio=0.6, major_axis_deg=90.0),
    "2+2 small, pause": sets(2, 0.05, 3.0, sit_back=False),
}
HEADINGS = {"in front": 0.0, "45° front": 45.0, "side": 90.0, "45° behind": 135.0, "behind": 180.0}


def edge_errors(name, heading):
    script = SETS[name]
    seed = zlib.crc32(f"{name}/{heading}".encode()) % 10_000
    seq = render_quadruped(script, camera=quadruped_camera(HEADINGS[heading]), seed=seed)
    result = analyze_circles(seq)
    assert [r.direction for r in result.reps] == script.directions and result.partials == []
    return np.array([(got.start_s - want.start_s, got.end_s - want.end_s)
                     for got, want in zip(result.reps, script.reps)])


def test_rep_edges_are_within_a_third_of_a_second_of_the_truth():
    """Every circle of every set, from all round the person (20 videos, 140 circles, 280 edges at 30 fps):
    start and end within 0.3 s of the truth, but for a few a frame or four over (at most 0.5 s). The first
    circle does not take in the move out of the start position, the first after a sit-back does not take in
    the sit-back, the last one ends where it closes. Prints the table."""
    rows, edges = [], []
    for name in SETS:
        for heading in HEADINGS:
            errors = np.abs(edge_errors(name, heading))
            edges.extend(errors.ravel())
            rows.append(f"{name:32s} {heading:11s} circles {len(errors):2d}  max start {errors[:, 0].max():.2f} s"
                        f"  max end {errors[:, 1].max():.2f} s")
    print("\n".join(rows))
    edges = np.array(edges)
    print(f"{len(edges)} edges: {np.mean(edges <= 0.3 + 1e-6):.1%} within 0.3 s, max {edges.max():.2f} s")
    assert np.mean(edges <= 0.3 + 1e-6) >= 0.97 and edges.max() <= 0.5


def test_without_the_circle_radius_gate_the_edges_are_off():
    """The mechanism at work: with the counter's gate fixed (the first pass's circle radius not used) and a
    pause into the middle not ending the set, the hold between sets runs into the next set's first circle."""
    old = CirclesSettings(counter=CounterSettings(gate_enter_of_circle=0.0, gate_exit_of_circle=0.0,
                                                  max_pause_in_circle_s=1.0, settle_deg=0.0))
    script = SETS["2+2 small, pause"]
    seq = render_quadruped(script, camera=quadruped_camera(135.0), seed=zlib.crc32(b"2+2 small, pause/45 behind") % 10_000)
    got = analyze_circles(seq, settings=old)
    errors = [abs(a.end_s - b.end_s) for a, b in zip(got.reps, script.reps)]
    assert max(errors) > 0.3


@pytest.mark.parametrize("heading", list(HEADINGS))
def test_sit_backs_and_rocking_alone_count_nothing(heading):
    script = pelvis_script([Hold(1.5), SitBack(0.14, 1.5, 0.8), Hold(1.0), Rock(4, 0.08, 2.5), Hold(1.0),
                            SitBack(0.18, 1.0, 0.6), Hold(1.5)])
    result = analyze_circles(render_quadruped(script, camera=quadruped_camera(HEADINGS[heading]), seed=5))
    assert result.total == 0 and result.partials == []


def _entered_and_left_on_arcs(turns, *, radius=0.1, period_s=3.0, arc_deg=90.0, move_s=0.5, fps=30.0):
    """A clockwise set as a side-on camera's rebuilt depth shows it: still in the middle, out to the circle's
    start (0°) along an arc that turns ``arc_deg`` the set's way (the depth rebuilt from the across motion bends
    a straight move out), ``turns`` circles from 0°, back in along the mirror arc, still. Returns (t, xy, the
    true circles' start and end times)."""
    def move(r0, r1, a0, a1):
        s = np.arange(1, int(round(move_s * fps)) + 1) / (move_s * fps)
        r, a = r0 + (r1 - r0) * s, np.radians(a0 + (a1 - a0) * s)
        return radius * np.stack([r * np.cos(a), r * np.sin(a)], axis=1)

    n = int(round(turns * period_s * fps))
    a = 2 * np.pi * np.arange(1, n + 1) / (period_s * fps)
    parts = [np.zeros((int(fps), 2)), move(0.0, 1.0, -arc_deg, 0.0), radius * np.stack([np.cos(a), np.sin(a)], 1),
             move(1.0, 0.0, 0.0, arc_deg), np.zeros((int(fps), 2))]
    xy = np.concatenate(parts)
    t = np.arange(len(xy)) / fps
    first = (len(parts[0]) + len(parts[1]) - 1) / fps
    truth = [(first + k * period_s, first + (k + 1) * period_s) for k in range(turns)]
    return t, xy, truth


def test_the_turn_of_the_moves_into_and_out_of_a_set_does_not_shift_its_circles():
    """Known answer, the counter alone (circle radius known, as in the second pass): the arc into the set turns the
    phase about 50° before the circling starts (from where the pelvis is ``edge_of_circle`` out), so counted from
    there every circle closed 0.27-0.4 s early; the arc out turns it alike after the last one, and the circles are
    centred in the whole sweep: every start and end within 0.1 s."""
    t, xy, truth = _entered_and_left_on_arcs(3)
    counter = CircleCounter(CounterSettings())
    for i, (ti, p) in enumerate(zip(t, xy)):
        counter.update(i, float(ti), p, np.zeros(2), 0.5, True, 0.1)
    counter.finish()
    assert [r.direction for r in counter.reps] == [1, 1, 1] and counter.partials == []
    errors = np.array([(r.start_s - a, r.end_s - b) for r, (a, b) in zip(counter.reps, truth)])
    assert np.abs(errors).max() <= 0.1, errors


@pytest.mark.parametrize("name", ["5+5, sit-back", "3+3 slow, sit-back"])
def test_side_on_with_the_depth_rebuilt_rep_edges_are_within_a_third_of_a_second(name):
    """Side-on with the pose model's depth motion at 0.1 of its size (the depth rebuilt from the across motion):
    the moves onto and off the circle bulge into arcs turning the set's way; before the circles were centred in
    the whole sweep, every edge came 0.3-0.9 s early (5+5: 1 of 20 edges within 0.3 s; 3+3 slow: 0 of 12)."""
    script = SETS[name]
    seq = render_quadruped(script, camera=quadruped_camera(HEADINGS["side"]), depth_motion_gain=0.1,
                           seed=zlib.crc32(f"{name}/side/0.1".encode()) % 10_000)
    result = analyze_circles(seq)
    assert [r.direction for r in result.reps] == script.directions
    errors = np.array([(got.start_s - want.start_s, got.end_s - want.end_s)
                       for got, want in zip(result.reps, script.reps)])
    assert np.abs(errors).max() <= 0.3, errors


def test_the_set_under_way_is_not_re_timed_by_the_circle_under_way():
    """A live analysis of the frames so far (``open_end``) ends inside a circle under way: its sweep is not the
    set's exit, so it must not move the set's circles (the saved analysis splits a set's leftover between its
    entry and exit, `CircleCounter._centre_circles`). Cut 20-45% into the fourth circle of a side-on 5 + 5 set,
    the three circles counted so far keep their times (they moved 0.26 s with the cut when the sweep under way
    was taken for the exit) and each edge is within 0.45 s of the truth (the entry's turn is in the first)."""
    script = SETS["5+5, sit-back"]
    seq = render_quadruped(script, camera=quadruped_camera(90.0), seed=3)
    third = script.reps[2]
    spans = []
    for fraction in (0.2, 0.3, 0.4, 0.45):
        n = int(np.searchsorted(seq.timestamps_s, third.end_s + fraction * (third.end_s - third.start_s)))
        result = analyze_circles(seq.slice(0, n), open_end=True)
        assert len(result.reps) == 3 and result.open_reps == 0
        spans.append([(r.start_s, r.end_s) for r in result.reps])
    spans = np.array(spans)
    assert np.ptp(spans, axis=0).max() <= 0.05
    truth = np.array([(r.start_s, r.end_s) for r in script.reps[:3]])
    assert np.abs(spans - truth).max() <= 0.45


UNCOUNTED = ("the hips went round at", "the image around the hips grew and shrank")


@pytest.mark.parametrize("heading, pitch, gain", [(135.0, 20.0, -0.05), (90.0, 20.0, 0.1), (45.0, 20.0, -0.05)])
def test_re_timing_a_set_does_not_change_what_the_uncounted_turning_checks_see(heading, pitch, gain):
    """The re-timing (`CircleCounter._centre_circles`) moves only the reported times: the checks for turning that
    no circle took in look outside the spans the circles were counted in (`CircleCounter.as_counted`). 45° behind,
    side-on and 45° in front, the depth rebuilt (5 + 5 with a sit-back): the reasons those checks give are the
    same with the re-timing as without it (``centre_max_leftover_deg=0``), though the circles moved. Before, the
    re-timed first circle left the entry's turn to them and the exit's turn moved: "the hips went round at
    18-21 s" appeared (45° behind) or moved (16-20 s for 18-21 s side-on); on a held-out rendered seed, a right
    side-on 2 + 2 became low that way."""
    script = SETS["5+5, sit-back"]
    seq = render_quadruped(script, camera=quadruped_camera(heading, pitch_deg=pitch), depth_motion_gain=gain,
                           seed=zlib.crc32(f"5+5/{heading}/{pitch}/{gain}".encode()) % 10_000)
    retimed = analyze_circles(seq)
    fixed = analyze_circles(seq, settings=CirclesSettings(counter=CounterSettings(centre_max_leftover_deg=0.0)))
    assert [r.direction for r in retimed.reps] == [r.direction for r in fixed.reps] == script.directions
    assert max(abs(a.start_s - b.start_s) for a, b in zip(retimed.reps, fixed.reps)) >= 0.1  # the circles moved

    def turning(result):
        return [r for r in result.confidence.reasons if r.startswith(UNCOUNTED)]
    assert turning(retimed) == turning(fixed)


@pytest.mark.parametrize("hold", [1.0, 2.0])
def test_the_first_pass_radius_is_held_only_a_few_circles_beyond_the_circles(hold):
    """Two 3 s circles of radius 8 cm from 2 to 8 s in a 30 s stretch: the reference radius is 8 cm from
    ``hold`` circles' time before them to as long after, NaN farther away (the fixed gate)."""
    t = np.arange(0, 30, 1 / 30)
    phase = 2 * np.pi * (t - 2) / 3
    on = (t >= 2) & (t <= 8)
    pelvis = np.where(on[:, None], 0.08 * np.stack([np.cos(phase), np.sin(phase)], axis=1), 0.0)
    n = len(t)
    track = CircleTrack(t, np.ones(n, bool), pelvis, np.zeros((n, 2)), np.zeros((n, 3)), np.zeros(n),
                        np.full(n, 0.5), np.full(n, 90.0))
    i = [int(np.searchsorted(t, x)) for x in (2, 5, 8)]
    reps = [RepSpan(1, i[0], i[1], t[i[0]], t[i[1]], 360.0), RepSpan(1, i[1], i[2], t[i[1]], t[i[2]], 360.0)]
    ref = circle_radius_reference(track, reps, max_gap_s=0.5, hold_circles=hold)
    near = (t >= 2 - 3 * hold) & (t <= 8 + 3 * hold)
    assert np.allclose(ref[near], 0.08, atol=0.002) and np.all(np.isnan(ref[~near]))
