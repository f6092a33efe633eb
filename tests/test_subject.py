"""Pure subject-selection and crop-window maths (hipvision.core.subject): known answers."""

from __future__ import annotations

import numpy as np
import pytest

from hipvision.core import subject as s
from hipvision.synthetic import PinholeCamera, sequence_from_joints

FRAME = (1920, 1080)


def test_landmarks_box_skips_nan_rows():
    pts = np.array([[10.0, 20.0, 0.1], [np.nan, 5.0, 0.0], [30.0, 60.0, -0.2], [25.0, 15.0, 0.0]])
    np.testing.assert_array_equal(s.landmarks_box(pts), [10, 15, 30, 60])
    assert s.landmarks_box(np.full((33, 2), np.nan)) is None


@pytest.mark.parametrize("other, expected", [
    ([0, 0, 10, 10], 1.0),              # same box
    ([5, 0, 15, 10], 50 / 150),         # half overlap
    ([20, 20, 30, 30], 0.0),            # apart
    ([0, 0, 5, 5], 25 / 100),           # inside
])
def test_box_iou(other, expected):
    assert s.box_iou(np.array([other]), np.array([0, 0, 10, 10]))[0] == pytest.approx(expected)


def test_first_pick_prefers_big_and_central():
    small_centre = [940, 500, 980, 580]
    big_centre = [860, 300, 1060, 800]
    big_corner = [0, 0, 200, 500]
    assert s.choose_subject(np.array([small_centre, big_centre, big_corner]), None, FRAME) == 1
    # same size: the more central one wins
    assert s.choose_subject(np.array([big_corner, big_centre]), None, FRAME) == 1
    scores = s.subject_scores(np.array([big_centre, big_corner]), FRAME)
    assert scores[0] > scores[1] > 0


@pytest.mark.parametrize("case, boxes, previous, expected", [
    ("overlap continues, even when another is bigger and central",
     [[860, 200, 1160, 900], [100, 400, 220, 700]], [110, 410, 230, 700], 1),
    ("largest overlap wins", [[100, 100, 200, 300], [150, 100, 250, 300]], [140, 100, 240, 300], 1),
    ("tiny overlap but same place (partly seen): continues",
     [[1500, 100, 1600, 300], [230, 350, 270, 450]], [100, 100, 400, 700], 1),
    ("far away: someone else, not the subject", [[1500, 100, 1600, 300]], [100, 100, 200, 300], None),
    ("nobody", np.zeros((0, 4)), [100, 100, 200, 300], None),
])
def test_choose_subject_by_continuity(case, boxes, previous, expected):
    assert s.choose_subject(np.array(boxes, float), np.array(previous, float), FRAME) == expected, case


def test_following_a_walking_subject_past_a_bigger_person():
    """A subject walks left to right past a larger, central bystander and is never swapped."""
    bystander = np.array([860, 200, 1100, 1000])
    previous = np.array([100, 500, 200, 800])
    for step in range(60):
        x = 100 + 25 * step
        subject = np.array([x, 500, x + 100, 800])
        boxes = np.array([bystander, subject]) if step % 2 else np.array([subject, bystander])
        index = s.choose_subject(boxes, previous, FRAME)
        np.testing.assert_array_equal(boxes[index], subject)
        previous = boxes[index]


@pytest.mark.parametrize("rows, cols, overlap", [(2, 2, 0.25), (3, 3, 0.25), (1, 1, 0.0), (2, 3, 0.5)])
def test_search_tiles_cover_the_frame_with_overlap(rows, cols, overlap):
    tiles = s.search_tiles(FRAME, rows=rows, cols=cols, overlap=overlap)
    assert tiles.shape == (rows * cols, 4)
    covered = np.zeros(FRAME[::-1], bool)
    for x0, y0, x1, y1 in tiles:
        assert 0 <= x0 < x1 <= FRAME[0] and 0 <= y0 < y1 <= FRAME[1]
        covered[y0:y1, x0:x1] = True
    assert covered.all()
    if cols > 1:  # neighbours share `overlap` of a tile's width (to rounding)
        shared = tiles[0, 2] - tiles[1, 0]
        assert shared == pytest.approx(overlap * (tiles[0, 2] - tiles[0, 0]), abs=1)


@pytest.mark.parametrize("box, expected", [
    ([900, 400, 1000, 600], [750, 300, 1150, 700]),     # side 2 x 200, centred
    ([0, 0, 100, 200], [0, 0, 400, 400]),               # shifted inside at the corner
    ([950, 500, 960, 520], [827, 382, 1083, 638]),      # tiny person: min side 256
    ([0, 0, 1000, 1000], [0, 0, 1920, 1080]),           # bigger than the frame: clipped
])
def test_crop_window(box, expected):
    np.testing.assert_array_equal(s.crop_window(np.array(box, float), FRAME, scale=2.0, min_side_px=256), expected)


@pytest.mark.parametrize("box, fits", [
    ([350, 300, 450, 500], True),    # centred, fill 0.5
    ([520, 300, 600, 500], False),   # near the right edge
    ([380, 380, 420, 420], False),   # far too small now
    ([220, 220, 580, 580], False),   # too big now
])
def test_window_fits(box, fits):
    window = np.array([200, 200, 600, 600])
    assert s.window_fits(np.array(box, float), window, FRAME) is fits


def test_window_on_frame_edge_lets_the_box_reach_it():
    window = np.array([0, 0, 400, 400])
    assert s.window_fits(np.array([0.0, 100, 150, 300]), window, FRAME)


def test_crop_to_frame_round_trip_on_a_projected_skeleton():
    """Landmarks of a synthetic person, re-expressed in a crop, map back exactly."""
    joints = np.zeros((1, 33, 3))
    rng = np.random.default_rng(3)
    joints[0] = rng.normal([0, 1.0, 0], [0.2, 0.4, 0.1], (33, 3))
    camera = PinholeCamera.looking_at(np.array([0, 1.0, 0]), distance_m=6.0, width=FRAME[0], height=FRAME[1])
    seq = sequence_from_joints(joints, camera)
    full = seq.image[0]
    window = np.array([700, 200, 1300, 800])
    w, h = FRAME
    cw = window[2] - window[0]
    in_crop = np.stack([(full[:, 0] * w - window[0]) / cw, (full[:, 1] * h - window[1]) / (window[3] - window[1]),
                        full[:, 2] * w / cw], axis=1)
    np.testing.assert_allclose(s.crop_to_frame(in_crop, window, FRAME), full, atol=1e-12)


def test_only_a_small_or_unseen_person_is_worth_a_tile_search():
    assert s.is_small(None, FRAME)  # never seen: search
    assert s.is_small(np.array([900, 500, 1000, 740]), FRAME)  # 100 x 240 px in 1080p: search
    assert not s.is_small(np.array([600, 200, 1300, 900]), FRAME)  # large: gone or hidden, no search
    assert not s.is_small(np.array([100, 900, 1500, 1000]), FRAME)  # lying across the frame: wide is large
