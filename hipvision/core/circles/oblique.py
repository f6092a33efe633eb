"""Oblique camera views: MediaPipe shrinks the depth of a hip circle seen at an angle; the factor that makes
the path symmetric about the body's own axes scales it back (`symmetric_depth_scale`), per window of a
recording (`oblique_depth_scales`) or live (`oblique_window_scale`)."""

from __future__ import annotations

import numpy as np

from hipvision.core.circles.depth import DepthSettings, clear_loop, depth_axes, loop_terms, oblique_view
from hipvision.core.filtering import lowpass_zero_phase


def symmetric_depth_scale(dev_m: np.ndarray, camera_azimuth_deg: float) -> float:
    """Factor on the depth component that makes the path symmetric about the body's own axes.

    A hip circle, round or elliptical, is mirror-symmetric about the forward and the side axes
    of the body (sit-back is straight back), so its forward and right deviations are uncorrelated.
    A pose model that under-reports depth tilts the path seen from an oblique camera; with the
    depth ``b`` scaled by ``k`` the body-frame covariance ``cov(forward, right)`` is
    ``c₂k² + c₁k + c₀`` with ``c₂ = cos az·sin az·var b`` and ``c₀ = -cos az·sin az·var a``
    of opposite signs, so exactly one ``k > 0`` makes it zero (at 45° it is ``rms(a)/rms(b)``).
    It is only well defined away from the in-line and side-on views (``sin 2·az`` far from 0);
    a straight forward-back rock is symmetric too and gets the same factor.

    Args:
        dev_m: (N, 2) pelvis minus path centre [forward, right], metres (finite rows).
        camera_azimuth_deg: camera azimuth, see `depth_axes`.
    Returns:
        k > 0, or NaN when the view or the motion leaves it undefined.
    """
    across, depth = depth_axes(camera_azimuth_deg)
    d = np.asarray(dev_m, float)
    d = d - d.mean(axis=0)
    a, b = d @ across, d @ depth
    var_a, var_b, cov_ab = float(np.mean(a * a)), float(np.mean(b * b)), float(np.mean(a * b))
    c2 = depth[0] * depth[1] * var_b
    c1 = (across[0] * depth[1] + depth[0] * across[1]) * cov_ab
    c0 = across[0] * across[1] * var_a
    if not (var_a > 0 and var_b > 0) or abs(c2) < 1e-18:
        return float("nan")
    disc = c1 * c1 - 4 * c2 * c0  # c2·c0 < 0: always positive
    return float(max((-c1 + np.sqrt(disc)) / (2 * c2), (-c1 - np.sqrt(disc)) / (2 * c2)))


def oblique_depth_scales(t_s: np.ndarray, dev_m: np.ndarray, valid: np.ndarray, seg: np.ndarray,
                         camera_azimuth_deg: np.ndarray, torso_m: np.ndarray, *,
                         settings: DepthSettings = DepthSettings()) -> np.ndarray:
    """(T,) depth stretch per frame for segments filmed from an oblique view (1 elsewhere), offline.

    Each segment's factor is the median `symmetric_depth_scale` of its windows (``window_s`` every
    ``step_s``, low-passed like `loop_terms`) that show a `clear_loop` (a rock is left alone: a
    diagonal one is not symmetric, and a line needs no depth scale to be seen as one), seen within the
    well-defined views (``|sin 2·az| ≥ oblique_min_sin2az``); clipped to [1, ``oblique_max_stretch``]:
    the model under-reports depth, it was not seen to over-report it. On 16 rendered people at 45°
    the pose model's depth was 1.5-3.8 times too small; this estimate gave 1.3-3.3 (it errs small,
    a median 0.85 of the truth).
    """
    t = np.asarray(t_s, float)
    out = np.ones(len(t))
    for sid in np.unique(seg[valid]) if valid.any() else []:
        rows = np.flatnonzero((seg == sid) & valid & np.all(np.isfinite(dev_m), axis=1))
        if len(rows) < 20:
            continue
        ks = []
        for c in np.arange(t[rows[0]], t[rows[-1]] + 1e-9, settings.step_s):
            w = rows[np.abs(t[rows] - c) <= settings.window_s / 2]
            if len(w) >= 20:
                ks.append(oblique_window_scale(t[w], dev_m[w], float(np.nanmedian(camera_azimuth_deg[w])),
                                               float(np.nanmedian(torso_m[w])), settings=settings))
        ks = [k for k in ks if np.isfinite(k)]
        if ks:
            out[rows[0]:rows[-1] + 1] = float(np.clip(np.median(ks), 1.0, settings.oblique_max_stretch))
    return out


def oblique_window_scale(t_s: np.ndarray, dev_m: np.ndarray, camera_azimuth_deg: float, torso_m: float, *,
                         settings: DepthSettings = DepthSettings()) -> float:
    """`symmetric_depth_scale` of one window (low-passed like `loop_terms`), or NaN unless the
    window shows a `clear_loop` (of ``oblique_min_cycles``) from a view where the scale is defined
    (``|sin 2·az| ≥ oblique_min_sin2az``).

    Args:
        t_s: (N,) seconds; dev_m: (N, 2) pelvis minus path centre [forward, right], metres.
    """
    az = camera_azimuth_deg
    if not oblique_view(az, settings):
        return float("nan")
    terms = loop_terms(t_s, dev_m, camera_azimuth_deg, torso_m, settings=settings)
    if terms is None or not clear_loop(terms, torso_m, settings, min_cycles=settings.oblique_min_cycles):
        return float("nan")
    ok = np.all(np.isfinite(dev_m), axis=1) & np.isfinite(t_s)
    d = dev_m[ok] - dev_m[ok].mean(axis=0)
    if settings.fit_cutoff_hz:
        d = lowpass_zero_phase(t_s[ok], d, cutoff_hz=settings.fit_cutoff_hz, order=2)
    return symmetric_depth_scale(d, camera_azimuth_deg)
