"""Per-frame body posture ("seated", "quadruped", "other") and its phases over time.

A session recording goes seated → quadruped → seated. This module finds those
phases from the landmarks alone, so each can be analysed by the right measure.

Features (all scale-free angles, degrees, 0..180):

* ``torso_tilt_deg``: hip-centre → shoulder-centre against "up"; 0 = upright,
  90 = horizontal.
* ``thigh_drop_deg``: hip → knee against "down"; 0 = thigh hanging straight
  down (standing, kneeling on all fours), 90 = horizontal (seated).
* ``shank_drop_deg``: knee → ankle against "down"; 0 = hanging (standing;
  seated it grows with the hip rotation being measured), 90 = lying on the
  floor (on all fours).
* ``arm_drop_deg``: shoulder → wrist against "down"; 0 = arm straight down
  (supporting the body on all fours).

"Down" is the camera's image-down axis (+y of the world and image landmarks),
so a camera tilted by a few tens of degrees still classifies correctly; the
thresholds leave that margin. Each segment's direction fuses the two landmark
sets: the in-image direction comes from the image landmarks (precise), the
out-of-image (depth) part from the metric world landmarks, whose x/y/z share a
scale. This is what makes a thigh pointing straight at the camera (seated, seen
from the front: short in the image) read as horizontal rather than as short.
Left and right are averaged, weighted by landmark visibility.

The pose model's depth can fall far short (a shank pointing straight at a camera behind a person on all
fours came out 30° from hanging down instead of 90°), so the image also says how far a segment leaves the
image plane: its length in pixels against its metric length, with the frame's scale taken from the least
foreshortened of the torso, thighs and shanks (`FULL_LENGTH` of it and more counts as in the image plane).
A segment is as far out of the image plane as the larger of the two readings says.

A posture is recognised from the body parts that are seen: a part the model did not see (the hands hidden
behind the hips, seen from behind) neither confirms nor vetoes it, but at least `MIN_PARTS_SEEN` of a
posture's parts must be seen and match. The shank is not judged either when the camera is in line with the body
(behind or in front of a person on all fours: the torso's in-plane share under `IN_LINE`, or the hips seen
square, `HIPS_SQUARE`, with the torso not upright, `NOT_UPRIGHT_DEG`): lying along the line of
sight like the torso, a shank on the floor then points down the image like a hanging one, and the pose
model's depth did not tell them apart (a rendered shank on the floor read 30° from hanging). Seen along the body
from below (a camera on the floor behind), the shoulders are hidden behind the hips and the pose model drew the
torso head down: on all fours the torso says only "not upright" (the quadruped rule has no upper limit for it).

Frames are classified with hysteresis (a posture is entered with strict
thresholds and left only when looser ones fail) and runs shorter than a minimum
duration are absorbed by their neighbours.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from hipvision.landmarks import Landmark
from hipvision.sequence import PoseSequence

SEATED = "seated"
QUADRUPED = "quadruped"
OTHER = "other"
POSTURES: tuple[str, ...] = (OTHER, SEATED, QUADRUPED)  # label codes 0, 1, 2

_L = Landmark
#: (name, (left from, left to), (right from, right to)) segment table; torso uses landmark pairs' midpoints.
_SEGMENTS = {
    "thigh": ((_L.LEFT_HIP, _L.LEFT_KNEE), (_L.RIGHT_HIP, _L.RIGHT_KNEE)),
    "shank": ((_L.LEFT_KNEE, _L.LEFT_ANKLE), (_L.RIGHT_KNEE, _L.RIGHT_ANKLE)),
    "arm": ((_L.LEFT_SHOULDER, _L.LEFT_WRIST), (_L.RIGHT_SHOULDER, _L.RIGHT_WRIST)),
}
_HIPS = (_L.LEFT_HIP, _L.RIGHT_HIP)
_SHOULDERS = (_L.LEFT_SHOULDER, _L.RIGHT_SHOULDER)

#: Posture rules: feature → (min_deg, max_deg) that must all hold (strict form; loosened by the hysteresis).
RULES: dict[str, dict[str, tuple[float, float]]] = {
    SEATED: {"torso_tilt_deg": (0.0, 40.0), "thigh_drop_deg": (55.0, 135.0), "shank_drop_deg": (0.0, 65.0)},
    # a camera pitched down by p sees a horizontal torso at 90° - p from its up axis: from a shelf (p up to
    # ~40°) the pose model put it at 31-44° (behind, rendered), hence the low limit; a seated torso is told
    # apart by the thigh (horizontal there), kneeling upright by the torso (under 35°). No upper limit: seen
    # along its length from below (a camera on the floor behind), the shoulders are hidden behind the hips and the
    # pose model put them down by the knees, the torso 130-170° from up (rendered, dev seeds 5010-6203); a body
    # really head down on straight legs (a standing forward bend) is told apart by the shank where it is judged.
    QUADRUPED: {"torso_tilt_deg": (35.0, 180.0), "thigh_drop_deg": (0.0, 40.0), "arm_drop_deg": (0.0, 40.0),
                "shank_drop_deg": (50.0, 180.0)},
}


#: A segment at least this share of its in-plane length (at the frame's scale) counts as in the image plane:
#: the pose model's metric segment lengths vary by about this much.
FULL_LENGTH = 0.8
#: Parts (features of `RULES`) that must be seen, and match, to recognise a posture (the torso and thigh
#: always are: frames without them are not classified).
MIN_PARTS_SEEN = 2
#: The torso's in-plane share (cosine of its angle out of the image plane, the smaller of the world's and the
#: image's reading) under which the camera is taken as in line with the body and the shank is not judged
#: (0.65: about 50° out of the plane; from 45° round a person on all fours the torso is about 45° out).
IN_LINE = 0.65
#: ... or when the body is not upright and the hips are seen at least this wide (image hip width over its
#: metric width, against the frame's scale): the left-right axis square to the view, whatever the camera's
#: height (rendered on all fours: behind 1.2-1.4, at 45° 0.56-0.8, side-on 0.1-0.2).
HIPS_SQUARE = 0.9
#: ... "not upright": the torso at least this far from the camera's up, degrees. A camera on a shelf behind a
#: person on all fours (pitched 28-40° down) saw the horizontal torso at 22-41° from its up (rendered, seed 5901);
#: with the quadruped rule's 35° there the shank was judged in a third of the frames and, lying along the line of
#: sight, read 33-45° from hanging (under the 50° the rule needs): the posture dropped out in every circle.
#: An upright body seen square (seated or kneeling, facing the camera) stays under it.
NOT_UPRIGHT_DEG = 15.0
#: The torso at least this far from up (degrees; 90 = level) reads head down, which a body on hands and knees is
#: not: seen along the body from below (a camera on the floor behind the hips, which hide the shoulders) the pose
#: model drew it so, 144-161° median on rendered people (62-88° from every camera at table height or above, and
#: side-on from the floor). The circles' confidence reads it (`confidence.seen_from_low_behind`). Not judging the
#: arms under it (their wrists are misplaced with the shoulders) let in more frames from the floor (28 → 41% of the
#: all-fours frames, dev) but made the live recount show circles the saved result did not have: not done.
HEAD_DOWN_DEG = 130.0


@dataclass(frozen=True)
class PostureFeatures:
    """Per-frame posture features, each (T,) degrees; NaN where the body is not seen."""

    torso_tilt_deg: np.ndarray
    thigh_drop_deg: np.ndarray
    shank_drop_deg: np.ndarray
    arm_drop_deg: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        return {"torso_tilt_deg": self.torso_tilt_deg, "thigh_drop_deg": self.thigh_drop_deg,
                "shank_drop_deg": self.shank_drop_deg, "arm_drop_deg": self.arm_drop_deg}


@dataclass(frozen=True)
class PosturePhase:
    """A run of frames in one posture.

    Attributes:
        kind: "seated", "quadruped" or "other".
        start_index, stop_index: frames ``start_index:stop_index`` of the sequence (stop exclusive).
        start_s, end_s: seconds; ``end_s`` is the next phase's start (or the last frame's time).
        seen_fraction: 0..1, fraction of the phase's frames in which the torso and a thigh
            were seen well enough to classify the posture.
    """

    kind: str
    start_index: int
    stop_index: int
    start_s: float
    end_s: float
    seen_fraction: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def _px_per_m(frame_size: tuple[int, int], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(..., ) image length over metric length of segments a→b (stacked as in `_fused_directions`), px/m."""
    img = (b[0] - a[0])[..., :2] * np.array(frame_size, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.linalg.norm(img, axis=-1) / np.linalg.norm(b[1] - a[1], axis=-1)


def _image_in_plane(px_per_m: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Cosine of a segment's angle out of the image plane from its foreshortening: its ``px_per_m`` over
    `FULL_LENGTH` of the frame's ``scale`` (the least foreshortened segment's), at most 1; NaN unknown."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(px_per_m / (FULL_LENGTH * scale), 0.0, 1.0)


def _fused_directions(frame_size: tuple[int, int], a: np.ndarray, b: np.ndarray,
                      image_in_plane: np.ndarray | None = None) -> np.ndarray:
    """(T, 3) unit vectors a→b: in-image direction from image landmarks, depth share from world ones.

    ``a`` and ``b`` are (T, 3) midpoints or landmarks given as (image, world) stacked on
    axis 0: a[0] image-normalised, a[1] world metres (same for ``b``). ``image_in_plane`` (T,): the
    segment's in-plane share from its foreshortening (`_image_in_plane`); the smaller of it and the world
    landmarks' share is used (NaN = unknown: the world's alone).
    """
    w, h = frame_size
    img = (b[0] - a[0])[:, :2] * np.array([w, h], float)
    wld = b[1] - a[1]
    wld_len = np.linalg.norm(wld, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        depth_share = wld[:, 2] / wld_len                      # sin of the out-of-image angle, signed
        in_plane = np.sqrt(np.clip(1.0 - depth_share**2, 0.0, 1.0))
        if image_in_plane is not None:
            in_plane = np.fmin(in_plane, image_in_plane)
        img_dir = img / np.linalg.norm(img, axis=1, keepdims=True)
        fused = np.column_stack([img_dir * in_plane[:, None], depth_share])
    # Where the image vector is degenerate (zero length), fall back on the world direction.
    bad = ~np.isfinite(fused).all(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        fused[bad] = wld[bad] / wld_len[bad, None]
    return fused


def _in_line(torso_in_plane, hips_wide, torso_tilt_deg):
    """Whether the camera is in line with a body that is not upright (see `IN_LINE`, `HIPS_SQUARE`); NaN = no."""
    with np.errstate(invalid="ignore"):
        return (np.asarray(torso_in_plane) < IN_LINE) | (
            (np.asarray(hips_wide) >= HIPS_SQUARE) & (np.asarray(torso_tilt_deg) >= NOT_UPRIGHT_DEG))


def _angle_to_down_deg(u: np.ndarray) -> np.ndarray:
    """(T, 3) unit vectors → (T,) angle from +y (image down), degrees."""
    return np.degrees(np.arccos(np.clip(u[:, 1], -1.0, 1.0)))


def _landmarks(seq: PoseSequence, idx) -> np.ndarray:
    """(2, T, 3): image and world positions of landmark(s) ``idx`` (a tuple = their midpoint)."""
    idx = list(idx) if isinstance(idx, tuple) else [idx]
    return np.stack([seq.image[:, idx].mean(axis=1), seq.world[:, idx].mean(axis=1)])


def _side_weighted(left: np.ndarray, right: np.ndarray, w_left: np.ndarray, w_right: np.ndarray) -> np.ndarray:
    """Visibility-weighted mean of two (T,) feature series, ignoring NaN."""
    vals = np.stack([left, right])
    wts = np.stack([w_left, w_right]) * np.isfinite(vals)
    wts = np.where(wts > 0, wts, 0.0)
    total = wts.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.nansum(np.nan_to_num(vals) * wts, axis=0) / total, np.nan)


def posture_features(seq: PoseSequence, *, min_visibility: float = 0.3) -> PostureFeatures:
    """Compute the posture features of every frame of ``seq``.

    Landmarks with visibility below ``min_visibility`` (0..1) do not count; a feature
    is NaN in frames where neither side is seen.
    """
    torso_vis = seq.visibility[:, list(_HIPS + _SHOULDERS)].min(axis=1)
    # the frame's scale: the least foreshortened seen segment of torso, thighs and shanks
    scaled = [(_HIPS, _SHOULDERS, torso_vis)] + [
        (a, b, np.minimum(seq.visibility[:, a], seq.visibility[:, b]))
        for name in ("thigh", "shank") for a, b in _SEGMENTS[name]]
    ratios = np.stack([np.where(vis >= min_visibility, _px_per_m(seq.frame_size, _landmarks(seq, a),
                                                                 _landmarks(seq, b)), np.nan)
                       for a, b, vis in scaled])
    with warnings.catch_warnings():  # all-NaN frames (nobody seen) stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = np.nanmax(ratios, axis=0)

    def direction(a, b) -> np.ndarray:
        la, lb = _landmarks(seq, a), _landmarks(seq, b)
        return _fused_directions(seq.frame_size, la, lb, _image_in_plane(_px_per_m(seq.frame_size, la, lb), scale))

    torso = direction(_HIPS, _SHOULDERS)
    torso_tilt = np.where(torso_vis >= min_visibility, 180.0 - _angle_to_down_deg(torso), np.nan)
    hips_wide = _px_per_m(seq.frame_size, _landmarks(seq, _HIPS[0]), _landmarks(seq, _HIPS[1])) / scale
    in_line = _in_line(np.hypot(torso[:, 0], torso[:, 1]), hips_wide, torso_tilt)
    out = {"torso_tilt_deg": torso_tilt}
    for name, sides in _SEGMENTS.items():
        per_side, weights = [], []
        for a, b in sides:
            ang = _angle_to_down_deg(direction(a, b))
            vis = np.minimum(seq.visibility[:, a], seq.visibility[:, b])
            per_side.append(np.where(vis >= min_visibility, ang, np.nan))
            weights.append(vis)
        out[f"{name}_drop_deg"] = _side_weighted(*per_side, *weights)
    out["shank_drop_deg"] = np.where(in_line, np.nan, out["shank_drop_deg"])
    return PostureFeatures(**out)


def _rolling_nanmedian(x: np.ndarray, window: int) -> np.ndarray:
    """Centred running median of (T,) ``x`` over ``window`` samples, ignoring NaN."""
    if window <= 1 or len(x) == 0:
        return x.copy()
    pad = window // 2
    view = np.lib.stride_tricks.sliding_window_view(np.pad(x, (pad, pad), constant_values=np.nan), 2 * pad + 1)
    out = np.full(len(x), np.nan)
    has = np.isfinite(view).any(axis=1)
    if has.any():
        out[has] = np.nanmedian(view[has], axis=1)
    out[~np.isfinite(x)] = np.nan  # smoothing must not invent frames that were not seen
    return out


def _matches(feats: dict[str, np.ndarray], rules: dict[str, tuple[float, float]], slack_deg: float) -> np.ndarray:
    """(T,) every seen feature of ``rules`` within its range widened by ``slack_deg``, and at least
    `MIN_PARTS_SEEN` of them seen (NaN = not seen: neither confirms nor vetoes)."""
    ok = np.ones(len(next(iter(feats.values()))), bool)
    seen = np.zeros(len(ok), int)
    for name, (lo, hi) in rules.items():
        x = feats[name]
        with np.errstate(invalid="ignore"):
            ok &= ~np.isfinite(x) | ((x >= lo - slack_deg) & (x <= hi + slack_deg))
        seen += np.isfinite(x)
    return ok & (seen >= min(MIN_PARTS_SEEN, len(rules)))


def classify_frames(features: PostureFeatures, *, hysteresis_deg: float = 10.0) -> np.ndarray:
    """(T,) int posture code per frame (index into `POSTURES`), -1 where not seen.

    A posture is entered when all of its `RULES` hold and kept while they hold
    with every range widened by ``hysteresis_deg`` on both sides.
    """
    feats = features.as_dict()
    n = len(features.torso_tilt_deg)
    seen = np.isfinite(features.torso_tilt_deg) & np.isfinite(features.thigh_drop_deg)
    strict = {code: _matches(feats, RULES[p], 0.0) for code, p in enumerate(POSTURES) if p in RULES}
    loose = {code: _matches(feats, RULES[p], hysteresis_deg) for code, p in enumerate(POSTURES) if p in RULES}
    labels = np.full(n, -1, int)
    state = 0
    for i in range(n):
        if not seen[i]:
            continue
        if not (state in loose and loose[state][i]):
            state = next((code for code, m in strict.items() if m[i]), 0)
        labels[i] = state
    return labels


def _runs(labels: np.ndarray) -> list[list[int]]:
    """[[label, start, stop], ...] of equal consecutive labels."""
    if len(labels) == 0:
        return []
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], edges])
    stops = np.concatenate([edges, [len(labels)]])
    return [[int(labels[a]), int(a), int(b)] for a, b in zip(starts, stops)]


def _absorb_short_runs(runs: list[list[int]], t: np.ndarray, min_run_s: float) -> list[list[int]]:
    """Merge runs shorter than ``min_run_s`` into their neighbours, shortest first.

    A short run between two runs is split at its middle between them; equal
    neighbouring labels are joined. A short "other" run between two *different*
    postures is a transition (getting down on the floor, sitting up) and is kept,
    so neither neighbour's analysis sees the movement in between.
    """
    runs = [r[:] for r in runs]

    def dur(r):
        return t[r[2] - 1] - t[r[1]] + (t[1] - t[0] if len(t) > 1 else 0.0)

    def absorbable(k):
        inner = 0 < k < len(runs) - 1
        return dur(runs[k]) < min_run_s and not (
            inner and runs[k][0] == 0 and runs[k - 1][0] != runs[k + 1][0])

    while len(runs) > 1:
        candidates = [k for k in range(len(runs)) if absorbable(k)]
        if not candidates:
            break
        i = min(candidates, key=lambda k: dur(runs[k]))
        lab, a, b = runs.pop(i)
        has_prev, has_next = i > 0, i < len(runs)
        if has_prev and has_next:
            mid = (a + b) // 2
            runs[i - 1][2] = mid
            runs[i][1] = mid
        elif has_next:
            runs[i][1] = a
        else:
            runs[i - 1][2] = b
        merged: list[list[int]] = []
        for r in runs:
            if r[2] <= r[1]:
                continue
            if merged and merged[-1][0] == r[0]:
                merged[-1][2] = r[2]
            else:
                merged.append(r)
        runs = merged
    return runs


def segment_postures(
    seq: PoseSequence,
    *,
    smooth_s: float = 0.3,
    hysteresis_deg: float = 10.0,
    min_run_s: float = 1.0,
    max_gap_s: float = 1.0,
) -> list[PosturePhase]:
    """Split ``seq`` into consecutive posture phases covering every frame.

    Args:
        smooth_s: width of the running median applied to each feature, seconds.
        hysteresis_deg: how far outside its rules a posture may drift before it is left, degrees.
        min_run_s: runs shorter than this (seconds) are absorbed by their neighbours.
        max_gap_s: frames without a usable body keep the previous posture for at most
            this long (seconds); longer gaps become "other".

    Returns:
        Phases in time order; ``phases[0].start_index == 0`` and the last one ends at ``len(seq)``.
    """
    n = len(seq)
    if n == 0:
        return []
    t = seq.timestamps_s
    window = min(max(1, int(round(smooth_s * seq.fps))), 2 * n + 1)  # never wider than the recording
    raw = posture_features(seq)
    smooth = PostureFeatures(**{k: _rolling_nanmedian(v, window) for k, v in raw.as_dict().items()})
    labels = classify_frames(smooth, hysteresis_deg=hysteresis_deg)
    seen = labels >= 0
    filled = labels.copy()
    last, last_t = 0, -np.inf
    for i in range(n):  # carry the posture across short gaps, not long ones
        if seen[i]:
            last, last_t = labels[i], t[i]
        else:
            filled[i] = last if t[i] - last_t <= max_gap_s else 0
    runs = _absorb_short_runs(_runs(filled), t, min_run_s)
    phases = []
    for k, (lab, a, b) in enumerate(runs):
        end = t[b] if b < n else t[-1]
        phases.append(PosturePhase(POSTURES[lab], a, b, float(t[a]), float(end), float(seen[a:b].mean())))
    return phases


def latest_posture(recent: PoseSequence, *, min_run_s: float = 0.5, **kwargs: float) -> str:
    """Posture of the last frame of ``recent``, a short window of the latest frames (about 2 s), for live use.

    The same smoothing, hysteresis and short-run absorption as `segment_postures` (its keyword
    arguments pass through), so a posture shows up here about ``min_run_s`` seconds after it is
    taken and a one-frame glitch never does. Returns `SEATED`, `QUADRUPED` or `OTHER`.
    """
    phases = segment_postures(recent, min_run_s=min_run_s, **kwargs)
    return phases[-1].kind if phases else OTHER



def _pair(i) -> tuple[int, int]:
    return (int(i[0]), int(i[1])) if isinstance(i, tuple) else (int(i), int(i))


#: (7, 2) landmark pairs whose midpoints start / end each row of `frame_is_quadruped`: the torso, then
#: the left and right of each `_SEGMENTS` entry (a single landmark is its own pair).
_ROW_STARTS = np.array([_pair(_HIPS)] + [_pair(f) for sides in _SEGMENTS.values() for f, _ in sides])
_ROW_ENDS = np.array([_pair(_SHOULDERS)] + [_pair(t) for sides in _SEGMENTS.values() for _, t in sides])


def frame_is_quadruped(image: np.ndarray, visibility: np.ndarray, world: np.ndarray, frame_size: tuple[int, int], *,
                       min_visibility: float = 0.3, slack_deg: float = 10.0) -> bool:
    """Whether one frame's landmarks are on all fours: the features of `posture_features`, checked against
    the "quadruped" `RULES` with each range widened by ``slack_deg`` degrees (the posture's looser "kept"
    form, so a frame near the edge still counts). Cheap enough to call on every frame of a video.

    Args:
        image: (33, 3) normalised image landmarks; visibility: (33,) 0..1; world: (33, 3) metres.
        frame_size: (width, height) pixels.
    """
    vis = visibility.tolist()
    if min(vis[i] for i in _HIPS + _SHOULDERS) < min_visibility:
        return False
    # one row per segment (torso, then left/right of each segment) instead of one row per frame
    a = np.stack([image[_ROW_STARTS].mean(axis=1), world[_ROW_STARTS].mean(axis=1)])
    b = np.stack([image[_ROW_ENDS].mean(axis=1), world[_ROW_ENDS].mean(axis=1)])
    ratio = _px_per_m(frame_size, a, b)
    row_vis = np.array([min(vis[i] for i in _HIPS + _SHOULDERS)]
                       + [min(vis[f], vis[t]) for sides in _SEGMENTS.values() for f, t in sides])
    scaled = ratio[:5][(row_vis[:5] >= min_visibility) & np.isfinite(ratio[:5])]  # torso, thighs, shanks
    in_plane = _image_in_plane(ratio, scaled.max()) if scaled.size else None
    fused = _fused_directions(frame_size, a, b, in_plane)
    down = _angle_to_down_deg(fused).tolist()
    feats = {"torso_tilt_deg": 180.0 - down[0]}
    hips = np.stack([image[list(_HIPS)], world[list(_HIPS)]])
    hips_wide = float(_px_per_m(frame_size, hips[:, :1], hips[:, 1:])[0]) / scaled.max() if scaled.size else math.nan
    in_line = row_vis[0] >= min_visibility and bool(_in_line(np.hypot(*fused[0, :2]), hips_wide, feats["torso_tilt_deg"]))
    for k, (name, sides) in enumerate(_SEGMENTS.items()):
        if name == "shank" and in_line:
            continue
        seen = [(down[1 + 2 * k + j], min(vis[f], vis[t])) for j, (f, t) in enumerate(sides)]
        seen = [(ang, w) for ang, w in seen if w >= min_visibility and math.isfinite(ang)]
        if name == "thigh" and not seen:
            return False
        if seen:
            feats[f"{name}_drop_deg"] = sum(ang * w for ang, w in seen) / sum(w for _, w in seen)
    rules = RULES[QUADRUPED]
    return (sum(name in feats for name in rules) >= min(MIN_PARTS_SEEN, len(rules))
            and all(lo - slack_deg <= feats[name] <= hi + slack_deg for name, (lo, hi) in rules.items()
                    if name in feats))
