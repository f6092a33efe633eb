"""The measuring functions of benchmarks/behind_mask_study.py (mask13): known masks and signals."""

from types import SimpleNamespace

import numpy as np
import pytest
from benchmark_modules import load_benchmark

from hipvision.core.circles import analyze as A
from hipvision.core.circles import depth as D

study = load_benchmark("behind_mask_study")


def _landmarks(hip_y: float, knee_y: float) -> list:
    """33 normalised landmarks with both hips at ``hip_y`` and both knees at ``knee_y``."""
    lm = [SimpleNamespace(x=0.5, y=0.5) for _ in range(33)]
    for i in (23, 24):
        lm[i] = SimpleNamespace(x=0.5, y=hip_y)
    for i in (25, 26):
        lm[i] = SimpleNamespace(x=0.5, y=knee_y)
    return lm


def test_hip_row_width_is_the_masks_width_at_the_hip_row_only():
    h, w = 200, 300
    mask = np.zeros((h, w), np.float32)
    mask[:, 100:140] = 0.9  # 40 px wide at every row ...
    mask[85:110, 100:240] = 0.9  # ... and 140 px wide above and below the band (the back, the thighs):
    mask[131:160, 100:240] = 0.9  # outside it, though more rows than it holds
    mask[118:123, 100:300] = 0.4  # under the threshold: not the person
    # hips at row 120, knees at row 180: the band is 120 ± 0.15·60 = 111..129
    assert study.hip_row_width(mask, _landmarks(0.6, 0.9), h, w) == 40.0


def test_growth_of_widths_is_the_change_of_log_width():
    g = study.growth_of_widths(np.array([100.0, 110.0, np.nan, 121.0, 0.0]))
    assert np.isnan(g[0]) and np.isnan(g[2]) and np.isnan(g[3]) and np.isnan(g[4])
    assert g[1] == pytest.approx(np.log(1.1))


def test_minus_in_step_removes_what_follows_the_side_to_side_motion_and_keeps_the_quarter_turn():
    t = np.arange(0, 9, 1 / 15)  # three whole periods
    a = 0.05 * np.sin(2 * np.pi * t / 3)
    quarter = 0.04 * np.cos(2 * np.pi * t / 3)
    dev = np.stack([np.zeros_like(a), a], axis=1)  # camera behind (az 180): across = the right axis, negated
    across, _ = D.depth_axes(180.0)
    a_seen = dev @ across
    approach = 0.7 * a_seen + 0.5 * np.abs(a_seen) + quarter + 0.01
    left = study._minus_in_step(t, dev, approach, 180.0)
    assert abs(np.corrcoef(left, a_seen)[0, 1]) < 1e-6
    assert abs(np.corrcoef(left, np.abs(a_seen))[0, 1]) < 1e-6
    assert np.corrcoef(left, quarter)[0, 1] > 0.99


def test_patched_restores_the_package_functions():
    before = (A.image_approach_m, D.image_loop_terms, D.image_loop)
    with study.patched(study.VARIANTS[-1], np.zeros(10)):
        assert (A.image_approach_m, D.image_loop_terms, D.image_loop) != before
    assert (A.image_approach_m, D.image_loop_terms, D.image_loop) == before
