"""The pelvis path relative to the planted hands and knees, in the body's horizontal frame.

On hands and knees the wrists and knees stay put, so the motion that matters is
the pelvis (hip midpoint) relative to them. MediaPipe world landmarks are metric
and hip-centred (camera-aligned axes: x image-right, y down, z away); the
pelvis is taken relative to the knee midpoint, which is right below it in the
start position (relative to the support centre instead, a small wobble of the
estimated frame — MediaPipe's supports shift a little with the pose — moved the
pelvis by as much as the depth signal itself on real footage).

Body frame (per frame, then averaged over a few seconds; independent of where
the camera is and of MediaPipe's left/right labels):

* up: normal of the plane through the two wrists and two knees (the floor),
  pointing toward the hips;
* forward: knees → wrists, flattened onto that plane (toward the head);
* right: forward × up (the person's right, in any right-handed frame).

The pelvis path is then ``[forward, right]`` in metres, with forward = 0 when
the hips are over the knees (negative = sitting back) and right = 0 when they
are centred between the knees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipvision.landmarks import Landmark as L

#: Landmarks the circles analysis uses, in this order (a (T, 8, 3) array).
TRACKED = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP,
           L.LEFT_WRIST, L.RIGHT_WRIST, L.LEFT_KNEE, L.RIGHT_KNEE)
_SH, _HIP, _WR, _KN = slice(0, 2), slice(2, 4), slice(4, 6), slice(6, 8)
_SUPPORTS = slice(4, 8)


@dataclass(frozen=True)
class PostureLimits:
    """What counts as a quadruped posture (angles in degrees)."""

    max_trunk_tilt_deg: float = 35.0  # trunk (hips→shoulders) out of the support plane
    max_thigh_tilt_deg: float = 50.0  # thigh (knees→hips) away from the plane normal
    max_arm_tilt_deg: float = 50.0  # arm (wrists→shoulders) away from the plane normal
    max_camera_tilt_deg: float = 65.0  # plane normal away from the camera's up (-y)
    min_height_torso: float = 0.45  # hips and shoulders above the plane, torso lengths
    max_base_rate_torso_s: float = 0.2  # hands and knees planted: the knees–hands distance changes slower


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.sqrt(np.sum(v * v, axis=-1, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of (..., 3) vectors (faster than np.cross for small arrays)."""
    return np.stack([a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1], a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
                     a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]], axis=-1)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.sum(a * b, axis=-1) / np.sqrt(np.sum(a * a, axis=-1) * np.sum(b * b, axis=-1))
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


def midpoints(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shoulder, hip, wrist and knee midpoints, each (T, 3), from (T, 8, 3) `TRACKED` points."""
    return ((pts[:, 0] + pts[:, 1]) * 0.5, (pts[:, 2] + pts[:, 3]) * 0.5, (pts[:, 4] + pts[:, 5]) * 0.5,
            (pts[:, 6] + pts[:, 7]) * 0.5)


def support_frame(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame up and forward unit vectors (T, 3) from (T, 8, 3) `TRACKED` points (NaN if unknown)."""
    pts = np.asarray(pts, float)
    sup = pts[:, _SUPPORTS]
    ok = np.all(np.isfinite(pts), axis=(1, 2))
    up = np.full((len(pts), 3), np.nan)
    if ok.any():
        centred = sup[ok] - sup[ok].mean(axis=1, keepdims=True)
        normal = np.linalg.svd(centred)[2][:, -1]  # (n, 3) smallest singular vector
        hips = pts[ok][:, _HIP].mean(1) - sup[ok].mean(1)
        normal *= np.sign(np.sum(normal * hips, axis=1))[:, None]
        up[ok] = normal
    _, _, wr, kn = midpoints(pts)
    base = wr - kn
    fwd = _unit(base - np.sum(base * up, axis=1, keepdims=True) * up)
    return up, fwd


def orthonormal_frame(up: np.ndarray, fwd: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(up, forward, right) unit vectors (T, 3) from possibly averaged, non-unit ``up`` and ``fwd``."""
    up = _unit(up)
    fwd = _unit(fwd - np.sum(fwd * up, axis=-1, keepdims=True) * up)
    return up, fwd, _cross(fwd, up)


def quadruped_ok(pts: np.ndarray, up: np.ndarray, *, base_rate_m_s: np.ndarray | float = 0.0,
                 limits: PostureLimits = PostureLimits(), hands_seen: np.ndarray | bool = True) -> np.ndarray:
    """(T,) True where the (T, 8, 3) points show a person on hands and knees.

    ``up`` is the (T, 3) support-plane normal (see `support_frame`);
    ``base_rate_m_s`` the rate of change of `base_length` (see `change_rate`),
    which is near 0 while the hands and knees stay planted. Where ``hands_seen`` ((T,) or one bool) is
    False the pose model did not see the wrists (hidden behind the hips, filmed from behind) and guessed
    them: the checks that rest on them alone (arm upright, shoulders above the supports, hands planted)
    neither confirm nor veto; the trunk, thighs and hips still must fit.
    """
    sh, hip, wr, kn = midpoints(pts)
    torso = np.sqrt(np.sum((sh - hip) ** 2, axis=1))
    sup = (wr + kn) * 0.5
    with np.errstate(invalid="ignore"):
        trunk_tilt = np.abs(90.0 - _angle_deg(sh - hip, up))
        hands = (
            (_angle_deg(sh - wr, up) <= limits.max_arm_tilt_deg)
            & (np.sum((sh - sup) * up, axis=1) >= limits.min_height_torso * torso)
            & (np.asarray(base_rate_m_s) <= limits.max_base_rate_torso_s * torso)
        )
        ok = (
            (trunk_tilt <= limits.max_trunk_tilt_deg)
            & (_angle_deg(hip - kn, up) <= limits.max_thigh_tilt_deg)
            & (_angle_deg(up, np.array([0.0, -1.0, 0.0])) <= limits.max_camera_tilt_deg)
            & (np.sum((hip - sup) * up, axis=1) >= limits.min_height_torso * torso)
            & (hands | ~np.asarray(hands_seen, bool))
        )
    return ok & np.isfinite(torso)


def base_length(pts: np.ndarray) -> np.ndarray:
    """(T,) distance from the knee midpoint to the wrist midpoint, metres."""
    _, _, wr, kn = midpoints(pts)
    return np.sqrt(np.sum((wr - kn) ** 2, axis=1))


def change_rate(t_s: np.ndarray, x: np.ndarray, *, span_s: float, centred: bool = True) -> np.ndarray:
    """(T,) |mean of x over the later half-window − mean over the earlier half| / (span_s / 2).

    The window is ``span_s`` long, centred on each sample or ending at it (causal).
    A robust rate of change (units of x per second) of a noisy (T,) series; NaN
    samples are ignored, and 0 where either half is empty.
    """
    t = np.asarray(t_s, float)
    x = np.asarray(x, float)
    ok = np.isfinite(x)
    cs = np.concatenate([[0.0], np.cumsum(np.where(ok, x, 0.0))])
    cn = np.concatenate([[0], np.cumsum(ok)])
    end = t + span_s / 2 if centred else t
    mid, start = end - span_s / 2, end - span_s
    a, b, c = (np.searchsorted(t, v, side="right") for v in (start, mid, end))
    n1, n2 = cn[b] - cn[a], cn[c] - cn[b]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.abs((cs[c] - cs[b]) / n2 - (cs[b] - cs[a]) / n1) / (span_s / 2)
    return np.where((n1 > 0) & (n2 > 0), rate, 0.0)


def hip_flexion_deg(pts: np.ndarray) -> np.ndarray:
    """(T,) 180° minus the shoulder–hip–knee angle at the hip midpoint, degrees.

    90° with the thigh square to the trunk (start position); larger when sitting back.
    """
    sh, hip, _, kn = midpoints(pts)
    return 180.0 - _angle_deg(sh - hip, kn - hip)


def segments(t_s: np.ndarray, valid: np.ndarray, *, max_gap_s: float) -> np.ndarray:
    """(T,) segment id: valid frames separated by invalid stretches longer than ``max_gap_s`` differ."""
    t = np.asarray(t_s, float)
    idx = np.flatnonzero(valid)
    seg = np.zeros(len(t), int)
    if not len(idx):
        return seg
    breaks = np.zeros(len(t), int)
    gaps = np.flatnonzero(np.diff(t[idx]) > max_gap_s)
    breaks[idx[gaps + 1]] = 1
    return np.cumsum(breaks)


def windowed_mean(t_s: np.ndarray, x: np.ndarray, valid: np.ndarray, seg: np.ndarray, *, window_s: float,
                  centred: bool = True) -> np.ndarray:
    """Mean of (T, ...) ``x`` over valid samples of the same segment within a time window.

    The window is ``t ± window_s/2`` (``centred``) or ``(t - window_s, t]`` (trailing,
    causal). Samples with no valid neighbour in their window get NaN.
    """
    t = np.asarray(t_s, float)
    x = np.asarray(x, float)
    flat = x.reshape(len(t), -1)
    use = np.asarray(valid, bool) & np.all(np.isfinite(flat), axis=1)
    cs = np.concatenate([np.zeros((1, flat.shape[1])), np.cumsum(np.where(use[:, None], flat, 0.0), axis=0)])
    cn = np.concatenate([[0], np.cumsum(use)])
    lo_t, hi_t = (t - window_s / 2, t + window_s / 2) if centred else (t - window_s, t)
    lo = np.searchsorted(t, lo_t, side="left")
    hi = np.searchsorted(t, hi_t, side="right")
    seg = np.asarray(seg)
    seg_start = np.searchsorted(seg, seg, side="left")
    seg_stop = np.searchsorted(seg, seg, side="right")
    lo, hi = np.maximum(lo, seg_start), np.minimum(hi, seg_stop)
    n = cn[hi] - cn[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (cs[hi] - cs[lo]) / n[:, None]
    out[n == 0] = np.nan
    return out.reshape(x.shape)


@dataclass
class CircleTrack:
    """Per-frame quantities the counter and the quality measures use.

    Attributes:
        t_s: (T,) seconds.
        valid: (T,) bool, a usable quadruped posture.
        pelvis_m: (T, 2) pelvis [forward, right] relative to the knees / the support midline, metres.
        centre_m: (T, 2) moving centre of the pelvis path, metres.
        shoulders_m: (T, 3) shoulder midpoint relative to the wrist midpoint [forward, right, up], metres.
        hip_flexion_deg: (T,) see `hip_flexion_deg`.
        torso_m: (T,) torso length used to scale the thresholds, metres.
        camera_azimuth_deg: (T,) where the camera is around the body: 0 in front of the
            head, +90 at the person's right, -90 at the left, ±180 behind.
        depth_ratio: (T,) depth/across ratio assumed where the depth motion was taken as
            under-reported and stretched (1.0 = measured as is; see `depth`).
        depth_scale: (T,) factor the measured depth motion was scaled by where it was not rebuilt (an
            oblique view's symmetry, `oblique.oblique_depth_scales`; 1.0 = as measured), or None.
        image_loops: (start s, end s) of the windows in which the image around the hips grew and shrank in a
            clear loop (`depth.image_loop_windows`; offline, with `PoseSequence.hip_growth`): evidence that the hips
            went round, not of which way.
        depth_mirrored: the pose model's depth was taken as mirrored in this view and turned round where it was
            rebuilt (`depth.DepthEvidence.mirrored`): there the direction rests on the image growth.
        torso_tilt_deg: (T,) the pose model's hip-to-shoulder line against up, degrees (0 upright, 90 level, 180
            head straight down; `posture.PostureFeatures.torso_tilt_deg`), NaN where unseen, or None (not read).
        image_seen: (T,) bool, frames whose image growth around the hips was measured (`PoseSequence.hip_growth`
            known), or None when the frames' growth was not available at all: the image evidence the depth
            windows and `image_loops` could read.
        image_approach_m: (T,) how far the hips came toward the camera since the track began, from how much the
            image around them grew (`analyze.image_approach_m`; metres, + = nearer, NaN where not known), or None
            without the growth: the image's own evidence of the depth motion, for the confidence of a set whose
            depth was rebuilt (`confidence._image_confirms`).
        path_from_image: the camera looked down steeply from in line with the body, and the pelvis path of the
            frames seen in line was taken from the hips' image position (`analyze.with_image_path`): the
            forward-back half of each circle was read from their height in the image, not from the pose model's
            depth.
    """

    t_s: np.ndarray
    valid: np.ndarray
    pelvis_m: np.ndarray
    centre_m: np.ndarray
    shoulders_m: np.ndarray
    hip_flexion_deg: np.ndarray
    torso_m: np.ndarray
    camera_azimuth_deg: np.ndarray
    depth_ratio: np.ndarray | None = None
    depth_scale: np.ndarray | None = None
    image_loops: tuple[tuple[float, float], ...] = ()
    torso_tilt_deg: np.ndarray | None = None
    depth_mirrored: bool = False
    image_seen: np.ndarray | None = None
    image_approach_m: np.ndarray | None = None
    path_from_image: bool = False


def body_coordinates(pts: np.ndarray, up: np.ndarray, fwd: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pelvis (T, 2), shoulders (T, 3) and camera azimuth (T,) in the frame (``up``, ``fwd``).

    The pelvis is the hip midpoint relative to the knee midpoint (below it in the start
    position, so a small wobble of the estimated frame hardly moves it); the shoulders are the
    shoulder midpoint relative to the wrist midpoint.
    """
    up, fwd, right = orthonormal_frame(up, fwd)
    sh, hip, wr, kn = midpoints(pts)
    p = hip - kn
    pelvis = np.stack([np.sum(p * fwd, 1), np.sum(p * right, 1)], axis=1)
    s = sh - wr
    shoulders = np.stack([np.sum(s * fwd, 1), np.sum(s * right, 1), np.sum(s * up, 1)], axis=1)
    to_cam = np.array([0.0, 0.0, -1.0])  # from the person toward the camera, in world axes
    az = np.degrees(np.arctan2(right @ to_cam, fwd @ to_cam))
    return pelvis, shoulders, az
