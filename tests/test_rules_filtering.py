"""Filtering rules at their edges, with exact known answers (issue 19).

One-Euro (live): the derivative path (beta > 0) sets the cut-off from the *smoothed* speed; a gap longer
than ``reset_after_s`` restarts it, a shorter one does not. Offline: Hampel's 3-sigma edge, the gap-fill
limit, the shortest stretch the Butterworth filter runs on.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hipvision.core.filtering import (
    OneEuroFilter, hampel, interpolate_gaps, lowpass_zero_phase, median_filter_nan, one_euro, smooth_offline,
)

FPS = 30.0
DT = 1 / FPS
T = np.arange(300) / FPS


def _alpha(cutoff_hz: float, dt: float = DT) -> float:
    """One-Euro's smoothing factor for a first-order low-pass at ``cutoff_hz`` (Casiez et al. 2012)."""
    r = 2 * math.pi * cutoff_hz * dt
    return r / (r + 1)


@pytest.mark.parametrize("step, beta, d_cutoff_hz", [
    (10.0, 0.0, 1.0),     # no derivative path: the cut-off stays at min_cutoff
    (10.0, 0.5, 1.0),
    (-10.0, 0.5, 1.0),    # the speed's size, not its sign, raises the cut-off
    (10.0, 0.5, 4.0),     # a faster derivative filter passes more of the jump's speed
    (2.0, 0.05, 1.0),
])
def test_one_euro_first_two_samples_after_a_step(step, beta, d_cutoff_hz):
    """From rest at 0, a step: the speed seen is step/dt, smoothed at d_cutoff; the cut-off is
    min_cutoff + beta·|smoothed speed|; the value moves by that cut-off's factor. Exact, twice."""
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=beta, d_cutoff_hz=d_cutoff_hz)
    for i in range(5):
        assert f(i * DT, 0.0) == 0.0
    dx = _alpha(d_cutoff_hz) * step / DT
    x1 = _alpha(1.0 + beta * abs(dx)) * step
    assert float(f(5 * DT, step)) == pytest.approx(x1, rel=1e-12)
    dx = dx + _alpha(d_cutoff_hz) * ((step - x1) / DT - dx)
    x2 = x1 + _alpha(1.0 + beta * abs(dx)) * (step - x1)
    assert float(f(6 * DT, step)) == pytest.approx(x2, rel=1e-12)


@pytest.mark.parametrize("speed", [20.0, -20.0])
@pytest.mark.parametrize("beta", [0.0, 0.5])
def test_one_euro_lag_on_a_ramp(speed, beta):
    """A steady ramp: the lag e settles where e = |v'| / (2π·(min_cutoff + β·|v'|)) with the speed seen
    v' = v + e/dt (the filter differentiates against its own last output): for β > 0 the positive root
    of 2πβ/dt·e² + 2π(1 + β|v|)·e − |v| = 0; for β = 0, |v|/2π."""
    out = one_euro(T, speed * T, min_cutoff_hz=1.0, beta=beta, d_cutoff_hz=1.0)
    a, b, c = 2 * math.pi * beta / DT, 2 * math.pi * (1 + beta * abs(speed)), -abs(speed)
    lag = -c / b if a == 0 else (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    assert speed * T[-1] - out[-1] == pytest.approx(math.copysign(lag, speed), rel=1e-6)


def test_one_euro_derivative_path_on_a_noisy_ramp():
    """20°/s with 0.5° noise: with β = 0.5 the lag is a tenth of β = 0's (3.2°), and the derivative is
    smoothed (at d_cutoff 1 Hz): the output is calmer than the input and than with an unsmoothed speed."""
    rng = np.random.default_rng(3)
    x = 20 * T + rng.normal(0, 0.5, T.shape)
    late = slice(150, None)
    lag = {b: (20 * T - one_euro(T, x, min_cutoff_hz=1.0, beta=b, d_cutoff_hz=1.0))[late] for b in (0.0, 0.5)}
    assert lag[0.0].mean() == pytest.approx(20 / (2 * math.pi), abs=0.15)
    assert 0.05 < lag[0.5].mean() < 0.3
    raw_speed = (20 * T - one_euro(T, x, min_cutoff_hz=1.0, beta=0.5, d_cutoff_hz=1000.0))[late]
    assert lag[0.5].std() < 0.8 * 0.5 and lag[0.5].std() < raw_speed.std()


@pytest.mark.parametrize("gap_s, restarts", [(0.45, False), (0.5, False), (0.55, True)])
def test_one_euro_restarts_only_after_a_long_gap(gap_s, restarts):
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, reset_after_s=0.5)
    f(0.0, 0.0)
    out = float(f(gap_s, 10.0))
    assert out == (10.0 if restarts else pytest.approx(_alpha(1.0, gap_s) * 10.0, rel=1e-12))


def test_one_euro_nan_keeps_the_state_and_time_going_back_restarts():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    f(0.0, 0.0)
    assert np.isnan(f(DT, np.nan))
    assert float(f(2 * DT, 10.0)) == pytest.approx(_alpha(1.0, 2 * DT) * 10.0, rel=1e-12)
    assert float(f(DT, 4.0)) == 4.0        # time went back: a new start
    assert float(f(DT, 6.0)) == 6.0        # the same time again: a new start too (no division by 0)
    f.reset()
    assert float(f(5.0, 7.0)) == 7.0


def test_one_euro_filters_each_element_of_an_array():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    f(0.0, np.zeros(3))
    np.testing.assert_allclose(f(DT, np.array([1.0, -2.0, 0.0])), _alpha(1.0) * np.array([1.0, -2.0, 0.0]))
    assert one_euro(np.zeros(0), np.zeros((0, 2))).shape == (0, 2)


def test_one_euro_series_is_the_default_filter_run_causally_and_returns_floats():
    x = 20 * T + np.random.default_rng(5).normal(0, 0.5, T.shape)
    f = OneEuroFilter()
    np.testing.assert_array_equal(one_euro(T, x), [f(t, v) for t, v in zip(T, x)])
    ints = one_euro(T[:3], np.array([1, 2, 3]))
    assert ints.dtype == float and ints[0] == 1.0
    assert OneEuroFilter()(0.0, 1).dtype == float


#: An alternating 0, 1, -1 pattern: around any sample its 7-window has median 0 and MAD 1 (σ = 1.4826).
PATTERN = np.tile([0.0, 1.0, -1.0], 10)


@pytest.mark.parametrize("spike, removed", [(3 * 1.4826 - 0.01, False), (3 * 1.4826 + 0.01, True),
                                            (-3 * 1.4826 - 0.01, True)])
def test_hampel_three_sigma_edge(spike, removed):
    x = PATTERN.copy()
    x[15] = spike
    out = hampel(x, window=7)          # the default, as smooth_offline uses it
    assert np.isnan(out[15]) == removed
    inner = np.r_[5:15, 16:25]          # away from the ends (edge padding makes their MAD 0)
    np.testing.assert_array_equal(out[inner], x[inner])


@pytest.mark.parametrize("missing, filled", [(14, True), (15, False)])
def test_gap_fill_limit(missing, filled):
    """At 30 fps, 14 missing samples span 0.5 s between their neighbours (filled), 15 span 0.533 s (not)."""
    x = 2 * T.copy()
    x[50:50 + missing] = np.nan
    out = interpolate_gaps(T, x, max_gap_s=0.5)
    if filled:
        np.testing.assert_allclose(out, 2 * T)
    else:
        assert np.isnan(out[50:50 + missing]).all()
        np.testing.assert_array_equal(out[:50], x[:50])


@pytest.mark.parametrize("length, filtered", [(15, False), (16, True)])
def test_lowpass_runs_only_on_stretches_long_enough(length, filtered):
    """4th order: sosfiltfilt pads 3·(2·2 sections + 1) = 15 samples; a stretch must be longer."""
    x = np.full(40, np.nan)
    x[10:10 + length] = np.where(np.arange(length) % 2, 1.0, -1.0)
    out = lowpass_zero_phase(T[:40], x, cutoff_hz=3.0)
    changed = not np.allclose(out[10:10 + length], x[10:10 + length])
    assert changed == filtered
    assert np.isnan(out[:10]).all() and np.isnan(out[10 + length:]).all()


def test_lowpass_at_or_above_nyquist_changes_nothing():
    x = np.sin(7 * T)
    np.testing.assert_array_equal(lowpass_zero_phase(T, x, cutoff_hz=15.5), x)
    np.testing.assert_array_equal(lowpass_zero_phase(T[:1], x[:1], cutoff_hz=1.0), x[:1])


def test_lowpass_passes_a_slow_sine_and_stops_a_fast_one():
    slow, fast = np.sin(2 * np.pi * 0.5 * T), np.sin(2 * np.pi * 8.0 * T)
    core = slice(60, -60)
    np.testing.assert_allclose(lowpass_zero_phase(T, slow, cutoff_hz=3.0)[core], slow[core], atol=2e-3)
    assert np.abs(lowpass_zero_phase(T, fast, cutoff_hz=3.0)[core]).max() < 0.02


def test_smooth_offline_is_hampel_then_gap_fill_then_lowpass():
    rng = np.random.default_rng(4)
    x = np.sin(2 * np.pi * 0.4 * T) + rng.normal(0, 0.05, T.shape)
    x[100] = 5.0          # a spike Hampel removes ...
    x[200:205] = np.nan   # ... and a short gap that is bridged
    want = lowpass_zero_phase(T, interpolate_gaps(T, hampel(x, window=7), max_gap_s=0.5), cutoff_hz=6.0)
    np.testing.assert_array_equal(smooth_offline(T, x), want)
    assert np.isfinite(want).all() and abs(want[100] - np.sin(2 * np.pi * 0.4 * T[100])) < 0.1


def test_median_filter_nan():
    x = np.array([0.0, 10.0, 0.0, 0.0, np.nan, 5.0, 5.0])
    np.testing.assert_array_equal(median_filter_nan(x, window=3), [0.0, 0.0, 0.0, 0.0, 2.5, 5.0, 5.0])
    np.testing.assert_array_equal(median_filter_nan(x, window=1), x)
    # the ends are padded with their own value (not zeros): window 5 reaches two samples past them
    np.testing.assert_array_equal(median_filter_nan(np.array([5.0, 5.0, 1.0, 9.0, 1.0]), window=5),
                                  [5.0, 5.0, 5.0, 1.0, 1.0])
    assert median_filter_nan(np.zeros((0, 33, 3)), window=3).shape == (0, 33, 3)
