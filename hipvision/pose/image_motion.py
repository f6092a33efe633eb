"""Looming: how much the image region around the hips grew since the previous frame.

A pelvis coming toward the camera looks bigger. This is measured from the
frames themselves (dense optical flow), not by the pose model, so it is depth
evidence that does not depend on MediaPipe's depth estimate (far too small for
side-on cameras). The pose landmarks only say *where* to look.

Per frame pair (i-1, i):

1. From frame i-1's image landmarks: hip midpoint ``H`` (mean of LEFT_HIP and
   RIGHT_HIP), knee midpoint ``K``; ``half = max(12, 0.45 * |K - H|)`` pixels.
2. Farneback optical flow from frame i-1 to frame i (grayscale) in the box of
   half-size ``BOX_PER_HALF * half`` (1.25) around ``H`` (clipped to the frame).
3. Over the pixels with ``|x - Hx| <= half`` and ``|y - Hy| <= half``, least
   squares ``u = a0 dx + a1 dy + a2`` and ``v = b0 dx + b1 dy + b2``
   (``dx = x - Hx``, ``dy = y - Hy``; ``u, v`` the flow in pixels).
4. Growth = ``(a0 + b1) / 2``: the relative change of image scale from frame
   i-1 to frame i (dimensionless, ~ the change of log scale; + = grew, i.e.
   came closer to the camera; a translation of the region does not count).

NaN where it cannot be measured (no person in either frame, fewer than
`MIN_PIXELS` pixels in the fitted square); 0.0 always means "measured, no change".

Smooth, untextured regions (plain clothes, a flat wall) give the flow little
to hold on to, and the fit then reads low: on the rendered samples a 1 % zoom
reads about 0.5 %. Treat the value as depth *evidence* (its sign and its ups
and downs over time), not as a calibrated scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from hipvision.landmarks import Landmark

#: A dense optical flow: (grey patch a, grey patch b) → (H, W, 2) float32 flow in pixels from a to b.
FlowFn = Callable[[np.ndarray, np.ndarray], np.ndarray]

#: Smallest half-size of the fitted square, pixels.
MIN_HALF_PX = 12.0
#: Half-size of the fitted square as a fraction of the hip-to-knee distance (midpoints) in the image.
HALF_PER_THIGH = 0.45
#: Fewer pixels than this in the fitted square: NaN.
MIN_PIXELS = 100
#: Larger flow boxes are shrunk to this many pixels on their long side first: the growth is a ratio, the
#: same at any scale, and the flow's cost then no longer grows with the video's resolution. 100 px for a box of
#: 1.25 half-sizes keeps the resolution that 160 px gave a box of 2 (issue 16, docs/speed.md).
MAX_BOX_PX = 100
#: Half-size of the flow box as a multiple of the fitted square's: the square's surroundings give the flow context
#: (it was 2, then 1.5: the flow cost 3 and 1.4 times as much; measured in docs/speed.md, same counts on 21 clips).
BOX_PER_HALF = 1.25
#: cv2.calcOpticalFlowFarneback(pyr_scale, levels, winsize, iterations, poly_n, poly_sigma, flags): 2 levels and 1
#: iteration (3 and 3 before: per-frame growth correlated 0.975-0.998 with theirs on 6 videos, same counts).
_FARNEBACK = (0.5, 2, 15, 1, 5, 1.2, 0)


def farneback_flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense flow (H, W, 2) float32, pixels, from grey patch ``a`` to ``b`` (same size): Farneback, `_FARNEBACK`."""
    return cv2.calcOpticalFlowFarneback(a, b, None, *_FARNEBACK)

_HIPS = (int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP))
_KNEES = (int(Landmark.LEFT_KNEE), int(Landmark.RIGHT_KNEE))


def region_growth(prev_gray: np.ndarray, gray: np.ndarray, centre_px: tuple[float, float] | np.ndarray,
                  half_px: float) -> float:
    """Relative growth of the square region around ``centre_px`` from ``prev_gray`` to ``gray``.

    Args:
        prev_gray: (H, W) uint8 grayscale frame i-1.
        gray: (H, W) uint8 grayscale frame i, same size.
        centre_px: (x, y) centre of the region in frame i-1, pixels (x right, y down; the
            coordinates of pixel (row r, column c) are (c, r)).
        half_px: half-size of the fitted square, pixels; flow is computed in the box of
            half-size ``BOX_PER_HALF * half_px`` (clipped to the frame) so the square has context.

    Returns:
        ``(a0 + b1) / 2`` of the affine flow fit (module docstring): the relative change of
        image scale, dimensionless (+0.01 = 1 % bigger, came closer); NaN when the inputs are
        not finite, the frames differ in size, or the square holds fewer than `MIN_PIXELS`
        pixels (or too few rows/columns for the fit).
    """
    if prev_gray.shape != gray.shape or prev_gray.ndim != 2:
        return math.nan
    region = _Region.around(centre_px, half_px, gray.shape)
    if region is None:
        return math.nan
    return region.growth(region.patch(prev_gray), region.patch(gray))


@dataclass(frozen=True)
class _Region:
    """The flow box around one frame's hips: ``box`` (x0, y0, x1, y1) pixels, end exclusive; the fitted
    square ``fit`` in the same form; ``shrink`` the factor patches are resized by."""

    box: tuple[int, int, int, int]
    fit: tuple[int, int, int, int]
    shrink: float

    @classmethod
    def around(cls, centre_px: tuple[float, float] | np.ndarray, half_px: float,
               shape: tuple[int, ...]) -> "_Region | None":
        """The region of half-size ``half_px`` around ``centre_px`` in a frame of ``shape`` (H, W, ...),
        or None when it is not finite or too small (see `region_growth`)."""
        cx, cy, half = float(centre_px[0]), float(centre_px[1]), float(half_px)
        if not (math.isfinite(cx) and math.isfinite(cy) and math.isfinite(half) and half > 0):
            return None
        height, width = shape[0], shape[1]
        reach = BOX_PER_HALF * half
        x0, x1 = max(0, math.floor(cx - reach)), min(width, math.floor(cx + reach) + 1)
        y0, y1 = max(0, math.floor(cy - reach)), min(height, math.floor(cy + reach) + 1)
        # the fitted square, as index ranges inside the box
        fx0, fx1 = max(x0, math.ceil(cx - half)), min(x1, math.floor(cx + half) + 1)
        fy0, fy1 = max(y0, math.ceil(cy - half)), min(y1, math.floor(cy + half) + 1)
        if fx1 - fx0 < 3 or fy1 - fy0 < 3 or (fx1 - fx0) * (fy1 - fy0) < MIN_PIXELS:
            return None
        shrink = min(1.0, MAX_BOX_PX / max(x1 - x0, y1 - y0))  # growth is scale-free
        return cls((x0, y0, x1, y1), (fx0, fy0, fx1, fy1), shrink)

    def patch(self, image: np.ndarray, *, rgb: bool = False) -> np.ndarray:
        """The box cut out of ``image`` (grey, BGR, or RGB with ``rgb=True``), grey and shrunk: only the
        box is converted, never the whole frame."""
        x0, y0, x1, y1 = self.box
        cut = image[y0:y1, x0:x1]
        if cut.ndim == 3:
            cut = cv2.cvtColor(cut, cv2.COLOR_RGB2GRAY if rgb else cv2.COLOR_BGR2GRAY)
        if self.shrink < 1.0:
            size = (max(1, round((x1 - x0) * self.shrink)), max(1, round((y1 - y0) * self.shrink)))
            cut = cv2.resize(cut, size, interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(cut)

    def growth(self, a: np.ndarray, b: np.ndarray, flow_fn: FlowFn | None = None) -> float:
        """``(a0 + b1) / 2`` of the affine fit of the flow from patch ``a`` to patch ``b`` (`patch`),
        the flow computed by ``flow_fn`` (default `farneback_flow`)."""
        x0, y0, x1, y1 = self.box
        fx0, fy0, fx1, fy1 = self.fit
        flow = (flow_fn or farneback_flow)(a, b)
        # pixel centres of the (shrunk) box in frame coordinates; keep those in the fitted square
        xs = x0 + (np.arange(flow.shape[1]) + 0.5) * (x1 - x0) / flow.shape[1] - 0.5
        ys = y0 + (np.arange(flow.shape[0]) + 0.5) * (y1 - y0) / flow.shape[0] - 0.5
        keep_x, keep_y = (xs >= fx0 - 0.5) & (xs < fx1 - 0.5), (ys >= fy0 - 0.5) & (ys < fy1 - 0.5)
        if keep_x.sum() < 3 or keep_y.sum() < 3:
            return math.nan
        # on a full grid, the least-squares fit of u = a0 dx + a1 dy + a2 gives a0 = the slope of u's column means
        # against dx (the same for b1 and v's row means against dy): only those sums are formed
        rows, cols = slice(*_run(keep_y)), slice(*_run(keep_x))
        u_cols = flow[rows, cols, 0].mean(axis=0, dtype=float)
        v_rows = flow[rows, cols, 1].mean(axis=1, dtype=float)
        # in the shrunk box's pixels, like the flow
        growth = 0.5 * (_slope(xs[cols] * self.shrink, u_cols) + _slope(ys[rows] * self.shrink, v_rows))
        return float(growth) if math.isfinite(growth) else math.nan


@dataclass(frozen=True)
class GrowthPair:
    """One frame pair's growth, ready to compute: the flow box (``region``, where the previous frame's hips
    were) cut from the previous frame (``before``) and from this one (``after``), grey, shrunk to at most
    `MAX_BOX_PX` on the long side (uint8, same shape): at most 2 × 100 × 100 bytes."""

    region: _Region
    before: np.ndarray
    after: np.ndarray

    @property
    def nbytes(self) -> int:
        """Bytes of image kept (the two boxes)."""
        return self.before.nbytes + self.after.nbytes

    def growth(self, flow_fn: FlowFn | None = None) -> float:
        """The growth from ``before`` to ``after`` (as `HipGrowthMeter.measure` gives it), dimensionless."""
        return self.region.growth(self.before, self.after, flow_fn)


def _run(mask: np.ndarray) -> tuple[int, int]:
    """(start, stop) of the one run of True in ``mask`` (the pixels of the fitted square along one axis)."""
    start = int(np.argmax(mask))
    return start, start + int(mask.sum())


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of ``y`` against ``x`` (1-D, same length, ``x`` not constant)."""
    ex = x - x.mean()
    return float(ex @ y) / float(ex @ ex)


def hip_region(image_landmarks: np.ndarray | None, frame_size: tuple[int, int]) -> tuple[np.ndarray, float] | None:
    """Hip midpoint (pixels) and fitted-square half-size (pixels) from one frame's landmarks.

    Args:
        image_landmarks: (33, 2+) normalised image landmarks (x, y in 0..1 of the frame), as in
            `FramePose.image`; None or NaN hips/knees = nobody found.
        frame_size: (width, height) of the frame, pixels.

    Returns:
        (centre (2,) px, half px) with ``half = max(MIN_HALF_PX, HALF_PER_THIGH * |K - H|)``, or None.
    """
    if image_landmarks is None:
        return None
    xy = np.asarray(image_landmarks, dtype=float)[:, :2] * np.asarray(frame_size, dtype=float)
    hip, knee = xy[list(_HIPS)].mean(axis=0), xy[list(_KNEES)].mean(axis=0)
    if not (np.isfinite(hip).all() and np.isfinite(knee).all()):
        return None
    return hip, max(MIN_HALF_PX, HALF_PER_THIGH * float(np.hypot(*(knee - hip))))


class HipGrowthMeter:
    """Frame-by-frame `region_growth` around the subject's hips (remembers the previous frame's hip box).

    Feed every frame in order, with the subject's landmarks in it (None when nobody was found);
    each `update` returns the growth from the previous frame to this one (NaN for the first
    frame, and when either frame has no person).

    Only the box around the previous frame's hips is kept (grey, shrunk to `MAX_BOX_PX`), and only
    that box of the next frame is converted: the cost does not grow with the frame size.
    `update` is `measure` then `advance`. The growth needs only the *previous* frame's landmarks,
    so a caller may run `measure` (the optical flow; OpenCV releases the GIL) while it finds this
    frame's landmarks, and then `advance` with them (`PoseTracker` does).
    """

    def __init__(self, flow: FlowFn | None = None) -> None:
        self._flow = flow or farneback_flow
        self._prev: tuple[_Region, np.ndarray] | None = None  # the previous frame's region and its patch

    @property
    def flow(self) -> FlowFn:
        """The dense flow this meter measures with (`GrowthPair.growth` takes it)."""
        return self._flow

    @property
    def armed(self) -> bool:
        """A previous frame is kept: `measure` on the next frame will compute a growth."""
        return self._prev is not None

    def reset(self) -> None:
        """Forget the previous frame (the next `update` returns NaN)."""
        self._prev = None

    def update(self, image: np.ndarray, image_landmarks: np.ndarray | None, *, rgb: bool = False) -> float:
        """Growth of the hip region from the previous frame to ``image``.

        Args:
            image: (H, W, 3) uint8 frame, BGR (as `hipvision.io.sources.Frame.image`) or RGB with
                ``rgb=True``; or (H, W) grayscale.
            image_landmarks: (33, 2+) normalised image landmarks of the subject in ``image``
                (x, y in 0..1), or None / all NaN when nobody was found.
            rgb: ``image`` is RGB rather than BGR.

        Returns:
            Relative scale change, dimensionless (+ = grew = came closer), measured around the
            *previous* frame's hips; NaN when it cannot be measured (see `region_growth`).
        """
        growth = self.measure(image, rgb=rgb)
        return growth if self.advance(image, image_landmarks, rgb=rgb) else math.nan

    def measure(self, image: np.ndarray, *, rgb: bool = False) -> float:
        """Growth from the previous frame to ``image`` (NaN without a previous frame with a person, or
        when the frame size changed); does not change the meter. Arguments as for `update`."""
        pair = self.pair(image, rgb=rgb)
        return math.nan if pair is None else pair.growth(self._flow)

    def pair(self, image: np.ndarray, *, rgb: bool = False) -> "GrowthPair | None":
        """What `measure` needs from ``image`` to compute the growth later, without the flow: the previous
        frame's grey box and ``image``'s box at the same place (None where `measure` gives NaN without a flow:
        no previous frame with a person, or the frame size changed). Does not change the meter."""
        if self._prev is None:
            return None
        region, prev_patch = self._prev
        patch = region.patch(image, rgb=rgb)
        return GrowthPair(region, prev_patch, patch) if patch.shape == prev_patch.shape else None

    def advance(self, image: np.ndarray, image_landmarks: np.ndarray | None, *, rgb: bool = False,
                keep: bool = True) -> bool:
        """Make this frame the previous one: the box around its hips (None / NaN landmarks = nobody).

        ``keep=False`` forgets this frame instead, so the next growth is NaN and costs nothing
        (`PoseTracker` keeps only frames on all fours, the growth's one user being the circles analysis).
        Returns whether a person was found (else the next growth is NaN)."""
        found = hip_region(image_landmarks, (image.shape[1], image.shape[0]))
        region = None if found is None else _Region.around(*found, image.shape)
        if region is None or not keep:
            self.reset()  # nothing to measure from this frame next time
            return found is not None
        self._prev = (region, region.patch(image, rgb=rgb))
        return True


