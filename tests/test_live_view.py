"""The live view read from 2 m: sizes are fractions of the frame height, panels never overlap, the circle
inset keeps its path inside, key hints scale; the terminal status of a live run without a window."""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from hipvision import draw
from hipvision.commands.common import LiveStatus
from hipvision.draw.circles import KEYS as CIRCLE_KEYS, circles_hud, draw_top_view
from hipvision.draw.rotation import KEYS as ROTATION_KEYS, draw_leg_hud

SIZES = [(640, 480), (1280, 720), (1920, 1080)]
SAMPLES = Path(__file__).parents[1] / "samples"
GREEN = (90, 200, 60)  # a finished direction's count
LONG_CUES = ["circle the hips as big as you can, sitting far back; keep the shoulders still",
             "LOW CONFIDENCE: counts may be wrong",
             "the depth of the loop was rebuilt: move the camera about 45° to the side"]


def ink_rows(image: np.ndarray, box, color) -> int:
    """Rows of ``box`` (x, y, w, h) holding pixels of exactly ``color`` (the number's ink)."""
    x, y, w, h = box
    patch = image[y:y + h, x:x + w].astype(int)
    rows = np.flatnonzero((np.abs(patch - color).max(axis=2) <= 3).any(axis=1))
    return int(rows[-1] - rows[0] + 1) if len(rows) else 0


def rotation_view(w: int, h: int, message: str | None = None) -> tuple[np.ndarray, list]:
    image = np.zeros((h, w, 3), np.uint8)
    boxes = draw_leg_hud(image, values_deg=(38.0, 51.0), best_deg=(41.0, 52.0), mirror=True,
                         best_uncertainty_deg=(3.0, 3.0), best_class=("functional", "target"), message=message,
                         status=["trial 2 running", "before → now: L 25° → 35° (+10°)   R 20° → 30° (+10°)"],
                         keys=ROTATION_KEYS)
    return image, boxes


def circles_view(w: int, h: int, path_cm: np.ndarray | None = None, title: str | None = None,
                 hands_px: np.ndarray | None = None, cues: list[str] = LONG_CUES, **kwargs):
    image = np.zeros((h, w, 3), np.uint8)
    t = np.linspace(0, 4 * np.pi, 200)
    path = np.stack([10 * np.cos(t), 10 * np.sin(t)], 1) if path_cm is None else path_cm
    boxes = circles_hud(image, counts={"clockwise": 5, "counterclockwise": 3}, target=5, progress=0.6,
                        direction="clockwise", path_cm=path, rep_ids=np.ones(len(path), int), centre_cm=np.zeros(2),
                        torso_cm=50.0, radius_pct=21.0, cues=cues, paused=True, keys_help=True, title=title,
                        keep_clear_px=hands_px, **kwargs)
    return image, boxes


def status_box(image: np.ndarray):
    """The live loop's own box, bottom-right, with its widest lines."""
    return draw.draw_status_panel(image, [("no person in view", (0, 0, 255)), ("REC  30 fps", (120, 120, 255))])


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


# ---------------------------------------------------------------- sizes

@pytest.mark.parametrize("w, h", SIZES)
def test_each_legs_number_is_at_least_an_eighth_of_the_height(w, h):
    image, boxes = rotation_view(w, h)
    for box, value in zip(boxes[:1] + boxes[2:3], (38.0, 51.0)):  # number, gauge, number, gauge
        color = draw.class_color(draw.classify_deg(value))
        assert ink_rows(image, box, color) >= h / 8, (w, h, value)


@pytest.mark.parametrize("w, h", SIZES)
def test_the_circle_counts_are_at_least_an_eighth_of_the_height(w, h):
    image, boxes = circles_view(w, h)
    assert ink_rows(image, boxes[0], GREEN) >= h / 8  # "5/5": its 5 is drawn green


def test_numbers_keep_their_height_in_opencv_4s_font(monkeypatch):
    monkeypatch.setattr(draw.canvas, "_FONT", None)  # no FontFace before OpenCV 5: Hershey
    image = np.zeros((480, 640, 3), np.uint8)
    box = draw.draw_big_number(image, 38.0, (20, 20), color=GREEN)
    assert ink_rows(image, box, GREEN) >= 480 / 8


def test_the_number_rule_fails_at_the_old_size():
    """The measure can fail: the old 64 px at 720p (digits 1/14 of the height) is under 1/8."""
    image = np.zeros((720, 1280, 3), np.uint8)
    box = draw.draw_big_number(image, 38.0, (20, 20), color=GREEN, scale=64 / draw.big_number_px(image))
    assert 0 < ink_rows(image, box, GREEN) < 720 / 8


def test_key_hints_scale_with_the_height_and_list_full_screen():
    heights = {h: draw.draw_bottom_left(np.zeros((h, w, 3), np.uint8), [], ROTATION_KEYS[-1:])[0][3]
               for w, h in SIZES}  # one line of hints
    assert heights[480] == pytest.approx(heights[720] * 480 / 720, abs=2)
    assert heights[1080] == pytest.approx(heights[720] * 1080 / 720, abs=2)
    assert heights[480] >= 480 / 32  # a line of hints
    assert "F full screen" in draw.key_hints_text(ROTATION_KEYS) and "F full screen" in draw.key_hints_text(CIRCLE_KEYS)


def test_a_long_line_wraps_between_words_within_the_width():
    size, width = 20.0, 300
    rows = draw.wrap_text(LONG_CUES[0], size, width)
    assert len(rows) > 1 and " ".join(rows) == LONG_CUES[0]
    assert all(draw.text_size(r, size)[0] <= width for r in rows)
    keys = draw.wrap_text(draw.key_hints_text(ROTATION_KEYS), size, 330, sep="   ")
    assert all(re.fullmatch(r"(\S+ [^ ]+( [^ ]+)*)(   \S+ [^ ]+( [^ ]+)*)*", r) for r in keys)
    assert "Q quit & save" in keys[-1]  # a key is never separated from what it does


# ---------------------------------------------------------------- nothing overlaps, nothing spills

def views(w: int, h: int):
    yield "rotation", rotation_view(w, h)
    yield "rotation set-up", rotation_view(w, h, message="Right leg not seen: keep it in view, foot included")
    yield "circles", circles_view(w, h)
    yield "session circles", circles_view(w, h, title="step 2: hip circles, 5 each way")
    # a far session's low result under the step title (640×480: the panel grew up over the counts, 2026-12-07)
    far = ["last circle (counter-clockwise): make the circle bigger", "LOW CONFIDENCE: counts may be wrong",
           "On hands and knees, turn so that the camera sees you from about 45° between the head and the side",
           "clockwise: the pose model saw the motion toward and away from the camera about 12 times smaller than…"]
    hips = np.array([[0.5 * w, 0.6 * h], [0.47 * w, 0.8 * h], [0.53 * w, 0.8 * h]])
    yield "session circles, low from afar", circles_view(w, h, title="step 2: hip circles, 5 each way", cues=far,
                                                         hands_px=hips, short_cues=far[:3])


@pytest.mark.parametrize("w, h", SIZES)
def test_no_panel_overlaps_another_or_leaves_the_frame(w, h):
    for name, (image, boxes) in views(w, h):
        boxes = boxes + [status_box(image)]
        for a in boxes:
            assert a[0] >= 0 and a[1] >= 0 and a[0] + a[2] <= w and a[1] + a[3] <= h, (name, a)
        for a, b in itertools.combinations(boxes, 2):
            assert not overlap(a, b), (name, w, h, a, b)


@pytest.mark.parametrize("w, h", SIZES)
def test_the_size_label_is_set_at_a_readable_share_of_the_frame_height(w, h, monkeypatch):
    """At 640×480 the label "last circle ≈15% (estimate)" was set at 16 px × 40/60 and then shrunk to fit the
    panel: about 8 px, unreadable. It is now 0.8 of the panel text size (30 px at 1080p, 14 px at 480p), wrapped."""
    from hipvision.draw import circles as draw_circles

    sizes = {}
    real = draw.put_text

    def spy(image, text, org, *, size_px, **kw):
        sizes[text] = size_px
        return real(image, text, org, size_px=size_px, **kw)

    monkeypatch.setattr(draw_circles.draw, "put_text", spy)
    image, boxes = circles_view(w, h, size_label="last circle", size_estimated=True)
    label = [size for text, size in sizes.items() if "last circle" in text or "(estimate)" in text]
    assert label and min(label) >= 0.8 * h / 27 - 1e-6
    assert "".join(t for t in sizes if "last circle" in t or "(estimate)" in t).replace(" ", "") \
        == "lastcircle≈21%(estimate)"
    x, y, bw, bh = boxes[3]   # the gauge's box holds its wrapped label and its bar
    assert y + bh <= h and x + bw <= w


@pytest.mark.parametrize("w, h", SIZES)
@pytest.mark.parametrize("hand_x", [0.7, 0.12])
def test_the_cue_panel_keeps_clear_of_the_hands_where_there_is_room(w, h, hand_x):
    """Side-on at 640×480 the cues panel (bottom-left, 470 px wide) covered the near hand at x = 450 px: it
    now ends left of the hands or, with the hands at the left, goes up under the counts."""
    hands = np.array([[hand_x * w, 0.72 * h], [(hand_x + 0.03) * w, 0.74 * h]])
    image, boxes = circles_view(w, h, hands_px=hands)
    inside = [(b, p) for b in boxes for p in hands if b[0] <= p[0] <= b[0] + b[2] and b[1] <= p[1] <= b[1] + b[3]]
    assert not inside, inside
    boxes = boxes + [status_box(image)]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b), (w, h, a, b)
    plain, plain_boxes = circles_view(w, h)
    if hand_x == 0.7:   # the usual place when nothing is in the way
        assert plain_boxes[-1][0] == boxes[-2][0] and plain_boxes[-1][2] > boxes[-2][2]


def _weight_inside(box, points, weights) -> float:
    x, y, w, h = box
    return float(sum(wt for (px, py), wt in zip(points, weights) if x <= px <= x + w and y <= py <= y + h))


@pytest.mark.parametrize("w, h", SIZES)
def test_seen_from_behind_the_cue_panel_keeps_the_hips_clear(w, h):
    """Straight behind at 640×480 the cue panel (bottom-left, 6 lines) covered the knees and feet, which fill the
    bottom of the frame under the hips: it now goes where it covers the least of the watched parts (the hips
    weighing most), shortened (without the why) where that covers less, and clear of every other box."""
    from hipvision.draw.circles import WATCHED
    from hipvision.landmarks import Landmark as L

    at = {L.LEFT_HIP: (0.42, 0.38), L.RIGHT_HIP: (0.58, 0.38), L.LEFT_KNEE: (0.42, 0.62), L.RIGHT_KNEE: (0.58, 0.62),
          L.LEFT_ANKLE: (0.36, 0.8), L.RIGHT_ANKLE: (0.5, 0.8), L.LEFT_FOOT_INDEX: (0.36, 0.86),
          L.RIGHT_FOOT_INDEX: (0.5, 0.86)}
    parts = np.array([(x * w, y * h) for x, y in at.values()])
    weights = np.array([WATCHED[k] for k in at])
    short = LONG_CUES[:2]
    image, boxes = circles_view(w, h, hands_px=parts, keep_clear_weight=weights, short_cues=short)
    _, plain = circles_view(w, h)
    hips = parts[:2]
    assert _weight_inside(plain[-1], parts, weights) > 0          # where it used to go, it covered them
    assert _weight_inside(boxes[-1], hips, [1, 1]) == 0           # the hips stay clear
    assert _weight_inside(boxes[-1], parts, weights) < _weight_inside(plain[-1], parts, weights)
    boxes = boxes + [status_box(image)]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b), (w, h, a, b)


def test_the_cue_panel_goes_where_it_covers_the_least_and_prefers_the_full_text():
    """When every place covers a watched part the panel goes to the one covering the least weight, not back to the
    bottom-left; the shorter text only where it covers less than the full one; nothing in the way: bottom-left."""
    from hipvision.draw.circles import place_cues

    w, h = 640, 480

    def placed(points, weights, short=None):
        image = np.zeros((h, w, 3), np.uint8)
        return place_cues(image, [(c, (255, 255, 255)) for c in LONG_CUES], (), title=None, keep_clear_px=points,
                          top_px=130, right_px=470, keep_clear_weight=weights,
                          short_lines=None if short is None else [(c, (255, 255, 255)) for c in short])[-1]

    nothing = placed(None, None)
    assert nothing[0] < 20 and nothing[1] + nothing[3] > 0.8 * h            # bottom-left
    heavy_bottom = np.array([[0.05 * w, 0.8 * h], [0.05 * w, 0.35 * h]])
    box = placed(heavy_bottom, [5.0, 1.0])
    assert box[1] < 0.5 * h and _weight_inside(box, heavy_bottom, [5.0, 1.0]) == 1.0   # top-left, the light one
    box_light = placed(heavy_bottom, [1.0, 5.0])
    assert box_light[1] + box_light[3] > 0.8 * h                             # bottom-left, the light one
    # a point only the full text's taller panel reaches: the short text goes there instead
    tall = placed(None, None)
    above = np.array([[0.1 * w, tall[1] + 5], [0.1 * w, 0.36 * h]])
    full = placed(above, [1.0, 1.0])
    short = placed(above, [1.0, 1.0], short=LONG_CUES[:1])
    assert _weight_inside(full, above, [1, 1]) >= 1 and _weight_inside(short, above, [1, 1]) == 0
    assert short[3] < full[3]


@pytest.mark.parametrize("w, h", SIZES)
def test_the_seated_text_moves_to_the_right_column_when_a_foot_is_under_the_left_one(w, h):
    """Seated, the text panel sat in the left column over a left foot turned out to 50° (mirrored view, 640×480):
    it goes to the right column when that covers fewer of the knees and feet, stays left otherwise, and never
    runs into the gauges or the live status box."""
    from hipvision.draw.rotation import draw_leg_hud

    def hud(feet):
        image = np.zeros((h, w, 3), np.uint8)
        boxes = draw_leg_hud(image, values_deg=(50.0, 1.0), best_deg=(50.0, 25.0), mirror=True,
                             best_uncertainty_deg=(4.0, 4.0), status=["measuring - turn the foot outward, hold 1 s"],
                             keys=ROTATION_KEYS, keep_clear_px=feet)
        return image, boxes

    left_foot = np.array([[0.15 * w, 0.77 * h], [0.16 * w, 0.8 * h]])
    right_foot = np.array([[0.85 * w, 0.77 * h], [0.84 * w, 0.8 * h]])
    _, plain = hud(None)
    assert plain[-1][0] < w / 2                                   # nothing in the way: the left column
    assert _weight_inside(plain[-1], left_foot, [1, 1]) > 0       # where the turned-out foot was covered
    image, moved = hud(left_foot)
    assert moved[-1][0] > w / 2 and _weight_inside(moved[-1], left_foot, [1, 1]) == 0
    assert hud(right_foot)[1][-1][0] < w / 2                      # the other foot out: stays left
    boxes = moved + [status_box(image)]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b), (w, h, a, b)


def test_the_overlap_check_can_fail():
    image, _ = circles_view(640, 480)
    old_cues = draw.draw_panel(image, [LONG_CUES[0]], "bl")  # as before: as wide as the frame allows
    assert overlap(old_cues, status_box(image))


@pytest.mark.parametrize("w, h", SIZES)
def test_the_circle_inset_keeps_a_path_that_leaves_it_inside(w, h):
    image = np.full((h, w, 3), 100, np.uint8)
    t = np.linspace(0, 2 * np.pi, 100)
    path = np.stack([18 * np.cos(t), 18 * np.sin(t)], 1)  # 18 cm radius: past the ±15 cm the panel spans
    s = h / 720
    rect = (int(400 * s), int(200 * s), int(200 * s), int(200 * s))
    draw_top_view(image, rect, path, np.ones(100, int), centre_cm=np.zeros(2), torso_cm=50.0)
    x, y, rw, rh = rect
    inside = np.zeros((h, w), bool)
    inside[y:y + rh, x:x + rw] = True
    drawn = (image != 100).any(axis=2)
    assert drawn[inside].mean() > 0.9 and not drawn[~inside].any()
    assert (image[y:y + rh, x:x + rw] == draw.palette_color(1)).all(axis=2).any()  # the path is drawn, cut


# ---------------------------------------------------------------- terminal status

class FakeSource:
    description, frame_size, fps = "camera 0", (1280, 720), 30.0


@pytest.mark.parametrize("window, stop", [(False, "Ctrl-C to stop and save"),
                                          (True, "Q in the window or Ctrl-C to stop and save")])
def test_first_line_says_what_is_open(window, stop):
    out = io.StringIO()
    with LiveStatus(FakeSource(), window=window, out=Console(file=out, width=200)):
        pass
    assert out.getvalue() == f"camera 0 open, 1280×720 at 30 fps; {stop}\n"


def test_without_a_terminal_a_plain_line_every_5_s_of_the_source():
    out = io.StringIO()
    with LiveStatus(FakeSource(), window=False, out=Console(file=out, width=200)) as status:
        for i in range(31 * 30):  # 31 s at 30 fps
            status(i / 30, f"clockwise {i // 300}/5")
    lines = out.getvalue().splitlines()
    assert lines[1:] == [f"{t:7.1f} s   clockwise {t // 10}/5" for t in (5, 10, 15, 20, 25, 30)]


def test_on_a_terminal_the_status_is_updated_in_place():
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    with LiveStatus(FakeSource(), window=False, out=console) as status:
        for i in range(30):
            status(i / 30, f"L now {i}°")
            status._live.refresh()
    text = out.getvalue()
    assert "L now 29°" in text and "\n   0.0 s" not in text.split("\n", 1)[1]  # no line per update
    assert text.count("\n") <= 3


def test_with_a_window_the_terminal_stays_quiet_after_the_first_line():
    out = io.StringIO()
    with LiveStatus(FakeSource(), window=True, out=Console(file=out, width=200)) as status:
        for i in range(300):
            status(i / 30, "x")
    assert len(out.getvalue().splitlines()) == 1


@pytest.mark.slow
def test_live_circles_without_a_window_say_what_they_count(tmp_path, model_path, capsys):
    from hipvision.cli import main as cli

    out = tmp_path / "c.json"
    assert cli(["circles", "--camera", str(SAMPLES / "hip_circles.mp4"), "--no-window", "--json", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "hip_circles.mp4 open, 640×480 at 20 fps; Ctrl-C to stop and save"
    lines = [re.fullmatch(r" *(\d+\.\d) s   clockwise (\d)/5   counter-clockwise (\d)/5.*", e) for e in err[1:]]
    lines = [m for m in lines if m]
    times = [float(m[1]) for m in lines]
    assert len(lines) >= 5 and all(5.0 <= b - a < 5.2 for a, b in zip(times, times[1:]))  # 34 s of video
    cw = [int(m[2]) for m in lines]
    assert cw == sorted(cw) and cw[-1] == json.loads(out.read_text())["clockwise"] == 5


@pytest.mark.parametrize("w, h", SIZES)
def test_seated_text_stays_in_the_left_column_clear_of_the_legs(w, h):
    for message in (None, "Right leg not seen: keep it in view, foot included"):
        _, boxes = rotation_view(w, h, message=message)
        gauge = boxes[1]
        assert all(b[0] + b[2] <= gauge[0] + gauge[2] for b in boxes[4:]), (w, h, message)  # text under the gauge


@pytest.mark.parametrize("value, text", [(-0.3, "0°"), (-0.6, "-1°"), (0.4, "0°"), (38.5, "38°"), (np.nan, "--"),
                                         (None, "--")])
def test_angles_never_show_minus_zero(value, text):
    assert draw.deg_text(value) == text


@pytest.mark.parametrize("best, unc, state", [  # target; borderline (≈45°); too unsure; no uncertainty known
    (50.4, 3.0, "held ≥1 s"), (43.0, 4.0, "borderline"), (55.4, 13.8, "unsure"), (38.0, float("nan"), "held ≥1 s"),
])
def test_the_gauge_label_says_borderline_or_unsure(best, unc, state):
    from hipvision.draw.rotation import _best_state

    assert _best_state(best, unc) == state


def test_a_long_best_value_does_not_run_into_the_gauge_label():
    """"left · borderline" and "30°  best 55° ± 14°" overlapped on a 720p gauge: the label keeps only the side."""
    image = np.zeros((720, 1280, 3), np.uint8)
    rect = (16, 190, 380, 96)
    draw.draw_gauge(image, rect, 30.0, best=55.4, best_uncertainty=13.8, label="left · borderline",
                    best_class="borderline (≈45°)")
    short = np.zeros_like(image)
    draw.draw_gauge(short, rect, 30.0, best=55.4, best_uncertainty=13.8, label="left", best_class="borderline (≈45°)")
    assert np.array_equal(image, short)


def test_an_annotated_video_shows_a_leg_held_throughout_with_its_uncertainty():
    """A leg never near vertical (no efforts: held over its whole span, as the overhead render's 55.4° ± 13.8°)
    shows its held value and ± on the video once its held window has ended, and not before."""
    from hipvision.core.rotation.result import RotationSettings, summarise
    from hipvision.core.rotation.view import CameraView
    from hipvision.draw.rotation import held_so_far

    t = np.arange(60) / 30.0
    x = np.stack([np.full(60, 20.0), np.zeros(60)], 1)
    res = summarise(t, x, x, np.zeros(x.shape, int), CameraView(), RotationSettings(), mode="offline", source="",
                    model="")
    assert res.left.status == "measured" and not res.left.efforts and np.isfinite(res.left.uncertainty_deg)
    held, unc, cls = held_so_far(res, float(t[-1]))
    assert held[0] == res.left.held_deg and unc[0] == res.left.uncertainty_deg
    assert cls[0] == res.left.class_with_uncertainty and np.isnan(held[1])
    assert np.isnan(held_so_far(res, res.left.held.end_s - 0.01)[0][0])


def test_an_annotated_video_marks_a_leg_unconfirmed_once_a_larger_effort_may_have_been_missed():
    """A 20° hold, then 1.5 s of frames not measured (3.5-5.0 s) where a larger effort may have been: the video
    shows the leg's class as "limited" up to the end of that run and "unconfirmed" after it, like the result."""
    from hipvision.core.rotation.frame import Reason
    from hipvision.core.rotation.result import RotationSettings, summarise
    from hipvision.core.rotation.view import CameraView
    from hipvision.draw.rotation import _best_state, held_so_far

    t = np.arange(180) / 30.0
    x = np.stack([np.where((t >= 1.0) & (t < 3.0), 20.0, 0.0), np.zeros(180)], 1)
    reasons = np.zeros(x.shape, int)
    reasons[(t >= 3.5) & (t <= 5.0), 0] = int(Reason.NOT_VISIBLE)
    x[reasons[:, 0] != 0, 0] = np.nan
    res = summarise(t, x, x, reasons, CameraView(), RotationSettings(), mode="offline", source="", model="")
    assert res.left.unmeasured is not None and res.left.class_with_uncertainty == "unconfirmed"
    assert held_so_far(res, 4.0)[2][0] == "limited"
    held, unc, cls = held_so_far(res, float(t[-1]))
    assert held[0] == pytest.approx(20.0) and cls[0] == "unconfirmed"
    assert _best_state(held[0], unc[0], cls[0]) == "unconfirmed"        # the gauge's label, not "held ≥1 s"
    assert _best_state(held[0], unc[0], "limited") == "held ≥1 s"


# ---------------------------------------------------------------- the size bar gives only saved sizes


def test_the_live_size_bar_shows_the_last_counted_circles_size_and_after_the_set_the_saved_one(monkeypatch):
    """The live size bar gives a size only for a circle the count includes: "--" until one is counted, then the
    last counted circle's (from the file analysis of the frames so far), and once the count shown is the saved
    one, the saved last circle's size (within 1.2 %; to the % shown at the last frame). It used to show the causal stream's circle under way:
    sizes from 4 to 55 % during the sets and, after the last circle, e.g. 5 % in red where the saved circles
    were 14-22 % (`hipvision circles --camera samples/hip_circles.mp4`)."""
    from circles_cases import replay_live

    import hipvision.live.circles as live_circles
    from hipvision.io import load_sequence

    drawn: list[tuple[dict, float | None]] = []

    def hud(image, **kwargs):
        drawn.append((dict(kwargs["counts"]), kwargs["radius_pct"]))
        return []

    monkeypatch.setattr(live_circles, "circles_hud", hud)
    image = np.zeros((480, 640, 3), np.uint8)
    seq = load_sequence(Path(__file__).parent / "fixtures" / "mediapipe_circles" / "hip_circles_side.npz")
    _, saved = replay_live(seq, on_frame=lambda view: view.draw_hud(image))
    final = {"clockwise": saved.clockwise, "counterclockwise": saved.counterclockwise}
    assert final == {"clockwise": 5, "counterclockwise": 5}
    assert all(size is None for counts, size in drawn if not any(counts.values()))
    first_final = next(i for i, (counts, _) in enumerate(drawn) if counts == final)
    tail = [size for _, size in drawn[first_final:]]
    assert len(tail) > 30
    # 19.0 % (18.8 % before the saved circles were re-timed at their set's end, which the live analysis of the set
    # under way cannot do): shown 17.6 % when first counted, 18.8 % at the last frame
    last = saved.reps[-1].radius_pct_torso
    assert all(abs(size - last) < 1.5 for size in tail), tail  # (the analysis of the frames so far sizes it so)
    assert round(tail[-1]) == round(last)
    sizes = [rep.radius_pct_torso for rep in saved.reps]  # during the sets: a counted circle's, as far as seen
    assert all(min(abs(size - s) for s in sizes) < 1.5 for _, size in drawn if size is not None)


@pytest.mark.parametrize("w, h", SIZES)
def test_the_size_bar_label_stays_inside_its_panel(w, h):
    """The live view's label ("last circle 100% of torso" at most) is set smaller where it would run out of
    the panel (it ran 4 px past the panel's edge at 640 x 480)."""
    from hipvision.draw.circles import draw_size_gauge

    image = np.zeros((h, w, 3), np.uint8)
    s = draw.ui_scale(image)
    rect = (int(w - 220 * s), 10, int(200 * s), int(60 * s))
    draw_size_gauge(image, rect, 100.0, label="last circle")
    x, y, bw, bh = rect
    assert image[:, x + bw:].max() == 0 and image[:, :x].max() == 0


@pytest.mark.parametrize("mirror, x_px", [(False, 448.0), (True, 192.0)])
def test_the_live_circles_view_keeps_clear_of_the_seen_body_parts_as_displayed(mirror, x_px):
    from types import SimpleNamespace

    from hipvision.landmarks import Landmark as L
    from hipvision.live.circles import CirclesLive

    live = CirclesLive(frame_size=(640, 480), fps=20.0, mirror=mirror)
    try:
        image, vis = np.zeros((33, 3)), np.zeros(33)
        image[L.LEFT_WRIST, :2], vis[L.LEFT_WRIST] = (0.7, 0.75), 0.9
        image[L.RIGHT_WRIST, :2], vis[L.RIGHT_WRIST] = (0.1, 0.75), 0.1   # hidden: not kept clear of
        image[L.LEFT_KNEE, :2], vis[L.LEFT_KNEE] = (0.7, 0.5), 0.8
        image[L.NOSE, :2], vis[L.NOSE] = (0.2, 0.2), 0.9                   # not a part the panel keeps clear of
        live.draw_scene(np.zeros((480, 640, 3), np.uint8), SimpleNamespace(detected=True, image=image, visibility=vis))
        assert live._watched_px(np.zeros((480, 640, 3), np.uint8)) == pytest.approx(
            np.array([[x_px, 360.0], [x_px, 240.0]]))
    finally:
        live.recount.close()
