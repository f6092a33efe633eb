"""Edges of the rules that keep following one person (`hipvision.core.subject`): the overlap that continues
the subject, the jump beyond which a box is someone else, when a person is small enough to search tiles for,
when a crop window is kept, and the tiles' overlap. Boxes in pixels, frame 1000 × 800."""

import numpy as np
import pytest

from hipvision.core.subject import choose_subject, is_small, search_tiles, window_fits

FRAME = (1000, 800)
PREVIOUS = np.array([100.0, 100.0, 200.0, 300.0])  # 100 × 200 px: larger side 200 px


@pytest.mark.parametrize("shift_px, chosen", [
    (0.0, 0),       # the same box
    (163.0, 0),     # shifted down 163 px: IoU 37/363 = 0.102, kept by overlap
    (166.0, None),  # 34/366 = 0.093: no overlap to speak of, and its centre 0.83 × 200 px away: someone else
])
def test_a_box_overlapping_the_subject_at_iou_0_1_continues_it(shift_px, chosen):
    box = PREVIOUS + [0.0, shift_px, 0.0, shift_px]
    assert choose_subject(box[None], PREVIOUS, FRAME) == chosen


@pytest.mark.parametrize("jump_px, chosen", [(100.0, 0), (101.0, None)])
def test_without_overlap_the_nearest_box_continues_the_subject_within_half_its_larger_side(jump_px, chosen):
    """A small 10 × 10 box whose centre is ``jump_px`` right of the previous box's centre: within
    0.5 × 200 px it is the subject, beyond it someone else (the boxes do not overlap)."""
    centre = np.array([150.0 + jump_px, 200.0])
    box = np.r_[centre - 5, centre + 5]
    assert choose_subject(box[None], PREVIOUS, FRAME) == chosen


def test_the_largest_overlap_wins_over_the_nearest_box():
    near_small = np.array([140.0, 190.0, 160.0, 210.0])   # centred on the previous box, IoU 0.02
    overlapping = PREVIOUS + [0.0, 100.0, 0.0, 100.0]     # IoU 1/3
    assert choose_subject(np.stack([near_small, overlapping]), PREVIOUS, FRAME) == 1


@pytest.mark.parametrize("width, height, small", [
    (349.0, 279.0, True),    # both under 0.35 of the frame (350 × 280 px)
    (350.0, 279.0, False),   # as wide as 0.35 of the frame
    (349.0, 280.0, False),
    (None, None, True),      # never seen
])
def test_a_person_is_small_while_both_sides_are_under_0_35_of_the_frame(width, height, small):
    box = None if width is None else np.array([10.0, 10.0, 10.0 + width, 10.0 + height])
    assert is_small(box, FRAME) is small


WINDOW = np.array([200.0, 200.0, 600.0, 600.0])  # 400 px square, away from the frame's edges


@pytest.mark.parametrize("box, kept", [
    ([240, 300, 400, 500], True),    # 40 px (0.1 of the window) from its left edge, fill 200/400 = 0.5
    ([239, 300, 400, 500], False),   # 39 px: too near the edge, cut a new window
    ([300, 300, 400, 400], True),    # fill 100/400 = 0.25
    ([300, 300, 399, 399], False),   # fill 0.2475: too small in the window
    ([260, 260, 558, 500], True),    # fill 298/400 = 0.745
    ([241, 250, 543, 543], False),   # fill 302/400 = 0.755: too big
])
def test_a_crop_window_is_kept_while_the_person_stays_a_tenth_inside_and_fills_a_quarter_to_three_quarters(
        box, kept):
    assert window_fits(np.array(box, float), WINDOW, FRAME) is kept


def test_a_window_edge_on_the_frames_edge_is_never_too_near():
    window = np.array([0.0, 0.0, 400.0, 400.0])
    assert window_fits(np.array([0.0, 0.0, 150.0, 200.0]), window, FRAME) is True
    assert window_fits(np.array([100.0, 100.0, 361.0, 300.0]), window, FRAME) is False   # 39 px from the right
    corner = np.array([600.0, 400.0, 1000.0, 800.0])
    assert window_fits(np.array([850.0, 600.0, 1000.0, 800.0]), corner, FRAME) is True
    assert window_fits(np.array([650.0, 450.0, 800.0, 761.0]), corner, FRAME) is False   # 39 px from the bottom


def test_tiles_share_a_quarter_of_their_side_with_their_neighbours():
    """2 × 2 tiles of 1000 × 800: tile side 1000 / (2 − 0.25) = 571.4 px, step 428.6 px."""
    tiles = search_tiles(FRAME, rows=2, cols=2)
    assert tiles.tolist() == [[0, 0, 571, 457], [429, 0, 1000, 457], [0, 343, 571, 800], [429, 343, 1000, 800]]
