"""Hip-circle overlays (cv2): the pelvis trail on the frame, counts, the current circle's progress,
a top view of the pelvis path, a size gauge and cues; the live analyzer (`CirclesLive`) and the
annotated video of a file analysis (`CirclesAnnotator`).

The trail goes on the UNMIRRORED frame (`draw_scene`); the HUD goes on the displayed frame. The
top view is drawn as seen from above with the head at the top, so "clockwise" on it is the
analysis's clockwise (forward → person's right → back → left) whatever the camera or mirroring.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import cv2
import numpy as np

from hipvision import draw
from hipvision.core.circles import CirclesResult, CirclesSettings
from hipvision.core.circles.result import ESTIMATE_MARK
from hipvision.landmarks import Landmark as L

if TYPE_CHECKING:
    from hipvision.core.circles.confidence import Confidence, Reason
    from hipvision.sequence import PoseSequence
    from hipvision.io.sources import Frame

#: The live view's keys, (key, what it does), shown along the bottom.
KEYS = (("SPACE", "pause/resume"), ("R", "reset"), ("F", "full screen"), ("Q", "quit & save"))
KEYS_HELP = draw.key_hints_text(KEYS)
DIRECTION_LABELS = {"clockwise": "clockwise", "counterclockwise": "counter-clockwise"}


def hip_norm(landmarks_norm: np.ndarray) -> np.ndarray:
    """(..., 2) normalised hip midpoint from (..., 33, >=2) normalised landmarks."""
    lm = np.asarray(landmarks_norm, float)
    return (lm[..., L.LEFT_HIP, :2] + lm[..., L.RIGHT_HIP, :2]) / 2


#: The landmarks a person doing hip circles watches on screen and how much each matters: the hips (the circle
#: itself) far the most (the panel goes anywhere else first), then the hands and knees (shoulders over hands, hips
#: over knees), then the feet. The cue panel goes where it covers the least of them (`place_cues`): from behind the
#: hands are hidden and the hips, knees and feet fill the middle and bottom of the frame, where the panel used to go.
WATCHED: dict[L, float] = {L.LEFT_HIP: 6.0, L.RIGHT_HIP: 6.0, L.LEFT_WRIST: 2.0, L.RIGHT_WRIST: 2.0,
                           L.LEFT_KNEE: 2.0, L.RIGHT_KNEE: 2.0, L.LEFT_ANKLE: 1.0, L.RIGHT_ANKLE: 1.0,
                           L.LEFT_FOOT_INDEX: 1.0, L.RIGHT_FOOT_INDEX: 1.0}


def watched_parts(landmarks_norm: np.ndarray, visibility: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `WATCHED` landmarks of one frame's (33, >=2) normalised image landmarks that were seen
    (`draw.seen_landmarks`): (N, 2) normalised image (x, y) and (N,) their weights."""
    points, seen = draw.seen_landmarks(landmarks_norm, visibility, list(WATCHED))
    return points, np.array(list(WATCHED.values()))[seen]


def draw_counts(image: np.ndarray, counts: dict[str, int], target: int, org: tuple[float, float]) -> tuple:
    """Two big numbers: circles done per direction, out of ``target``. Returns the box (x, y, w, h)."""
    x, y = org
    boxes = []
    for name in ("clockwise", "counterclockwise"):
        done = int(counts.get(name, 0))
        color = (90, 200, 60) if done >= target else draw.WHITE
        box = draw.draw_big_number(image, done, (x, y), color=color, unit=f"/{target}", decimals=0,
                                   caption=DIRECTION_LABELS[name], unit_scale=0.45)
        boxes.append(box)
        x = box[0] + box[2] + draw.margin_px(image) // 2
    x0, y0 = boxes[0][:2]
    return x0, y0, boxes[-1][0] + boxes[-1][2] - x0, max(b[3] for b in boxes)


def draw_top_view(image: np.ndarray, rect: tuple[int, int, int, int], path_cm: np.ndarray, rep_ids: np.ndarray,
                  *, centre_cm: np.ndarray | None = None, torso_cm: float = 50.0) -> None:
    """The pelvis path seen from above, head at the top, the person's right on the right.

    Args:
        rect: (x, y, w, h) pixels of the panel.
        path_cm: (N, 2) recent pelvis positions [forward, right], cm (NaN breaks the line).
        rep_ids: (N,) circle index per point (0 = not in a circle: grey).
        centre_cm: (2,) centre of the path, cm: the middle of the panel (a small cross).
        torso_cm: the panel spans ±30 % of the torso length; rings mark 12 % and 20 %.
    """
    x, y, w, h = (int(v) for v in rect)
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, image.shape[1]), min(y + h, image.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    panel = image[y0:y1, x0:x1].copy()  # everything is drawn on this, so nothing spills out of the panel
    _draw_top_view(panel, (x - x0, y - y0, w, h), path_cm, rep_ids, centre_cm, torso_cm, draw.ui_scale(image))
    image[y0:y1, x0:x1] = panel


def _draw_top_view(image: np.ndarray, rect: tuple[int, int, int, int], path_cm: np.ndarray, rep_ids: np.ndarray,
                   centre_cm: np.ndarray | None, torso_cm: float, s: float) -> None:
    x, y, w, h = rect
    draw.blend_rect(image, rect, alpha=0.6)
    c = np.array([x + w / 2, y + h / 2 + 8 * s])  # the panel is centred on the path's centre
    origin = np.asarray(centre_cm, float) if centre_cm is not None and np.all(np.isfinite(centre_cm)) else np.zeros(2)
    torso_cm = torso_cm if np.isfinite(torso_cm) and torso_cm > 0 else 50.0
    half = 0.3 * torso_cm
    px_per_cm = (min(w, h) / 2 - 14 * s) / half
    for pct in (0.12, 0.20):  # the size gauge's "small" and "big" marks
        cv2.circle(image, tuple(int(v) for v in c), int(pct * torso_cm * px_per_cm), (110, 110, 110), 1, cv2.LINE_AA)
    draw.put_text(image, "head", (c[0] - 16 * s, y + 4 * s), size_px=14 * s, color=(200, 200, 200))
    draw.put_text(image, "R", (x + w - 16 * s, c[1] - 8 * s), size_px=14 * s, color=(200, 200, 200))
    if len(path_cm):
        p = np.asarray(path_cm, float) - origin
        pts = np.stack([c[0] + p[:, 1] * px_per_cm, c[1] - p[:, 0] * px_per_cm], axis=1)
        inside = (np.abs(p) <= 1.2 * half).all(axis=1)
        pts[~inside] = np.nan
        ids = np.asarray(rep_ids, int)
        draw.draw_trail(image, pts, rep_ids=np.where(ids > 0, ids, -1), thickness=2.5 * s)
        last = pts[np.all(np.isfinite(pts), axis=1)]
        if len(last):
            cv2.circle(image, tuple(int(v) for v in last[-1]), int(5 * s), draw.WHITE, -1, cv2.LINE_AA)
    if centre_cm is not None and np.all(np.isfinite(centre_cm)):
        q = c
        k = int(5 * s)
        cv2.line(image, (int(q[0]) - k, int(q[1])), (int(q[0]) + k, int(q[1])), (200, 200, 200), 1, cv2.LINE_AA)
        cv2.line(image, (int(q[0]), int(q[1]) - k), (int(q[0]), int(q[1]) + k), (200, 200, 200), 1, cv2.LINE_AA)


#: The size gauge's label, as a share of the frame's panel text size (`draw.text_px`): readable at 640×480.
SIZE_LABEL_SCALE = 0.8


def size_gauge_label(radius_pct: float | None, *, label: str = "size", estimate: bool = False) -> str:
    """The size gauge's text: "size 15% of torso", "last circle ≈15% (estimate)", "size --"."""
    if radius_pct is None or not np.isfinite(radius_pct):
        return f"{label} --"
    return f"{label} {ESTIMATE_MARK}{radius_pct:.0f}% (estimate)" if estimate else f"{label} {radius_pct:.0f}% of torso"


def size_gauge_height(image: np.ndarray, text: str, width: int) -> int:
    """Pixels the size gauge needs on ``image`` to show ``text`` (wrapped to ``width``) over its bar."""
    size_px = SIZE_LABEL_SCALE * draw.text_px(image)
    pad = max(2, int(0.45 * size_px))
    rows = draw.wrap_text(text, size_px, width - 2 * pad, weight=600)
    return int(2 * pad + len(rows) * 1.25 * size_px + 1.6 * size_px)


def draw_size_gauge(image: np.ndarray, rect: tuple[int, int, int, int], radius_pct: float | None, *,
                    small_pct: float = 12.0, big_pct: float = 20.0, hi_pct: float = 30.0, label: str = "size",
                    estimate: bool = False) -> None:
    """A bar for the circle's radius in % of torso length, with marks at "small" and "big"; ``label`` names
    the circle it stands for ("size --" when ``radius_pct`` is None or NaN). An ``estimate``
    (`CircleRep.size_estimated`) is drawn grey, not in a verdict's colour, and marked "≈ ... (estimate)".
    The label is `SIZE_LABEL_SCALE` of the frame's text size, wrapped (not shrunk) to the panel's width, over the
    bar (``rect`` as tall as `size_gauge_height` fits it all)."""
    x, y, w, h = (int(v) for v in rect)
    draw.blend_rect(image, rect, alpha=0.6)
    size_px = SIZE_LABEL_SCALE * draw.text_px(image)
    pad = max(2, int(0.45 * size_px))
    x0, x1 = x + pad, x + w - pad
    by1 = y + h - pad
    by0 = by1 - max(4, int(0.7 * size_px))

    def at(v: float) -> int:
        return int(round(x0 + np.clip(v, 0, hi_pct) / hi_pct * (x1 - x0)))

    ok = radius_pct is not None and np.isfinite(radius_pct)
    color = (90, 200, 60) if ok and radius_pct >= big_pct else (0, 180, 255) if ok and radius_pct >= small_pct \
        else (40, 80, 240)
    if estimate:
        color = (170, 170, 170)
    if ok:
        cv2.rectangle(image, (x0, by0), (at(radius_pct), by1), color, -1)
    cv2.rectangle(image, (x0, by0), (x1, by1), (200, 200, 200), 1)
    tick = max(1, int(0.2 * size_px))
    for m in (small_pct, big_pct):
        cv2.line(image, (at(m), by0 - tick), (at(m), by1 + tick), draw.WHITE, max(1, int(0.12 * size_px)))
    ty = y + pad
    for row in draw.wrap_text(size_gauge_label(radius_pct, label=label, estimate=estimate), size_px, x1 - x0,
                              weight=600):
        draw.put_text(image, row, (x0, ty), size_px=size_px, color=color if ok else draw.WHITE, weight=600)
        ty += 1.25 * size_px


def circles_hud(image: np.ndarray, *, counts: dict[str, int], target: int, progress: float, direction: str | None,
                path_cm: np.ndarray, rep_ids: np.ndarray, centre_cm: np.ndarray | None, torso_cm: float,
                radius_pct: float | None, cues: list[str], paused: bool = False, keys_help: bool = False,
                title: str | None = None, keys: tuple[tuple[str, str], ...] = KEYS,
                size_label: str = "size", size_estimated: bool = False,
                keep_clear_px: np.ndarray | None = None, keep_clear_weight: np.ndarray | None = None,
                short_cues: list[str] | None = None) -> list[tuple[int, int, int, int]]:
    """The whole circles HUD on the displayed frame: counts and the current circle's progress top-left, the
    top view and size gauge top-right (``radius_pct``, % of torso, under ``size_label``; grey and marked
    when ``size_estimated``), the cues (under
    ``title``) over the key hints (``keys``, when ``keys_help``) bottom-left, placed clear of the points
    ``keep_clear_px`` ((N, 2) pixels on this frame: the hands, hips, knees and feet, weighing
    ``keep_clear_weight``) as far as there is room (`place_cues`; ``short_cues``: the fewer lines to show instead
    where that covers less of them).
    Returns the boxes drawn (x, y, w, h)."""
    s = draw.ui_scale(image)
    H, W = image.shape[:2]
    m = draw.margin_px(image)
    side = int(200 * s)
    box = draw_counts(image, counts, target, (m, m))
    r = 46 * s
    ring = int(r + 2 * max(1, round(6 * s)))  # half the progress arc's box
    x_arc = box[0] + box[2] + m // 2
    if x_arc + 2 * ring > W - side - 2 * m:  # no room beside the counts: under them
        x_arc, y_arc = m, box[1] + box[3] + m // 2
    else:
        y_arc = box[1] + max(0, (box[3] - 2 * ring) // 2)
    done = sum(counts.values())
    draw.draw_progress_arc(image, (x_arc + ring, y_arc + ring), progress, direction, radius=r, text=str(done))
    gauge_h = size_gauge_height(image, size_gauge_label(radius_pct, label=size_label, estimate=size_estimated), side)
    boxes = [box, (x_arc, y_arc, 2 * ring, 2 * ring), (W - side - m, m, side, side),
             (W - side - m, m + side + m // 2, side, gauge_h)]
    draw_top_view(image, boxes[2], path_cm, rep_ids, centre_cm=centre_cm, torso_cm=torso_cm)
    draw_size_gauge(image, boxes[3], radius_pct, label=size_label, estimate=size_estimated)
    def coloured(texts: list[str]) -> list:
        return [("paused: SPACE to resume", (120, 120, 255))] * paused + [(c, (120, 220, 255)) for c in texts if c]

    top = max(b[1] + b[3] for b in boxes[:2]) + m // 2
    column = (W - side - m, boxes[3][1] + boxes[3][3] + m // 2, side)
    return boxes + place_cues(image, coloured(cues), keys if keys_help else (), title=title,
                              keep_clear_px=keep_clear_px, top_px=top, right_px=W - side - 2 * m, column=column,
                              keep_clear_weight=keep_clear_weight,
                              short_lines=None if short_cues is None else coloured(short_cues))


#: The cue panel's text, as a share of the frame's panel text size.
CUE_SCALE = 0.9
#: The cue panel narrowed to keep clear of the hands is not made narrower than this share of the frame's width.
MIN_CUE_WIDTH = 0.4


#: The narrowed cue panel's width is a multiple of this, pixels (its boxes are cached per width).
NARROW_STEP_PX = 8
#: The places the cue panel can go, in order of preference (see `place_cues`).
CUE_PLACES = ("bottom-left", "bottom-left narrowed", "top-left", "right column")


def _draw_cues(image: np.ndarray, place: str, lines: tuple, keys: tuple, title: str | None, *, width: float | None,
               top_px: int, right_px: int, column: "tuple[int, int, int] | None") -> list[tuple[int, int, int, int]]:
    """The cue panel and key hints drawn at ``place`` (one of `CUE_PLACES`); returns the boxes (x, y, w, h)."""
    m = draw.margin_px(image)
    if place in ("bottom-left", "bottom-left narrowed"):
        return draw.draw_bottom_left(image, lines, keys, title=title, scale=CUE_SCALE, max_width=width)
    hints = draw.draw_bottom_left(image, (), keys)
    if place == "top-left":
        return hints + [draw.draw_panel(image, lines, "tl", scale=CUE_SCALE, title=title, max_width=right_px - m,
                                        top=top_px)]
    _, top, col_width = column
    return hints + [draw.draw_panel(image, lines, "tr", scale=CUE_SCALE, title=title, max_width=col_width, top=top)]


@functools.lru_cache(maxsize=64)
def _cue_boxes(shape: tuple[int, ...], place: str, lines: tuple, keys: tuple, title: str | None,
               width: float | None, top_px: int, right_px: int,
               column: "tuple[int, int, int] | None") -> "tuple[tuple[int, int, int, int], ...] | None":
    """The boxes the cues would take at ``place`` on an image of ``shape`` (they depend on nothing else), or None
    where they do not fit (the right column running into the live status box; a panel at the bottom-left grown up
    past ``top_px`` into the counts: a live session's step title over a low result's lines covered half of them).
    Cached: the cues change seldom."""
    boxes = tuple(b for b in _draw_cues(np.zeros(shape, np.uint8), place, lines, keys, title, width=width,
                                        top_px=top_px, right_px=right_px, column=column) if b[2] and b[3])
    if place == "right column" and max(y + h for _, y, _, h in boxes) > shape[0] - draw.status_box_height(shape):
        return None
    if place.startswith("bottom-left") and boxes and min(y for _, y, _, _ in boxes) < top_px:
        return None
    return boxes


def place_cues(image: np.ndarray, lines: list, keys: tuple, *, title: str | None, keep_clear_px: np.ndarray | None,
               top_px: int, right_px: int, column: "tuple[int, int, int] | None" = None,
               keep_clear_weight: np.ndarray | None = None,
               short_lines: list | None = None) -> list[tuple[int, int, int, int]]:
    """The cues panel (``lines`` under ``title``) and key hints where the panel covers the least of
    ``keep_clear_px`` ((N, 2) pixels: the body parts the person watches, each weighing ``keep_clear_weight``,
    default 1), the first of the least in this order (`CUE_PLACES`): bottom-left as usual; bottom-left narrowed
    to end left of the leftmost of those points that leaves it `MIN_CUE_WIDTH` of the frame; at the top-left from
    ``top_px`` down, no wider than to ``right_px`` (under the counts, beside the top view); down the right side in
    ``column`` (x, top, width pixels: under the top view and the size gauge) where it ends above the live status
    box. ``short_lines``: fewer lines (the same without the why, say) tried at each place after the full ones,
    shown where they cover less. Returns the boxes drawn (x, y, w, h)."""
    points = np.zeros((0, 2)) if keep_clear_px is None else np.asarray(keep_clear_px, float).reshape(-1, 2)
    weights = np.ones(len(points)) if keep_clear_weight is None else np.asarray(keep_clear_weight, float)
    seen = np.isfinite(points).all(axis=1)
    points, weights = points[seen], weights[seen]
    W, m = image.shape[1], draw.margin_px(image)
    lines, keys = tuple(lines), tuple(keys)
    args = dict(top_px=int(top_px), right_px=int(right_px), column=column)
    texts = [lines] + ([tuple(short_lines)] if short_lines is not None and len(short_lines) < len(lines) else [])
    # where nothing fits, the fewest lines at the bottom-left (they may still reach into the counts)
    choice = ("bottom-left", None, texts[-1])
    if lines or title:  # with nothing to keep clear of, the first place that fits covers nothing
        # ending left of the leftmost point that leaves it `MIN_CUE_WIDTH` (in steps of `NARROW_STEP_PX`: cached)
        ends = points[:, 0] - 2 * m
        ends = ends[ends >= MIN_CUE_WIDTH * W]
        places = [("bottom-left", None)]
        if len(ends):
            places.append(("bottom-left narrowed", int(ends.min()) // NARROW_STEP_PX * NARROW_STEP_PX))
        places.append(("top-left", None))
        if column is not None:
            places.append(("right column", None))
        least = math.inf
        for text in texts:
            for place, width in places:
                boxes = _cue_boxes(image.shape, place, text, keys, title, width, **args)
                covered = math.inf if boxes is None else draw.covered_weight(boxes, points, weights)
                if covered < least:
                    choice, least = (place, width, text), covered
            if least == 0:
                break
    place, width, text = choice
    return _draw_cues(image, place, text, keys, title, width=width, **args)


CUE_CHARS = 150  # the change and the why of a reason on the HUD together, characters (about 4 lines at 640 px)
WHY_MIN_CHARS = 40  # ... of which the why keeps at least this many, however long the change
LOW_TITLE = "LOW CONFIDENCE: counts may be wrong"


def confidence_cues(confidence: "Confidence | None", t_s: float | None = None, *, why: bool = True) -> list[str]:
    """HUD lines for a low confidence, from one reason: `LOW_TITLE`, what to change (whole, never cut), then
    why (left out when not ``why`` and there is a change), cut at a word boundary to what is left of `CUE_CHARS`
    (at least `WHY_MIN_CHARS`). The whole of every reason is in the terminal, the JSON and the report.

    The reason is the first (the assessment's order) that is not about a later moment than ``t_s`` (seconds: the
    frame on screen; `Reason.at_s`), or the soonest of them when all are: a video does not say at 6 s what
    happens at 16 s while something said already applies."""
    if confidence is None or confidence.level == "high":
        return []
    if not confidence.said:
        return [LOW_TITLE]
    first = on_screen_reason(confidence.said, t_s)
    if not first.change:
        return [LOW_TITLE, _cut(first.why, CUE_CHARS)]
    change = first.change[0].upper() + first.change[1:]
    if not why:
        return [LOW_TITLE, change]
    return [LOW_TITLE, change, _cut(first.why, max(CUE_CHARS - len(change), WHY_MIN_CHARS))]


def on_screen_reason(said: "tuple[Reason, ...]", t_s: float | None) -> "Reason":
    """The reason to show at ``t_s`` (seconds; None: the first): see `confidence_cues`."""
    if t_s is None:
        return said[0]
    now = [r for r in said if r.at_s is None or r.at_s <= t_s]
    return now[0] if now else min(said, key=lambda r: r.at_s)


def _cut(text: str, chars: int) -> str:
    """``text`` cut at a word boundary to at most ``chars`` characters, "…" included."""
    if len(text) <= chars:
        return text
    return text[:chars - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


class CirclesAnnotator:
    """``draw(frame)`` for `hipvision.io.video_out.annotate_video`: skeleton, pelvis trail coloured by
    circle, counts so far, the current circle's progress and direction, top view and size, and the cues where
    they cover the least of the watched body parts (as live)."""

    def __init__(self, seq: "PoseSequence", result: CirclesResult, *, trail_s: float = 6.0,
                 settings: CirclesSettings = CirclesSettings()):
        self.seq, self.result, self.trail_s, self.settings = seq, result, trail_s, settings
        self.hips = hip_norm(seq.image)  # (T, 2)

    def __call__(self, frame: "Frame") -> None:
        seq, res, image = self.seq, self.result, frame.image
        i = int(frame.index)
        if not 0 <= i < len(seq):
            return
        size = np.array([image.shape[1], image.shape[0]], float)
        t = seq.timestamps_s[i]
        if seq.detected[i]:
            draw.draw_skeleton(image, seq.image[i], seq.visibility[i])
        lo = int(np.searchsorted(seq.timestamps_s, t - self.trail_s))
        sl = slice(lo, i + 1)
        pts = self.hips[sl] * size
        ids = res.rep_of_frame[sl]
        draw.draw_trail(image, pts, rep_ids=np.where(ids > 0, ids, -1), thickness=4 * draw.ui_scale(image), fade=True)
        done = [r for r in res.reps if r.end_s <= t]
        counts = {"clockwise": sum(r.direction == "clockwise" for r in done),
                  "counterclockwise": sum(r.direction == "counterclockwise" for r in done)}
        k = int(res.rep_of_frame[i])
        current = res.reps[k - 1] if k else None
        progress = (t - current.start_s) / max(current.end_s - current.start_s, 1e-6) if current else 0.0
        last = done[-1] if done else None
        verdict = [f"circle {last.index} ({DIRECTION_LABELS[last.direction]}): {last.verdict}"] if last else []
        confidence = res.confidence_at(t)
        cues = verdict + confidence_cues(confidence, t)
        track = res.track
        centre = 100 * track.centre_m[i] if track is not None else None
        sized = current or last
        circles_hud(image, counts=counts, target=self.settings.target_per_direction, progress=progress,
                    direction=current.direction if current else None, path_cm=res.pelvis_cm[sl], rep_ids=ids,
                    centre_cm=centre, torso_cm=res.torso_cm, radius_pct=sized.radius_pct_torso if sized else None,
                    cues=cues, size_estimated=bool(sized and sized.size_estimated),
                    short_cues=verdict + confidence_cues(confidence, t, why=False),
                    **self._keep_clear(i, size))

    def _keep_clear(self, i: int, size: np.ndarray) -> dict:
        """`circles_hud`'s keep-clear arguments for frame ``i`` on an image of ``size`` (w, h) pixels: the watched
        body parts, as the live view (`watched_parts`)."""
        if not self.seq.detected[i]:
            return {}
        parts, weights = watched_parts(self.seq.image[i], self.seq.visibility[i])
        return {"keep_clear_px": parts * size, "keep_clear_weight": weights}
