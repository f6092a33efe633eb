"""Left and right swapped by the pose model in some frames (a far person): found and put back before measuring."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hipvision.core.rotation import analyze_rotation
from hipvision.core.rotation.seated import sideways_yaw_deg
from hipvision.core.rotation.sides import restore_sides, swapped_frames
from hipvision.landmarks import MIRROR_PERMUTATION
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints

FPS = 30.0
BODY = SeatedBody()


def _seq(ir_l, ir_r, **camera):
    cam = PinholeCamera.looking_at(BODY.knee_centre(), **camera)
    return sequence_from_joints(seated_joints(ir_l, ir_r, body=BODY), cam, fps=FPS, noise_px=1.0, seed=3)


def _swap_labels(seq, frames: np.ndarray):
    """``seq`` with the left and right labels of ``frames`` swapped, as MediaPipe does on a small person."""
    perm = np.asarray(MIRROR_PERMUTATION)

    def swap(a):
        a = np.array(a, copy=True)
        a[frames] = a[frames][:, perm]
        return a

    return dataclasses.replace(seq, image=swap(seq.image), visibility=swap(seq.visibility),
                               presence=swap(seq.presence), world=swap(seq.world))


def _effort_on_the_left(seconds: float = 8.0):
    t = np.arange(int(seconds * FPS)) / FPS
    return _seq(effort_profile(t, [(2.0, 38.0, 3.0)]), np.zeros_like(t), yaw_deg=10.0)


def test_swapped_frames_are_found_and_put_back_exactly():
    seq = _effort_on_the_left()
    frames = np.zeros(len(seq), bool)
    frames[40:70] = frames[100:103] = frames[150] = True
    swapped = _swap_labels(seq, frames)
    assert sideways_yaw_deg(seq.world).max() < 20 and sideways_yaw_deg(swapped.world)[frames].min() > 160
    np.testing.assert_array_equal(swapped_frames(swapped.image, swapped.world), frames)
    restored, n = restore_sides(swapped)
    assert n == frames.sum()
    np.testing.assert_array_equal(restored.image, seq.image)
    np.testing.assert_array_equal(restored.world, seq.world)
    assert restore_sides(seq) == (seq, 0)


def test_a_recording_turned_away_in_most_frames_is_left_as_it_is():
    """Which labelling is right cannot be told from the labels: with most frames turned, none is swapped back."""
    seq = _effort_on_the_left()
    frames = np.zeros(len(seq), bool)
    frames[: len(seq) // 2 + 1] = True
    assert not swapped_frames(_swap_labels(seq, frames).image, _swap_labels(seq, frames).world).any()


def test_a_swapped_stretch_is_measured_as_if_nothing_was_swapped():
    """A third of the frames swapped, through the hold: without the labels put back that stretch is rejected (the
    person read as turned away) and the resting right leg comes out "not seen"; with them both legs read as with no
    swap, and the result says the labels were put back."""
    seq = _effort_on_the_left()
    t = seq.timestamps_s
    frames = (t > 2.5) & (t < 5.0)
    clean = analyze_rotation(seq)
    res = analyze_rotation(_swap_labels(seq, frames))
    assert clean.left.held_deg == pytest.approx(38.0, abs=1.5)
    assert res.left.held_deg == pytest.approx(clean.left.held_deg, abs=0.3)
    assert res.right.status == clean.right.status == "no effort"
    assert any("swapped left and right" in line for line in res.info)
    assert not any("swapped" in line for line in clean.info)


def test_the_live_test_puts_swapped_frames_back_once_more_frames_so_far_face_the_camera():
    from hipvision.core.rotation import Reason

    seq = _effort_on_the_left()
    t = seq.timestamps_s
    frames = ((t > 3.0) & (t < 4.5)) | (t < 0.1)   # and the first 3 frames, before any frame faced the camera
    clean = analyze_rotation(seq, live=True)
    res = analyze_rotation(_swap_labels(seq, frames), live=True)
    assert res.left.held_deg == pytest.approx(clean.left.held_deg, abs=0.3)
    assert res.right.status == clean.right.status
    first = t < 0.1
    assert (res.reasons[first] == int(Reason.NOT_FACING)).all()          # nothing to tell them from yet
    assert (clean.reasons[first] != int(Reason.NOT_FACING)).all()
    later = (t > 3.0) & (t < 4.5)      # by then more frames faced the camera than not: put back
    np.testing.assert_array_equal(res.reasons[later], clean.reasons[later])
    n_back = int(later.sum())              # the first frames were not put back: only the later ones are counted
    assert any(f"swapped left and right in {n_back} of {len(t)} frames" in line for line in res.info), res.info
    assert not any("swapped" in line for line in clean.info)
