"""Which person is the subject, and where to look for a small one: pure box maths.

Boxes are ``(x0, y0, x1, y1)`` arrays in pixels of the full frame (x right,
y down, ``x0 < x1``, ``y0 < y1``); several boxes stack to ``(N, 4)``. Frame
sizes are ``(width, height)`` in pixels.

Following one subject: the first pick is the largest, most central person
(`subject_scores`); afterwards the person whose box overlaps (IoU) or lies
nearest to the subject's previous box (`choose_subject`).

Small people: a person too small for the detector in the whole frame can be
found in overlapping tiles of it (`search_tiles`); once found, a square window
around the person (`crop_window`) is followed while they stay well inside it
(`window_fits`), and landmarks found in a window map back to the full frame
with `crop_to_frame`.
"""

from __future__ import annotations

import numpy as np

#: Weight of centrality against size in `subject_scores` (0 = size only).
CENTRALITY_WEIGHT = 0.5


def landmarks_box(points_px: np.ndarray) -> np.ndarray | None:
    """Bounding box of landmark positions.

    Args:
        points_px: (K, 2+) landmark positions in pixels (extra columns ignored);
            rows with NaN are skipped.

    Returns:
        (4,) box in pixels, or None if no landmark is finite.
    """
    xy = np.asarray(points_px, float)[:, :2]
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return None
    return np.concatenate([xy.min(axis=0), xy.max(axis=0)])


def box_iou(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Intersection over union of each of ``boxes`` (N, 4) with ``box`` (4,); returns (N,) in 0..1."""
    boxes = np.atleast_2d(np.asarray(boxes, float))
    box = np.asarray(box, float)
    ix = np.clip(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]), 0, None)
    iy = np.clip(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]), 0, None)
    inter = ix * iy
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + (box[2] - box[0]) * (box[3] - box[1]) - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def box_centers(boxes: np.ndarray) -> np.ndarray:
    """(N, 4) boxes → (N, 2) centres in pixels."""
    boxes = np.atleast_2d(np.asarray(boxes, float))
    return (boxes[:, :2] + boxes[:, 2:]) / 2


def subject_scores(boxes: np.ndarray, frame_size: tuple[int, int], *,
                   centrality_weight: float = CENTRALITY_WEIGHT) -> np.ndarray:
    """How likely each person is the subject when nothing is known yet: big and central wins.

    ``score = sqrt(area / frame_area) * (1 - centrality_weight * d)`` where ``d`` is
    the distance of the box centre from the frame centre divided by the half
    diagonal (0 at the centre, 1 in a corner).

    Args:
        boxes: (N, 4) person boxes, pixels.
        frame_size: (width, height) of the frame, pixels.

    Returns:
        (N,) scores, larger = more likely the subject.
    """
    boxes = np.atleast_2d(np.asarray(boxes, float))
    w, h = frame_size
    area = np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)
    offset = box_centers(boxes) - np.array([w / 2, h / 2])
    d = np.hypot(offset[:, 0], offset[:, 1]) / np.hypot(w / 2, h / 2)
    return np.sqrt(area / (w * h)) * (1.0 - centrality_weight * np.clip(d, 0, 1))


def choose_subject(boxes: np.ndarray, previous: np.ndarray | None, frame_size: tuple[int, int], *,
                   min_iou: float = 0.1, max_jump: float = 0.5) -> int | None:
    """Index of the subject among the people found in a frame.

    Args:
        boxes: (N, 4) boxes of the people found, pixels (N may be 0).
        previous: (4,) the subject's box in a recent frame, or None to pick afresh
            by `subject_scores`.
        frame_size: (width, height), pixels.
        min_iou: a box overlapping ``previous`` at least this much (IoU, 0..1)
            continues the subject (the largest overlap wins).
        max_jump: otherwise the nearest box continues the subject if its centre
            moved at most this many times the previous box's larger side.

    Returns:
        Index into ``boxes``, or None when no box can be the subject (none
        found, or all too far from ``previous``: someone else).
    """
    boxes = np.asarray(boxes, float).reshape(-1, 4)
    if not len(boxes):
        return None
    if previous is None:
        return int(np.argmax(subject_scores(boxes, frame_size)))
    previous = np.asarray(previous, float)
    iou = box_iou(boxes, previous)
    best = int(np.argmax(iou))
    if iou[best] >= min_iou:
        return best
    scale = max(previous[2] - previous[0], previous[3] - previous[1], 1e-9)
    dist = np.hypot(*(box_centers(boxes) - box_centers(previous)[0]).T) / scale
    nearest = int(np.argmin(dist))
    return nearest if dist[nearest] <= max_jump else None


def is_small(box: np.ndarray | None, frame_size: tuple[int, int], *, max_fraction: float = 0.35) -> bool:
    """Whether a person with this box (pixels; None = never seen) may be too small for the whole-frame
    detector, so that searching tiles for them could help: never seen, or the box's height and width
    both under ``max_fraction`` (0..1) of the frame's. A person last seen larger who is now missing has
    left or is hidden; tiles would only cut them up.
    """
    if box is None:
        return True
    w, h = frame_size
    return bool((box[2] - box[0]) < max_fraction * w and (box[3] - box[1]) < max_fraction * h)


def search_tiles(frame_size: tuple[int, int], *, rows: int, cols: int, overlap: float = 0.25) -> np.ndarray:
    """Overlapping tiles covering the frame, for finding people too small for the whole frame.

    Args:
        frame_size: (width, height), pixels.
        rows, cols: tiles down and across.
        overlap: fraction (0..<1) of a tile's width/height shared with its neighbour.

    Returns:
        (rows * cols, 4) integer boxes in pixels, row by row from the top-left;
        together they cover the whole frame.
    """
    if rows < 1 or cols < 1 or not 0 <= overlap < 1:
        raise ValueError("need rows, cols >= 1 and 0 <= overlap < 1")
    w, h = frame_size

    def spans(length: int, n: int) -> list[tuple[int, int]]:
        size = length / (n - (n - 1) * overlap)
        step = size * (1 - overlap)
        return [(int(round(i * step)), min(length, int(round(i * step + size)))) for i in range(n)]

    return np.array([[x0, y0, x1, y1] for y0, y1 in spans(h, rows) for x0, x1 in spans(w, cols)], dtype=int)


def crop_window(box: np.ndarray, frame_size: tuple[int, int], *, scale: float = 2.0,
                min_side_px: int = 256) -> np.ndarray:
    """A square window centred on a person, kept inside the frame.

    Args:
        box: (4,) the person's box, pixels.
        frame_size: (width, height), pixels.
        scale: window side as a multiple of the box's larger side (room to move).
        min_side_px: smallest window side, pixels.

    Returns:
        (4,) integer window ``(x0, y0, x1, y1)`` in pixels; shifted (not shrunk) to stay
        inside the frame, and clipped only where the frame is smaller than the window.
    """
    w, h = frame_size
    box = np.asarray(box, float)
    side = max(scale * max(box[2] - box[0], box[3] - box[1]), float(min_side_px))
    out = []
    for centre, length in (((box[0] + box[2]) / 2, w), ((box[1] + box[3]) / 2, h)):
        size = min(side, length)
        start = float(np.clip(centre - size / 2, 0, length - size))
        out.append((int(round(start)), int(round(start + size))))
    (x0, x1), (y0, y1) = out
    return np.array([x0, y0, x1, y1], dtype=int)


def window_fits(box: np.ndarray, window: np.ndarray, frame_size: tuple[int, int], *,
                edge_margin: float = 0.1, min_fill: float = 0.25, max_fill: float = 0.75) -> bool:
    """Whether a crop window still suits the person, or a new one should be cut.

    Args:
        box: (4,) the person's box now, pixels.
        window: (4,) the current window, pixels.
        frame_size: (width, height); an edge of the window on the frame's edge never
            counts as too close (there is nothing beyond it).
        edge_margin: the box must stay this fraction of the window's side away
            from the window's inner edges.
        min_fill, max_fill: the box's larger side over the window's larger side
            must lie in this range (person not too small or too big in the window).

    Returns:
        True if the window can be kept.
    """
    box = np.asarray(box, float)
    x0, y0, x1, y1 = np.asarray(window, float)
    w, h = frame_size
    mx, my = edge_margin * (x1 - x0), edge_margin * (y1 - y0)
    inside = ((box[0] >= x0 + mx or x0 <= 0) and (box[2] <= x1 - mx or x1 >= w)
              and (box[1] >= y0 + my or y0 <= 0) and (box[3] <= y1 - my or y1 >= h))
    fill = max(box[2] - box[0], box[3] - box[1]) / max(x1 - x0, y1 - y0)
    return bool(inside and min_fill <= fill <= max_fill)


def crop_to_frame(landmarks: np.ndarray, window: np.ndarray, frame_size: tuple[int, int]) -> np.ndarray:
    """Map landmarks found in a crop back to the full frame.

    Args:
        landmarks: (..., 3) image landmarks normalised to the crop (x, y in 0..1 of
            the crop's width/height; z on the scale of the crop's width).
        window: (4,) the crop in the full frame, pixels.
        frame_size: (width, height) of the full frame, pixels.

    Returns:
        (..., 3) landmarks normalised to the full frame (z rescaled to the frame's width).
    """
    x0, y0, x1, y1 = np.asarray(window, float)
    w, h = frame_size
    lm = np.asarray(landmarks, float)
    out = np.empty_like(lm)
    out[..., 0] = (x0 + lm[..., 0] * (x1 - x0)) / w
    out[..., 1] = (y0 + lm[..., 1] * (y1 - y0)) / h
    out[..., 2] = lm[..., 2] * (x1 - x0) / w
    return out
