"""Drawing primitives: pixels change where expected and nowhere else; NaN draws nothing; mirror flips x."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hipvision import draw
from hipvision.landmarks import NUM_LANDMARKS, Landmark as L
from hipvision.synthetic import PinholeCamera, sequence_from_joints

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def seated_joints(ir_left_deg: float = 35.0, ir_right_deg: float = 20.0) -> np.ndarray:
    """(33, 3) scene joints (metres, +Y up) of a person seated facing +Z, shanks rotated outward by IR."""
    j = np.zeros((NUM_LANDMARKS, 3))
    for side, sx, ir in (("LEFT", 1.0, ir_left_deg), ("RIGHT", -1.0, ir_right_deg)):
        hip = np.array([0.11 * sx, 0.5, 0.0])
        knee = hip + [0.04 * sx, 0.0, 0.45]
        t = np.radians(ir)
        ankle = knee + 0.42 * np.array([np.sin(t) * sx, -np.cos(t), 0.0])
        sh = np.array([0.19 * sx, 1.02, -0.03])
        elbow = sh + [0.06 * sx, -0.26, 0.08]
        wrist = elbow + [-0.02 * sx, -0.1, 0.24]
        for name, p in (("HIP", hip), ("KNEE", knee), ("ANKLE", ankle), ("SHOULDER", sh), ("ELBOW", elbow),
                        ("WRIST", wrist), ("HEEL", ankle + [0, -0.04, -0.05]),
                        ("FOOT_INDEX", ankle + [0.03 * sx, -0.06, 0.16]), ("PINKY", wrist + [0.02 * sx, -0.02, 0.05]),
                        ("INDEX", wrist + [0.0, -0.02, 0.07]), ("THUMB", wrist + [-0.02 * sx, 0.0, 0.05]),
                        ("EAR", [0.07 * sx, 1.28, -0.02]), ("EYE", [0.03 * sx, 1.31, 0.08]),
                        ("EYE_INNER", [0.015 * sx, 1.31, 0.085]), ("EYE_OUTER", [0.045 * sx, 1.31, 0.075]),
                        ("MOUTH", [0.025 * sx, 1.23, 0.08])):
            j[L[f"{side}_{name}"] if name != "MOUTH" else L[f"MOUTH_{side}"]] = p
    j[L.NOSE] = [0.0, 1.27, 0.11]
    return j


def seated_pose_norm(width: int = 1280, height: int = 720, **ir) -> np.ndarray:
    """(33, 3) normalised image landmarks of `seated_joints` seen from 2.6 m in front."""
    cam = PinholeCamera.looking_at(np.array([0.0, 0.6, 0.2]), distance_m=2.8, width=width, height=height)
    return sequence_from_joints(seated_joints(**ir)[None], cam).image[0]


def blank(h: int = 720, w: int = 1280, value: int = 40) -> np.ndarray:
    return np.full((h, w, 3), value, np.uint8)


def changed(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return (before != after).any(axis=2)


# ---------------------------------------------------------------- skeleton

def test_skeleton_draws_on_the_bones_and_nowhere_far_from_them():
    img = blank()
    pose = seated_pose_norm()
    draw.draw_skeleton(img, pose, np.ones(NUM_LANDMARKS))
    diff = changed(blank(), img)
    assert diff.sum() > 2000
    px = draw.landmarks_to_px(pose, (1280, 720))
    knee = px[L.LEFT_KNEE].round().astype(int)
    assert diff[knee[1], knee[0]]
    ys, xs = np.nonzero(diff)
    lo, hi = np.nanmin(px, axis=0) - 15, np.nanmax(px, axis=0) + 15
    assert xs.min() >= lo[0] and xs.max() <= hi[0] and ys.min() >= lo[1] and ys.max() <= hi[1]


@pytest.mark.parametrize("case", ["all_nan", "invisible", "nan_visibility"])
def test_skeleton_draws_nothing_without_valid_landmarks(case):
    img = blank()
    pose, vis = seated_pose_norm(), np.ones(NUM_LANDMARKS)
    if case == "all_nan":
        pose = np.full((NUM_LANDMARKS, 3), np.nan)
    elif case == "invisible":
        vis = np.full(NUM_LANDMARKS, 0.2)
    else:
        vis = np.full(NUM_LANDMARKS, np.nan)
    draw.draw_skeleton(img, pose, vis)
    assert not changed(blank(), img).any()


def test_skeleton_skips_only_bones_touching_a_missing_landmark():
    pose = seated_pose_norm()
    full, part = blank(), blank()
    draw.draw_skeleton(full, pose, None)
    pose_missing = pose.copy()
    pose_missing[L.LEFT_ANKLE] = np.nan
    draw.draw_skeleton(part, pose_missing, None)
    px = draw.landmarks_to_px(pose, (1280, 720))
    mid_shank = ((px[L.LEFT_KNEE] + px[L.LEFT_ANKLE]) / 2).round().astype(int)
    mid_thigh = ((px[L.LEFT_KNEE] + px[L.LEFT_HIP]) / 2).round().astype(int)
    assert changed(blank(), full)[mid_shank[1], mid_shank[0]]
    assert not changed(blank(), part)[mid_shank[1], mid_shank[0]]
    assert changed(blank(), part)[mid_thigh[1], mid_thigh[0]]


def test_skeleton_mirror_flips_x():
    pose = seated_pose_norm(ir_left_deg=50.0, ir_right_deg=0.0)  # asymmetric on purpose
    plain, mirrored = blank(), blank()
    draw.draw_skeleton(plain, pose, None)
    draw.draw_skeleton(mirrored, pose, None, mirror=True)
    a, b = changed(blank(), plain), changed(blank(), mirrored)
    assert not np.array_equal(a, b)
    overlap = (np.fliplr(a) & b).sum() / b.sum()  # (1 - x) * W vs W - 1 - x: one pixel apart at most
    assert overlap > 0.8
    assert abs(np.nonzero(b)[1].mean() - (1279 - np.nonzero(a)[1].mean())) < 1.5


def test_skeleton_survives_wild_coordinates():
    pose = seated_pose_norm()
    pose[L.LEFT_ANKLE] = [1e12, -1e12, 0.0]
    draw.draw_skeleton(blank(), pose, None)  # must not raise


# ---------------------------------------------------------------- gauge

@pytest.mark.parametrize("height", [480, 720, 1080])
def test_gauge_marks_fill_and_best_tick_are_where_computed(height):
    img = blank(height, height * 16 // 9)
    s = height / 720
    rect = (int(40 * s), int(40 * s), int(400 * s), int(100 * s))
    draw.draw_gauge(img, rect, 38.0, best=50.0, label="Left IR")
    x0, x1, by0, by1 = draw._gauge_bar(rect)
    mid_y = (by0 + by1) // 2
    for mark in (30, 45):
        xm = draw.gauge_x(rect, mark)
        assert (img[by0 + 1:by1 - 1, xm] >= 200).all(), f"{mark}° mark not white at x={xm}"
    # fill between 0° and 38° in the functional colour; background beyond the value is dimmer
    x_fill = draw.gauge_x(rect, 20.0)
    assert np.abs(img[mid_y, x_fill].astype(int) - draw.CLASS_COLORS["functional"]).max() <= 2
    x_empty = draw.gauge_x(rect, 55.0)
    assert img[mid_y, x_empty].max() < 150
    xb = draw.gauge_x(rect, 50.0)
    assert (img[by0 + 2:by1 - 2, xb] >= 250).all()
    outside = changed(blank(height, height * 16 // 9), img)
    outside[rect[1]:rect[1] + rect[3], rect[0]:rect[0] + rect[2]] = False
    assert not outside.any()


def test_gauge_positions_are_linear_and_clipped():
    rect = (0, 0, 424, 100)  # bar from 12 to 412 px: 5 px per degree over -20..60
    assert draw.gauge_x(rect, -20) == 12 and draw.gauge_x(rect, 60) == 412
    assert draw.gauge_x(rect, 45) == 12 + 65 * 5
    assert draw.gauge_x(rect, 200) == 412 and draw.gauge_x(rect, -90) == 12


def test_gauge_without_value_has_no_fill():
    img = blank()
    rect = (40, 40, 400, 100)
    draw.draw_gauge(img, rect, float("nan"), label="Right IR")
    x0, x1, by0, by1 = draw._gauge_bar(rect)
    row = img[(by0 + by1) // 2, x0 + 3:x1 - 3]
    for colour in draw.CLASS_COLORS.values():
        assert not (np.abs(row.astype(int) - colour).max(axis=1) <= 2).any()


@pytest.mark.parametrize("value, cls", [(float("nan"), None), (None, None), (-5, "limited"), (29.9, "limited"),
                                        (30, "functional"), (44.9, "functional"), (45, "target"), (70, "target")])
def test_classify_deg(value, cls):
    assert draw.classify_deg(value) == cls


# ---------------------------------------------------------------- text

@pytest.mark.parametrize("height", [480, 720, 1080])
def test_label_stays_in_its_box_and_scales_with_height(height):
    img = blank(height, height * 16 // 9, value=200)
    x, y, w, h = draw.draw_label(img, "Left 38°", (30, 30))
    diff = changed(blank(height, height * 16 // 9, value=200), img)
    ys, xs = np.nonzero(diff)
    assert xs.min() >= x and xs.max() < x + w and ys.min() >= y and ys.max() < y + h
    assert img[y + 1, x + 1].max() < 120  # dark box behind the text on a light background
    assert h == pytest.approx(draw.draw_label(blank(), "Left 38°", (0, 0))[3] * height / 720, rel=0.15)


def test_label_alignment():
    img = blank()
    x, _, w, _ = draw.draw_label(img, "hello", (600, 10), align="right")
    assert x + w == 600
    x, _, w, _ = draw.draw_label(img, "hello", (600, 100), align="center")
    assert abs(x + w / 2 - 600) <= 1


def test_mirror_text_reads_correctly_after_the_flip():
    text, org = "Left 38°", (100, 50)
    scene = blank()
    x, y, w, h = draw.draw_label(scene, text, org, mirror_text=True)
    shown = np.fliplr(scene)
    expected = blank()
    draw.draw_label(expected, text, (1280 - x - w, y))
    assert (np.abs(shown.astype(int) - expected).max(axis=2) > 40).mean() < 1e-4
    backwards = blank()
    draw.draw_label(backwards, text, org)  # without mirror_text the flipped text differs
    assert (np.abs(np.fliplr(backwards).astype(int) - expected).max(axis=2) > 40).sum() > 200


def test_hershey_fallback_without_opencv5_fonts(monkeypatch):
    monkeypatch.setattr(draw.canvas, "_FONT", None)  # OpenCV 4 has no FontFace: Hershey, "°" spelt out
    img = blank(value=200)
    x, y, w, h = draw.draw_label(img, "Left 38°", (30, 30))
    ys, xs = np.nonzero(changed(blank(value=200), img))
    assert xs.min() >= x and xs.max() < x + w and ys.min() >= y and ys.max() < y + h
    assert (img[y:y + h, x:x + w] > 240).sum() > 100  # white text was drawn
    draw.draw_label(img, "Left 38°", (30, 100), mirror_text=True)


def test_big_number_and_missing_value():
    img = blank()
    box = draw.draw_big_number(img, 38.4, (20, 20), color=draw.class_color("functional"), caption="LEFT")
    assert box[3] > 64  # big text plus caption
    assert (np.abs(img.astype(int) - draw.CLASS_COLORS["functional"]).max(axis=2) <= 2).sum() > 300
    img2 = blank()
    draw.draw_big_number(img2, float("nan"), (20, 20), caption="RIGHT")
    assert changed(blank(), img2).any()


@pytest.mark.parametrize("corner", ["tl", "tr", "bl", "br"])
def test_panel_sits_in_its_corner(corner):
    img = blank()
    x, y, w, h = draw.draw_panel(img, ["Sit tall, hands on thighs", ("Hold still", (0, 255, 0))], corner,
                                 title="Coach")
    assert (x < 640) == (corner[1] == "l") and (y < 360) == (corner[0] == "t")
    assert x >= 0 and y >= 0 and x + w <= 1280 and y + h <= 720
    diff = changed(blank(), img)
    assert diff.sum() == w * h or diff[y:y + h, x:x + w].sum() == diff.sum()


# ---------------------------------------------------------------- arcs and trails

def test_angle_arc_shades_the_side_of_the_segment():
    img = blank()
    centre = (400, 300)
    draw.draw_angle_arc(img, centre, (0, 1), (1, 1), radius=100, color=(0, 200, 255), text="45°")
    diff = changed(blank(), img)
    a = np.radians(90 - 22.5)  # halfway between down (90°) and down-right (45°), screen angles
    inside = (int(400 + 60 * np.cos(a)), int(300 + 60 * np.sin(a)))
    other = (int(400 - 60 * np.cos(a)), int(300 + 60 * np.sin(a)))
    assert diff[inside[1], inside[0]] and not diff[other[1], other[0]]


def test_angle_arc_ignores_nan():
    img = blank()
    draw.draw_angle_arc(img, (np.nan, 3), (0, 1), (1, 1))
    draw.draw_angle_arc(img, (300, 300), (0, 1), (np.nan, 1))
    draw.draw_angle_arc(img, (300, 300), (0, 0), (1, 1))
    assert not changed(blank(), img).any()


@pytest.mark.parametrize("direction, lit, dark", [("clockwise", (1, -1), (-1, -1)),
                                                  ("counterclockwise", (-1, -1), (1, -1))])
def test_progress_arc_goes_the_right_way(direction, lit, dark):
    img = blank()
    c, r = (300, 300), 80
    colour = (60, 190, 250)
    draw.draw_progress_arc(img, c, 0.25, direction, radius=r, color=colour)
    d = r / np.sqrt(2)
    p_lit = img[int(c[1] + lit[1] * d), int(c[0] + lit[0] * d)].astype(int)
    p_dark = img[int(c[1] + dark[1] * d), int(c[0] + dark[0] * d)].astype(int)
    assert np.abs(p_lit - colour).max() <= 30
    assert np.abs(p_dark - colour).max() > 60


def test_trail_breaks_at_nan_and_uses_rep_colours():
    img = blank()
    pts = np.array([[10, 10], [100, 10], [np.nan, np.nan], [100, 100], [10, 100]], float)
    draw.draw_trail(img, pts, rep_ids=np.array([0, 0, -1, 1, 1]), thickness=3)
    assert np.abs(img[10, 55].astype(int) - draw.palette_color(0)).max() <= 10
    assert np.abs(img[100, 55].astype(int) - draw.palette_color(1)).max() <= 10
    assert not changed(blank(), img)[55, 100]  # the gap across the NaN point
    draw.draw_trail(img, pts[:1])  # a single point draws nothing, no error


# ---------------------------------------------------------------- the look

def test_demo_composite_frame_is_saved():
    """Everything together on a 720p frame; saved to test-artifacts/draw_demo.png for eyeballing."""
    h, w = 720, 1280
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = np.linspace(70, 170, w, dtype=np.uint8)[None, :, None]  # a lit wall, darker on the left
    img[h * 2 // 3:] = (60, 80, 95)  # floor
    pose = seated_pose_norm(w, h, ir_left_deg=38.0, ir_right_deg=22.0)
    # analysis on the unmirrored frame: skeleton + shank angle arcs, then mirror for display
    draw.draw_skeleton(img, pose, None)
    px = draw.landmarks_to_px(pose, (w, h))
    for side in ("LEFT", "RIGHT"):
        knee, ankle = px[L[f"{side}_KNEE"]], px[L[f"{side}_ANKLE"]]
        cls = draw.classify_deg(38.0 if side == "LEFT" else 22.0)
        draw.draw_line(img, knee, ankle, color=draw.class_color(cls), thickness=6)
        draw.draw_angle_arc(img, knee, (0, 1), ankle - knee, color=draw.class_color(cls), mirror_text=True)
    t = np.linspace(0, 6, 80)
    trail = px[L.LEFT_HIP] * 0.5 + px[L.RIGHT_HIP] * 0.5 + np.stack([60 * np.cos(t), 25 * np.sin(t)], 1)
    draw.draw_trail(img, trail + [0, 40], rep_ids=(np.arange(80) > 40).astype(int), fade=True)
    img = np.ascontiguousarray(img[:, ::-1])
    # HUD on the displayed frame
    draw.draw_big_number(img, 38.0, (24, 24), color=draw.class_color("functional"), caption="LEFT IR")
    draw.draw_big_number(img, 22.0, (w - 24, 24), color=draw.class_color("limited"), caption="RIGHT IR",
                         align="right")
    draw.draw_gauge(img, (24, 175, 380, 96), 38.0, best=41.0, label="Left IR")
    draw.draw_gauge(img, (w - 404, 175, 380, 96), 22.0, best=24.0, label="Right IR")
    draw.draw_progress_arc(img, (w // 2, 90), 0.6, "clockwise", text="3")
    draw.draw_panel(img, ["SPACE start/stop trial   R reset   Q quit", ("Hold the end position 1 s", (120, 230, 120))],
                    "bl", title="Seated hip rotation")
    draw.draw_label(img, "REC", (w - 24, h - 60), align="right", color=(80, 80, 255), weight=700)
    ARTIFACTS.mkdir(exist_ok=True)
    import cv2
    assert cv2.imwrite(str(ARTIFACTS / "draw_demo.png"), img)
    small = cv2.resize(img, (854, 480))
    assert cv2.imwrite(str(ARTIFACTS / "draw_demo_small.png"), small)


def test_shanks_are_drawn_from_the_knees_the_angle_was_measured_from():
    """MediaPipe slides its knee down the shank during IR; the overlay draws from the anchored knee."""
    from hipvision.core.rotation.view import default_view
    from hipvision.landmarks import LEG
    from hipvision.draw.rotation import draw_legs

    image = np.zeros((480, 640, 3), np.uint8)
    px = np.full((33, 2), np.nan)
    anchored = np.array([[400.0, 150.0], [200.0, 150.0]])  # left, right (person's left is image-right)
    for k, side in enumerate(("left", "right")):
        px[LEG[side]["knee"]] = anchored[k] + (0.0, 120.0)  # the landmark knee, slid down the shank
        px[LEG[side]["ankle"]] = anchored[k] + (0.0, 300.0)
    draw_legs(image, px, (20.0, 20.0), default_view((640, 480)), knees_px=anchored)
    for x, y in anchored + (0.0, 60.0):  # between the anchored knee and the landmark knee
        assert image[int(y), int(x)].any()
    plain = np.zeros_like(image)
    draw_legs(plain, px, (20.0, 20.0), default_view((640, 480)))
    for x, y in anchored + (0.0, 60.0):
        assert not plain[int(y), int(x)].any()


def test_the_session_panel_keeps_each_before_value_whole_and_with_its_uncertainty():
    """The re-test's status panel (annotated session video) wrapped "before: L 25°   R 26°" at 640×480 between
    "R" and "26°" and showed no ±: now one line per leg, "L 25° ± 4°", each fitting the panel unwrapped."""
    from types import SimpleNamespace

    from hipvision.draw.canvas import STATUS_SCALE, margin_px, status_reserve_px, text_px, wrap_text
    from hipvision.draw.session import before_lines

    legs = {"left": SimpleNamespace(held_deg=24.8, uncertainty_deg=3.6, status="measured"),
            "right": SimpleNamespace(held_deg=float("nan"), uncertainty_deg=float("nan"), status="not seen")}
    lines = before_lines(dict.fromkeys(("left", "right"), SimpleNamespace(leg=legs.__getitem__)))
    assert lines == ["before:", "L 25° ± 4°", "R --"]
    image = blank(480, 640)
    size = STATUS_SCALE * text_px(image)
    inner = status_reserve_px(image) - 2 * margin_px(image) - 2 * round(0.45 * size)
    assert all(wrap_text(line, size, inner) == [line] for line in lines)
