"""Edges of the seated-IR rules not pinned elsewhere: a reading whose uncertainty straddles both marks is
borderline at the nearer one; a leg's held angle is its best effort."""

import numpy as np
import pytest

from hipvision.core.rotation.advice import setup_advice
from hipvision.core.rotation.result import RotationSettings, summarise
from hipvision.core.rotation.summary import borderline_mark, class_with_uncertainty
from hipvision.core.rotation.view import CameraView


@pytest.mark.parametrize("held, unc, mark, cls", [
    (37.0, 8.5, 30.0, "borderline (≈30°)"),   # 7° from 30, 8° from 45: both within 8.5°, 30 is nearer
    (38.0, 8.5, 45.0, "borderline (≈45°)"),   # 8° from 30, 7° from 45
    (31.0, 14.5, 30.0, "borderline (≈30°)"),  # 1° from 30, 14° from 45
    (44.0, 14.5, 45.0, "borderline (≈45°)"),  # 14° from 30, 1° from 45
    (37.0, 7.0, None, "functional"),          # 7° from 30 exactly: strictly inside only
])
def test_a_reading_straddling_both_marks_is_borderline_at_the_nearer(held, unc, mark, cls):
    assert borderline_mark(held, unc) == mark
    assert class_with_uncertainty(held, unc) == cls


FPS = 30.0


def _two_holds(first_deg: float, second_deg: float) -> np.ndarray:
    """12 s at 30 fps: rest at 0°, a 2 s hold at ``first_deg`` (1.5-3.5 s), rest, a 2 s hold at ``second_deg``
    (6.5-8.5 s), rest; 0.5 s ramps."""
    knots = [(0, 0), (1, 0), (1.5, first_deg), (3.5, first_deg), (4, 0), (6, 0), (6.5, second_deg),
             (8.5, second_deg), (9, 0), (12, 0)]
    k = np.array(knots, float)
    return np.interp(np.arange(int(12 * FPS)) / FPS, k[:, 0], k[:, 1])


@pytest.mark.parametrize("first, second, held, cls", [(25.0, 35.0, 35.0, "functional"),
                                                      (35.0, 25.0, 35.0, "functional"),
                                                      (28.0, 22.0, 28.0, "limited")])
def test_a_legs_held_angle_is_its_best_effort_not_its_first_or_last(first, second, held, cls):
    x = _two_holds(first, second)
    t = np.arange(len(x)) / FPS
    res = summarise(t, np.stack([x, x], 1), np.stack([x, x], 1), np.zeros((len(x), 2), int), CameraView(),
                    RotationSettings(), mode="offline", source="", model="")
    assert [round(e.held_deg, 6) for e in res.left.efforts] == [first, second]
    assert (res.left.status, res.left.held_deg, res.left.cls) == ("measured", pytest.approx(held), cls)
    assert res.left.evidence.held_deg == pytest.approx(held)   # its uncertainty's evidence is that effort's


@pytest.mark.parametrize("shank_px, said", [
    (69.0, "person small in the picture (shank 69 px, about 6.9 m away): both legs less certain; move the camera to "
           "1.5-2.5 m or film at a higher resolution"),
    (0.0, "person small in the picture (shank 0 px): both legs less certain; move the camera to 1.5-2.5 m or film "
          "at a higher resolution"),   # no distance from a zero-length shank
])
def test_the_small_person_warning_gives_the_distance_only_from_a_shank_it_can_measure(shank_px, said):
    assert setup_advice(CameraView(frames=10), shank_px) == ([said], [])
