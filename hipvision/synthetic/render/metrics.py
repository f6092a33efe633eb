"""Agreement statistics for measured vs true values (numpy only), used by benchmarks/accuracy.py."""

from __future__ import annotations

import math

import numpy as np


def icc_a1(truth: np.ndarray, measured: np.ndarray) -> float:
    """ICC(2,1): two-way random effects, absolute agreement, single measurement (Shrout & Fleiss).

    Args:
        truth, measured: (n,) paired values (n >= 2). NaN pairs are dropped.

    Returns:
        The ICC (≤ 1; 1 = perfect agreement), NaN with fewer than 2 pairs or no spread.
    """
    y = np.column_stack([np.asarray(truth, float), np.asarray(measured, float)])
    y = y[np.isfinite(y).all(axis=1)]
    n, k = y.shape
    if n < 2:
        return math.nan
    grand = y.mean()
    ss_rows = k * np.sum((y.mean(axis=1) - grand) ** 2)
    ss_cols = n * np.sum((y.mean(axis=0) - grand) ** 2)
    ss_err = np.sum((y - grand) ** 2) - ss_rows - ss_cols
    ms_r, ms_c, ms_e = ss_rows / (n - 1), ss_cols / (k - 1), ss_err / ((n - 1) * (k - 1))
    denom = ms_r + (k - 1) * ms_e + k * (ms_c - ms_e) / n
    return float((ms_r - ms_e) / denom) if denom > 0 else math.nan


def agreement(truth, measured) -> dict:
    """MAE, bias (measured − truth), 95% limits of agreement (Bland–Altman) and ICC(2,1).

    NaN pairs are dropped; ``n`` counts the pairs used.
    """
    t, m = np.asarray(truth, float), np.asarray(measured, float)
    ok = np.isfinite(t) & np.isfinite(m)
    d = m[ok] - t[ok]
    n = int(ok.sum())
    if n == 0:
        return {"n": 0, "mae": math.nan, "bias": math.nan, "loa_low": math.nan, "loa_high": math.nan, "icc": math.nan}
    sd = float(np.std(d, ddof=1)) if n > 1 else math.nan
    bias = float(d.mean())
    return {"n": n, "mae": float(np.abs(d).mean()), "bias": bias, "loa_low": bias - 1.96 * sd,
            "loa_high": bias + 1.96 * sd, "icc": icc_a1(t[ok], m[ok])}
