"""Knee anchors: where each knee is, taken from frames in which the leg hangs at rest.

Hip rotation turns the thigh about its own long axis, so the knee is the pivot:
it stays where it is while the foot swings out. MediaPipe does not keep it
there. On rendered seated people (true joint positions known), its knee
landmark slides down the shank toward the ankle as the rotation grows, by about
0.1 shank lengths at 25° and 0.35 at 50°, and a little sideways (0.03–0.06);
the knee → ankle line then reads 2–4° low. Its knee is accurate (within ~2 px)
when the shank hangs near vertical.

So the angle is measured from an *anchored* knee: the (robust) mean image position of
that knee over the most recent frames in which the person was steadily seated and the
leg hung within ``rest_max_deg`` of vertical for the last half second. A frame whose knee landmark is
nowhere near that anchor (off the anchor → ankle line, or beyond the slide seen
above) means the knee really moved: the leg is then "moving" and the anchor is
not used until new rest frames settle it again.

Everything here is causal (past frames only) so that the live tracker computes
the same anchors frame by frame; files may also fill the frames before the
first rest with the first anchor (``backfill``).
"""

from __future__ import annotations

import numpy as np

from hipvision.core import geometry as g
from hipvision.core.rotation.seated import recent_fraction
from hipvision.landmarks import LEG, SIDES

#: Knee landmark index per leg, (left, right).
KNEES = tuple(int(LEG[s]["knee"]) for s in SIDES)
ANKLES = tuple(int(LEG[s]["ankle"]) for s in SIDES)
#: An anchor is the mean knee over this many seconds' worth of rest frames...
ANCHOR_COUNT_S = 2.0
#: ...none older than this, seconds.
ANCHOR_MAX_AGE_S = 30.0


def rest_mask(raw_deg: np.ndarray, ok: np.ndarray, *, rest_max_deg: float = 12.0) -> np.ndarray:
    """(..., 2) True where a leg is validly seated (``ok``) with its shank within ``rest_max_deg`` of vertical.

    Args:
        raw_deg: (..., 2) per-frame IR angle measured with the model's own knees, degrees.
        ok: (..., 2) bool, the frame passed the posture and visibility tests for that leg.
    """
    with np.errstate(invalid="ignore"):
        return np.asarray(ok, bool) & (np.abs(np.asarray(raw_deg, float)) <= rest_max_deg)


def steady_rest(t_s: np.ndarray, rest: np.ndarray, *, window_s: float = 0.5, min_fraction: float = 0.75) -> np.ndarray:
    """(T, 2) `rest_mask` frames kept only where the leg rested in at least ``min_fraction`` of the last
    ``window_s`` seconds: a foot sweeping through vertical on its way somewhere (getting up, a swing from
    external to internal rotation) does not set the anchor. Causal."""
    rest = np.asarray(rest, bool)
    if len(rest) == 0:
        return rest
    return rest & (recent_fraction(t_s, rest, window_s=window_s) >= min_fraction)


def anchor_of(t_rest: np.ndarray, knees_rest: np.ndarray, t_now: float, *, count: int,
              max_age_s: float = ANCHOR_MAX_AGE_S) -> np.ndarray:
    """(2,) anchor at time ``t_now``: robust mean of the last ``count`` rest knees (``knees_rest`` (N, 2),
    times ``t_rest`` (N,) seconds, oldest first, none later than ``t_now``) at most ``max_age_s`` old;
    NaN when there is none."""
    t = np.asarray(t_rest, float)[-count:]
    k = np.asarray(knees_rest, float).reshape(-1, 2)[-count:]
    k = k[t >= t_now - max_age_s]
    if len(k) == 0:
        return np.full(2, np.nan)
    med = np.median(k, axis=0)
    dist = g.norm(k - med)
    spread = 1.4826 * np.median(dist) + 1e-9
    return k[dist <= 2.5 * spread].mean(axis=0)     # mean of the inliers: robust, yet nearly as precise as a mean


def frames_per_second_count(t_s: np.ndarray, seconds: float) -> int:
    """How many frames ``seconds`` holds at the median frame interval of ``t_s`` (at least 1)."""
    t = np.asarray(t_s, float)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    return max(1, int(round(seconds / dt)))


def knee_anchors(t_s: np.ndarray, px: np.ndarray, rest: np.ndarray, *, count_s: float = ANCHOR_COUNT_S,
                 max_age_s: float = ANCHOR_MAX_AGE_S, backfill: bool = False) -> np.ndarray:
    """(T, 2, 2) anchored knee pixel position per frame and leg (left, right); NaN where none.

    For frame i: `anchor_of` the rest frames up to and including i: the robust mean knee position
    over the last ``count_s`` seconds' worth of rest frames, counting only those at most
    ``max_age_s`` old.

    Args:
        t_s: (T,) seconds; px: (T, 33, 2) pixels; rest: (T, 2) bool from `rest_mask`.
        backfill: frames before a leg's first rest frame get that leg's first anchor (files only).
    """
    t = np.asarray(t_s, float)
    px = np.asarray(px, float)
    rest = np.asarray(rest, bool)
    n = len(t)
    out = np.full((n, 2, 2), np.nan)
    if n == 0:
        return out
    count = frames_per_second_count(t, count_s)
    for k, knee in enumerate(KNEES):
        idx = np.flatnonzero(rest[:, k] & np.isfinite(px[:, knee]).all(-1))
        if len(idx) == 0:
            continue
        upto = np.searchsorted(idx, np.arange(n), side="right")       # rest frames at or before each frame
        for i in np.flatnonzero(upto):
            use = idx[max(0, upto[i] - count):upto[i]]
            out[i, k] = anchor_of(t[use], px[use, knee], t[i], count=count, max_age_s=max_age_s)
        if backfill:
            out[: idx[0], k] = anchor_of(t[idx[:count]], px[idx[:count], knee], t[idx[0]], count=count,
                                         max_age_s=max_age_s)
    return out


def anchor_agrees(px: np.ndarray, anchors: np.ndarray, *, max_slide: float = 0.6,
                  max_back: float = 0.15, max_side: float = 0.15) -> np.ndarray:
    """(..., 2) True where the model's knee is where the anchor says, allowing for its slide.

    In units of the anchored shank (anchor → ankle) length S: the model's knee may lie
    up to ``max_slide`` S down the anchor → ankle line, ``max_back`` S up it and ``max_side`` S
    off it. False where there is no anchor or a landmark is missing.

    Args:
        px: (..., 33, 2) pixels (the model's own knees and ankles); anchors: (..., 2, 2).
    """
    px = np.asarray(px, float)
    anchors = np.asarray(anchors, float)
    out = []
    for k, (knee, ankle) in enumerate(zip(KNEES, ANKLES)):
        a = anchors[..., k, :]
        shank = px[..., ankle, :] - a
        s = g.norm(shank)
        u = g.unit(shank)
        d = px[..., knee, :] - a
        with np.errstate(invalid="ignore", divide="ignore"):
            along = g.dot(d, u) / s
            side = np.abs(g.cross2(u, d)) / s
            out.append((along <= max_slide) & (along >= -max_back) & (side <= max_side))
    return np.stack(out, -1)


def with_knees(px: np.ndarray, anchors: np.ndarray, use: np.ndarray) -> np.ndarray:
    """A copy of ``px`` (..., 33, 2) whose knees are replaced by ``anchors`` (..., 2, 2) where ``use`` (..., 2)."""
    out = np.array(px, float, copy=True)
    for k, knee in enumerate(KNEES):
        out[..., knee, :] = np.where(np.asarray(use)[..., k, None], anchors[..., k, :], out[..., knee, :])
    return out
