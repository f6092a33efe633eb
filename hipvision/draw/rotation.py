"""Seated-rotation overlays (cv2): shank lines and angle arcs on the frame, per-leg numbers and gauges,
the live analyzer (`RotationLive`) and the annotated video of a file analysis.

Scene drawings (`draw_legs`) go on the UNMIRRORED frame in its pixel coordinates;
the HUD (`draw_leg_hud`) goes on the displayed frame and puts each leg's panel on
the side of the screen where that leg appears (person's right = image-left
unmirrored, image-right in the mirrored selfie view).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Sequence

import numpy as np

from hipvision import draw
from hipvision.core.rotation import RotationResult, classify, coaching_message
from hipvision.core.rotation.advice import certainty_word
from hipvision.core.rotation.summary import UNCONFIRMED, class_of_lower_bound
from hipvision.core.rotation.view import CameraView
from hipvision.landmarks import LEG, SIDES, Landmark as L

if TYPE_CHECKING:
    from hipvision.sequence import PoseSequence
    from hipvision.io.sources import Frame

#: The live view's keys, (key, what it does), shown along the bottom.
KEYS = (("SPACE", "start/stop trial"), ("R", "reset"), ("F", "full screen"), ("Q", "quit & save"))
KEYS_HELP = draw.key_hints_text(KEYS)


def _finite(v: float | None) -> bool:
    return v is not None and bool(np.isfinite(v))


def draw_legs(image: np.ndarray, px: np.ndarray, angles_deg: Sequence[float], view: CameraView, *,
              knees_px: np.ndarray | None = None, mirror_text: bool = False) -> None:
    """Per leg: the person's vertical at the knee (dashed), the shank coloured by class, the angle arc.

    Args:
        image: the UNMIRRORED frame (BGR), drawn on in place.
        px: (33, 2) landmarks in this image's pixels.
        angles_deg: (left, right) IR angles, degrees (NaN = leg not measured: only a grey shank).
        view: the camera view used for the measurement (gives the vertical's image direction).
        knees_px: (2, 2) knees (left, right) the angles were measured from, pixels: the analysis anchors them
            at rest, as MediaPipe slides its knee down the shank during IR; a NaN row (or None) falls back
            to the landmark knee.
        mirror_text: the image will be flipped for display (keeps the numbers readable).
    """
    s = draw.ui_scale(image)
    for k, side in enumerate(SIDES):
        knee, ankle = px[LEG[side]["knee"]], px[LEG[side]["ankle"]]
        if knees_px is not None and np.isfinite(knees_px[k]).all():
            knee = np.asarray(knees_px[k], float)
        if not np.isfinite(np.r_[knee, ankle]).all():
            continue
        angle = angles_deg[k]
        color = draw.class_color(classify(angle))
        length = float(np.hypot(*(ankle - knee)))
        down = view.image_direction(-view.axes[1], knee)
        draw.draw_line(image, knee, knee + down * length, color=draw.WHITE, thickness=1.5 * s, outline=False)
        draw.draw_line(image, knee, ankle, color=color, thickness=6 * s)
        if _finite(angle):
            draw.draw_angle_arc(image, knee, down, ankle - knee, radius=0.45 * length, color=color,
                                text=draw.deg_text(angle), reference_line=False, mirror_text=mirror_text)


#: The landmarks of a seated person's lower legs, which the text panel keeps clear of (`draw_leg_hud`).
LOWER_LEGS = (L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX,
              L.RIGHT_FOOT_INDEX)


def lower_legs_px(landmarks_norm: np.ndarray, visibility: np.ndarray, size: tuple[int, int], *,
                  mirror: bool = False) -> np.ndarray:
    """(N, 2) the `LOWER_LEGS` landmarks seen (`draw.seen_landmarks`) of one frame's (33, >=2) normalised image
    landmarks, in pixels of a displayed image of ``size`` (w, h), mirrored with it when ``mirror``."""
    pts, _ = draw.seen_landmarks(landmarks_norm, visibility, LOWER_LEGS)
    if mirror:
        pts[:, 0] = 1.0 - pts[:, 0]
    return pts * np.asarray(size, float)


def draw_leg_hud(image: np.ndarray, *, values_deg: Sequence[float], best_deg: Sequence[float], mirror: bool,
                 message: str | None = None, status: Sequence[str | tuple[str, draw.Color]] = (),
                 best_uncertainty_deg: Sequence[float] = (np.nan, np.nan),
                 best_class: Sequence[str | None] = (None, None),
                 keys: Sequence[tuple[str, str]] = (),
                 keep_clear_px: np.ndarray | None = None) -> list[tuple[int, int, int, int]]:
    """Big per-leg numbers with a gauge (30°/45° marks, best held) under each, and a coaching/status panel
    in the left column over the key hints, or in the right column when that covers fewer of ``keep_clear_px``
    ((N, 2) pixels on this frame: the knees and feet); returns the boxes drawn (x, y, w, h).

    Args:
        values_deg: (left, right) current angle, degrees. best_deg: (left, right) best held so far.
        mirror: the displayed image is mirrored (the person's right leg shows on the right).
        message: coaching shown prominently bottom-left (e.g. "Turn to face the camera").
        status: extra lines (trial state, keys) shown bottom-left when there is no message.
        best_uncertainty_deg: (left, right) 95% half-width of the best held value ("best 38° ± 3°").
        best_class: (left, right) its class with uncertainty ("borderline (≈45°)" …), for its colour.
        keys: (key, what it does) pairs listed along the bottom.
    """
    h, w = image.shape[:2]
    s = draw.ui_scale(image)
    margin = draw.margin_px(image)
    gw, gh = int(min(380 * s, 0.42 * w)), int(96 * s)
    boxes = []
    for k, side in enumerate(SIDES):
        on_left = (side == "right") != mirror
        x = margin if on_left else w - margin
        value = values_deg[k]
        boxes.append(draw.draw_big_number(image, value if _finite(value) else None, (x, margin),
                                          color=draw.class_color(classify(value)),
                                          caption=f"{side.upper()} hip IR", align="left" if on_left else "right"))
        _, by, _, bh = boxes[-1]
        gx = margin if on_left else w - margin - gw
        best = best_deg[k]
        unc, cls = best_uncertainty_deg[k], best_class[k]
        label = f"{side} · {_best_state(best, unc, cls)}"
        boxes.append((gx, by + bh + margin // 2, gw, gh))
        draw.draw_gauge(image, boxes[-1], value if _finite(value) else None,
                        best=best if _finite(best) else None, label=label,
                        best_uncertainty=unc if _finite(unc) else None, best_class=cls)
    # text goes in a column under a gauge, clear of the legs of a person sitting in the middle: the left one, or
    # the right one where a foot turned out (to the left in a mirrored view) would be under the left one
    lines, title, scale = (([(message, draw.CLASS_COLORS["limited"])], "Set-up", 1.0) if message
                           else (list(status), None, 0.85))
    top = max(y + bh for _, y, _, bh in boxes) + margin // 2
    column = _text_column(image, lines, keys, title=title, scale=scale, width=gw, top_px=top,
                          keep_clear_px=keep_clear_px)
    if column == "right":
        bottom = h - draw.status_box_height(image.shape)
        return boxes + draw.draw_bottom_left(image, (), keys, max_width=gw) + [
            draw.draw_panel(image, lines, "br", scale=scale, title=title, max_width=gw, bottom=bottom)]
    return boxes + draw.draw_bottom_left(image, lines, keys, title=title, scale=scale, max_width=gw)


def _text_column(image: np.ndarray, lines: list, keys: Sequence[tuple[str, str]], *, title: str | None,
                 scale: float, width: int, top_px: int, keep_clear_px: np.ndarray | None) -> str:
    """"left" or "right": where `draw_leg_hud`'s panel covers fewer of ``keep_clear_px`` (the left on a tie, or
    when the right one would not fit between ``top_px``, under the gauges, and the live status box)."""
    points = np.zeros((0, 2)) if keep_clear_px is None else np.asarray(keep_clear_px, float).reshape(-1, 2)
    points = points[np.isfinite(points).all(axis=1)]
    if not len(points) or not (lines or title):
        return "left"
    text = tuple(ln if isinstance(ln, str) else (ln[0], tuple(int(c) for c in ln[1])) for ln in lines)
    left, right = _column_boxes(image.shape, text, tuple(tuple(k) for k in keys), title, scale, width)
    if right[1] < top_px:
        return "left"
    return "right" if draw.covered_weight([right], points) < draw.covered_weight([left], points) else "left"


@functools.lru_cache(maxsize=32)
def _column_boxes(shape: tuple[int, ...], lines: tuple, keys: tuple, title: str | None, scale: float,
                  width: int) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
    """The text panel's box (x, y, w, h) in the left column (over the key hints) and in the right one (over the
    live status box) on an image of ``shape``: they depend on nothing else, so they are measured once per text."""
    scratch = np.zeros(shape, np.uint8)
    left = draw.draw_bottom_left(scratch, lines, keys, title=title, scale=scale, max_width=width)[-1]
    bottom = shape[0] - draw.status_box_height(shape)
    return left, draw.draw_panel(scratch, lines, "br", scale=scale, title=title, max_width=width, bottom=bottom)


def _best_state(best_deg: float, uncertainty_deg: float, cls: str | None = None) -> str:
    """What a gauge's label says of its best held value: "unconfirmed" for that class (a larger effort may have
    been missed), "unsure" or "borderline" (`certainty_word`), else "held ≥1 s"."""
    if cls == UNCONFIRMED:
        return cls
    return certainty_word(best_deg, uncertainty_deg) or "held ≥1 s"


def held_display(result: RotationResult) -> tuple[np.ndarray, np.ndarray, list]:
    """(held, uncertainty, class with uncertainty) per leg (left, right) of a result, as the gauges show them:
    NaN / None for a leg not measured (a leg that did not rotate shows no best value)."""
    legs = (result.left, result.right)
    return (np.array([g.held_deg if g.measured else np.nan for g in legs]),
            np.array([g.uncertainty_deg if g.measured else np.nan for g in legs]),
            [g.class_with_uncertainty if g.measured else None for g in legs])


def held_so_far(result: RotationResult, t_s: float) -> tuple[np.ndarray, np.ndarray, list]:
    """Like `held_display`, but only from the efforts whose hold had ended by ``t_s`` (seconds) — or, for a
    leg held throughout (no efforts), its held window once ended: what a video frame at that time may show
    (an annotated video must not show the best value before it happens). Once the leg's frames not measured where
    a larger effort may have been (`LegResult.unmeasured`) have passed, its class is "unconfirmed"
    (`summary.class_of_lower_bound`)."""
    held, unc, cls = np.full(2, np.nan), np.full(2, np.nan), [None, None]
    for k, leg in enumerate((result.left, result.right)):
        if not leg.measured:
            continue
        done = [e for e in leg.efforts if np.isfinite(e.held_deg) and e.held_deg >= 0 and np.isfinite(e.hold_end_s)
                and e.hold_end_s <= t_s]
        if done:
            best = max(done, key=lambda e: e.held_deg)
            held[k], unc[k], cls[k] = best.held_deg, best.uncertainty_deg, best.class_with_uncertainty
        elif not leg.efforts and np.isfinite(leg.held.end_s) and leg.held.end_s <= t_s:
            # held throughout (never near vertical): the leg's own held window, once it has ended
            held[k], unc[k], cls[k] = leg.held_deg, leg.uncertainty_deg, leg.class_with_uncertainty
        if np.isfinite(held[k]) and leg.unmeasured is not None and leg.unmeasured.end_s <= t_s:
            cls[k] = class_of_lower_bound(held[k], unc[k])   # a larger effort may have been missed by now
    return held, unc, cls


class RotationAnnotator:
    """``draw(frame)`` for `hipvision.io.video_out.annotate_video`: skeleton, shanks, arcs, numbers and gauges.

    ``seq`` and ``result`` must come from the same frames; ``frame.index`` indexes both. The "best" on
    each gauge is only what had been held by that frame's time (`held_so_far`).
    """

    def __init__(self, seq: "PoseSequence", result: RotationResult) -> None:
        self.seq, self.result = seq, result

    def __call__(self, frame: "Frame") -> None:
        seq, result, i = self.seq, self.result, frame.index
        if i >= len(seq):
            return
        img = frame.image
        if seq.detected[i]:
            draw.draw_skeleton(img, seq.image[i], seq.visibility[i])
        px = seq.image[i, :, :2] * (img.shape[1], img.shape[0])
        draw_legs(img, px, result.angle_deg[i], result.view,
                  knees_px=None if result.knee_px is None else result.knee_px[i])
        best, unc, cls = held_so_far(result, float(seq.timestamps_s[i]))
        draw_leg_hud(img, values_deg=result.angle_deg[i], best_deg=best, mirror=False, best_uncertainty_deg=unc,
                     best_class=cls, message=coaching_message(result.reasons[i]),
                     status=[f"t = {frame.timestamp_s:.1f} s"],
                     keep_clear_px=lower_legs_px(seq.image[i], seq.visibility[i], (img.shape[1], img.shape[0]))
                     if seq.detected[i] else None)
