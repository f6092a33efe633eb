"""A recording in the wrong posture for the command names the posture it was in (`core.posture_check`), in the
rotation and circles results, their JSON and next steps, not another cause ("not visible", "camera higher")."""

import json
from pathlib import Path

import numpy as np
import pytest

from test_posture import POSES, circling, held, see
from test_sound_cues import camera  # noqa: F401 (a fixture: a stand-in camera and pose model)
from fixtures import skeletons as sk
from hipvision.core.circles import analyze_circles
from hipvision.core.posture import QUADRUPED, SEATED
from hipvision.core.posture_check import STANDING, posture_mismatch, posture_shares
from hipvision.core.rotation import analyze_rotation
from hipvision.io.result_schema import validate_result
from hipvision.io import load_sequence

FIXTURES = Path(__file__).parent / "fixtures" / "mediapipe_circles"


@pytest.mark.parametrize("pose,heading,cam,expected,found", [
    ("quadruped", 90, "front", SEATED, QUADRUPED),
    ("quadruped", 45, "front_high", SEATED, QUADRUPED),
    ("seated", 0, "front", QUADRUPED, SEATED),
    ("seated", 0, "oblique", QUADRUPED, SEATED),
    ("standing", 0, "front", SEATED, STANDING),
    ("standing", 30, "front_high", QUADRUPED, STANDING),
    ("seated", 0, "front", SEATED, None),
    ("quadruped", 90, "front", QUADRUPED, None),
])
def test_the_posture_held_is_named_when_it_is_not_the_one_measured(pose, heading, cam, expected, found):
    seq = see(held(POSES[pose], 4.0, heading_deg=heading), cam, seed=heading)
    got = posture_mismatch(seq, expected)
    if found is None:
        assert got is None
    else:
        assert (got.expected, got.found) == (expected, found)
        assert got.share == pytest.approx(1.0, abs=0.05) and got.expected_share == 0.0


@pytest.mark.parametrize("measured_share, mismatch", [(None, True), (0.29, True), (0.3, False), (1.0, False)])
def test_no_mismatch_where_the_analysis_itself_saw_its_posture(measured_share, mismatch):
    """When the analysis's own test of its posture passed 30% of the frames or more, the classifier is not taken
    over it (a seated person filmed from high above read as standing)."""
    seq = see(held(POSES["quadruped"], 4.0, heading_deg=90), "front")
    got = posture_mismatch(seq, SEATED, measured_share=measured_share)
    assert (got is not None) == mismatch


def test_a_body_never_seen_is_no_posture_mismatch():
    seq = see(held(POSES["quadruped"], 4.0, heading_deg=90), dropout=1.0)
    assert posture_shares(seq)["other"] == 1.0
    assert posture_mismatch(seq, SEATED) is None


def test_seated_rotation_of_a_hands_and_knees_recording_says_so_and_what_to_run():
    seq = see(held(POSES["quadruped"], 6.0, heading_deg=90), "front")
    result = analyze_rotation(seq)
    assert not result.left.measured and not result.right.measured
    assert result.posture is not None and result.posture.found == QUADRUPED
    assert result.warnings[0].startswith("You were on hands and knees in 100% of the frames, not seated; ")
    assert "hipvision circles VIDEO" in result.warnings[0] and "hipvision session VIDEO" in result.warnings[0]
    assert not any("rejected" in w for w in result.warnings)
    assert len(result.next_steps) == 1 and "hipvision circles VIDEO" in result.next_steps[0]
    d = result.to_dict()
    assert d["posture_mismatch"] == {"expected": "seated", "found": "quadruped", "share": 1.0, "expected_share": 0.0}
    validate_result(d)


def test_seated_rotation_of_a_seated_recording_is_unchanged():
    seq = see(held(sk.seated(ir_left_deg=20, ir_right_deg=25), 4.0), "front")
    result = analyze_rotation(seq)
    assert result.posture is None and result.to_dict()["posture_mismatch"] is None
    assert not any(w.startswith("You were") for w in result.warnings)


def test_circles_of_a_seated_recording_say_seated_and_low_confidence_for_that_alone():
    seq = see(held(POSES["seated"], 6.0), "front")
    result = analyze_circles(seq)
    assert result.posture is not None
    assert result.confidence.level == "low"
    assert result.confidence.reasons == ("You were seated in 100% of the frames, not on hands and knees",)
    assert not any("camera a little higher" in r for r in result.confidence.reasons)
    assert result.sets and all(st.confidence == result.confidence for st in result.sets)
    assert result.warnings[0].startswith("You were seated in 100% of the frames, not on hands and knees; ")
    assert not any(w.startswith("on hands and knees in only") for w in result.warnings)  # said better above
    assert "no hip circles found" not in result.warnings  # ... as is this
    assert result.next_steps == (result.posture.next_step,) and "hipvision rotation VIDEO" in result.next_steps[0]
    d = result.to_dict()
    assert d["posture_mismatch"]["found"] == "seated" and d["next_steps"] == list(result.next_steps)
    validate_result(d)


def test_the_terminal_does_not_ask_a_seated_person_for_more_circles(capsys):
    """Circles of a seated recording: no "set: … do 5 more clockwise" nor "start position not seen" under the
    posture's warning (they read as if the person had been on hands and knees)."""
    from hipvision.commands.circles import print_summary

    seq = see(held(POSES["seated"], 6.0), "front")
    print_summary(analyze_circles(seq).to_dict())
    out = capsys.readouterr().out
    assert "You were seated" in out and "do 5 more" not in out and "start position" not in out
    print_summary({**analyze_circles(seq).to_dict(), "posture_mismatch": None})  # without it, as before
    assert "do 5 more" in capsys.readouterr().out


def test_the_report_of_a_seated_recording_shows_no_circles_path_quality_or_start_position():
    from hipvision.report import render_report

    seq = see(held(POSES["seated"], 6.0), "front")
    html = render_report(analyze_circles(seq).to_dict())
    assert "You were seated in 100% of the frames" in html
    for absent in ("do 5 more", "<h3>Start position</h3>", "Pelvis path seen from above"):
        assert absent not in html, absent
    html = render_report({**analyze_circles(seq).to_dict(), "posture_mismatch": None})  # without it, as before
    assert "<h3>Start position</h3>" in html and "do 5 more" in html


def test_circles_of_a_standing_recording_say_standing():
    seq = see(held(POSES["standing"], 6.0), "front")
    result = analyze_circles(seq)
    assert result.warnings[0].startswith("You were standing in 100% of the frames, not on hands and knees; ")


def test_circles_on_hands_and_knees_are_left_as_they_are():
    at, seconds = circling(8.0, heading_deg=90)
    seq = see(np.stack([at(t) for t in np.arange(int(seconds * 30)) / 30]), "front")
    result = analyze_circles(seq)
    assert result.posture is None and "posture_mismatch" not in result.to_dict()
    assert result.confidence.level == "high" and not any(w.startswith("You were") for w in result.warnings)


@pytest.mark.parametrize("name, share", [("hip_circles_side", (0.95, 1.0)), ("standing_rocking_side", (0.6, 0.85))])
def test_real_pose_model_on_the_hip_circles_sample_says_hands_and_knees_to_the_seated_test(name, share):
    """MediaPipe's poses of samples/hip_circles.mp4 (on all fours throughout) and standing_rocking.mp4 (standing
    5 s, then on all fours rocking: 74% of the frames)."""
    seq = load_sequence(FIXTURES / f"{name}.npz")
    result = analyze_rotation(seq)
    assert result.posture.found == QUADRUPED and share[0] <= result.posture.share <= share[1]
    assert result.warnings[0].startswith("You were on hands and knees in ")
    assert posture_mismatch(seq, QUADRUPED) is None


def test_the_live_seated_test_tells_a_person_on_hands_and_knees_so():
    from hipvision.core.rotation.stream import ON_ALL_FOURS, FrameArrays, RotationTracker

    def messages(seq):
        tracker = RotationTracker(frame_size=seq.frame_size)
        return [tracker.update(FrameArrays(seq.image[i], seq.visibility[i], seq.world[i]), float(t)).message
                for i, t in enumerate(seq.timestamps_s)]

    on_all_fours = messages(see(held(POSES["quadruped"], 2.0, heading_deg=90), "front"))
    assert on_all_fours[-1] == ON_ALL_FOURS and on_all_fours.count(ON_ALL_FOURS) > 0.9 * len(on_all_fours)
    assert ON_ALL_FOURS not in messages(see(held(POSES["standing"], 2.0), "front"))


def test_live_circles_of_a_seated_person_say_seated_in_the_view_and_the_saved_result():
    from hipvision.draw.circles import confidence_cues
    from hipvision.live.circles_recount import BackgroundRecount

    seq = see(held(POSES["seated"], 6.0), "front")
    recount = BackgroundRecount()
    try:
        result = recount.final(seq)
    finally:
        recount.close()
    assert result.posture.found == SEATED
    assert any("You were seated in 100% of the frames" in cue for cue in confidence_cues(result.confidence))
    assert result.to_dict()["posture_mismatch"]["found"] == "seated"


def test_live_circles_of_a_seated_person_name_the_live_commands(camera, tmp_path, capsys):
    """`circles --camera` of a seated person: the warning and the only next step name the live commands
    ('hipvision rotation --camera …', the camera given), not 'hipvision rotation VIDEO' (a file to record first)."""
    from hipvision.cli import main

    camera(see(held(POSES["seated"], 6.0), "front"))
    out = tmp_path / "c.json"
    assert main(["circles", "--camera", "stand-in", "--no-window", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    live = "run 'hipvision rotation --camera stand-in' (or 'hipvision session --camera stand-in' for test"
    assert d["warnings"][0].startswith("You were seated in 100% of the frames, not on hands and knees; ")
    assert live in d["warnings"][0] and len(d["next_steps"]) == 1 and live in d["next_steps"][0]
    assert d["posture_mismatch"]["found"] == "seated"
    terminal = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "hipvision rotation --camera stand-in" in terminal and "VIDEO" not in terminal


def test_the_live_input_is_quoted_for_a_shell():
    from hipvision.commands.common import live_input
    from hipvision.core.posture_check import file_input

    assert live_input("0") == "--camera 0"
    assert live_input("my clip.mp4") == '--camera "my clip.mp4"'
    assert file_input("a/b.mp4") == "a/b.mp4" and file_input('it\'s "$5".mp4') == '"it\'s \\"\\$5\\".mp4"'


@pytest.mark.slow
def test_live_circles_of_the_seated_sample_as_camera_name_the_live_commands(tmp_path, capsys):
    """Real MediaPipe: `hipvision circles --camera samples/seated_ir.mp4` (a seated IR test played as a camera)."""
    from hipvision.cli import main

    video = Path(__file__).parents[1] / "samples" / "seated_ir.mp4"
    out = tmp_path / "c.json"
    assert main(["circles", "--camera", str(video), "--no-window", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["posture_mismatch"]["found"] == "seated"
    assert d["next_steps"] == [f"This looks like a seated IR test: run 'hipvision rotation --camera {video}' (or "
                               f"'hipvision session --camera {video}' for test → circles → re-test)."]
    assert "VIDEO" not in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("command, pose, heading, other", [("circles", "seated", 0, "rotation"),
                                                           ("rotation", "quadruped", 90, "circles")])
def test_a_file_in_the_wrong_posture_names_the_command_to_run_on_that_file(command, pose, heading, other, tmp_path,
                                                                           capsys):
    """`hipvision circles clip.npz` of a seated recording: "run 'hipvision rotation <that file>'", quoted for the
    shell, not 'VIDEO'; the same for `rotation` of a hands-and-knees recording."""
    from hipvision.cli import main
    from hipvision.io import save_sequence

    clip = tmp_path / "my clip.npz"
    save_sequence(see(held(POSES[pose], 6.0, heading_deg=heading), "front"), clip)
    out = tmp_path / "r.json"
    assert main([command, str(clip), "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    named = f"run 'hipvision {other} \"{clip}\"' (or 'hipvision session \"{clip}\"' for test"
    assert named in d["warnings"][0] and len(d["next_steps"]) == 1 and named in d["next_steps"][0]
    assert "VIDEO" not in " ".join(capsys.readouterr().out.split())


def test_the_circles_analysis_reads_the_posture_features_once(monkeypatch):
    """Its posture gate (`analyze.on_all_fours`) and the posture check (`posture_mismatch`) share one
    `posture_features` of the sequence (5 ms of a 165 ms analysis of samples/hip_circles, which the live view
    repeats every 0.5 s); the result is the same as with each computing its own."""
    import hipvision.core.circles.analyze as analyze
    import hipvision.core.posture_check as check

    seq = load_sequence(FIXTURES / "hip_circles_side.npz")
    alone = posture_mismatch(seq, SEATED)
    calls = []
    real = analyze.posture_features

    def counted(s):
        calls.append(len(s))
        return real(s)

    monkeypatch.setattr(analyze, "posture_features", counted)
    monkeypatch.setattr(check, "posture_features", counted)
    result = analyze_circles(seq)
    assert calls == [len(seq)]
    assert result.posture is None and alone is not None and alone.found == QUADRUPED
    shared = posture_mismatch(seq, SEATED, features=real(seq))
    assert shared == alone
