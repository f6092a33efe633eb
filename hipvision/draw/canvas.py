"""Drawing basics for overlays (cv2): scale, coordinates, text, labels, panels. Every function draws in place on a BGR uint8 image.

Coordinates are pixels (x right, y down) unless a name says ``_norm`` (0..1 of the
frame width/height, like `PoseSequence.image`). Sizes (font, line width, margins)
scale with the image height, so a layout designed for 720p looks the same from
480p to 1080p; ``scale`` arguments multiply on top of that. Anything with a NaN
coordinate or value is skipped instead of raising, so overlays can be fed raw
per-frame measurements.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import cv2
import numpy as np

from hipvision.draw.colors import BLACK, WHITE, Color
from hipvision.io.shield import shielded


_REFERENCE_HEIGHT_PX = 720.0
_FONT = cv2.FontFace("sans") if hasattr(cv2, "FontFace") else None  # OpenCV >= 5: antialiased, has "°"

#: Height of a main number's digits (a count, a held angle) as a fraction of the image height: at least
#: 1/8, so that it reads from 2 m on a laptop screen.
BIG_NUMBER_FRACTION = 0.135
#: Font size of panel text and captions, and of the key hints, as fractions of the image height.
TEXT_FRACTION, HINT_FRACTION = 1 / 27, 1 / 32
#: The loop's status box ("no person in view", REC, fps) sits bottom-right in a column this text fits.
STATUS_RESERVE_TEXT, STATUS_SCALE = "no person in view", 0.8


def ui_scale(image: np.ndarray) -> float:
    """Size factor for ``image``: 1.0 at 720 px high, 0.67 at 480p, 1.5 at 1080p."""
    return max(image.shape[0], 120) / _REFERENCE_HEIGHT_PX


def _height(image: np.ndarray) -> float:
    return float(max(image.shape[0], 120))


def margin_px(image: np.ndarray) -> int:
    """Gap between panels and from the image's edges, pixels (16 px at 720p)."""
    return _px(16 * ui_scale(image))


def text_px(image: np.ndarray) -> float:
    """Font size of panel text on ``image``, pixels (`TEXT_FRACTION` of its height)."""
    return TEXT_FRACTION * _height(image)


def big_number_px(image: np.ndarray) -> float:
    """Font size whose digits are `BIG_NUMBER_FRACTION` of ``image``'s height, pixels."""
    return BIG_NUMBER_FRACTION * _height(image) / _digit_ink_fraction(_FONT is None)


@functools.lru_cache(maxsize=2)
def _digit_ink_fraction(hershey: bool) -> float:
    """Height of the digits' ink as a fraction of the font size (about 0.78 for OpenCV 5's sans), for the
    font in use (``hershey``: OpenCV 4's, the cache key)."""
    size = 200
    img = np.zeros((2 * size, 12 * size, 3), np.uint8)
    _put_text_plain(img, "0123456789", (0, 0), size_px=size, color=WHITE, weight=800)
    rows = np.flatnonzero(img.any(axis=(1, 2)))
    return (rows[-1] - rows[0] + 1) / size if len(rows) else 0.75


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



def number_text(value: float | None, decimals: int = 0) -> str:
    """``value`` with ``decimals`` decimals, "--" when missing; never "-0" (-0.3 shows as "0")."""
    return f"{round(float(value), decimals) + 0.0:.{decimals}f}" if _finite(value) else "--"


def deg_text(value: float | None) -> str:
    """An angle as shown: "38°" (whole degrees), "--" when missing."""
    return f"{number_text(value)}°" if _finite(value) else "--"


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

#: Characters OpenCV's fonts lack, drawn as these instead. A no-break space (`NBSP`) is drawn as a space; `wrap_text`
#: never breaks a line there ("25°\u00a0±\u00a04°" stays whole).
NBSP = "\u00a0"
_STAND_INS = str.maketrans({"→": "->", NBSP: " "})


def text_size(text: str, size_px: float, *, weight: int = 500) -> tuple[int, int]:
    """(width, height) in pixels of ``text`` set at font size ``size_px`` (height = ascent + descent)."""
    size = _px(size_px)
    text = text.translate(_STAND_INS)
    if _FONT is not None:
        with shielded():  # see `_put_text_plain`
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
    text = text.translate(_STAND_INS)
    x, y = _pt(org_top_left)
    if _FONT is not None:
        # shielded: OpenCV's binding may call PyObject_Str inside this call (a core dump of a live run stopped
        # by a signal), which runs pending signal handlers; a stop signal's exception raised there is
        # dereferenced as NULL (a segfault). The shield raises it after the call instead.
        with shielded():
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
                    align: str = "left", unit_scale: float = 1.0) -> tuple[int, int, int, int]:
    """A large number (e.g. one leg's IR) with a caption above it, on a dark box.

    The digits are `BIG_NUMBER_FRACTION` of the image height times ``scale``; the caption is panel text
    (`text_px`). ``unit`` follows the number, ``unit_scale`` times its size on the same baseline ("3/5"
    with a small "/5"). ``value`` None/NaN shows "--". Returns the box (x, y, w, h).
    """
    big, small = big_number_px(image) * scale, text_px(image)
    number = number_text(value, decimals)
    unit = unit if _finite(value) else ""
    if unit_scale == 1.0:
        number, unit = number + unit, ""
    usize = big * unit_scale
    nw, nh = text_size(number, big, weight=800)
    uw = text_size(unit, usize, weight=700)[0] if unit else 0
    cw, ch = text_size(caption, small, weight=600) if caption else (0, 0)
    pad = _px(0.15 * small)
    top = _px(0.2 * big)  # the digits' ink starts about this far below the text box's top
    w = max(nw + uw, cw) + 2 * pad
    h = nh - top + (ch if caption else 0) + 2 * pad
    x, y = _place(org, w, h, align)
    blend_rect(image, (x, y, w, h))
    if caption:
        put_text(image, caption, (x + pad, y + pad), size_px=small, color=WHITE, weight=600)
    ny = y + h - pad - nh
    put_text(image, number, (x + pad, ny), size_px=big, color=color, weight=800)
    if unit:
        put_text(image, unit, (x + pad + nw, ny + big - usize), size_px=usize, color=color, weight=700)
    return x, y, w, h


def wrap_text(text: str, size_px: float, max_width: float, *, weight: int = 500, sep: str = " ") -> list[str]:
    """``text`` broken at ``sep`` (between words) into lines no wider than ``max_width`` pixels at font size
    ``size_px`` (a single word wider than that gets a line of its own)."""
    lines: list[str] = []
    for word in text.split(sep):
        if lines and text_size(f"{lines[-1]}{sep}{word}", size_px, weight=weight)[0] <= max_width:
            lines[-1] = f"{lines[-1]}{sep}{word}"
        else:
            lines.append(word)
    return lines or [""]


def draw_panel(image: np.ndarray, lines: Sequence[str | tuple[str, Color]], corner: str = "tl", *,
               scale: float = 1.0, title: str | None = None, max_width: float | None = None,
               bottom: float | None = None, top: float | None = None) -> tuple[int, int, int, int]:
    """A block of status/coaching lines in a corner ("tl", "tr", "bl", "br") on a dark translucent box.

    Each line is a string (white) or ``(text, colour)``; text is `text_px` times ``scale``. Lines wider
    than ``max_width`` pixels (box included; default the image width less the margins) are wrapped
    between words. ``bottom`` / ``top``: y (pixels) the box ends at / starts at instead of the margin
    (to stack panels). Returns the box (x, y, w, h).
    """
    size = text_px(image) * scale
    tsize = size * 1.15
    H, W = image.shape[:2]
    pad, gap, margin = _px(0.45 * size), _px(0.25 * size), margin_px(image)
    inner = (W - 2 * margin if max_width is None else max_width) - 2 * pad
    items = [(t, WHITE, tsize, 700) for t in wrap_text(title, tsize, inner, weight=700)] if title else []
    for ln in lines:
        text, color = (ln, WHITE) if isinstance(ln, str) else ln
        items += [(t, color, size, 500) for t in wrap_text(text, size, inner)]
    if not items:
        return 0, 0, 0, 0
    sizes = [text_size(t, sz, weight=wt) for t, _, sz, wt in items]
    w = max(sw for sw, _ in sizes) + 2 * pad
    h = sum(sh for _, sh in sizes) + gap * (len(items) - 1) + 2 * pad
    x = margin if corner[1] == "l" else W - margin - w
    y = (margin if top is None else int(top)) if corner[0] == "t" else int(H - margin if bottom is None else bottom) - h
    blend_rect(image, (x, y, w, h), alpha=0.6)
    cy = y + pad
    for (text, color, sz, wt), (_, sh) in zip(items, sizes):
        put_text(image, text, (x + pad, cy), size_px=sz, color=color, weight=wt)
        cy += sh + gap
    return x, y, w, h


def status_reserve_px(image: np.ndarray) -> int:
    """Width kept free bottom-right for the live loop's status box (`draw_status_panel`), margin included."""
    size = STATUS_SCALE * text_px(image)
    return text_size(STATUS_RESERVE_TEXT, size)[0] + 2 * _px(0.45 * size) + 2 * margin_px(image)


def draw_status_panel(image: np.ndarray, lines: Sequence[str | tuple[str, Color]]) -> tuple[int, int, int, int]:
    """The live loop's status box, bottom-right, within `status_reserve_px` (see `draw_bottom_left`)."""
    width = status_reserve_px(image) - 2 * margin_px(image)
    return draw_panel(image, lines, "br", scale=STATUS_SCALE, max_width=width)


#: Visibility (0..1) from which a landmark counts as seen by the panels that keep clear of the body.
SEEN_VISIBILITY = 0.5


def seen_landmarks(landmarks_norm: np.ndarray, visibility: np.ndarray, rows: Sequence[int]) -> tuple[np.ndarray,
                                                                                                   np.ndarray]:
    """Of one frame's (33, >=2) normalised image landmarks, the ``rows`` seen (``visibility`` at least
    `SEEN_VISIBILITY`, finite): (N, 2) normalised (x, y), and the (len(rows),) mask of those seen."""
    rows = [int(i) for i in rows]
    xy = np.asarray(landmarks_norm, float)[rows, :2]
    seen = (np.asarray(visibility, float)[rows] >= SEEN_VISIBILITY) & np.isfinite(xy).all(axis=1)
    return xy[seen], seen


@functools.lru_cache(maxsize=8)
def status_box_height(shape: tuple[int, ...]) -> int:
    """Height of the live loop's status box bottom-right at its tallest (two lines, `draw_status_panel`) on an image
    of ``shape``, margin included, pixels: a panel on the right ends above it. Cached per shape (drawn to measure)."""
    scratch = np.zeros(shape, np.uint8)
    return draw_status_panel(scratch, [STATUS_RESERVE_TEXT, "REC  30 fps"])[3] + margin_px(scratch)


def covered_weight(boxes: Sequence[tuple[int, int, int, int]], points: np.ndarray,
                   weights: np.ndarray | None = None) -> float:
    """The summed ``weights`` (default 1 each) of the ``points`` ((N, 2) pixels) inside any of ``boxes``
    (x, y, w, h): how much of what the person watches a panel would cover."""
    points = np.asarray(points, float).reshape(-1, 2)
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, float)
    inside = np.zeros(len(points), bool)
    for x, y, w, h in boxes:
        inside |= (points[:, 0] >= x) & (points[:, 0] <= x + w) & (points[:, 1] >= y) & (points[:, 1] <= y + h)
    return float(weights[inside].sum())


def key_hints_text(keys: Sequence[tuple[str, str]]) -> str:
    """``(("SPACE", "trial"), ("Q", "quit & save"))`` → "SPACE trial   Q quit & save"."""
    return _KEY_SEP.join(f"{key} {what}" for key, what in keys)


_KEY_SEP = "   "


def draw_bottom_left(image: np.ndarray, lines: Sequence[str | tuple[str, Color]] = (),
                     keys: Sequence[tuple[str, str]] = (), *, title: str | None = None,
                     scale: float = 1.0, max_width: float | None = None) -> list[tuple[int, int, int, int]]:
    """The key hints along the bottom-left (grey, `HINT_FRACTION` of the height, wrapped) and a panel of
    ``lines`` (under ``title``) stacked above them, both clear of the status box bottom-right
    (`status_reserve_px`) and no wider than ``max_width`` pixels (a column beside a seated person).
    ``keys``: (key, what it does) pairs. Returns the boxes drawn (x, y, w, h)."""
    width = image.shape[1] - margin_px(image) - status_reserve_px(image)
    width = width if max_width is None else min(width, max_width)
    boxes = []
    bottom = None
    if keys:
        hint = HINT_FRACTION / TEXT_FRACTION
        size, pad = hint * text_px(image), 2 * _px(0.45 * hint * text_px(image))
        rows = wrap_text(key_hints_text(keys), size, width - pad, sep=_KEY_SEP)  # a key stays with what it does
        boxes.append(draw_panel(image, [(row, (210, 210, 210)) for row in rows], "bl", scale=hint, max_width=width))
        bottom = boxes[-1][1] - margin_px(image) // 2
    if lines or title:
        boxes.append(draw_panel(image, lines, "bl", scale=scale, title=title, max_width=width, bottom=bottom))
    return boxes


# ---------------------------------------------------------------- lines and shapes
