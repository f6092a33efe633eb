"""Drawing shapes for overlays (cv2): lines, the skeleton, trails, angle and progress arcs, gauges.

Pixels, x right, y down; NaN coordinates are skipped; sizes scale with the image height (`ui_scale`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from hipvision.draw.colors import BLACK, GREY, PALETTE, SIDE_COLORS, WHITE, Color, class_color, palette_color
from hipvision.landmarks import SKELETON_EDGES, Landmark
from hipvision.draw.canvas import _finite, _pt, _px, blend_rect, classify_deg, deg_text, draw_label, landmarks_to_px, put_text, text_size, ui_scale


def draw_line(image: np.ndarray, p0: Sequence[float], p1: Sequence[float], *, color: Color,
              thickness: float | None = None, outline: bool = True) -> None:
    """A segment with a dark outline (visible on light and dark backgrounds); NaN ends draw nothing."""
    if not _finite(*p0[:2], *p1[:2]):
        return
    t = _px(thickness if thickness is not None else 3 * ui_scale(image))
    a, b = _pt(p0), _pt(p1)
    if outline:
        cv2.line(image, a, b, BLACK, t + _px(2 * ui_scale(image)), cv2.LINE_AA)
    cv2.line(image, a, b, color, t, cv2.LINE_AA)


def _edge_color(a: Landmark, b: Landmark) -> Color:
    names = a.name + b.name
    if "LEFT" in names and "RIGHT" not in names:
        return SIDE_COLORS["left"]
    if "RIGHT" in names and "LEFT" not in names:
        return SIDE_COLORS["right"]
    return SIDE_COLORS["centre"]


def draw_skeleton(image: np.ndarray, landmarks_norm: np.ndarray, visibility: np.ndarray | None = None, *,
                  min_visibility: float = 0.5, mirror: bool = False, color: Color | None = None,
                  thickness: float | None = None, joints: bool = True) -> None:
    """The pose as bones (`hipvision.landmarks.SKELETON_EDGES`) and joint dots.

    Args:
        landmarks_norm: (33, >=2) normalised landmarks of the UNMIRRORED frame (x, y in 0..1).
        visibility: (33,) 0..1; landmarks below ``min_visibility`` (or NaN) are not drawn. None = all visible.
        mirror: draw on a horizontally flipped image (x → 1 - x).
        color: one colour for every bone; default colours the person's left/right side differently.
    """
    h, w = image.shape[:2]
    pts = landmarks_to_px(landmarks_norm, (w, h), mirror=mirror)
    vis = np.ones(len(pts)) if visibility is None else np.nan_to_num(np.asarray(visibility, float), nan=0.0)
    ok = np.isfinite(pts).all(axis=1) & (vis >= min_visibility)
    s = ui_scale(image)
    t = _px(thickness if thickness is not None else 3 * s)
    bones = [(a, b) for a, b in SKELETON_EDGES if ok[a] and ok[b]]
    if not bones:
        return
    safe = np.clip(np.nan_to_num(pts), -1e5, 1e5).round().astype(np.int32)
    cv2.polylines(image, [safe[[a, b]] for a, b in bones], False, BLACK, t + _px(2 * s), cv2.LINE_AA)
    by_color: dict[Color, list[np.ndarray]] = {}
    for a, b in bones:
        by_color.setdefault(color or _edge_color(a, b), []).append(safe[[a, b]])
    for c, segments in by_color.items():
        cv2.polylines(image, segments, False, c, t, cv2.LINE_AA)
    if joints:
        r = _px(t * 1.3)
        for i in sorted({int(i) for bone in bones for i in bone}):
            cv2.circle(image, tuple(safe[i]), r + 1, BLACK, -1, cv2.LINE_AA)
            cv2.circle(image, tuple(safe[i]), r, WHITE, -1, cv2.LINE_AA)


def draw_trail(image: np.ndarray, points_px: np.ndarray, *, color: Color | None = None,
               rep_ids: np.ndarray | None = None, thickness: float | None = None, fade: bool = False) -> None:
    """A polyline through (N, 2) pixel points; NaN points break the line.

    Colour per segment: ``color`` if given, else `palette_color(rep_id)` of the segment's end point
    from ``rep_ids`` (N,) (negative / NaN = not in a rep → grey), else the first palette colour.
    ``fade`` thins the older (earlier) part of the trail, in four steps.
    """
    pts = np.asarray(points_px, float).reshape(-1, 2)
    n = len(pts)
    if n < 2:
        return
    base = thickness if thickness is not None else 3 * ui_scale(image)
    finite = np.isfinite(pts).all(axis=1)
    valid = finite[1:] & finite[:-1]  # (n-1,) segment i joins points i and i+1
    if color is not None or rep_ids is None:
        key = np.zeros(n - 1, int)  # colour class per segment: -1 grey, k palette colour k
    else:
        reps = np.asarray(rep_ids, float).reshape(-1)[1:]
        key = np.where(np.isfinite(reps) & (reps >= 0), np.nan_to_num(reps, nan=-1.0), -1).astype(int)
    level = np.minimum((np.arange(1, n) * 4) // n, 3) if fade else np.full(n - 1, 3)
    key = np.where(valid, key * 4 + level + 4, np.iinfo(np.int64).min)  # one code per (colour, thickness)
    breaks = np.flatnonzero(np.diff(key)) + 1
    safe = np.clip(np.nan_to_num(pts), -1e5, 1e5).round().astype(np.int32)
    for a, b in zip(np.r_[0, breaks], np.r_[breaks, n - 1]):
        if not valid[a]:
            continue
        code = int(key[a]) - 4
        cls, lvl = code // 4, code % 4
        c = color if color is not None else GREY if cls < 0 else palette_color(cls) if rep_ids is not None else PALETTE[0]
        cv2.polylines(image, [safe[a:b + 1]], False, c, _px(base * (0.4 + 0.2 * lvl)), cv2.LINE_AA)


def _arc_points(center: Sequence[float], radius: float, start_deg: float, end_deg: float) -> np.ndarray:
    """(K, 2) points along an arc; angles in degrees, 0 = +x, increasing clockwise on screen (y down)."""
    k = max(2, int(abs(end_deg - start_deg) / 3) + 2)
    a = np.radians(np.linspace(start_deg, end_deg, k))
    return np.stack([center[0] + radius * np.cos(a), center[1] + radius * np.sin(a)], axis=1)


def _blend_poly(image: np.ndarray, pts: np.ndarray, color: Color, alpha: float) -> None:
    x, y, w, h = cv2.boundingRect(pts.astype(np.int32))
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, image.shape[1]), min(y + h, image.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    roi = image[y0:y1, x0:x1]
    mask = np.zeros(roi.shape[:2], np.uint8)
    cv2.fillPoly(mask, [pts.astype(np.int32) - [x0, y0]], 255, cv2.LINE_AA)
    a = (mask.astype(np.float32) * np.float32(alpha / 255.0))[..., None]
    roi[:] = (roi * (1 - a) + np.array(color, np.float32) * a).astype(np.uint8)


def draw_angle_arc(image: np.ndarray, center_px: Sequence[float], from_dir: Sequence[float],
                   to_dir: Sequence[float], *, radius: float | None = None, color: Color = WHITE,
                   text: str | None = None, reference_line: bool = True, mirror_text: bool = False) -> None:
    """The angle between a reference direction and a segment, as a shaded wedge with its value.

    Args:
        center_px: vertex of the angle (e.g. the knee), pixels.
        from_dir, to_dir: (dx, dy) directions in pixels (y down), e.g. ``(0, 1)`` = straight down.
        radius: wedge radius in pixels (default 60 px at 720p).
        text: label at the wedge; default the unsigned angle in whole degrees, e.g. "38°".
        reference_line: draw a dashed line along ``from_dir``.
        mirror_text: the image will be flipped for display (see `put_text`).
    """
    if not _finite(*center_px[:2], *from_dir[:2], *to_dir[:2]) or np.hypot(*from_dir[:2]) == 0 or np.hypot(*to_dir[:2]) == 0:
        return
    s = ui_scale(image)
    r = radius if radius is not None else 60 * s
    a0 = math.degrees(math.atan2(from_dir[1], from_dir[0]))
    delta = (math.degrees(math.atan2(to_dir[1], to_dir[0])) - a0 + 180.0) % 360.0 - 180.0
    arc = _arc_points(center_px, r, a0, a0 + delta)
    _blend_poly(image, np.vstack([np.asarray(center_px[:2], float)[None], arc]), color, 0.35)
    cv2.polylines(image, [arc.astype(np.int32)], False, color, _px(2 * s), cv2.LINE_AA)
    if reference_line:
        u = np.asarray(from_dir[:2], float) / np.hypot(*from_dir[:2])
        for k in range(0, 7, 2):  # dashes out to 1.4 r
            p0 = np.asarray(center_px[:2], float) + u * r * 0.2 * k
            draw_line(image, p0, p0 + u * r * 0.2, color=WHITE, thickness=_px(2 * s), outline=False)
    label = text if text is not None else f"{abs(delta):.0f}°"
    mid = math.radians(a0 + delta / 2)
    size = 22 * s
    tw, th = text_size(label, size, weight=700)
    lx = center_px[0] + (r + 8 * s) * math.cos(mid) + (tw / 2 + 4 * s) * (math.cos(mid) - 1)
    ly = center_px[1] + (r + 8 * s) * math.sin(mid) + (th / 2 + 4 * s) * (math.sin(mid) - 1)
    draw_label(image, label, (lx, ly), scale=1.0, color=color, weight=700, mirror_text=mirror_text)


def draw_progress_arc(image: np.ndarray, center: Sequence[float], fraction: float, direction: str | None, *,
                      radius: float | None = None, color: Color = (60, 190, 250), text: str | None = None) -> None:
    """Progress around a circle from 12 o'clock, with an arrowhead showing the way round.

    Args:
        fraction: 0..1 of a full turn done (clipped; NaN draws only the track).
        direction: "clockwise" or "counterclockwise" as seen on screen; None = no arrowhead.
        text: optional short text in the middle (e.g. the rep count).
    """
    if not _finite(*center[:2]):
        return
    s = ui_scale(image)
    r = radius if radius is not None else 50 * s
    t = _px(6 * s)
    c = _pt(center)
    blend_rect(image, (c[0] - r - 2 * t, c[1] - r - 2 * t, 2 * (r + 2 * t), 2 * (r + 2 * t)), alpha=0.45)
    cv2.circle(image, c, int(round(r)), (90, 90, 90), t, cv2.LINE_AA)
    f = float(np.clip(fraction, 0.0, 1.0)) if _finite(fraction) else 0.0
    sign = -1.0 if direction == "counterclockwise" else 1.0
    end = -90.0 + sign * 360.0 * f
    if f > 0:
        cv2.polylines(image, [_arc_points(center, r, -90.0, end).astype(np.int32)], False, color, t, cv2.LINE_AA)
    if direction in ("clockwise", "counterclockwise"):
        e = math.radians(end)
        tip_base = np.array([center[0] + r * math.cos(e), center[1] + r * math.sin(e)])
        tangent = sign * np.array([-math.sin(e), math.cos(e)])
        normal = np.array([math.cos(e), math.sin(e)])
        size = 2.6 * t
        tri = np.array([tip_base + tangent * size, tip_base + normal * size * 0.8, tip_base - normal * size * 0.8])
        cv2.fillPoly(image, [tri.astype(np.int32)], color if f > 0 else WHITE, cv2.LINE_AA)
    if text:
        size = 26 * s
        tw, th = text_size(text, size, weight=800)
        put_text(image, text, (center[0] - tw / 2, center[1] - th / 2), size_px=size, color=WHITE, weight=800)


# ---------------------------------------------------------------- gauge

_GAUGE_DESIGN_HEIGHT_PX = 96.0  # a gauge's insides scale with its rect's height


def _gauge_bar(rect: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """(x0, x1, y0, y1) of a gauge's bar inside ``rect`` (x, y, w, h)."""
    x, y, w, h = rect
    pad = _px(12 * h / _GAUGE_DESIGN_HEIGHT_PX)
    return x + pad, x + w - pad, y + int(h * 0.48), y + int(h * 0.66)


def gauge_x(rect: tuple[int, int, int, int], value_deg: float, *, lo: float = -20.0, hi: float = 60.0) -> int:
    """Pixel column of ``value_deg`` on a gauge drawn by `draw_gauge` with the same ``rect``, ``lo``, ``hi``."""
    x0, x1, _, _ = _gauge_bar(rect)
    v = float(np.clip(value_deg, lo, hi))
    return int(round(x0 + (v - lo) / (hi - lo) * (x1 - x0)))


def draw_gauge(image: np.ndarray, rect: tuple[int, int, int, int], value_deg: float | None, *, lo: float = -20.0,
               hi: float = 60.0, marks: Sequence[float] = (30.0, 45.0), best: float | None = None,
               label: str = "", best_uncertainty: float | None = None, best_class: str | None = None) -> None:
    """A horizontal angle gauge: label and value on top, a bar filled from 0° to the value, marks under it.

    The bar's background is tinted by class (limited below the first mark, functional up to the
    second, target beyond); the fill takes the class colour of ``value_deg``; a white tick with a
    small triangle shows ``best`` (the best held value so far), with a bracket over
    ``best ± best_uncertainty`` and "best 38° ± 3°" in ``best_class``'s colour when given. Values
    outside lo..hi are pinned to the ends. ``rect`` = (x, y, w, h) pixels; text and ticks scale with
    its height, so size it with `ui_scale` (about 380 x 96 px at 720p).
    """
    x, y, w, h = rect = tuple(int(v) for v in rect)
    s = h / _GAUGE_DESIGN_HEIGHT_PX
    blend_rect(image, rect, alpha=0.6)
    x0, x1, by0, by1 = _gauge_bar(rect)
    functional, target = (marks[0], marks[-1]) if marks else (30.0, 45.0)
    zones = ((lo, functional, "limited"), (functional, target, "functional"), (target, hi, "target"))
    for a, b, cls in zones:
        if b > a:
            xa, xb = gauge_x(rect, a, lo=lo, hi=hi), gauge_x(rect, b, lo=lo, hi=hi)
            blend_rect(image, (xa, by0, xb - xa, by1 - by0), class_color(cls), alpha=0.35)
    cls = classify_deg(value_deg, functional_deg=functional, target_deg=target)
    if _finite(value_deg):
        xz, xv = gauge_x(rect, 0.0, lo=lo, hi=hi), gauge_x(rect, value_deg, lo=lo, hi=hi)
        cv2.rectangle(image, (min(xz, xv), by0), (max(xz, xv), by1), class_color(cls), -1)
    cv2.rectangle(image, (x0, by0), (x1, by1), (200, 200, 200), 1)
    size = 16 * s
    for m in (0.0, *marks):
        if lo <= m <= hi:
            xm = gauge_x(rect, m, lo=lo, hi=hi)
            cv2.line(image, (xm, by0 - _px(4 * s)), (xm, by1 + _px(4 * s)), WHITE, _px(2 * s), cv2.LINE_AA)
            tw, _ = text_size(f"{m:.0f}°", size)
            put_text(image, f"{m:.0f}°", (xm - tw / 2, by1 + 6 * s), size_px=size, color=(220, 220, 220))
    if _finite(best):
        xb = gauge_x(rect, best, lo=lo, hi=hi)
        k = _px(5 * s)
        if _finite(best_uncertainty) and best_uncertainty > 0:
            xl = gauge_x(rect, best - best_uncertainty, lo=lo, hi=hi)
            xr = gauge_x(rect, best + best_uncertainty, lo=lo, hi=hi)
            yb = by1 + _px(2 * s)
            cv2.line(image, (xl, yb), (xr, yb), WHITE, _px(2 * s), cv2.LINE_AA)
            for xe in (xl, xr):
                cv2.line(image, (xe, yb - k), (xe, yb), WHITE, _px(2 * s), cv2.LINE_AA)
        cv2.line(image, (xb, by0 - k), (xb, by1), WHITE, _px(3 * s), cv2.LINE_AA)
        tri = np.array([[xb - k, by0 - 2 * k], [xb + k, by0 - 2 * k], [xb, by0 - k]], np.int32)
        cv2.fillPoly(image, [tri], WHITE, cv2.LINE_AA)
    top = y + _px(6 * s)
    value_text = deg_text(value_deg)
    tw, _ = text_size(value_text, 20 * s, weight=700)
    if _finite(best):
        best_text = f"  best {best:.0f}°" + (f" ± {best_uncertainty:.0f}°" if _finite(best_uncertainty) else "")
        bw, _ = text_size(best_text, 20 * s, weight=700)
        best_color = class_color(best_class) if best_class is not None else class_color(cls)
        put_text(image, best_text, (x1 - bw, top), size_px=20 * s, color=best_color, weight=700)
        x1 -= bw
    put_text(image, value_text, (x1 - tw, top), size_px=20 * s, color=class_color(cls), weight=700)
    if label and x0 + text_size(label, 20 * s, weight=600)[0] > x1 - tw - 6 * s:
        label = label.split(" · ")[0]   # a long best value leaves no room for the label's second part
    if label:
        put_text(image, label, (x0, top), size_px=20 * s, color=WHITE, weight=600)
