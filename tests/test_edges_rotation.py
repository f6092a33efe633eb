"""Edges of the seated-IR rules not pinned elsewhere: a reading whose uncertainty straddles both marks is
borderline at the nearer one."""

import pytest

from hipvision.core.rotation.summary import borderline_mark, class_with_uncertainty


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
