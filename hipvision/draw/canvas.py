"""Drawing basics for overlays (cv2): scale, coordinates, text, labels, panels. Every function draws in place on a BGR uint8 image.

Coordinates are pixels (x right, y down) unless a name says ``_norm`` (0..1 of the
frame width/height, like `PoseSequence.image`). Sizes (font, line width, margins)
scale with the image height, so a layout designed for 720p looks the same from
480p to 1080p; ``scale`` arguments multiply on top of that. Anything with a NaN
coordinate or value is skipped instead of raising, so overlays can be fed raw
per-frame measurements.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from hipvision.draw.colors import BLACK, WHITE, Color


_REFERENCE_HEIGHT_PX = 720.0
_FONT = cv2.FontFace("sans") if hasattr(cv2, "FontFace") else None  # OpenCV >= 5: antialiased, has "°"


def ui_scale(image: np.ndarray) -> float:
    """Size factor for ``image``: 1.0 at 720 px high, 0.67 at 480p, 1.5 at 1080p."""
    return max(image.shape[0], 120) / _REFERENCE_HEIGHT_PX


def _px(value: float) -> int:
    return max(1, int(round(value)))


def _finite(*values: float | None) -> bool:
    return all(v is not None and np.isfinite(v) for v in values)


def _pt(p: Sequence[float]) -> tuple[int, int]:
    # cv2 needs ints that fit in 32 bits; a wildly-off landmark must not raise.
    return (int(round(float(np.clip(p[0], -1e5, 1e5)))), int(round(float(np.clip(p[1], -1e5, 1e5)))))


def classify_deg(value_deg: float | None, *, functional_deg: float = 30.0, target_deg: float = 45.0) -> str | None:
    """Class of an IR angle: "limited" (< functional), "functional", "target" (>= target), None if missing."""
    if not _finite(value_deg):
        return None
    return "target" if value_deg >= target_deg else "functional" if value_deg >= functional_deg else "limited"



def landmarks_to_px(landmarks_norm: np.ndarray, size: tuple[int, int], *, mirror: bool = False) -> np.ndarray:
    """(..., >=2) normalised landmarks → (..., 2) pixels in a (width, height) frame; ``mirror`` flips x."""
    w, h = size
    xy = np.asarray(landmarks_norm, float)[..., :2]
    x = (1.0 - xy[..., 0]) if mirror else xy[..., 0]
    return np.stack([x * w, xy[..., 1] * h], axis=-1)


def mirror_px(points_px: np.ndarray, width: int) -> np.ndarray:
    """(..., 2) pixel points of an unmirrored frame → the same points on the horizontally flipped frame."""
    p = np.array(points_px, float)
    p[..., 0] = (width - 1) - p[..., 0]
    return p


def blend_rect(image: np.ndarray, rect: tuple[int, int, int, int], color: Color = BLACK, alpha: float = 0.55) -> None:
    """Darken/tint the box ``rect`` = (x, y, w, h) towards ``color`` with opacity ``alpha`` (clipped to the image)."""
    x, y, w, h = (int(v) for v in rect)
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, image.shape[1]), min(y + h, image.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    roi = image[y0:y1, x0:x1]
    out = cv2.convertScaleAbs(roi, alpha=1.0 - alpha)
    if any(color):
        out = cv2.add(out, (color[0] * alpha, color[1] * alpha, color[2] * alpha, 0.0))
    roi[:] = out


# ---------------------------------------------------------------- text

def text_size(text: str, size_px: float, *, weight: int = 500) -> tuple[int, int]:
    """(width, height) in pixels of ``text`` set at font size ``size_px`` (height = ascent + descent)."""
    size = _px(size_px)
    if _FONT is not None:
        _, _, w, h = cv2.getTextSize((0, 0), text, (0, size), _FONT, size, weight)
        return int(w), int(max(h, size * 1.2))
    (w, h), base = cv2.getTextSize(_ascii(text), cv2.FONT_HERSHEY_SIMPLEX, size / 30.0, _hershey_thickness(size, weight))
    return int(w), int(h + base)


def _ascii(text: str) -> str:
    return text.replace("°", " deg").encode("ascii", "replace").decode()


def _hershey_thickness(size: int, weight: int) -> int:
    return max(1, int(round(size / 30.0 * (2.5 if weight >= 600 else 1.6))))


def put_text(image: np.ndarray, text: str, org_top_left: tuple[float, float], *, size_px: float,
             color: Color = WHITE, weight: int = 500, mirror_text: bool = False) -> None:
    """Text whose box's top-left corner is at ``org_top_left`` (no background).

    ``mirror_text`` writes the text back to front, so that it reads correctly once the whole
    image is flipped for display (text drawn in `LiveAnalyzer.draw_scene` on a mirrored display).
    The box stays where it is; only its content is flipped.
    """
    if not mirror_text:
        _put_text_plain(image, text, org_top_left, size_px=size_px, color=color, weight=weight)
        return
    w, h = text_size(text, size_px, weight=weight)
    x, y = _pt(org_top_left)
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, image.shape[1]), min(y + h, image.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    patch = np.zeros((h, w, 3), np.uint8)
    patch[y0 - y:y1 - y, x0 - x:x1 - x] = image[y0:y1, x0:x1]
    patch = np.ascontiguousarray(patch[:, ::-1])
    _put_text_plain(patch, text, (0, 0), size_px=size_px, color=color, weight=weight)
    image[y0:y1, x0:x1] = patch[:, ::-1][y0 - y:y1 - y, x0 - x:x1 - x]


def _put_text_plain(image: np.ndarray, text: str, org_top_left: tuple[float, float], *, size_px: float,
                    color: Color, weight: int) -> None:
    size = _px(size_px)
    x, y = _pt(org_top_left)
    if _FONT is not None:
        cv2.putText(image, text, (x, y + size), color, _FONT, size, weight)
    else:
        _, h = text_size(text, size, weight=weight)
        cv2.putText(image, _ascii(text), (x, y + int(h * 0.78)), cv2.FONT_HERSHEY_SIMPLEX, size / 30.0, color,
                    _hershey_thickness(size, weight), cv2.LINE_AA)


def _place(org: tuple[float, float], w: int, h: int, align: str) -> tuple[int, int]:
    x, y = _pt(org)
    if align == "center":
        x -= w // 2
    elif align == "right":
        x -= w
    return x, y


def draw_label(image: np.ndarray, text: str, org: tuple[float, float], *, scale: float = 1.0,
               color: Color = WHITE, bg: bool = True, align: str = "left", weight: int = 500,
               mirror_text: bool = False) -> tuple[int, int, int, int]:
    """A line of text readable on any background (dark translucent box behind it when ``bg``).

    Args:
        org: top-left corner of the label box (its top-centre / top-right with ``align``), pixels.
        scale: size relative to the default label (22 px at 720p).
        align: "left", "center" or "right" relative to ``org``.
        mirror_text: write back to front, to read correctly after the image is flipped (see `put_text`).

    Returns:
        The box drawn, (x, y, w, h) in pixels, to stack further labels under it.
    """
    size = 22 * scale * ui_scale(image)
    tw, th = text_size(text, size, weight=weight)
    pad = _px(size * 0.3)
    x, y = _place(org, tw + 2 * pad, th + 2 * pad, align)
    if bg:
        blend_rect(image, (x, y, tw + 2 * pad, th + 2 * pad))
    put_text(image, text, (x + pad, y + pad), size_px=size, color=color, weight=weight, mirror_text=mirror_text)
    return x, y, tw + 2 * pad, th + 2 * pad


def draw_big_number(image: np.ndarray, value: float | None, org: tuple[float, float], *, color: Color = WHITE,
                    unit: str = "°", caption: str = "", decimals: int = 0, scale: float = 1.0,
                    align: str = "left") -> tuple[int, int, int, int]:
    """A large number (e.g. one leg's IR) with a small caption above it, on a dark box.

    ``value`` None/NaN shows "--". Returns the box (x, y, w, h).
    """
    s = ui_scale(image) * scale
    big, small = 64 * s, 20 * s
    text = f"{value:.{decimals}f}{unit}" if _finite(value) else "--"
    bw, bh = text_size(text, big, weight=800)
    cw, ch = text_size(caption, small, weight=600) if caption else (0, 0)
    pad = _px(10 * s)
    w, h = max(bw, cw) + 2 * pad, bh + (ch + pad // 2 if caption else 0) + 2 * pad
    x, y = _place(org, w, h, align)
    blend_rect(image, (x, y, w, h))
    if caption:
        put_text(image, caption, (x + pad, y + pad), size_px=small, color=WHITE, weight=600)
    put_text(image, text, (x + pad, y + h - pad - bh), size_px=big, color=color, weight=800)
    return x, y, w, h


def draw_panel(image: np.ndarray, lines: Sequence[str | tuple[str, Color]], corner: str = "tl", *,
               scale: float = 1.0, title: str | None = None) -> tuple[int, int, int, int]:
    """A block of status/coaching lines in a corner ("tl", "tr", "bl", "br") on a dark translucent box.

    Each line is a string (white) or ``(text, colour)``. Returns the box (x, y, w, h).
    """
    s = ui_scale(image) * scale
    size, tsize = 21 * s, 24 * s
    items = [(title, WHITE, tsize, 700)] if title else []
    items += [(ln, WHITE, size, 500) if isinstance(ln, str) else (ln[0], ln[1], size, 500) for ln in lines]
    if not items:
        return 0, 0, 0, 0
    pad, gap, margin = _px(12 * s), _px(6 * s), _px(16 * s)
    sizes = [text_size(t, sz, weight=wt) for t, _, sz, wt in items]
    w = max(sw for sw, _ in sizes) + 2 * pad
    h = sum(sh for _, sh in sizes) + gap * (len(items) - 1) + 2 * pad
    H, W = image.shape[:2]
    x = margin if corner[1] == "l" else W - margin - w
    y = margin if corner[0] == "t" else H - margin - h
    blend_rect(image, (x, y, w, h), alpha=0.6)
    cy = y + pad
    for (text, color, sz, wt), (_, sh) in zip(items, sizes):
        put_text(image, text, (x + pad, cy), size_px=sz, color=color, weight=wt)
        cy += sh + gap
    return x, y, w, h


# ---------------------------------------------------------------- lines and shapes
