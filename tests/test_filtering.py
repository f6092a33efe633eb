"""Filters: known signals in, known behaviour out."""

import numpy as np
import pytest

from hipvision.core.filtering import (
    OneEuroFilter, finite_runs, hampel, interpolate_gaps, lowpass_zero_phase, one_euro, smooth_offline,
)

T = np.arange(300) / 30.0  # 10 s at 30 fps


def test_hampel_removes_a_spike_and_keeps_the_rest():
    x = np.sin(2 * np.pi * 0.5 * T)
    x[100] += 5.0
    out = hampel(x, window=7)
    assert np.isnan(out[100])
    assert np.isfinite(np.delete(out, 100)).all()


def test_interpolate_gaps_fills_short_gaps_only():
    x = T.copy()
    x[10:13] = np.nan          # 0.1 s gap
    x[100:130] = np.nan        # 1 s gap
    out = interpolate_gaps(T, x, max_gap_s=0.5)
    np.testing.assert_allclose(out[10:13], T[10:13])
    assert np.isnan(out[100:130]).all()


def test_interpolate_gaps_leaves_leading_and_trailing_nans():
    x = T.copy()
    x[:5] = np.nan
    x[-5:] = np.nan
    out = interpolate_gaps(T, x, max_gap_s=10)
    assert np.isnan(out[:5]).all() and np.isnan(out[-5:]).all()


def test_zero_phase_lowpass_has_no_lag_and_removes_noise():
    rng = np.random.default_rng(0)
    clean = 30 * np.sin(2 * np.pi * 0.3 * T)
    noisy = clean + rng.normal(0, 2, T.shape)
    out = lowpass_zero_phase(T, noisy, cutoff_hz=1)
    core = slice(30, -30)
    assert np.sqrt(np.mean((out[core] - clean[core]) ** 2)) < 0.35 * 2  # white noise kept ≈ sqrt(1 Hz / 15 Hz)
    # no lag: the peak stays at the same frame
    assert abs(int(np.argmax(out[:100])) - int(np.argmax(clean[:100]))) <= 1


def test_lowpass_keeps_nan_runs_and_filters_each_stretch():
    x = np.sin(T)[:, None].repeat(2, axis=1)
    x[140:160, 0] = np.nan
    out = lowpass_zero_phase(T, x, cutoff_hz=3)
    assert np.isnan(out[140:160, 0]).all() and np.isfinite(out[:, 1]).all()
    assert finite_runs(np.isfinite(x[:, 0])) == [(0, 140), (160, 300)]


def test_smooth_offline_accepts_landmark_shaped_arrays():
    """Each landmark coordinate is filtered on its own, exactly as the same column alone."""
    x = np.random.default_rng(1).normal(size=(300, 33, 3))
    x[40:45, 7, 1] = np.nan
    out = smooth_offline(T, x)
    assert out.shape == (300, 33, 3)
    for lm, axis in ((0, 0), (7, 1), (32, 2)):
        np.testing.assert_array_equal(out[:, lm, axis], smooth_offline(T, x[:, lm, axis]))
    assert np.isfinite(out).all()                          # the short gap was bridged
    assert 0.5 < out.std() / x[np.isfinite(x)].std() < 0.75   # white noise kept ≈ sqrt(6 Hz / 15 Hz) ≈ 0.63


def test_one_euro_is_causal_and_tracks_a_step():
    x = np.where(T < 5, 0.0, 10.0)
    out = one_euro(T, x, min_cutoff_hz=1.0, beta=0.5)
    assert np.all(out[T < 5] == 0.0)           # nothing leaks from the future
    assert out[-1] == pytest.approx(10.0, abs=0.05)


def test_one_euro_reduces_jitter_when_still():
    rng = np.random.default_rng(2)
    x = 20 + rng.normal(0, 1.0, T.shape)
    out = one_euro(T, x, min_cutoff_hz=0.5, beta=0.0)
    assert out[60:].std() < 0.4 * x[60:].std()


def test_one_euro_skips_nan_and_restarts_after_long_gap():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, reset_after_s=0.5)
    f(0.0, 1.0)
    assert np.isnan(f(0.033, np.nan))
    assert f(2.0, 5.0) == 5.0  # gap > reset_after_s: starts again from the new value


def test_empty_and_single_sample_series_pass_through():
    empty = np.empty((0, 33, 3))
    assert smooth_offline(np.empty(0), empty).shape == (0, 33, 3)
    assert hampel(np.empty(0)).shape == (0,)
    one = np.arange(99.0).reshape(1, 33, 3)
    np.testing.assert_array_equal(smooth_offline(np.zeros(1), one), one)   # nothing to filter: unchanged
    np.testing.assert_array_equal(one_euro(np.zeros(1), one), one)


@pytest.mark.parametrize("window", [3, 7, 9])
def test_the_sliding_medians_work_in_blocks_with_the_same_result(monkeypatch, window):
    """`hampel` and `median_filter_nan` work on `MEDIAN_BLOCK` frames at a time (an hour of landmarks at once took
    450 MB): blocks of 5 frames give exactly what one block does, gaps and outliers included."""
    import hipvision.core.filtering as filtering

    rng = np.random.default_rng(4)
    x = rng.normal(size=(203, 4, 3))
    x[rng.random(x.shape) < 0.05] = np.nan
    x[rng.random(x.shape) < 0.02] += 40.0
    x[60:75] = np.nan
    monkeypatch.setattr(filtering, "MEDIAN_BLOCK", 10**6)
    whole = filtering.hampel(x, window=window), filtering.median_filter_nan(x, window=window)
    monkeypatch.setattr(filtering, "MEDIAN_BLOCK", 5)
    blocks = filtering.hampel(x, window=window), filtering.median_filter_nan(x, window=window)
    assert np.isnan(whole[0]).sum() > np.isnan(x).sum()                    # outliers were found
    for a, b in zip(whole, blocks):
        np.testing.assert_array_equal(a, b)
