"""HTML report: content from the fixture results, self-containment, key frames, CLI, and (browser) rendering."""

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from html import unescape
from pathlib import Path

import cv2
import numpy as np
import pytest

from fixtures import skeletons as sk
from hipvision.cli import main as cli
from hipvision.errors import InputError
from hipvision.io.frame_store import FrameStore
from hipvision.report import build_view, render_report, write_report
from hipvision.synthetic import PinholeCamera, sequence_from_joints

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
ARTIFACTS = ROOT / "test-artifacts"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def visible_text(html: str) -> str:
    """Text a reader sees (tags, styles and data URIs removed), whitespace collapsed."""
    html = re.sub(r"<style.*?</style>|<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


#: fixture → strings a reader must find on the page
KEY_TEXT = {
    "rotation": ["38.2°", "35.1°", "functional (30–45°)", "Left–right difference: 3.1°", "held 38.2°",
                 "Left ankle hidden for 0.8 s"],
    "circles": ["Clockwise 5 / 5", "Counter-clockwise 4 / 5", "7 × good circle", "1 × spine moving",
                "median radius 8.9 cm", "one counterclockwise circle to go"],
    "session": ["Before → after the hip circles", "The left hip gained 6.0° and the right hip gained 4.5° of internal rotation after 10 hip circles.", "31.5° → 37.5°", "+6.0°", "27.0° → 31.5°", "+4.5°",
                "Hip circles done in between: 10", "Before: seated hip rotation", "After: seated hip rotation"],
}


@pytest.mark.parametrize("kind", list(KEY_TEXT))
def test_report_shows_the_key_numbers(kind):
    text = visible_text(render_report(fixture(kind), subject="Alex"))
    for expected in KEY_TEXT[kind]:
        assert expected in text, expected
    assert "Alex" in text


@pytest.mark.parametrize("kind", list(KEY_TEXT))
def test_report_is_self_contained(kind, tmp_path):
    path = write_report(fixture(kind), tmp_path / "r.html")
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert "<link" not in html and "<script" not in html and "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", html)
    for src in re.findall(r'\ssrc="([^"]*)"', html):
        assert src.startswith("data:image/"), src
    assert html.count("<svg") >= 1  # figures inline


def test_the_figures_follow_the_series():
    r = fixture("rotation")
    svg_ids = re.findall(r'aria-label="(angle|path)"', render_report(r))
    assert svg_ids == ["angle"]
    del r["series"]
    assert not re.findall(r'aria-label="angle"', render_report(r))  # no series, no plot, still a report


def test_the_angle_plot_labels_each_held_value_with_its_uncertainty():
    """The plot's "held" labels carry the ± the cards and tables show (they were bare numbers)."""
    r = fixture("rotation")
    r["left"]["efforts"][0]["uncertainty_deg"] = 3.4
    text = visible_text(render_report(r))
    assert "held 38.2° ± 3.4°" in text
    assert "held 35.1°" in text  # an effort without a ± (older results) keeps its bare label


def test_the_size_bar_legend_matches_the_live_view_and_the_video():
    """The legend said the live bar shows "the current circle's size"; the live view shows the last counted
    circle's (labelled "last circle"), and an estimated size is a grey bar the legend did not mention."""
    text = visible_text(render_report(fixture("circles")))
    legend = text[text.index("Size bar"):text.index("Roundness", text.index("Size bar"))]
    assert "in the live view the last counted circle's" in legend
    assert "on the annotated video the circle under way" in legend
    assert "is grey and marked “(estimate)”" in legend


def test_a_leg_whose_larger_effort_may_have_been_missed_is_marked_unconfirmed():
    """A measured leg with frames not measured where a larger effort may have been has the class "unconfirmed"
    (the JSON's `class`): its badge says to measure again, in the warning colours, not a class colour."""
    r = fixture("rotation")
    r["left"].update({"class": "unconfirmed", "hold_not_measured": {"start_s": 3.5, "end_s": 5.0,
                                                                     "reason": "not_visible"}})
    html = render_report(r)
    assert '<span class="badge unconfirmed">unconfirmed: measure again</span>' in html
    assert ".badge.unconfirmed" in html
    assert "functional (30–45°)" in visible_text(html)    # the right leg keeps its class


def test_missing_values_show_as_dashes_not_errors():
    r = fixture("rotation")
    r["right"] = {"held_deg": None, "peak_deg": None, "class": None, "valid_fraction": 0.1, "efforts": []}
    r["asymmetry_deg"] = None
    text = visible_text(render_report(r))
    assert "Right leg no value —" in text and "Left–right difference: —" in text
    c = fixture("circles")
    c.update(reps=[], partials=[], total=0, clockwise=0, counterclockwise=0, series=None, start_position=None)
    assert "No complete circle to grade" in visible_text(render_report(c))
    s = fixture("session")
    s["phases"] = [p for p in s["phases"] if p["kind"] != "seated" or p["start_s"] == 0.0]
    s["change_deg"] = {"left": None, "right": None}
    text = visible_text(render_report(s))
    assert "no before/after change" in text and "31.5°" in text


def test_unknown_results_are_refused():
    with pytest.raises(InputError, match="kind"):
        render_report({"kind": "banana"})


def test_ids_are_unique_across_inline_figures():
    html = render_report(fixture("session"))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert ids and len(ids) == len(set(ids))


# ------------------------------------------------------------------ key frames from a video

def synthetic_video(folder: Path, seconds: float = 14.0, fps: float = 10.0):
    """A stick-figure video of a seated person and the matching poses (no pose model needed)."""
    n = int(seconds * fps)
    joints = np.stack([sk.seated(ir_left_deg=30 + 10 * np.sin(i / 8), ir_right_deg=25) for i in range(n)])
    cam = PinholeCamera.looking_at(np.array([0.0, 0.7, 0.0]), distance_m=2.5, width=640, height=360)
    seq = sequence_from_joints(joints, cam, fps=fps, source="synthetic")
    path = folder / "seated.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (640, 360))
    px = seq.image_px()
    for i in range(n):
        img = np.full((360, 640, 3), 60, np.uint8)
        for a, b in ((23, 25), (25, 27), (24, 26), (26, 28), (11, 23), (12, 24), (11, 12), (23, 24)):
            cv2.line(img, tuple(int(v) for v in px[i, a]), tuple(int(v) for v in px[i, b]), (220, 220, 220), 4)
        writer.write(img)
    writer.release()
    return path, seq


def test_key_frames_are_taken_at_the_held_peaks(tmp_path):
    video, seq = synthetic_video(tmp_path)
    view = build_view(fixture("rotation"), video=video, poses=seq)
    frames = view["rotation"]["frames"]
    assert [f.caption.split(",")[0] for f in frames] == ["Left leg", "Right leg"]
    assert 2.0 <= frames[0].time_s <= 5.5 and 8.0 <= frames[1].time_s <= 12.0  # inside each leg's effort
    for f in frames:
        assert f.src.startswith("data:image/jpeg;base64,")
        img = cv2.imdecode(np.frombuffer(__import__("base64").b64decode(f.src.split(",", 1)[1]), np.uint8), 1)
        assert img is not None and img.shape[1] <= 720 and img.std() > 5
    if importable("hipvision.draw"):
        assert all(f.skeleton for f in frames)


def importable(name: str) -> bool:
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def test_key_frames_use_the_results_source_and_skip_a_missing_video(tmp_path):
    video, seq = synthetic_video(tmp_path, seconds=14)
    r = fixture("rotation")
    r["source"] = str(video)
    assert len(build_view(r, poses=seq)["rotation"]["frames"]) == 2  # found through "source"
    view = build_view(r, video=tmp_path / "gone.mp4")
    assert view["rotation"]["frames"] == [] and "was not found" in view["notes"][0]
    r["source"] = "samples/not-here.mp4"
    assert build_view(r)["notes"] == []  # nothing to show, nothing to complain about


def test_key_frames_of_a_live_run_come_from_the_frames_it_kept(tmp_path):
    """A camera leaves no video: the frames the live loop kept (`FrameStore`) and their poses are used."""
    video, seq = synthetic_video(tmp_path)
    store = FrameStore(interval_s=0.25)
    cap = cv2.VideoCapture(str(video))
    for i in range(len(seq)):
        ok, image = cap.read()
        assert ok
        store.add(float(seq.timestamps_s[i]), image, seq.image[i], seq.visibility[i])
    cap.release()
    r = fixture("rotation")
    r["source"] = "camera 0"
    view = build_view(r, frames=store)
    frames = view["rotation"]["frames"]
    assert [f.caption.split(",")[0] for f in frames] == ["Left leg", "Right leg"] and view["notes"] == []
    if importable("hipvision.draw"):
        assert all(f.skeleton for f in frames)  # the kept poses, no model run
    assert build_view(r)["rotation"]["frames"] == []  # without them: nothing to show
    assert "no frame was kept" in build_view(r, frames=FrameStore())["notes"][0]


def test_session_key_frames_go_to_their_phase(tmp_path):
    video, seq = synthetic_video(tmp_path, seconds=73, fps=4)
    view = build_view(fixture("session"), video=video, poses=seq)
    phases = view["session"]["phases"]
    assert len(phases[0]["rotation"]["frames"]) == 2 and len(phases[4]["rotation"]["frames"]) == 2
    assert len(phases[2]["circles"]["frames"]) == 2
    assert phases[4]["rotation"]["frames"][0].caption.startswith("After: Left leg")


# ------------------------------------------------------------------ CLI

def test_report_command(tmp_path, capsys):
    src = tmp_path / "session.json"
    shutil.copy(FIXTURES / "session.json", src)
    assert cli(["report", str(src), "--subject", "Alex"]) == 0
    out = tmp_path / "session.html"
    assert out.is_file() and "+6.0°" in visible_text(out.read_text())
    assert cli(["report", str(tmp_path / "missing.json")]) == 2
    (tmp_path / "bad.json").write_text('{"kind": "nope"}')
    assert cli(["report", str(tmp_path / "bad.json"), "-o", str(tmp_path / "x.html")]) == 2
    assert "is not a hipvision result: $.kind is \"nope\"" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


# ------------------------------------------------------------------ in a real browser

def find_chromium() -> str | None:
    for name in (os.environ.get("HIPVISION_CHROMIUM"), "chromium", "chromium-browser", "google-chrome",
                 "google-chrome-stable", "chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def chromium(url: str, *extra: str, width: int = 1280, height: int = 2400) -> subprocess.CompletedProcess:
    exe = find_chromium()
    if exe is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set $HIPVISION_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="hv-chromium-") as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}",
               f"--window-size={width},{height}", "--enable-logging=stderr", "--v=0", *extra, url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.browser
def test_the_console_check_catches_errors(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><p>x</p><script>console.error("boom"); missingFunction();</script>')
    run = chromium(page.as_uri(), "--dump-dom")
    assert any("boom" in m for m in console_messages(run.stderr))
    assert any("missingFunction" in m for m in console_messages(run.stderr))


@pytest.mark.browser
@pytest.mark.parametrize("kind,height", [("rotation", 1700), ("circles", 2100), ("session", 4600)])
def test_report_renders_in_chromium(tmp_path, kind, height):
    page = write_report(fixture(kind), tmp_path / f"{kind}.html", subject="Alex")
    run = chromium(page.as_uri(), "--dump-dom", height=height)
    assert run.returncode == 0, run.stderr[-2000:]
    assert console_messages(run.stderr) == []
    dom_text = visible_text(run.stdout)
    for expected in KEY_TEXT[kind]:
        assert expected in dom_text, expected
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{kind}.png"
    shot.unlink(missing_ok=True)
    run = chromium(page.as_uri(), f"--screenshot={shot}", height=height)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    img = cv2.imread(str(shot))
    assert img.shape[:2] == (height, 1280)
    assert img.std() > 20  # something was drawn
    # the cards are white on the grey page: the summary is really laid out, not an unstyled page
    assert (img[:600] == 255).all(axis=2).mean() > 0.2


def test_a_report_from_an_edited_fixture_does_not_touch_the_fixture():
    original = fixture("session")
    copy_ = copy.deepcopy(original)
    render_report(copy_)
    assert copy_ == original


@pytest.mark.parametrize("result", [
    {"kind": "rotation"},
    {"kind": "circles", "total": 3, "reps": [{"index": 1, "direction": "clockwise"}]},
    {"kind": "session", "phases": [{"kind": "seated", "start_s": 0, "end_s": 5, "status": "analysed",
                                    "result": {"kind": "rotation", "left": {"held_deg": 33.0}}},
                                   {"kind": "quadruped", "start_s": 5, "end_s": 9, "status": "analysed",
                                    "result": {"kind": "circles"}}]},
])
def test_sparse_results_render_with_dashes(result):
    text = visible_text(render_report(result))
    assert "—" in text


def key_frame_count(html_path: Path) -> int:
    return html_path.read_text(encoding="utf-8").count("data:image/jpeg;base64,")


def test_report_from_another_folder_finds_the_source_video(tmp_path, monkeypatch, capsys):
    """The result JSON stores the video's absolute path and its path from the JSON; `report` run from
    anywhere finds it (also after the folder moved), and says so when it is gone."""
    work = tmp_path / "work"
    (work / "results").mkdir(parents=True)
    video, seq = synthetic_video(work)
    npz = work / "poses.npz"
    from hipvision.io import save_sequence

    save_sequence(seq, npz)
    monkeypatch.chdir(work)
    assert cli(["rotation", "poses.npz", "--video", "seated.avi", "--json", "results/r.json"]) == 0
    stored = json.loads((work / "results" / "r.json").read_text())["source_video"]
    assert stored == {"path": str(video.resolve()), "relative_to_json": "../seated.avi"}

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    capsys.readouterr()
    assert cli(["report", str(work / "results" / "r.json"), "-o", "a.html", "--poses", str(npz)]) == 0
    assert key_frame_count(elsewhere / "a.html") == 1  # through the absolute path (the left leg's effort)
    moved = tmp_path / "moved"
    work.rename(moved)
    assert cli(["report", str(moved / "results" / "r.json"), "-o", "b.html", "--poses", str(moved / "poses.npz")]) == 0
    assert key_frame_count(elsewhere / "b.html") == 1  # through the path relative to the JSON
    assert "not found" not in capsys.readouterr().err
    (moved / "seated.avi").unlink()
    assert cli(["report", str(moved / "results" / "r.json"), "-o", "c.html"]) == 0
    assert key_frame_count(elsewhere / "c.html") == 0
    assert "source video not found; pass --video for key frames" in capsys.readouterr().err


def test_circle_numbers_that_start_at_one_place_are_set_side_by_side():
    """Circles of a set start where the last one ended: the path plot drew their numbers on top of each other
    ("12" with the 3 hidden under them); now each moves right past the ones in its way, far ones stay put."""
    from hipvision.report.plots import _NUMBER_W_PT, number_offsets_pt

    dx = number_offsets_pt([(100.0, 50.0), (101.0, 50.5), (99.0, 49.0), (300.0, 50.0), (100.0, 200.0)],
                           ["1", "2", "10", "3", "4"])
    assert dx[0] == dx[3] == dx[4] == 3.0  # alone: just right of its start
    assert 100.0 + dx[0] + _NUMBER_W_PT < 101.0 + dx[1]  # 2 after 1
    assert 101.0 + dx[1] + _NUMBER_W_PT < 99.0 + dx[2]  # 10 after 2


def test_the_path_plot_sets_no_circle_number_over_another():
    """On the rendered sample's circles (10 starts within a few cm), no two numbers' text boxes overlap."""
    import json as json_

    from hipvision.report.plots import path_plot_svg

    circles = json_.loads((ROOT / "tests" / "fixtures" / "circles.json").read_text())
    svg = path_plot_svg(circles, "fig")
    boxes = []
    for style, x, y, text in re.findall(r'<text style="([^"]*)" x="([\d.]+)" y="([\d.]+)"[^>]*>(\d+)</text>', svg):
        if "font-weight: 700" in style or "bold" in style:  # the circle numbers (tick labels are not bold)
            boxes.append((float(x), float(y), len(text)))
    assert len(boxes) == len(circles["reps"])
    for i, (x, y, n) in enumerate(boxes):
        for x2, y2, n2 in boxes[i + 1:]:
            overlap_x = x < x2 + 6 * n2 and x2 < x + 6 * n
            assert not (overlap_x and abs(y - y2) < 9), (x, y, x2, y2)


def test_the_angle_plots_labels_stay_clear_of_each_other_and_of_the_legend():
    """As a rendered video read: left 53.5° and right 31.0° held at once (1.4-4.4 s), then both legs at once at
    close values (42.0° and 43.9°, 6-9 s). The legend (inside the axes, top left) covered the 53.5° label and
    the two close labels overlapped."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Annotation

    from hipvision.report.plots import angle_figure

    t = np.arange(0, 12, 0.1)
    first, second = (t > 1.4) & (t < 4.4), (t > 6) & (t < 9)
    r = {"thresholds_deg": {"functional": 30, "target": 45},
         "series": {"t_s": t.tolist(), "left_deg": np.select([first, second], [53.5, 42.0], 1.0).tolist(),
                    "right_deg": np.select([first, second], [31.0, 43.9], 1.0).tolist()},
         "left": {"efforts": [{"start_s": 1.4, "end_s": 4.4, "held_deg": 53.5, "uncertainty_deg": 3.8},
                              {"start_s": 6.0, "end_s": 9.0, "held_deg": 42.0, "uncertainty_deg": 5.9}]},
         "right": {"efforts": [{"start_s": 1.4, "end_s": 4.4, "held_deg": 31.0, "uncertainty_deg": 3.4},
                               {"start_s": 6.0, "end_s": 9.0, "held_deg": 43.9, "uncertainty_deg": 5.5}]}}
    fig = angle_figure(r)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    labels = [a.get_window_extent(renderer) for a in fig.axes[0].texts
              if isinstance(a, Annotation) and a.get_text().startswith("held")]
    legend = (fig.legends or [fig.axes[0].get_legend()])[0].get_window_extent(renderer)
    assert len(labels) == 4
    for i, box in enumerate(labels):
        assert not box.overlaps(legend)
        assert not any(box.overlaps(other) for other in labels[i + 1:])


def test_an_effort_turned_the_other_way_is_named_in_the_efforts_table():
    """A foot swung inward (negative angle: external rotation) has no IR class; its badge said "no value"."""
    r = fixture("rotation")
    r["right"]["efforts"].append({"start_s": 13.0, "end_s": 15.0, "held_deg": -12.3, "uncertainty_deg": 4.7,
                                  "peak_deg": -13.3, "class": None})
    text = visible_text(render_report(r))
    assert "-12.3° ± 4.7° -13.3° external rotation (foot in)" in text.replace("−", "-")
    assert "no value" not in text


def test_two_legs_held_level_at_once_get_one_label_above_and_one_below():
    """At exactly the same held value both labels moved under their bars, on top of each other again."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Annotation

    from hipvision.report.plots import angle_figure

    t = np.arange(0, 8, 0.1)
    hold = (t > 1.4) & (t < 4.4)
    effort = {"start_s": 1.4, "end_s": 4.4, "held_deg": 40.0, "uncertainty_deg": 3.0}
    r = {"thresholds_deg": {"functional": 30, "target": 45},
         "series": {"t_s": t.tolist(), "left_deg": np.where(hold, 40.0, 1.0).tolist(),
                    "right_deg": np.where(hold, 40.0, 1.0).tolist()},
         "left": {"efforts": [dict(effort)]}, "right": {"efforts": [dict(effort)]}}
    fig = angle_figure(r)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    labels = [a.get_window_extent(renderer) for a in fig.axes[0].texts
              if isinstance(a, Annotation) and a.get_text().startswith("held")]
    assert len(labels) == 2 and not labels[0].overlaps(labels[1])
