"""Which frames' hip growth the offline circles analysis can read (`growth_frames_read`, issue 16): those of the
depth windows that consult the image (faint or unclear world depth), and no others."""

from dataclasses import replace

import numpy as np
import pytest

from hipvision.core.circles import analyze_circles
from hipvision.core.circles.analyze import growth_frames_read
from hipvision.core.circles.depth import depth_coefficients, image_frames_read
from hipvision.synthetic.quadruped import quadruped_camera, render_quadruped
from test_circles_depth import LOW_SIDE, NOISE, SET, true_hip_growth

#: (camera, depth_motion_gain): side-on with the world depth 50 times too small (faint), and at 45° with the world
#: depth as measured (a clear loop 0.4+ of its width: no window of a set's steady circling consults the image)
VIEWS = {"side-on, faint depth": (LOW_SIDE, 0.02), "45°, strong depth": (quadruped_camera("45"), 1.0)}


def _with_growth(view):
    camera, gain = VIEWS[view]
    seq = render_quadruped(SET, camera=camera, seed=6, depth_motion_gain=gain)
    return replace(seq, hip_growth=true_hip_growth(SET, camera, noise=NOISE))


def _at(seq, *times_s):
    return [int(np.argmin(np.abs(seq.timestamps_s - t))) for t in times_s]


def test_a_faint_depth_window_reads_the_growth_and_a_strong_one_does_not():
    """SET: 5 circles of 3 s from 1.5 s, a 2 s hold, 5 circles of 2.5 s. Side-on, every frame is read; at 45° the
    middle of each set is not (its windows hold one clear loop, as deep as the world shows it), while the
    windows over the change of direction and the ends (no clear loop) still are."""
    side = _with_growth("side-on, faint depth")
    assert growth_frames_read(side).all()
    oblique = _with_growth("45°, strong depth")
    read = growth_frames_read(oblique)
    assert not read[_at(oblique, 7.0, 9.0, 28.0, 30.0)].any()
    assert read[_at(oblique, 1.0, 17.5, 20.0)].all()
    assert 0.3 < read.mean() < 0.8


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_growth_of_frames_not_read_cannot_change_the_result(view):
    """Growth unknown (NaN) or wrong (reversed, five times as large) on the frames not read: the same result,
    counts, confidence, reasons and sizes. Reversed on the frames read, side-on the circles turn the other way."""
    seq = _with_growth(view)
    read = growth_frames_read(seq)
    expected = analyze_circles(seq)
    assert [r.direction for r in expected.reps] == SET.directions
    for other in (np.nan, -5 * seq.hip_growth):
        changed = replace(seq, hip_growth=np.where(read, seq.hip_growth, other))
        assert analyze_circles(changed).to_dict() == expected.to_dict()
    if view.startswith("side-on"):
        flipped = analyze_circles(replace(seq, hip_growth=np.where(read, -seq.hip_growth, seq.hip_growth)))
        assert [r.direction for r in flipped.reps] != SET.directions


def test_a_sequence_too_short_to_analyse_reads_nothing():
    seq = _with_growth("side-on, faint depth").slice(0, 1)
    assert growth_frames_read(seq).tolist() == [False]


def test_frames_inside_a_window_that_are_not_on_all_fours_are_read_too():
    """A window's image evidence is a running sum of the growth: the growth of a frame inside it that is not
    itself analysed (a moment off all fours within one tracked stretch) still moves every later frame's
    approach, so it is read. Core level: a faint side-on loop at 20 fps with a 0.4 s hole in ``valid``."""
    t = np.arange(0, 30, 0.05)
    w = 2 * np.pi * t / 3
    dev = np.stack([0.08 * np.cos(w), -0.0016 * np.sin(w)], axis=1)  # camera at the left: depth 50 times too small
    approach = 0.08 * np.sin(w)  # the image shows the whole depth motion
    valid, seg = (t < 10.0) | (t > 10.4), np.zeros(len(t), int)
    az, torso = np.full(len(t), -90.0), np.full(len(t), 0.5)
    read = image_frames_read(t, dev, valid, seg, az, torso)
    hole = ~valid
    assert hole.sum() == 9 and read.all()  # 10.0-10.4 s
    base = depth_coefficients(t, dev, valid, seg, az, torso, approach_m=approach)
    stepped = depth_coefficients(t, dev, valid, seg, az, torso, approach_m=approach + 0.05 * (t > 10.2))
    assert not np.array_equal(base[0], stepped[0])  # a jump of 5 cm in the hole changes the rebuild
