"""Set edges: the move from the start position onto the circle is not a circle, nor is the sit-back between
sets; the last circle of a set is one when it closes; rep start and end within 0.3 s of the truth."""

import zlib

import numpy as np
import pytest

from hipvision.core.circles import CirclesSettings, analyze_circles
from hipvision.core.circles.counting import CounterSettings
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
