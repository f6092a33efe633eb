"""The live session: guided view that follows the posture, and a saved result equal to the offline analysis."""

import json
from pathlib import Path

import numpy as np
import pytest

from circles_cases import check_shown

from fixtures import skeletons as sk
from hipvision.cli import main as cli
from hipvision.core.posture import OTHER, QUADRUPED, SEATED, segment_postures
from hipvision.io import to_json_text
from hipvision.live.session import SessionLive
from hipvision.sequence import effective_fps
from hipvision.pose import FramePose
from hipvision.core.session import analyze_session
from test_posture import FPS, circling, see
from test_session import seated_effort

SAMPLES = Path(__file__).parents[1] / "samples"


def frame_poses(seq):
    return [FramePose(float(seq.timestamps_s[i]), seq.image[i], seq.visibility[i], seq.presence[i], seq.world[i])
            for i in range(len(seq))]


def as_json(d: dict) -> dict:
    return json.loads(to_json_text(d))


def replay(seq):
    """``seq`` played frame by frame through a `SessionLive`: (the live analyzer after all frames, live posture per
    frame, 'before' values shown per frame)."""
    live = SessionLive(frame_size=seq.frame_size, fps=FPS, source="synthetic", model="none")
    shown, before = [], []
    for pose in frame_poses(seq):
        live.update(pose)
        shown.append(live.posture)
        before.append(live.before_held_deg)
    return live, shown, before


@pytest.fixture(scope="module")
def routine():
    """IR 25°/20° before, 35°/30° after; 20 s of circles in between; (sequence, live analyzer after all frames,
    live posture per frame, 'before' values shown per frame)."""
    joints = sk.timeline([seated_effort(8, 25, 20), circling(20, heading_deg=90), seated_effort(8, 35, 30)], fps=FPS)
    seq = see(joints, "front", seed=2)
    return (seq, *replay(seq))


def test_the_view_follows_seated_then_circles_then_seated(routine):
    seq, live, shown, _ = routine
    assert live.phases_seen == [SEATED, QUADRUPED, SEATED]
    offline = np.empty(len(seq), dtype=object)
    for p in segment_postures(seq):
        offline[p.start_index:p.stop_index] = p.kind
    agree = np.mean([a == b for a, b in zip(shown, offline)])
    assert agree > 0.9, agree  # the live posture lags by a fraction of a second, no more


def test_the_second_seated_phase_shows_the_first_phases_held_values_as_before(routine):
    _, live, shown, before = routine
    last = before[-1]
    assert last is not None and last == pytest.approx([25.0, 20.0], abs=1.5)
    assert all(b is None for b, p in zip(before, shown) if p != SEATED)
    assert live.seated_held[-1] == pytest.approx([35.0, 30.0], abs=1.5)


def test_the_saved_result_is_the_offline_session_analysis_of_the_same_frames(routine):
    seq, live, _, _ = routine
    got, want = as_json(live.result()), as_json(analyze_session(seq).to_dict())
    assert got["change_deg"] == want["change_deg"]
    assert got["change_deg"]["left"] == pytest.approx(10.0, abs=1.5)
    assert [(p["kind"], p["status"], p["start_s"], p["end_s"]) for p in got["phases"]] == \
        [(p["kind"], p["status"], p["start_s"], p["end_s"]) for p in want["phases"]]


def test_next_step_follows_the_routine_and_r_starts_over():
    live = SessionLive(frame_size=(640, 480), fps=FPS)
    assert "sit" in live.next_step_text()
    live.phases_seen = [SEATED]
    assert "hands and knees" in live.next_step_text()
    assert "about 45°" in live.next_step_text() and "within about 2.5 m" in live.next_step_text()  # where it counts
    live.phases_seen = [SEATED, QUADRUPED]
    assert "again" in live.next_step_text()
    live.on_key("r")
    assert live.phases_seen == [] and len(live.frames) == 0 and live.posture == OTHER


def test_every_posture_draws_its_view(routine):
    seq, _, _, _ = routine
    poses = frame_poses(seq)
    live = SessionLive(frame_size=seq.frame_size, fps=FPS)
    drawn = {}
    for pose in poses:
        live.update(pose)
        if live.posture not in drawn and len(live.frames) > 10:
            image = np.zeros((seq.frame_size[1], seq.frame_size[0], 3), np.uint8)
            live.draw_scene(image, pose)
            live.draw_hud(image)
            drawn[live.posture] = image
    assert set(drawn) == {OTHER, SEATED, QUADRUPED}
    for posture, image in drawn.items():
        assert image.any(), posture
    assert not np.array_equal(drawn[SEATED], drawn[QUADRUPED])


def test_effective_fps_is_the_rate_frames_came_at():
    joints = sk.timeline([seated_effort(2, 0, 0)], fps=FPS)
    seq = see(joints)
    every_third = type(seq)(seq.timestamps_s[::3], seq.image[::3], seq.visibility[::3], seq.presence[::3],
                            seq.world[::3], seq.frame_size, fps=FPS)
    assert effective_fps(seq).fps == pytest.approx(FPS)
    assert effective_fps(every_third).fps == pytest.approx(FPS / 3)


@pytest.mark.parametrize("args, says", [
    ([], "--camera"),
    (["x.mp4", "--camera", "0"], "not both"),
    (["x.npz", "--record", "r.mp4"], "--record is for --camera"),
])
def test_session_command_input_errors_are_one_line(tmp_path, monkeypatch, capsys, args, says):
    monkeypatch.chdir(tmp_path)
    assert cli(["session", *args]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


@pytest.mark.slow
def test_live_session_on_the_sample_played_as_a_camera(tmp_path, model_path, capsys):
    out = tmp_path / "live.json"
    code = cli(["session", "--camera", str(SAMPLES / "session.mp4"), "--no-window", "--json", str(out),
                "--record", str(tmp_path / "live.mp4"), "--report", str(tmp_path / "live.html")])
    assert code == 0, capsys.readouterr().err
    d = json.loads(out.read_text())
    truth = json.loads((SAMPLES / "session.json").read_text())
    assert [p["kind"] for p in d["phases"] if p["kind"] != "other"] == ["seated", "quadruped", "seated"]
    for side in ("left", "right"):
        assert d["change_deg"][side] == pytest.approx(truth["change_deg"][side], abs=3.0), side
    circles = [p for p in d["phases"] if p["kind"] == "quadruped"][0]["result"]
    delays = check_shown(d["shown"], {k: circles[k] for k in ("clockwise", "counterclockwise")}, circles["reps"])
    print("shown after each circle closed (s):", [round(x, 2) for x in delays])
    assert (tmp_path / "live.mp4").stat().st_size > 0
    # the report shows what the camera saw at the held angles and during the circles (kept while live)
    html = (tmp_path / "live.html").read_text()
    assert html.count('src="data:image/jpeg;base64,') >= 6 and "Key frames left out" not in html


def test_after_the_retest_the_view_shows_before_to_after_per_leg(routine):
    import re

    from test_live_view import overlap, status_box

    _, live, _, _ = routine
    assert live.retested
    (left, _), (right, _) = live.change_lines()
    for text, before, after in ((left, 25.0, 35.0), (right, 20.0, 30.0)):
        b, ub, a, ua, change, uc = (float(x) for x in re.findall(r"([+-]?\d+)°", text))
        # each held value with its ±, and the change with the two's combined ±
        assert re.fullmatch(r"\w+  \d+° ± \d+° → \d+° ± \d+°  \([+-]\d+° ± \d+°\)", text)
        assert abs(uc - np.hypot(ub, ua)) <= 1.0
        assert (b, a) == (pytest.approx(before, abs=1.5), pytest.approx(after, abs=1.5))
        assert 0 < ub < 10 and 0 < ua < 10
        assert change == a - b and "→" in text
    assert live.change_text() in live.status_text()
    live.posture = OTHER  # stood up after the re-test: the last screen keeps the change
    for w, h in ((640, 480), (1280, 720)):
        image = np.zeros((h, w, 3), np.uint8)
        boxes = live.draw_hud(image) + [status_box(image)]
        assert len(boxes) == 3 and not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


@pytest.mark.parametrize("phases, retested", [([SEATED, QUADRUPED, SEATED], True), ([SEATED, QUADRUPED], False),
                                              ([QUADRUPED, SEATED], False), ([SEATED, SEATED], False),
                                              ([SEATED, OTHER, QUADRUPED, SEATED, QUADRUPED], True)])
def test_the_retest_is_a_seated_phase_on_each_side_of_the_circles(phases, retested):
    live = SessionLive(frame_size=(640, 480), fps=FPS)
    live.phases_seen = phases
    assert live.retested is retested


def test_the_terminal_status_gives_the_held_values_before_the_retest():
    """`session --camera … --no-window`: the status line gave only "now L 3°  R 2°" while seated; the window
    (and `rotation --camera`) show each leg's best held value with its ±, and so does the line now."""
    import re

    joints = sk.timeline([seated_effort(8, 25, 20)], fps=FPS)
    seq = see(joints, "front", seed=2)
    live = SessionLive(frame_size=seq.frame_size, fps=FPS, source="synthetic", model="none")
    for pose in frame_poses(seq):
        live.update(pose)
    line = live.status_text()
    held = re.search(r"held L (\d+)° ± (\d+)°  R (\d+)° ± (\d+)°", line)
    assert held, line
    assert (float(held[1]), float(held[3])) == (pytest.approx(25, abs=1.5), pytest.approx(20, abs=1.5))
    live.seated_uncertainty[-1] = np.array([np.nan, 3.0])  # the left leg not measured (yet): its rest level is no held value
    assert "held L --  R " in live.status_text()


def test_a_leg_not_yet_turned_in_the_retest_shows_no_change():
    """During the re-test, before the left foot is turned, the live tracker's best left level is its rest (3°):
    the view read "left 25° ± 4° -> 3° (-22°)" in red. A leg shows a value once the analysis measured it (a ±)."""
    live = SessionLive(frame_size=(640, 480), fps=FPS, source="synthetic", model="none")
    live.phases_seen = ["seated", "quadruped", "seated"]
    live.seated_held = [np.array([25.0, 26.0]), np.array([3.0, 38.0])]
    live.seated_uncertainty = [np.array([3.6, 3.5]), np.array([np.nan, 3.7])]
    (left, _), (right, _) = live.change_lines()
    assert left == "left  25° ± 4° → --"
    assert right == "right  26° ± 4° → 38° ± 4°  (+12° ± 5°)"   # ± √(3.5² + 3.7²) = 5.1°


def test_a_test_split_in_two_seated_phases_shows_each_legs_change_as_saved():
    """The classifier lost the seated person between the two legs' efforts: the left leg was measured in the first
    seated phase, the right in the second. The view compares each leg's piece with the re-test, as the saved result
    does (`compared_phases`); before, the right leg read "-- → 33°" with no change."""
    live = SessionLive(frame_size=(640, 480), fps=FPS, source="synthetic", model="none")
    live.phases_seen = ["seated", "seated", "quadruped", "seated"]
    live.seated_held = [np.array([30.0, 3.0]), np.array([2.0, 25.0]), np.array([36.0, 33.0])]
    live.seated_uncertainty = [np.array([3.6, np.nan]), np.array([np.nan, 3.5]), np.array([3.7, 3.7])]
    (left, _), (right, _) = live.change_lines()
    assert left == "left  30° ± 4° → 36° ± 4°  (+6° ± 5°)"
    assert right == "right  25° ± 4° → 33° ± 4°  (+8° ± 5°)"


def test_the_gauge_shows_no_best_for_a_leg_not_measured_yet(monkeypatch):
    """Step 1, before a foot is turned: the gauges read "best 3°" and "best 5°" (the tracker's best level of a
    resting leg, `samples/session.mp4` at 8 s). A gauge shows a best value once the phase's analysis measured
    that leg (it has a ±), as the change lines and the status line do."""
    from hipvision.live import session as live_session

    joints = sk.timeline([seated_effort(8, 25, 20)], fps=FPS)
    seq = see(joints, "front", seed=2)
    live = SessionLive(frame_size=seq.frame_size, fps=FPS, source="synthetic", model="none")
    for pose in frame_poses(seq):
        live.update(pose)
    seen = {}
    monkeypatch.setattr(live_session, "draw_leg_hud", lambda image, **kw: seen.update(kw) or [])
    live.draw_hud(np.zeros((480, 640, 3), np.uint8))
    assert np.all(np.isfinite(seen["best_deg"]))  # both measured
    live.seated_uncertainty[-1] = np.array([np.nan, 3.0])  # the left leg not measured (yet)
    live.draw_hud(np.zeros((480, 640, 3), np.uint8))
    assert np.isnan(seen["best_deg"][0]) and np.isfinite(seen["best_deg"][1])


def test_a_change_line_too_wide_for_the_panel_wraps_between_readings_not_inside_one():
    """At 640 px the re-test line wrapped as "… 43° ± 4° (+18°" / "± 5°)": a "±" never starts or ends a line."""
    from hipvision import draw
    from hipvision.live.session import _unbroken

    line = "left  25° ± 4° → 43° ± 4°  (+18° ± 5°)"
    (drawn, _), = _unbroken([(line, (255, 255, 255))])
    size = 16.0
    for width in (120, 180, 240, 300):
        lines = draw.wrap_text(drawn, size, width)
        assert not any(ln.startswith("±") or ln.endswith("±") or ln.startswith(draw.NBSP) for ln in lines), lines
        assert "(+18°" + draw.NBSP + "±" + draw.NBSP + "5°)" in lines[-1]
    assert draw.text_size(drawn, size) == draw.text_size(line.replace("→", "->"), size)  # drawn as plain spaces
    assert drawn.replace(draw.NBSP, " ") == line


def test_seated_phases_seen_from_above_show_the_seated_view():
    """From 35° above the knees, with the depth cut to half, the posture classifier sees neither posture in the
    seated phases (`test_session.test_seated_phases_the_posture_classifier_misses_from_above_are_measured_by_the_
    seated_test`); the seated test measures the legs there, so the seated view is shown, with the first phase's
    values as "before" in the second, and the saved result has both seated phases."""
    from test_posture import session_seen_from_above

    seq = session_seen_from_above()
    assert SEATED not in {p.kind for p in segment_postures(seq)}
    live, shown, before = replay(seq)
    assert live.phases_seen == [SEATED, QUADRUPED, SEATED]
    t = seq.timestamps_s
    seated_true = (t >= 2.0) & (t < 8.0) | (t >= 30.0)     # seated 0-8 s and 28-36 s; the first 2 s decide it
    assert np.mean([s == SEATED for s, on in zip(shown, seated_true) if on]) > 0.9
    assert np.mean([s == SEATED for s, on in zip(shown, (t >= 11.0) & (t < 25.0)) if on]) == 0.0
    assert before[-1] is not None and np.isfinite(before[-1][0])
    saved = live.result()
    assert [p["kind"] for p in saved["phases"] if p["status"] == "analysed"] == [SEATED, QUADRUPED, SEATED]


def test_the_live_circles_phase_words_its_advice_as_the_session_does():
    """The live session's circles view shows the analyses of `in_session` (the person turns, the camera stays for the
    re-test), as the saved session result does: a routine with the hips toward the camera, replayed up to the end of
    the circles, shows no reason that asks to move the camera."""
    from hipvision.core.circles.in_session import in_session

    joints = sk.timeline([seated_effort(6, 25, 20), circling(16, heading_deg=180)], fps=FPS)
    seq = see(joints, "front", seed=2)
    live, _, _ = replay(seq)
    assert live._circles is not None and live._circles.recount.wording is in_session
    latest = live._circles.recount.latest
    assert latest is not None
    said = [*latest.warnings, *latest.confidence.changes]
    assert any("turn so that the camera sees you" in w for w in said)
    assert not any("film from higher up behind you" in w for w in said)
