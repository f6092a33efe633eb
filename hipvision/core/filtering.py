"""Filtering of landmark and angle time series (pure numpy/scipy).

All functions take time along axis 0 and accept any trailing shape, so a
(T,), (T, 2) or (T, 33, 3) array is filtered column by column. NaN marks a
missing sample. Two regimes:

* offline (files): `smooth_offline` = Hampel outlier rejection → linear
  interpolation of short gaps → zero-phase Butterworth low-pass (no lag).
* live (camera): `OneEuroFilter`, causal and low-lag (Casiez et al. 2012).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

#: Lowest cut-off, as a fraction of the Nyquist rate, a Butterworth low-pass is designed for (a camera at
#: 1,000 fps filtered at 1 Hz is at 2e-3; below about 1e-8 the design is numerically singular).
MIN_NORMALISED_CUTOFF = 1e-5


def _columns(x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    x = np.asarray(x, dtype=float)
    return x.reshape(len(x), int(np.prod(x.shape[1:]))), x.shape


#: Frames a sliding-window median works on at a time: its windows are copied (frames × columns × window values,
#: twice for the Hampel filter), so an hour of landmarks at once took 450 MB more than the landmarks themselves.
MEDIAN_BLOCK = 2048


def _sliding_blocks(cols: np.ndarray, window: int, block: int | None = None):
    """``(rows, view)`` per block of ``block`` rows of the (T, C) ``cols``: ``view`` (rows, C, window) the centred
    windows of those rows, edges padded with the first and last sample (as `np.pad` ``mode="edge"``)."""
    block = MEDIAN_BLOCK if block is None else block
    pad = window // 2
    padded = np.pad(cols, ((pad, pad), (0, 0)), mode="edge")
    for start in range(0, len(cols), block):
        stop = min(start + block, len(cols))
        yield slice(start, stop), np.lib.stride_tricks.sliding_window_view(padded[start:stop + 2 * pad], window,
                                                                          axis=0)


def hampel(x: np.ndarray, *, window: int = 7, n_sigmas: float = 3.0) -> np.ndarray:
    """Replace outliers by NaN.

    A sample is an outlier when it differs from the median of the centred
    ``window`` (odd, in samples) by more than ``n_sigmas`` robust standard
    deviations (1.4826 × median absolute deviation). NaNs are ignored.
    Works on `MEDIAN_BLOCK` frames at a time (memory flat in the length).
    """
    cols, shape = _columns(x)
    if len(cols) == 0:
        return cols.reshape(shape).copy()
    window = max(3, window | 1)
    out = cols.copy()
    for rows, view in _sliding_blocks(cols, window):  # view: (rows, C, window)
        with np.errstate(all="ignore"), _quiet_nanwarnings():
            med = np.nanmedian(view, axis=-1)
            mad = 1.4826 * np.nanmedian(np.abs(view - med[..., None]), axis=-1)
            out[rows][np.abs(cols[rows] - med) > n_sigmas * np.maximum(mad, 1e-12)] = np.nan
    return out.reshape(shape)


def interpolate_gaps(t_s: np.ndarray, x: np.ndarray, *, max_gap_s: float = 0.5) -> np.ndarray:
    """Fill NaN runs no longer than ``max_gap_s`` seconds by linear interpolation in time.

    Longer gaps and NaNs at either end stay NaN.
    """
    t = np.asarray(t_s, dtype=float)
    cols, shape = _columns(x)
    out = cols.copy()
    for c in range(cols.shape[1]):
        col = cols[:, c]
        ok = np.isfinite(col)
        if ok.sum() < 2 or ok.all():
            continue
        filled = np.interp(t, t[ok], col[ok])
        idx_ok = np.flatnonzero(ok)
        # time span of the gap each missing sample sits in
        nxt = np.searchsorted(idx_ok, np.arange(len(col)))
        inside = (nxt > 0) & (nxt < len(idx_ok)) & ~ok
        prev_t = np.where(inside, t[idx_ok[np.clip(nxt - 1, 0, len(idx_ok) - 1)]], np.nan)
        next_t = np.where(inside, t[idx_ok[np.clip(nxt, 0, len(idx_ok) - 1)]], np.nan)
        fill = inside & ((next_t - prev_t) <= max_gap_s + 1e-9)
        out[fill, c] = filled[fill]
    return out.reshape(shape)


def finite_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` index pairs of the runs where the (T,) bool ``mask`` is True."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def debounce(t_s: np.ndarray, mask: np.ndarray, *, min_on_s: float, max_fill_s: float) -> np.ndarray:
    """(T,) ``mask`` with interior gaps of at most ``max_fill_s`` filled, then runs shorter than
    ``min_on_s`` removed (times measured between samples, seconds)."""
    t = np.asarray(t_s, float)
    out = np.asarray(mask, bool).copy()
    for a, b in finite_runs(~out):
        if 0 < a and b < len(out) and t[b] - t[a - 1] <= max_fill_s:
            out[a:b] = True
    for a, b in finite_runs(out):
        if t[b - 1] - t[a] < min_on_s:
            out[a:b] = False
    return out


@lru_cache(maxsize=64)
def _butter_low(order: int, cutoff_hz: float, fs: float) -> np.ndarray:
    """Butterworth low-pass sections (designing one costs more than filtering a window with it)."""
    from scipy import signal  # seconds to import: loaded by the first filter, not by importing this module

    sos = signal.butter(order, cutoff_hz, btype="low", fs=fs, output="sos")
    return sos


def lowpass_zero_phase(t_s: np.ndarray, x: np.ndarray, *, cutoff_hz: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth low-pass (forward-backward), run on each finite stretch.

    The sampling rate is taken from the median time step. Stretches too short
    to filter are left as they are; NaNs stay NaN. So is everything when the cut-off is
    above the Nyquist rate or below `MIN_NORMALISED_CUTOFF` of it (frames microseconds apart:
    no camera, and a filter that numerically cannot be designed).
    """
    t = np.asarray(t_s, dtype=float)
    cols, shape = _columns(x)
    if len(t) < 2:
        return cols.reshape(shape).copy()
    fs = 1.0 / float(np.median(np.diff(t)))
    if not MIN_NORMALISED_CUTOFF * fs / 2 <= cutoff_hz < fs / 2:
        return cols.reshape(shape).copy()
    from scipy import signal

    sos = _butter_low(order, float(cutoff_hz), fs)
    min_len = 3 * (2 * len(sos) + 1)  # sosfiltfilt's default pad length + 1
    out = cols.copy()
    for c in range(cols.shape[1]):
        for start, stop in finite_runs(np.isfinite(cols[:, c])):
            if stop - start > min_len:
                out[start:stop, c] = signal.sosfiltfilt(sos, cols[start:stop, c])
    return out.reshape(shape)


def smooth_offline(t_s: np.ndarray, x: np.ndarray, *, cutoff_hz: float = 6.0, max_gap_s: float = 0.5,
                   hampel_window: int = 7) -> np.ndarray:
    """Hampel → gap interpolation → zero-phase Butterworth (4th order), for recorded video."""
    cleaned = hampel(x, window=hampel_window)
    filled = interpolate_gaps(t_s, cleaned, max_gap_s=max_gap_s)
    return lowpass_zero_phase(t_s, filled, cutoff_hz=cutoff_hz)


def median_filter_nan(x: np.ndarray, *, window: int) -> np.ndarray:
    """Running median along time (odd ``window`` samples), NaN-aware; `MEDIAN_BLOCK` frames at a time."""
    cols, shape = _columns(x)
    if len(cols) == 0:
        return cols.reshape(shape).copy()
    window = max(1, window | 1)
    out = np.empty_like(cols)
    for rows, view in _sliding_blocks(cols, window):
        with _quiet_nanwarnings():
            out[rows] = np.nanmedian(view, axis=-1)
    return out.reshape(shape)


def _smoothing_factor(dt_s: float, cutoff_hz: np.ndarray | float) -> np.ndarray | float:
    r = 2 * np.pi * cutoff_hz * dt_s
    return r / (r + 1)


@dataclass
class OneEuroFilter:
    """Causal One-Euro filter (Casiez, Roussel & Vogel, CHI 2012) for live use.

    Low jitter when still (cut-off ``min_cutoff_hz``), low lag when moving
    (cut-off rises by ``beta`` per unit/s of speed). Works on values of any
    shape; a NaN input returns NaN and leaves the state as it was, and a gap
    longer than ``reset_after_s`` restarts the filter.
    """

    min_cutoff_hz: float = 1.0
    beta: float = 0.05
    d_cutoff_hz: float = 1.0
    reset_after_s: float = 0.5
    _t: float | None = field(default=None, init=False, repr=False)
    _x: np.ndarray | None = field(default=None, init=False, repr=False)
    _dx: np.ndarray | None = field(default=None, init=False, repr=False)

    def reset(self) -> None:
        self._t = self._x = self._dx = None

    def __call__(self, t_s: float, x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if not np.all(np.isfinite(x)):
            return np.full_like(x, np.nan)
        if self._t is None or self._x is None or t_s - self._t > self.reset_after_s or t_s <= self._t:
            self._t, self._x, self._dx = t_s, x.copy(), np.zeros_like(x)
            return x.copy()
        dt = t_s - self._t
        dx = (x - self._x) / dt
        self._dx = self._dx + _smoothing_factor(dt, self.d_cutoff_hz) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(self._dx)
        self._x = self._x + _smoothing_factor(dt, cutoff) * (x - self._x)
        self._t = t_s
        return self._x.copy()


def one_euro(t_s: np.ndarray, x: np.ndarray, *, min_cutoff_hz: float = 1.0, beta: float = 0.05,
             d_cutoff_hz: float = 1.0) -> np.ndarray:
    """Run a fresh `OneEuroFilter` causally over a whole series (time along axis 0)."""
    filt = OneEuroFilter(min_cutoff_hz, beta, d_cutoff_hz)
    x = np.asarray(x, dtype=float)
    return np.stack([filt(float(t), xi) for t, xi in zip(t_s, x)]) if len(x) else x.copy()


class _quiet_nanwarnings:
    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)
