"""Session analysis: phases, statuses and the before/after IR change, on synthetic sessions."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from fixtures import skeletons as sk
from hipvision.io import to_json_text
from hipvision.landmarks import LEG
from hipvision.core.session import analyze_session
from test_posture import FPS, circling, see

SIDES = ("left", "right")


class StubResult(dict):
    """A stand-in phase result: a dict that also answers like `RotationResult` / `CirclesResult` do."""

    def to_dict(self) -> dict:
        return dict(self)

    @property
    def valid_fraction(self):
        return self.get("valid_fraction")

    def leg(self, side):
        return SimpleNamespace(held_deg=self[side]["held_deg"])


def image_shank_rotation(seq, settings=None) -> StubResult:
    """Stand-in rotation analysis: median frontal shank angle per leg (degrees, outward positive); valid where the
    person was seen with the left thigh more than 45° from hanging (a stand-in for the seated test, which the session
    also asks about phases the posture classifier could not name)."""
    thigh = seq.world[:, LEG["left"]["knee"]] - seq.world[:, LEG["left"]["hip"]]
    drop = np.degrees(np.arccos(np.clip(thigh[:, 1] / np.linalg.norm(thigh, axis=1), -1.0, 1.0)))
    out = {"kind": "rotation", "valid_fraction": float(np.mean(seq.detected & (drop > 45.0)))}
    for side in SIDES:
        px = seq.image_px()
        d = px[:, LEG[side]["ankle"]] - px[:, LEG[side]["knee"]]
        # the person's left is on the image's right in a front view: outward = +x for left, -x for right
        sign = 1.0 if side == "left" else -1.0
        ang = np.degrees(np.arctan2(sign * d[:, 0], d[:, 1]))
        out[side] = {"held_deg": float(np.nanmedian(ang))}
    return StubResult(out)


def circles_stub(seq, settings=None) -> StubResult:
    return StubResult(kind="circles", t0=float(seq.timestamps_s[0]), t1=float(seq.timestamps_s[-1]), total=3,
                      confidence="high", confidence_reasons=[])


STUBS = {"seated": image_shank_rotation, "quadruped": circles_stub}


def seated_for(seconds, left, right):
    return (lambda t: sk.seated(ir_left_deg=left, ir_right_deg=right), seconds)


def seated_effort(seconds, left, right, *, rest_s=2.0, ramp_s=1.0):
    """Sit at rest (0°), then turn both feet out to ``left``/``right`` degrees and hold: the test as people do it
    (the rotation analysis anchors each knee on the resting frames)."""
    def pose_at(t):
        w = float(np.clip((t - rest_s) / ramp_s, 0.0, 1.0))
        return sk.seated(ir_left_deg=w * left, ir_right_deg=w * right)
    return (pose_at, seconds)


def standing_for(seconds):
    return (lambda t: sk.standing(), seconds)


def main_phases(res):
    """(kind, status) of the phases, without the short "other" transitions between positions."""
    return [(p.kind, p.status) for p in res.phases if not (p.kind == "other" and p.end_s - p.start_s < 1.0)]


def run(parts, *, dropout=0.0, **kw):
    joints = sk.timeline(parts, fps=FPS, transition_s=2.0)
    return analyze_session(see(joints, "front", dropout=dropout, seed=5), analyzers=STUBS, **kw)


def test_before_after_change_per_leg_comes_from_first_and_last_seated_phase():
    res = run([seated_for(8, 25, 20), circling(16, heading_deg=90), seated_for(8, 33, 26)])
    assert main_phases(res) == [("seated", "analysed"), ("quadruped", "analysed"), ("seated", "analysed")]
    assert all(p.status == "skipped" and p.result is None for p in res.phases if p.kind == "other")
    assert res.change_deg["left"] == pytest.approx(8.0, abs=1.0)
    assert res.change_deg["right"] == pytest.approx(6.0, abs=1.0)
    circles = [p for p in res.phases if p.kind == "quadruped"][0].result
    assert 8.5 <= circles["t0"] <= 11.0 and 25.0 <= circles["t1"] <= 27.5  # the analysis got its phase only
    assert not [w for w in res.warnings if "seated phase" in w]


def test_json_has_the_session_shape():
    res = run([seated_for(5, 30, 30), circling(8, heading_deg=90), seated_for(5, 35, 30)])
    d = json.loads(to_json_text(res.to_dict()))
    assert d["kind"] == "session" and d["schema_version"] == 1
    assert set(d) >= {"software", "model", "source", "duration_s", "warnings", "phases", "change_deg"}
    assert d["software"]["hipvision"]
    assert set(d["change_deg"]) == {"left", "right"}
    for p in d["phases"]:
        assert set(p) >= {"kind", "start_s", "end_s", "status", "result"}
        assert p["status"] in {"analysed", "too_short", "poorly_seen", "skipped"}
    assert d["phases"][0]["start_s"] == 0.0 and d["phases"][-1]["end_s"] == pytest.approx(d["duration_s"], abs=0.01)


@pytest.mark.parametrize("parts,expected,change_known", [
    # a 1.5 s circle phase (+ half of each 2 s transition) is too short to count circles
    ([seated_for(6, 30, 30), circling(1.5, heading_deg=90), seated_for(6, 36, 33)],
     [("seated", "analysed"), ("quadruped", "too_short"), ("seated", "analysed")], True),
    # standing between the measurements is skipped, not guessed
    ([seated_for(6, 30, 30), standing_for(5), seated_for(6, 36, 33)],
     [("seated", "analysed"), ("other", "skipped"), ("seated", "analysed")], True),
    # only one seated measurement: no change
    ([seated_for(6, 30, 30), circling(10, heading_deg=90)],
     [("seated", "analysed"), ("quadruped", "analysed")], False),
])
def test_statuses(parts, expected, change_known):
    res = run(parts, min_phase_s=4.0)
    assert main_phases(res) == expected
    assert all(p.result is None for p in res.phases if p.status in ("too_short", "skipped"))
    if change_known:
        assert res.change_deg["left"] == pytest.approx(6.0, abs=1.0)
        assert res.change_deg["right"] == pytest.approx(3.0, abs=1.0)
    else:
        assert res.change_deg == {"left": None, "right": None}
        assert any("needs two" in w for w in res.warnings)


def test_a_poorly_seen_phase_is_reported_and_not_used_for_the_change():
    joints = sk.timeline([seated_for(6, 30, 30), circling(10, heading_deg=90), seated_for(6, 40, 40)],
                         fps=FPS, transition_s=2.0)
    rng = np.random.default_rng(0)
    last = np.arange(len(joints) - int(6 * FPS), len(joints))
    joints[rng.choice(last, size=int(0.6 * len(last)), replace=False)] = np.nan  # 60% of the last phase lost
    res = analyze_session(see(joints, "front", seed=1), analyzers=STUBS, min_run_s=1.0)
    assert res.phases[-1].kind == "seated" and res.phases[-1].status == "poorly_seen"
    assert res.phases[-1].result is None
    assert res.change_deg == {"left": None, "right": None}
    assert any("seen in only" in w for w in res.warnings)


def test_seated_phase_with_too_few_valid_angles_keeps_its_result_but_is_poorly_seen():
    def low_validity(seq):
        return StubResult({**image_shank_rotation(seq), "valid_fraction": 0.3})

    res = run([seated_for(6, 30, 30), circling(8, heading_deg=90), seated_for(6, 36, 33)])
    assert res.change_deg["left"] is not None
    joints = sk.timeline([seated_for(6, 30, 30), circling(8, heading_deg=90), seated_for(6, 36, 33)], fps=FPS)
    res = analyze_session(see(joints), analyzers={"seated": low_validity, "quadruped": circles_stub})
    seated = [p for p in res.phases if p.kind == "seated"]
    assert [p.status for p in seated] == ["poorly_seen", "poorly_seen"]
    assert all(p.result is not None for p in seated)
    assert res.change_deg == {"left": None, "right": None}


@pytest.mark.parametrize("cam", ["front", "front_high"])
def test_real_analyses_measure_a_synthetic_session(cam):
    pytest.importorskip("hipvision.core.rotation")
    pytest.importorskip("hipvision.core.circles")
    # IR 25°/20° before, 35°/30° after; 20 s of counter-clockwise circles (forward → left → back → right), 4 s each
    joints = sk.timeline([seated_effort(8, 25, 20), circling(20, heading_deg=90), seated_effort(8, 35, 30)], fps=FPS)
    d = json.loads(to_json_text(analyze_session(see(joints, cam, seed=2)).to_dict()))
    assert main_kinds(d) == ["seated", "quadruped", "seated"]
    assert d["change_deg"]["left"] == pytest.approx(10.0, abs=1.5)
    assert d["change_deg"]["right"] == pytest.approx(10.0, abs=1.5)
    circles = next(p["result"] for p in d["phases"] if p["kind"] == "quadruped")
    assert (circles["counterclockwise"], circles["clockwise"]) == (5, 0)


def main_kinds(d):
    return [p["kind"] for p in d["phases"] if p["status"] == "analysed"]


def test_session_command_writes_json_csv_report_and_history(tmp_path, monkeypatch, capsys):
    from hipvision.core import session as session_mod
    from hipvision.cli import main as cli
    from hipvision.io.history import load_history
    from hipvision.io import save_sequence

    monkeypatch.setattr(session_mod, "analyze_rotation", image_shank_rotation)
    monkeypatch.setattr(session_mod, "analyze_circles", circles_stub)
    monkeypatch.setattr(session_mod, "in_session", lambda result: result)   # a stub result has no advice to reword
    monkeypatch.setenv("HIPVISION_HOME", str(tmp_path / "home"))
    joints = sk.timeline([seated_for(6, 25, 20), circling(10, heading_deg=90), seated_for(6, 31, 24)], fps=FPS)
    npz = save_sequence(see(joints), tmp_path / "poses.npz")
    out = {k: tmp_path / f"s.{k}" for k in ("json", "csv", "html")}
    code = cli(["session", str(npz), "--json", str(out["json"]), "--csv", str(out["csv"]),
                "--report", str(out["html"]), "--subject", "Alex", "--save"])
    assert code == 0, capsys.readouterr().err
    d = json.loads(out["json"].read_text())
    assert d["kind"] == "session" and d["change_deg"]["left"] == pytest.approx(6.0, abs=1.0)
    lines = out["csv"].read_text().splitlines()
    assert lines[0].startswith("phase,kind,start_s,end_s,status") and len(lines) == 1 + len(d["phases"])
    assert lines[1].split(",")[1:2] == ["seated"]
    assert "Before: seated hip rotation" in out["html"].read_text()
    rows = load_history("Alex")
    assert len(rows) == 1 and rows[0]["kind"] == "session" and rows[0]["left_after_deg"] is not None
    assert "IR change after the 3 hip circles" in capsys.readouterr().out


def test_session_command_refuses_save_without_subject_before_any_work(tmp_path, capsys):
    from hipvision.cli import main as cli

    assert cli(["session", str(tmp_path / "missing.mp4"), "--save"]) == 2
    assert "--subject" in capsys.readouterr().err
    assert cli(["session", str(tmp_path / "missing.mp4")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_session_reps_reach_the_circles_analysis(tmp_path, monkeypatch, capsys):
    """`--reps N` is the set's circles per direction in the circles analysis of every quadruped phase."""
    from hipvision.core import session as session_mod
    from hipvision.cli import main as cli
    from hipvision.io import save_sequence

    seen = []

    def circles_spy(seq, settings=None):
        seen.append(settings)
        return circles_stub(seq)

    monkeypatch.setattr(session_mod, "analyze_rotation", image_shank_rotation)
    monkeypatch.setattr(session_mod, "analyze_circles", circles_spy)
    monkeypatch.setattr(session_mod, "in_session", lambda result: result)
    joints = sk.timeline([seated_for(6, 25, 20), circling(10, heading_deg=90), seated_for(6, 31, 24)], fps=FPS)
    npz = save_sequence(see(joints), tmp_path / "poses.npz")
    assert cli(["session", str(npz), "--reps", "3"]) == 0, capsys.readouterr().err
    assert [s.target_per_direction for s in seen] == [3]
    assert cli(["session", str(npz)]) == 0
    assert seen[-1].target_per_direction == 5


@pytest.mark.slow
def test_session_annotate_draws_each_phase_on_every_frame(tmp_path, capsys):
    """`session --annotate`: one output frame per input frame; seated phases get the seated overlay, the
    circles phase the circles overlay (the real analyses on a synthetic session)."""
    import av

    from hipvision.cli import main as cli
    from hipvision.draw.circles import CirclesAnnotator
    from hipvision.draw.rotation import RotationAnnotator
    from hipvision.draw.session import SessionAnnotator
    from hipvision.io import save_sequence
    from hipvision.io.video_out import VideoWriterAtomic

    joints = sk.timeline([seated_effort(7, 25, 20), circling(13, heading_deg=90), seated_effort(7, 35, 30)], fps=FPS)
    seq = see(joints, seed=2)
    parts = SessionAnnotator(seq, analyze_session(seq)).parts
    drawers = [type(p.draw_frame).__name__ for p in parts if p.draw_frame is not None]
    assert drawers == [RotationAnnotator.__name__, CirclesAnnotator.__name__, RotationAnnotator.__name__]
    assert parts[-1].lines[-3:-2] == ("before:",) and parts[-1].lines[-2].startswith("L ")
    assert "before" not in " ".join(parts[0].lines)

    npz = save_sequence(seq, tmp_path / "poses.npz")
    w, h = seq.frame_size
    video = tmp_path / "routine.mp4"
    with VideoWriterAtomic(video, fps=FPS) as writer:
        for _ in range(len(seq)):
            writer.write(np.full((h, w, 3), 40, np.uint8))
    out = tmp_path / "annotated.mp4"
    assert cli(["session", str(npz), "--video", str(video), "--annotate", str(out)]) == 0, capsys.readouterr().err
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    assert len(frames) == len(seq)
    for t in (5.0, 14.0, 25.0):  # seated before, circles, seated after: an overlay on the plain grey
        changed = (np.abs(frames[int(t * FPS)].astype(int) - 40) > 30).any(axis=2).mean()
        assert changed > 0.02, t


def test_the_change_leaves_out_a_leg_whose_held_value_is_only_a_lower_bound():
    """A seated phase's leg "measured" but not measured where a larger effort may have been (`hold_not_measured`)
    gives no before/after change: its held value may be below the leg's, so a change from it could be a gain or
    loss that did not happen."""
    from hipvision.core.rotation.frame import Reason
    from hipvision.core.rotation.status import UnmeasuredHold
    from hipvision.core.session import held_deg

    gap = UnmeasuredHold(3.5, 5.0, Reason.MOVING)
    legs = {"left": SimpleNamespace(status="measured", held_deg=20.0, unmeasured=gap),
            "right": SimpleNamespace(status="measured", held_deg=35.0, unmeasured=None)}
    result = SimpleNamespace(leg=legs.__getitem__)
    assert (held_deg(result, "left"), held_deg(result, "right")) == (None, 35.0)


def test_seated_phases_the_posture_classifier_misses_from_above_are_measured_by_the_seated_test():
    """From 35° above the knees, with the pose model's depth (here cut to half), the posture classifier reads both
    seated phases as "other" (a rendered session from 31° above: no before/after change). The seated analysis of
    such a phase measured the legs in nearly every frame, so the phase is analysed as seated, with a line saying
    why; a standing phase stays "other" (`test_statuses`)."""
    from hipvision.core.posture import OTHER, SEATED, segment_postures
    from test_posture import session_seen_from_above

    seq = session_seen_from_above()
    assert SEATED not in {p.kind for p in segment_postures(seq)}          # what the classifier alone says
    res = analyze_session(seq)
    assert main_phases(res) == [("seated", "analysed"), ("quadruped", "analysed"), ("seated", "analysed")]
    assert res.change_deg["left"] == pytest.approx(7.0, abs=1.0)          # 25° → 32°
    assert sum("analysed as seated" in line for line in res.info) == 2
    assert not any("needs two" in w for w in res.warnings)
    assert all(p.kind != OTHER or p.result is None for p in res.phases)


@pytest.mark.parametrize("pitch_deg", [35.0, 45.0])
def test_seated_phases_merged_with_standing_from_above_are_split_at_the_seated_test(pitch_deg):
    """From 35-45° above the knees with the pose model's depth (here cut to half), seated, standing and seated again
    merge into one "other" phase (the classifier reads the seated thighs as hanging), of which the seated test passes
    under 60%. The phase is split at the seated test's own runs: two seated phases with the standing between them
    "other", and the before/after change per leg is the true one (25° → 31°, 30° → 36°)."""
    import dataclasses

    from hipvision.core.posture import segment_postures
    from hipvision.synthetic import PinholeCamera, sequence_from_joints

    joints = sk.timeline([seated_effort(8, 30, 25), standing_for(6), seated_effort(8, 36, 31)], fps=FPS,
                         transition_s=2.0)
    cam = PinholeCamera.looking_at(np.array([0.0, 0.6, 0.0]), distance_m=2.8, pitch_deg=pitch_deg)
    seq = sequence_from_joints(joints, cam, fps=FPS, noise_px=1.5, world_noise_m=0.01, dropout_fraction=0.05, seed=3)
    world = seq.world.copy()
    world[..., 2] *= 0.5
    seq = dataclasses.replace(seq, world=world)
    assert [p.kind for p in segment_postures(seq)] == ["other"]          # what the classifier alone says
    res = analyze_session(seq)
    kinds = [(p.kind, p.status) for p in res.phases]
    assert kinds == [("seated", "analysed"), ("other", "skipped"), ("seated", "analysed")]
    first, standing, last = res.phases
    assert first.start_s == 0.0 and 8.0 <= first.end_s <= 10.0            # seated 0-8 s, transition 8-10 s
    assert 16.0 <= standing.end_s <= 18.5 + 0.5                           # transition 16-18 s, seated from 18 s
    assert last.end_s == pytest.approx(seq.timestamps_s[-1])
    assert all(a.stop_index == b.start_index for a, b in zip(res.phases, res.phases[1:]))
    assert res.change_deg["left"] == pytest.approx(6.0, abs=1.5)
    assert res.change_deg["right"] == pytest.approx(6.0, abs=1.5)
    assert sum("analysed as seated" in line for line in res.info) == 2
    assert not any("needs two" in w for w in res.warnings)


@pytest.mark.parametrize("first_kind", ["seated", "other"])
def test_a_seated_test_the_classifier_lost_for_a_while_is_analysed_whole(monkeypatch, first_kind):
    """A rendered session filmed from in front of the chair: a left leg turned 34° out read "other" for 2.9 s, which
    split the first seated test in two (0-1.7 s too short, 4.6-11 s without the left leg's effort) and no change was
    reported. When the seated test measures the legs in the "other" run, the run and the seated phases around it are
    one seated phase, also when the test begins in such a run (another body: each leg's effort read "other", 0-5.7 s
    and 7.3-10.7 s); a stand between two tests (`test_statuses`) stays "other"."""
    import hipvision.core.session as session_module
    from hipvision.core.posture import OTHER, QUADRUPED, SEATED, PosturePhase

    parts = [seated_for(8, 25, 20), circling(16, heading_deg=90), seated_for(8, 33, 26)]
    seq = sk.timeline(parts, fps=FPS, transition_s=2.0)
    seq = see(seq, "front", seed=5)
    found = session_module.segment_postures(seq, min_run_s=1.0)
    assert [p.kind for p in found] == [SEATED, OTHER, QUADRUPED, OTHER, SEATED]
    first = found[0]
    cut_a, cut_b = first.start_index + int(2 * FPS), first.start_index + int(5 * FPS)
    t = seq.timestamps_s
    lost = [PosturePhase(first_kind, first.start_index, cut_a, first.start_s, float(t[cut_a]), 1.0),
            PosturePhase(OTHER, cut_a, cut_b, float(t[cut_a]), float(t[cut_b]), 1.0),
            PosturePhase(SEATED, cut_b, first.stop_index, float(t[cut_b]), first.end_s, 1.0), *found[1:]]
    monkeypatch.setattr(session_module, "segment_postures", lambda *a, **k: list(lost))
    res = analyze_session(seq, analyzers=STUBS)
    assert main_phases(res) == [("seated", "analysed"), ("quadruped", "analysed"), ("seated", "analysed")]
    assert res.phases[0].start_s == first.start_s and res.phases[0].end_s == first.end_s
    assert res.change_deg["left"] == pytest.approx(8.0, abs=1.0)
    # a seated test that measures nothing in the run (the person stood): the pieces stay apart
    apart = session_module.bridged(seq, lost, analyze=lambda piece: StubResult(valid_fraction=0.0))
    assert [p.kind for p in apart] == [p.kind for p in lost]


# ------------------------------------------------------------------ which seated phases the change compares

def _phases(*specs):
    """`compared_phases` input from (kind, status, left held or None, right held or None) tuples."""
    return [(kind, status, {"left": left, "right": right}) for kind, status, left, right in specs]


def test_a_seated_test_split_into_pieces_gives_each_leg_the_piece_it_was_measured_in():
    from hipvision.core.session import compared_phases

    phases = _phases(("seated", "analysed", 20.5, None), ("other", "skipped", None, None),
                     ("seated", "analysed", None, 19.8), ("other", "skipped", None, None),
                     ("quadruped", "analysed", None, None), ("other", "skipped", None, None),
                     ("seated", "analysed", 31.3, 37.9))
    assert compared_phases(phases) == {"left": (0, 6), "right": (2, 6)}


def test_the_compared_phases_without_circles_between_them_are_the_first_and_last_seated():
    from hipvision.core.session import compared_phases

    stand = _phases(("seated", "analysed", 30.0, None), ("other", "skipped", None, None),
                    ("seated", "analysed", 36.0, 33.0))
    assert compared_phases(stand) == {"left": (0, 2), "right": (0, 2)}  # right: no value before, none guessed
    blip = _phases(("seated", "analysed", 30.0, None), ("quadruped", "too_short", None, None),
                   ("seated", "analysed", 36.0, 33.0))
    assert compared_phases(blip) == {"left": (0, 2), "right": (0, 2)}  # a too-short phase is not the circles
    assert compared_phases(_phases(("seated", "analysed", 30.0, 30.0))) == {"left": None, "right": None}


def test_a_leg_measured_in_two_pieces_of_a_test_is_compared_at_its_best_effort():
    from hipvision.core.session import compared_phases

    phases = _phases(("seated", "analysed", 22.0, 25.0), ("seated", "analysed", 26.0, None),
                     ("quadruped", "analysed", None, None),
                     ("seated", "analysed", None, 30.0), ("seated", "analysed", 33.0, 28.0),
                     ("seated", "analysed", None, None))
    assert compared_phases(phases) == {"left": (1, 4), "right": (0, 3)}
    none_measured = _phases(("seated", "analysed", None, None), ("seated", "analysed", None, None),
                            ("quadruped", "analysed", None, None), ("seated", "analysed", None, None),
                            ("seated", "analysed", None, None))
    assert compared_phases(none_measured) == {"left": (0, 4), "right": (0, 4)}  # statuses shown from there


class _NoEffortBelow5(StubResult):
    """`image_shank_rotation`'s stand-in, with a leg under 5° reported as the seated test does: "no effort"."""

    def leg(self, side):
        held = self[side]["held_deg"]
        return SimpleNamespace(held_deg=held, status="measured" if abs(held) >= 5.0 else "no effort",
                               uncertainty_deg=3.0)


def test_a_session_whose_first_test_came_apart_reports_both_legs_change():
    """The seated test split by a stand into two pieces, the left leg turned out in the first and the right in the
    second (each the other's "no effort"), then circles and a re-test: both legs' changes are reported, each from the
    piece it was measured in; the report, the batch table and the history read the same phases."""
    from hipvision.batch.table import numbers
    from hipvision.io.history import summarize
    from hipvision.report.html import session_view

    def rotation(seq, settings=None):
        return _NoEffortBelow5(image_shank_rotation(seq))

    joints = sk.timeline([seated_for(6, 30, 0), standing_for(4), seated_for(6, 0, 25), circling(12, heading_deg=90),
                          seated_for(6, 36, 33)], fps=FPS, transition_s=2.0)
    res = analyze_session(see(joints, "front", seed=5), analyzers={**STUBS, "seated": rotation})
    kinds = [(p.kind, p.status) for p in res.phases if p.kind != "other"]
    assert kinds == [("seated", "analysed"), ("seated", "analysed"), ("quadruped", "analysed"),
                     ("seated", "analysed")]
    assert res.change_deg["left"] == pytest.approx(6.0, abs=1.0)
    assert res.change_deg["right"] == pytest.approx(8.0, abs=1.0)  # None before: the first piece had no effort
    d = json.loads(to_json_text(res.to_dict()))
    first, second = [i for i, p in enumerate(d["phases"]) if p["kind"] == "seated"][:2]
    assert d["compared_phases"]["left"][0] == first and d["compared_phases"]["right"][0] == second
    view = {leg["side"]: leg for leg in session_view(d)["legs"]}
    assert view["right"]["before"] == pytest.approx(25.0, abs=1.0) and view["right"]["change"] is not None
    assert [v["title"] for v in session_view(d)["phases"] if v["kind"] == "seated"][:2] == \
        ["Before: seated hip rotation"] * 2
    row = numbers(d)
    assert row["right_held_deg"] == pytest.approx(25.0, abs=1.0) and row["left_held_deg"] == pytest.approx(30.0, abs=1.0)
    assert summarize(d)["right_deg"] == pytest.approx(25.0, abs=1.0)
    from hipvision.draw.session import SessionAnnotator

    seated_lines = [part.lines for part, p in zip(SessionAnnotator(see(joints, "front", seed=5), res).parts, res.phases)
                    if p.kind == "seated"]
    assert "before:" not in seated_lines[1]  # the test's second piece is not the re-test
    assert seated_lines[-1][-3:] == ("before:", "L 30° ± 3°", "R 25° ± 3°")
