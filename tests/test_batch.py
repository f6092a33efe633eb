"""`hipvision batch`: inputs, kinds, the table against the single commands, resuming, failures, Ctrl-C, engines.

Fast tests run on landmarks (``.npz``): synthetic seated and session recordings with known
angles, and the real-MediaPipe hip-circle poses in tests/fixtures. The slow ones extract the
bundled samples once per test session and run the real pose model, the process pool and Ray.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from fixtures import skeletons as sk
from hipvision.batch import BatchOptions, detect_kind, expand_inputs, run_batch
from hipvision.batch import engines
from hipvision.batch.inputs import Recording
from hipvision.batch.runner import Job, analyse
from hipvision.batch.state import STATE_FILE
from hipvision.cli import main
from hipvision.errors import InputError
from hipvision.io import load_sequence, read_json, save_sequence
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints
from test_posture import circling, see
from test_session import seated_effort

FIXTURES = Path(__file__).parent / "fixtures" / "mediapipe_circles"
SAMPLES = Path(__file__).parent.parent / "samples"
#: Columns that differ between runs of the same recordings (time taken) or between output folders.
RUN_COLUMNS = ("seconds",)
SINGLE_COMMAND = {"rotation": "rotation", "circles": "circles", "session": "session"}


# ------------------------------------------------------------------ recordings with known answers


def same_result(a: Path, b: Path) -> bool:
    """Two result JSONs are the same result: equal but for the video's path relative to each JSON's own folder."""
    def load(path: Path) -> dict:
        data = read_json(path)
        (data.get("source_video") or {}).pop("relative_to_json", None)
        return data
    return load(a) == load(b)

def seated_npz(path: Path, left: float = 40.0, right: float = 25.0) -> Path:
    """10 s seated IR test, synthetic camera in front: left effort to ``left``°, right to ``right``°."""
    body = SeatedBody()
    t = np.arange(300) / 30.0
    joints = seated_joints(effort_profile(t, [(2.0, left, 3.0)]), effort_profile(t, [(5.5, right, 3.0)]), body=body)
    cam = PinholeCamera.looking_at(body.knee_centre(), distance_m=2.0)
    return save_sequence(sequence_from_joints(joints, cam, fps=30.0, source=path.with_suffix(".mp4").name), path)


def session_npz(path: Path) -> Path:
    """Seated (30° / 25°) → hip circles → seated (38° / 30°), synthetic."""
    joints = sk.timeline([seated_effort(8, 30, 25), circling(16, heading_deg=90), seated_effort(8, 38, 30)])
    return save_sequence(see(joints, "front", seed=5), path)


@pytest.fixture(scope="module")
def npz_folder(tmp_path_factory) -> Path:
    """Four recordings as landmarks: seated, session (synthetic), hip circles, rocking (real MediaPipe)."""
    folder = tmp_path_factory.mktemp("recordings")
    seated_npz(folder / "seated.npz")
    session_npz(folder / "routine.npz")
    shutil.copy(FIXTURES / "hip_circles_side.npz", folder / "circles.npz")
    shutil.copy(FIXTURES / "standing_rocking_side.npz", folder / "rocking.npz")
    (folder / "notes.json").write_text("{}")  # not a recording: left out
    return folder


def copy_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def read_table(path: Path) -> dict[str, dict]:
    with open(path, newline="") as fh:
        return {row["name"]: row for row in csv.DictReader(fh)}


def without(table: dict[str, dict], columns=RUN_COLUMNS) -> dict[str, dict]:
    return {name: {k: v for k, v in row.items() if k not in columns} for name, row in table.items()}


def batch(*args, workers: int = 1) -> int:
    """``hipvision batch ARGS`` in this process (one worker unless ``workers``: no pool to start)."""
    args = [str(a) for a in args]
    return main(["batch", *args, *([] if "--workers" in args else ["--workers", str(workers)])])


def cell(value) -> str:
    """A JSON value as the table's CSV writes it."""
    if value is None:
        return ""
    return str(round(value, 4)) if isinstance(value, float) else str(value)


# ------------------------------------------------------------------ inputs and kinds

def test_folders_globs_and_manifests_expand_to_named_recordings(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / ".hidden").mkdir(parents=True)
    for f in ("a/week1.npz", "b/week1.npz", "b/week2.mp4", "b/.hidden/x.npz", "b/notes.txt"):
        (tmp_path / f).write_bytes(b"x")
    found = expand_inputs([str(tmp_path)])
    assert [Path(r.source).relative_to(tmp_path).as_posix() for r in found] == ["a/week1.npz", "b/week1.npz",
                                                                               "b/week2.mp4"]
    assert [r.name for r in found] == ["a-week1", "b-week1", "week2"]
    assert [r.name for r in expand_inputs([str(tmp_path / "*" / "*.npz")])] == ["a-week1", "b-week1"]

    manifest = tmp_path / "list.csv"
    manifest.write_text("Path,subject,kind,recorded_at,comment\n"
                        "a/week1.npz,Alex,Circles,2025-03-01T09:30,x\n"
                        "b/week2.mp4,,,,\n")
    alex, other = expand_inputs([str(manifest), str(tmp_path / "a" / "week1.npz")], subject="Sam")
    assert (alex.source, alex.subject, alex.kind, alex.recorded_at) == (
        str((tmp_path / "a" / "week1.npz").resolve()), "Alex", "circles", "2025-03-01T09:30")
    assert (other.subject, other.kind, other.recorded_at) == ("Sam", None, None)  # the repeat of week1 is dropped
    assert expand_inputs(["https://example.org/v/clip.mp4?x=1"])[0].name == "clip"


@pytest.mark.parametrize("text, message", [
    ("path,kind\nx.npz,squats\n", "list.csv:2: kind 'squats' is not one of rotation, circles, session"),
    ("path,recorded_at\nx.npz,last tuesday\n", "list.csv:2: 'last tuesday' is not an ISO 8601"),
    ("file\nx.npz\n", "has no 'path' column"),
])
def test_a_bad_manifest_is_refused_with_its_line(tmp_path, text, message):
    (tmp_path / "list.csv").write_text(text)
    with pytest.raises(InputError, match=message):
        expand_inputs([str(tmp_path / "list.csv")])


def test_missing_inputs_are_refused(tmp_path):
    with pytest.raises(InputError, match="no such file, folder or manifest"):
        expand_inputs([str(tmp_path / "nope.mp4")])
    with pytest.raises(InputError, match="matches no videos"):
        expand_inputs([str(tmp_path / "*.mp4")])
    with pytest.raises(InputError, match="holds no videos"):
        expand_inputs([str(tmp_path)])


def test_the_kind_comes_from_the_posture(npz_folder, tmp_path):
    kinds = {p.stem: detect_kind(load_sequence(p)) for p in sorted(npz_folder.glob("*.npz"))}
    assert kinds == {"circles": "circles", "rocking": "circles", "routine": "session", "seated": "rotation"}
    standing = see(np.repeat(sk.standing()[None], 150, axis=0))
    with pytest.raises(InputError, match="cannot tell the kind"):
        detect_kind(standing)


def test_the_kind_of_a_recording_from_high_above_comes_from_the_seated_test_too():
    """From 35° above the knees, with the depth cut to half, the posture classifier sees no seated phase in a whole
    session (it said "circles") nor in its first seated test (it said it could not tell); the seated test measures
    them, as in the session analysis (`core.session.seated_after_all`)."""
    from test_posture import FPS, session_seen_from_above

    seq = session_seen_from_above()
    assert (detect_kind(seq), detect_kind(seq.slice(0, int(8 * FPS)))) == ("session", "rotation")
    assert detect_kind(seq.slice(int(10 * FPS), int(26 * FPS))) == "circles"


# ------------------------------------------------------------------ the table equals the single commands

def test_batch_results_equal_the_single_commands(npz_folder, tmp_path):
    out = tmp_path / "out"
    assert batch(npz_folder, "--out", out) == 0
    table = read_table(out / "batch.csv")
    assert set(table) == {"seated", "routine", "circles", "rocking"}
    for name, row in table.items():
        single = tmp_path / f"{name}.json"
        assert main([SINGLE_COMMAND[row["kind"]], str(npz_folder / f"{name}.npz"), "--json", str(single)]) == 0
        assert same_result(out / row["json"], single), name
        assert row["status"] == "ok" and row["error"] == "" and float(row["seconds"]) > 0
    seated, routine, circles = (read_json(out / f"{n}.json") for n in ("seated", "routine", "circles"))
    # the known answers, and the table's cells are the JSON's numbers
    assert float(table["seated"]["left_held_deg"]) == pytest.approx(40.0, abs=0.5)
    assert float(table["seated"]["right_held_deg"]) == pytest.approx(25.0, abs=0.5)
    for side in ("left", "right"):
        assert table["seated"][f"{side}_held_deg"] == cell(seated[side]["held_deg"])
        assert table["seated"][f"{side}_class"] == cell(seated[side]["class"])
        assert table["routine"][f"{side}_change_deg"] == cell(routine["change_deg"][side])
    assert float(table["routine"]["left_change_deg"]) == pytest.approx(8.0, abs=1.5)
    assert float(table["routine"]["right_change_deg"]) == pytest.approx(5.0, abs=1.5)
    assert (table["circles"]["circles_clockwise"], table["circles"]["circles_counterclockwise"]) == ("5", "5")
    assert table["circles"]["circle_radius_cm"] == cell(float(np.median([r["radius_cm"] for r in circles["reps"]])))
    assert table["circles"]["warnings"] == " | ".join(circles["warnings"])
    assert table["rocking"]["circles_total"] == "0"


def test_uncertainty_and_confidence_are_read_when_the_result_has_them():
    from hipvision.batch.table import numbers

    rotation = {"kind": "rotation", "left": {"held_deg": 38.0, "uncertainty_deg": 2.1, "class": "functional"},
                "right": {"held_deg": 30.5, "class": "borderline (≈30°)"}}
    assert numbers(rotation) | {} == {
        "left_held_deg": 38.0, "left_uncertainty_deg": 2.1, "left_class": "functional",
        "right_held_deg": 30.5, "right_uncertainty_deg": None, "right_class": "borderline (≈30°)"}
    circles = [{"kind": "circles", "total": 2, "clockwise": 1, "counterclockwise": 1, "confidence": c,
                "reps": [{"radius_cm": 5.0}, {"radius_cm": 7.0}]} for c in ("high", "low")]
    assert numbers(circles[0])["circles_confidence"] == "high"
    session = {"kind": "session", "change_deg": {"left": 3.0, "right": None},
               "change_uncertainty_deg": {"left": 4.2, "right": None},
               "change_verdict": {"left": "no clear change", "right": None},
               "phases": [{"kind": "quadruped", "status": "analysed", "result": c} for c in circles]}
    got = numbers(session)
    assert (got["circles_total"], got["circle_radius_cm"], got["circles_confidence"]) == (4, 6.0, "low")
    assert got["left_held_deg"] is None and got["left_change_deg"] == 3.0
    assert (got["left_change_uncertainty_deg"], got["left_change_verdict"]) == (4.2, "no clear change")
    assert (got["right_change_uncertainty_deg"], got["right_change_verdict"]) == (None, None)


def test_parquet_table_holds_the_same_rows_typed(npz_folder, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out"
    assert batch(npz_folder, "--out", out, "--parquet", "--kind", "circles") == 0  # one kind for all
    frame = pq.read_table(out / "batch.parquet").to_pylist()
    table = read_table(out / "batch.csv")
    assert {r["name"]: r["kind"] for r in frame} == {n: "circles" for n in table}
    for row in frame:
        assert isinstance(row["circles_total"], int) and row["left_held_deg"] is None
        assert cell(row["circles_total"]) == table[row["name"]]["circles_total"]


# ------------------------------------------------------------------ resuming

def test_a_rerun_does_no_work(npz_folder, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert batch(npz_folder, "--out", out, "--report") == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    table = (out / "batch.csv").read_text()

    def no_work(job):
        raise AssertionError(f"{job.recording.name} analysed again")

    monkeypatch.setattr(engines, "analyse", no_work)
    capsys.readouterr()
    assert batch(npz_folder, "--out", out, "--report") == 0
    assert "4 of 4 recordings already done" in capsys.readouterr().out
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert {k: v for k, v in after.items() if k != "batch.csv"} == {k: v for k, v in before.items() if k != "batch.csv"}
    assert (out / "batch.csv").read_text() == table

    ran: list[str] = []
    monkeypatch.setattr(engines, "analyse", lambda job: ran.append(job.recording.name) or analyse(job))
    (out / "seated.html").unlink()  # a report lost: that recording again
    assert batch(npz_folder, "--out", out, "--report") == 0
    assert ran == ["seated"] and (out / "seated.html").is_file()


def test_changed_content_or_software_or_a_lost_output_is_done_again(npz_folder, tmp_path, monkeypatch):
    folder = copy_folder(npz_folder, tmp_path / "in")
    out = tmp_path / "out"
    assert batch(folder, "--out", out) == 0
    ran: list[str] = []

    def counting(job):
        ran.append(job.recording.name)
        return analyse(job)

    monkeypatch.setattr(engines, "analyse", counting)
    seated_npz(folder / "seated.npz", left=33.0)  # new content under the same name
    (out / "circles.json").unlink()                # an output gone
    assert batch(folder, "--out", out) == 0
    assert sorted(ran) == ["circles", "seated"]
    assert float(read_table(out / "batch.csv")["seated"]["left_held_deg"]) == pytest.approx(33.0, abs=0.5)

    ran.clear()
    from hipvision.core import schema as session_module

    versions = session_module.software_versions()
    monkeypatch.setattr(session_module, "software_versions", lambda: {**versions, "mediapipe": "9.9.9"})
    assert batch(folder, "--out", out) == 0
    assert len(ran) == 4


# ------------------------------------------------------------------ failures

@pytest.mark.parametrize("workers", [1, 2])  # in this process, and through the process pool
def test_a_broken_file_gets_one_failed_row_and_the_rest_are_right(npz_folder, tmp_path, capsys, workers):
    good = tmp_path / "good"
    assert batch(npz_folder, "--out", good) == 0
    folder = copy_folder(npz_folder, tmp_path / "in")
    (folder / "broken.npz").write_bytes(os.urandom(4096))
    (folder / "truncated.npz").write_bytes((npz_folder / "seated.npz").read_bytes()[:2000])
    out = tmp_path / "out"
    capsys.readouterr()
    assert batch(folder, "--out", out, workers=workers) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    table = read_table(out / "batch.csv")
    failed = {n: r["error"] for n, r in table.items() if r["status"] == "failed"}
    assert set(failed) == {"broken", "truncated"}
    assert all(e and "\n" not in e for e in failed.values())
    assert not (out / "broken.json").exists() and "broken.npz" in failed["broken"]
    expected = without(read_table(good / "batch.csv"), RUN_COLUMNS + ("input",))
    assert without({n: r for n, r in table.items() if n not in failed}, RUN_COLUMNS + ("input",)) == expected
    # same input, same software: the same error, not tried again unless asked
    assert batch(folder, "--out", out) == 1
    assert "6 of 6 recordings already done" in capsys.readouterr().out


def crash_or_analyse(job: Job):
    """A worker function for the pool test: the recording named 'crash' kills its worker process."""
    if job.recording.name == "crash":
        os._exit(7)
    return analyse(job)


def test_a_worker_that_dies_fails_only_its_own_recording(npz_folder, monkeypatch):
    monkeypatch.setattr(engines, "analyse", crash_or_analyse)
    jobs = [Job(Recording(str(npz_folder / f"{n}.npz"), n)) for n in ("seated", "circles")]
    jobs.insert(1, Job(Recording(str(npz_folder / "rocking.npz"), "crash")))
    got = {o.name: o for o in engines.pool_outcomes(jobs, 2)}
    assert set(got) == {"seated", "crash", "circles"}
    assert got["crash"].error == engines.CRASHED
    assert got["seated"].error is None and got["circles"].error is None


def test_save_puts_each_result_in_its_subjects_history_once(npz_folder, tmp_path, monkeypatch):
    from hipvision.io.history import load_history

    monkeypatch.setenv("HIPVISION_HOME", str(tmp_path / "home"))
    manifest = tmp_path / "list.csv"
    manifest.write_text(f"path,subject,recorded_at\n{npz_folder / 'seated.npz'},Alx,2025-03-01T09:30\n"
                        f"{npz_folder / 'routine.npz'},Sam,2025-03-08\n")
    assert batch(manifest, "--out", tmp_path / "a") == 0
    manifest.write_text(manifest.read_text().replace("Alx", "Alex"))  # a typo put right after the first run
    assert batch(manifest, "--out", tmp_path / "a", "--save") == 0  # done already: saved without analysing
    assert batch(manifest, "--out", tmp_path / "a", "--save") == 0  # and not twice
    assert read_table(tmp_path / "a" / "batch.csv")["seated"]["subject"] == "Alex"
    rows = load_history()
    assert [(r["subject"], r["kind"], r["recorded_at"].date().isoformat()) for r in rows] == [
        ("Alex", "rotation", "2025-03-01"), ("Sam", "session", "2025-03-08")]
    assert rows[0]["left_deg"] == read_json(tmp_path / "a" / "seated.json")["left"]["held_deg"]


@pytest.mark.parametrize("args, message", [
    (["--save"], "--save needs a subject for every recording"),
    (["--engine", "spark"], "--engine must be one of: local, ray"),
    (["--address", "auto"], "--address is for --engine ray"),
    (["--kind", "squats"], "--kind: kind 'squats' is not one of"),
])
def test_bad_options_are_one_line_before_any_work(npz_folder, tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert batch(npz_folder, "--out", out, *args) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split()) and "Traceback" not in err
    assert not out.exists() or not (out / "batch.csv").exists()


# ------------------------------------------------------------------ Ctrl-C

def _wait_for_done(out: Path, proc: subprocess.Popen, count: int, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if len(json.loads((out / STATE_FILE).read_text())["recordings"]) >= count:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    raise AssertionError("the batch did not get going")


@pytest.fixture(scope="module")
def many(npz_folder, tmp_path_factory) -> tuple[Path, dict]:
    """16 recordings (copies of the four) and the table of an uninterrupted batch over them."""
    folder = tmp_path_factory.mktemp("many")
    for k in range(16):  # enough recordings that the batch is surely mid-way when the signal comes
        name = ("seated", "circles", "rocking", "routine")[k % 4]
        shutil.copy(npz_folder / f"{name}.npz", folder / f"{k:02d}-{name}.npz")
    whole = tmp_path_factory.mktemp("whole")
    assert batch(folder, "--out", whole) == 0
    return folder, without(read_table(whole / "batch.csv"))


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_keeps_what_is_done_and_a_rerun_completes_the_table(many, tmp_path, workers):
    folder, whole = many
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "hipvision", "batch", str(folder), "--out", str(out), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,  # Ctrl-C at its default
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # (a background job ignores it)
    _wait_for_done(out, proc, 2)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "run the same command again" in stderr
    partial = read_table(out / "batch.csv")
    assert 2 <= len(partial) < 16
    assert all(row["status"] == "ok" and (out / row["json"]).is_file() for row in partial.values())

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(partial)} of 16 recordings already done" in rerun.stdout  # the table has all that is done
    assert without(read_table(out / "batch.csv")) == whole


# ------------------------------------------------------------------ the samples, real MediaPipe (slow)

@pytest.fixture(scope="session")
def sample_poses(tmp_path_factory, model_path) -> Path:
    """The bundled samples' landmarks, extracted once per test session with `hipvision extract`."""
    folder = tmp_path_factory.mktemp("sample_poses")
    for video in sorted(SAMPLES.glob("*.mp4")):
        assert main(["extract", str(video), "-o", str(folder / f"{video.stem}.npz")]) == 0
    return folder


@pytest.mark.slow
def test_samples_batch_equals_the_single_commands(sample_poses, tmp_path):
    out = tmp_path / "out"
    assert batch(sample_poses, "--out", out) == 0
    table = read_table(out / "batch.csv")
    assert {n: r["kind"] for n, r in table.items()} == {
        "seated_ir": "rotation", "hip_circles": "circles", "session": "session", "standing_rocking": "circles",
        "hip_circles_behind": "circles", "hip_circles_oblique_back": "circles"}
    for name, row in table.items():
        single = tmp_path / f"{name}.json"
        assert main([row["kind"], str(sample_poses / f"{name}.npz"), "--json", str(single)]) == 0
        assert same_result(out / row["json"], single), name
    assert (table["hip_circles"]["circles_clockwise"], table["hip_circles"]["circles_counterclockwise"]) == ("5", "5")
    assert (table["session"]["circles_clockwise"], table["session"]["circles_counterclockwise"]) == ("3", "3")
    assert float(table["session"]["left_change_deg"]) == pytest.approx(18.4, abs=3.0)  # the rendered truth
    assert float(table["session"]["right_change_deg"]) == pytest.approx(13.9, abs=3.0)


@pytest.mark.slow
def test_a_video_in_a_batch_gives_what_its_single_command_gives(tmp_path, model_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(os.urandom(4096))
    out = tmp_path / "out"
    assert batch(SAMPLES / "seated_ir.mp4", broken, "--out", out, "--report") == 1
    single = tmp_path / "single.json"
    assert main(["rotation", str(SAMPLES / "seated_ir.mp4"), "--json", str(single)]) == 0
    assert same_result(out / "seated_ir.json", single)
    from hipvision.pose.models import SEATED_FILE_MODEL, find_model

    if find_model(SEATED_FILE_MODEL) is not None:   # both read the seated test with its own model
        assert json.loads(single.read_text())["model"] == f"pose_landmarker_{SEATED_FILE_MODEL}"
    assert "<svg" in (out / "seated_ir.html").read_text()
    assert read_table(out / "batch.csv")["broken"]["status"] == "failed"


@pytest.mark.slow
def test_the_ray_engine_gives_the_same_table(sample_poses, tmp_path, model_path):
    ray = pytest.importorskip("ray")
    folder = copy_folder(sample_poses, tmp_path / "in")
    shutil.copy(SAMPLES / "seated_ir.mp4", folder / "seated_ir_video.mp4")  # a worker runs the pose model too
    recordings = expand_inputs([str(folder)])
    local = run_batch(recordings, BatchOptions(out_dir=tmp_path / "local", workers=1))
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1")
    try:
        remote = run_batch(recordings, BatchOptions(out_dir=tmp_path / "ray", engine="ray"))
    finally:
        ray.shutdown()
    assert remote.ran == len(recordings) == 7 and remote.failed == 0  # 6 sample pose files + 1 video
    assert without(read_table(tmp_path / "ray" / "batch.csv")) == without(read_table(tmp_path / "local" / "batch.csv"))
    for row in local.rows:
        assert read_json(tmp_path / "ray" / row.json) == read_json(tmp_path / "local" / row.json)


@pytest.mark.parametrize("kind, other", [("circles", "rotation"), ("rotation", "circles")])
def test_a_recording_of_another_posture_names_its_own_file_in_the_command_to_run(npz_folder, tmp_path, kind, other):
    """A batch forced to the wrong kind said "run 'hipvision rotation VIDEO'"; it now names the recording, quoted
    for the shell where it needs quotes, as the single commands do."""
    source = {"circles": "seated.npz", "rotation": "circles.npz"}[kind]
    folder = tmp_path / "my clips"
    folder.mkdir()
    shutil.copy(npz_folder / source, folder / source)
    outcome = analyse(Job(Recording(source=str(folder / source), name="x", kind=kind)))
    assert outcome.error is None and outcome.result["posture_mismatch"]
    said = json.dumps(outcome.result)
    assert f"run 'hipvision {other} \\\"{folder / source}\\\"'" in said
    assert "VIDEO" not in said
