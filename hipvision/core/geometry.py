"""Generic vector and angle helpers (pure numpy).

Every function broadcasts over leading axes: vectors are ``(..., 2)`` or
``(..., 3)`` arrays and angles come back as ``(...)`` arrays. Angles are in
degrees unless a name says ``_rad``. NaN in, NaN out (no exceptions).

Sign conventions
----------------
2D angles follow the right-hand rule *of the coordinate system you pass in*:
a positive angle turns the +x axis toward the +y axis. In image coordinates
(x right, y down) that is clockwise on screen; in a y-up frame it is
counter-clockwise.
"""

from __future__ import annotations

import numpy as np


def norm(v: np.ndarray) -> np.ndarray:
    """(...) Euclidean length of ``(..., n)`` vectors."""
    return np.linalg.norm(np.asarray(v, float), axis=-1)


def nanmean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Mean over ``axis`` ignoring NaNs; NaN (and no warning) where every value is NaN."""
    x = np.asarray(x, float)
    ok = np.isfinite(x)
    count = ok.sum(axis=axis)
    total = np.where(ok, x, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def unit(v: np.ndarray) -> np.ndarray:
    """``(..., n)`` vectors scaled to length 1 (zero-length vectors become NaN)."""
    v = np.asarray(v, float)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, v / np.where(n > 0, n, 1.0), np.nan)


def cross2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(...) z-component of the cross product of 2D vectors ``a × b``."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(...) dot product over the last axis."""
    return np.sum(np.asarray(a, float) * np.asarray(b, float), axis=-1)


def direction_deg(v: np.ndarray) -> np.ndarray:
    """(...) angle of 2D vectors from the +x axis toward +y, degrees in (-180, 180]."""
    v = np.asarray(v, float)
    return np.degrees(np.arctan2(v[..., 1], v[..., 0]))


def signed_angle_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(...) signed angle from 2D vector ``a`` to ``b``, degrees in (-180, 180].

    Positive when turning ``a`` onto ``b`` goes from +x toward +y (see module docstring).
    """
    return np.degrees(np.arctan2(cross2(a, b), dot(a, b)))


def angle_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(...) unsigned angle between vectors of any dimension, degrees in [0, 180]."""
    c = dot(unit(a), unit(b))
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


def rotate_2d(v: np.ndarray, angle_deg: np.ndarray | float) -> np.ndarray:
    """``(..., 2)`` vectors turned by ``angle_deg`` (+x toward +y for positive angles)."""
    v = np.asarray(v, float)
    a = np.radians(np.asarray(angle_deg, float))[..., None]
    c, s = np.cos(a), np.sin(a)
    x, y = v[..., :1], v[..., 1:2]
    return np.concatenate([c * x - s * y, s * x + c * y], axis=-1)


def project_onto_plane(v: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """``(..., 3)`` component of ``v`` perpendicular to ``normal`` (any length)."""
    n = unit(normal)
    return np.asarray(v, float) - dot(v, n)[..., None] * n


def angle_in_plane(v: np.ndarray, zero: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """(...) angle of 3D ``v`` in the plane spanned by ``zero`` and ``positive``, degrees.

    ``zero`` is the 0° direction and ``positive`` the +90° direction (they should
    be perpendicular); ``v`` is projected onto that plane first. Range (-180, 180].
    """
    return np.degrees(np.arctan2(dot(v, unit(positive)), dot(v, unit(zero))))


def rotation_matrix(axis: np.ndarray, angle_deg: float) -> np.ndarray:
    """(3, 3) right-handed rotation about ``axis`` by ``angle_deg`` (Rodrigues)."""
    k = unit(np.asarray(axis, float))
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    a = np.radians(angle_deg)
    return np.eye(3) + np.sin(a) * kx + (1 - np.cos(a)) * (kx @ kx)


def wrap_deg(a: np.ndarray | float) -> np.ndarray:
    """Angles wrapped into [-180, 180) degrees."""
    return (np.asarray(a, float) + 180.0) % 360.0 - 180.0


def circular_mean_deg(a: np.ndarray) -> float:
    """The circular mean of angles in degrees, in (-180, 180] (NaNs ignored; NaN when there is none)."""
    a = np.asarray(a, float).ravel()
    a = a[np.isfinite(a)]
    return float(np.degrees(np.angle(np.mean(np.exp(1j * np.radians(a)))))) if a.size else float("nan")


def circular_median_deg(a: np.ndarray, *, period_deg: float = 360.0) -> float:
    """Robust central angle of a set of angles with the given period (NaNs ignored).

    Angles are unwrapped around their circular mean, then the median is taken;
    use ``period_deg=180`` for undirected lines. NaN when there is no finite value.
    """
    a = np.asarray(a, float).ravel()
    a = a[np.isfinite(a)]
    if a.size == 0:
        return float("nan")
    k = 360.0 / period_deg
    ang = np.radians(a * k)
    centre = np.degrees(np.arctan2(np.sin(ang).mean(), np.cos(ang).mean())) / k
    rel = (a - centre + period_deg / 2) % period_deg - period_deg / 2
    return float(centre + np.median(rel))
