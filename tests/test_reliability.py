"""Reliability: nothing lost, nothing overwritten, one clear line (issue 18).

For every command and every output option, with the output in a missing folder, a read-only folder, on
a folder, on one of the run's inputs (also through links) and on a full file system: exit code 2, one
line on stderr, no traceback, no half-written file, the inputs unchanged. Signals (Ctrl-C, SIGTERM,
SIGHUP) at a random (seeded) point of file and live runs: what was saved is complete, what the exit
code and the one line say is true, nothing half-written is left.

Most cases read a synthetic pose file and run in-process in a fraction of a second; the cases that run
MediaPipe (live runs, videos) are marked slow. Mounting a tmpfs (read-only folders for root, full
disks) needs root; elsewhere those cases are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

import reliability_cases as rc
from hipvision.cli import main as cli

pytestmark = pytest.mark.reliability
MOUNTS = rc.can_mount()
needs_mount = pytest.mark.skipif(not MOUNTS, reason="needs root allowed to mount a tmpfs (full file system)")
SAMPLES = rc.REPO / "samples"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """The synthetic session as poses, video and result JSON, in a folder of their own."""
    return rc.make_inputs(tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="module")
def home(tmp_path_factory, inputs) -> Path:
    """A history with one saved session (for ``history --csv/--plot``), in its own $HIPVISION_HOME."""
    from hipvision.io.history import db_path, save_result

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HIPVISION_HOME", str(tmp_path_factory.mktemp("home")))
        save_result("Alex", json.loads(inputs["json"].read_text()))
        yield db_path()


def run(capsys, args) -> tuple[int, str, str]:
    code = cli([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, expected: str, *, exit_code: int = 2) -> None:
    lines = rc.error_lines(err)
    assert code == exit_code, err
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert expected in lines[0], lines[0]


# ---------------------------------------------------------------- every command × every output option

@dataclass(frozen=True)
class Option:
    """One output option of one command: ``args`` with ``{out}`` where the output goes."""

    id: str
    args: tuple[str, ...]
    suffix: str
    same_as: str  # the input "same as input" points the output at: npz, video, json or db
    slow: bool = False  # doing the work runs MediaPipe (live runs)

    def argv(self, inputs: dict[str, Path], out: Path) -> list[str]:
        names = {**{k: str(v) for k, v in inputs.items()}, "out": str(out)}
        return [a.format(**names) for a in self.args]


def _analysis_options(command: str, extra: tuple[str, ...]) -> list[Option]:
    file_args = (command, "{npz}")
    live_args = (command, "--camera", "{video}", "--no-window", "--max-frames", "30")
    options = [Option(f"{command} --{o}", (*file_args, f"--{o}", "{out}"), s, "npz")
               for o, s in (("json", ".json"), ("csv", ".csv"), ("report", ".html"))]
    if "annotate" in extra:
        options.append(Option(f"{command} --annotate", (*file_args, "--video", "{video}", "--annotate", "{out}"),
                              ".mp4", "video"))
    options += [Option(f"{command} --camera --{o}", (*live_args, f"--{o}", "{out}"), s, "video", slow=True)
                for o, s in (("json", ".json"), ("csv", ".csv"), ("report", ".html"), ("record", ".mp4"),
                             ("cues-wav", ".wav"))]
    return options


OPTIONS = [
    *_analysis_options("rotation", ("annotate",)),
    *_analysis_options("circles", ("annotate",)),
    *_analysis_options("session", ()),
    Option("extract -o", ("extract", "{video}", "-o", "{out}"), ".npz", "video", slow=True),
    Option("extract --camera -o", ("extract", "--camera", "{video}", "-o", "{out}"), ".npz", "video", slow=True),
    Option("report -o", ("report", "{json}", "--poses", "{npz}", "-o", "{out}"), ".html", "json"),
    Option("history --csv", ("history", "--csv", "{out}"), ".csv", "db"),
    Option("history --plot", ("history", "--plot", "{out}"), ".png", "db"),
]
FAST = [o for o in OPTIONS if not o.slow]
BY_SPEED = [pytest.param(o, id=o.id, marks=[pytest.mark.slow] if o.slow else []) for o in OPTIONS]


def _same_as_input(option: Option, inputs: dict[str, Path], db: Path, tmp_path: Path, how: str) -> Path:
    """The output path pointed at the input (directly; through a symbolic or a hard link)."""
    target = db if option.same_as == "db" else inputs[option.same_as]
    if how == "direct" and target.suffix == option.suffix:
        return target
    alias = tmp_path / f"alias{option.suffix}"
    if how == "hard link":
        os.link(target, alias)
    else:
        alias.symlink_to(target)
    return alias


@pytest.mark.parametrize("option", [pytest.param(o, id=o.id) for o in OPTIONS])
@pytest.mark.parametrize("condition, expected", [
    ("missing folder", "does not exist"),
    ("path is a folder", "it is a folder"),
    ("same as input", "refusing to write"),
    ("same as input, symbolic link", "refusing to write"),
    ("same as input, hard link", "refusing to write"),
])
def test_unusable_output_is_refused_before_any_work(option, condition, expected, inputs, home, tmp_path, capsys):
    """Checked before the video, camera or pose file is opened: also the live options run no model here."""
    before = rc.tree(inputs["npz"].parent)
    db_before = rc.digest(home)
    if condition == "missing folder":
        out = tmp_path / "no" / "such" / f"out{option.suffix}"
    elif condition == "path is a folder":
        out = tmp_path / f"folder{option.suffix}"
        out.mkdir()
    else:
        how = {"same as input": "direct", "same as input, symbolic link": "symbolic link",
               "same as input, hard link": "hard link"}[condition]
        out = _same_as_input(option, inputs, home, tmp_path, how)
    started = time.monotonic()
    code, _, err = run(capsys, option.argv(inputs, out))
    assert_one_line_error(code, err, expected)
    assert time.monotonic() - started < 30  # a hang guard only: no model was loaded, no frame read
    assert rc.tree(inputs["npz"].parent) == before and rc.digest(home) == db_before
    assert not (tmp_path / "no").exists()
    assert rc.leftovers(tmp_path) == []


@pytest.mark.parametrize("option", [pytest.param(o, id=o.id) for o in OPTIONS])
def test_read_only_folder_is_refused_before_any_work(option, inputs, home, tmp_path, capsys):
    if rc.IS_ROOT and not MOUNTS:
        pytest.skip("root ignores mode bits and may not mount a read-only tmpfs here")
    with rc.read_only_folder(tmp_path / "ro") as folder:
        code, _, err = run(capsys, option.argv(inputs, folder / f"out{option.suffix}"))
        assert_one_line_error(code, err, "is not writable")
        assert list(folder.iterdir()) == []


@needs_mount
@pytest.mark.parametrize("option", BY_SPEED)
def test_full_disk_gives_one_line_and_leaves_nothing(option, inputs, home, tmp_path, capsys):
    before = rc.tree(inputs["npz"].parent)
    db_before = rc.digest(home)
    with rc.full_folder(tmp_path / "full") as folder:
        out = folder / f"out{option.suffix}"
        code, _, err = run(capsys, option.argv(inputs, out))
        assert_one_line_error(code, err, f"no space left on {folder}")
        assert sorted(p.name for p in folder.iterdir()) == ["filler"]  # no partial file, no temporary file
    assert rc.tree(inputs["npz"].parent) == before and rc.digest(home) == db_before


@needs_mount
@pytest.mark.parametrize("live", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["file", "live"])
def test_full_disk_keeps_the_outputs_written_elsewhere(live, inputs, home, tmp_path, capsys):
    """A run's outputs are written one by one: the one on the full disk fails, the others (and the history)
    are kept, and the line says so. Live, the recording is the one that fails."""
    from hipvision.io.history import load_history

    ok = tmp_path / "ok"
    ok.mkdir()
    subject = f"Sam {'live' if live else 'file'}"
    with rc.full_folder(tmp_path / "full") as folder:
        if live:
            args = ["session", "--camera", SAMPLES / "seated_ir.mp4", "--no-window", "--max-frames", "60",
                    "--record", folder / "s.mp4"]
        else:
            args = ["session", inputs["npz"], "--json", folder / "s.json"]
        code, _, err = run(capsys, [*args, "--csv", ok / "s.csv", "--report", ok / "s.html", *(
            ["--json", ok / "s.json"] if live else []), "--subject", subject, "--save"])
        assert_one_line_error(code, err, f"no space left on {folder}")
        assert sorted(p.name for p in folder.iterdir()) == ["filler"]
    saved = sorted(p.name for p in ok.iterdir())
    assert saved == (["s.csv", "s.html", "s.json"] if live else ["s.csv", "s.html"])
    said = err.split("; saved: ")[1].strip().split(", ")
    assert sorted(said) == sorted([str(ok / name) for name in saved] + ["the history"])
    assert [r["subject"] for r in load_history(subject)] == [subject]


# ---------------------------------------------------------------- demo --out (a folder)

@pytest.mark.parametrize("condition, expected", [
    ("a file", "is a file, not a folder"),
    ("read-only", "is not writable"),
    ("over the sample's known answer", "refusing to write"),
    pytest.param("full disk", "no space left on", marks=needs_mount),
])
def test_demo_out_that_cannot_take_the_results(condition, expected, inputs, tmp_path, capsys):
    before = rc.tree(inputs["npz"].parent)
    args = ["demo", "--video", inputs["npz"], "--out"]
    if condition == "a file":
        out = tmp_path / "out"
        out.write_text("mine")
        code, _, err = run(capsys, [*args, out])
        assert out.read_text() == "mine"
    elif condition == "over the sample's known answer":  # session.npz's known answer is session.json
        code, _, err = run(capsys, [*args, inputs["npz"].parent])
    elif condition == "read-only":
        if rc.IS_ROOT and not MOUNTS:
            pytest.skip("root ignores mode bits and may not mount a read-only tmpfs here")
        with rc.read_only_folder(tmp_path / "ro") as folder:
            code, _, err = run(capsys, [*args, folder / "demo"])
    else:
        with rc.full_folder(tmp_path / "full") as folder:
            code, _, err = run(capsys, [*args, folder / "demo"])
            assert rc.leftovers(folder) == []
    assert_one_line_error(code, err, expected)
    assert rc.tree(inputs["npz"].parent) == before


def test_demo_out_is_created_when_missing(inputs, tmp_path, capsys):
    code, _, err = run(capsys, ["demo", "--video", inputs["npz"], "--out", tmp_path / "a" / "b"])
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["report.html", "session.csv", "session.json"]


def test_two_outputs_on_one_file_are_refused(inputs, tmp_path, capsys):
    out = tmp_path / "same"
    code, _, err = run(capsys, ["circles", inputs["npz"], "--json", out, "--csv", out])
    assert_one_line_error(code, err, "--json and --csv both name")
    assert not out.exists()


def test_every_path_parameter_of_every_command_has_a_role():
    """A new option that names a file must be listed in `guard.ROLES`, or it escapes the checks."""
    import inspect

    from hipvision.cli import app
    from hipvision.commands.guard import ROLES

    def commands(typer_app, prefix=""):
        for info in typer_app.registered_commands:
            yield f"{prefix}{info.name}", info.callback
        for group in typer_app.registered_groups:
            yield from commands(group.typer_instance, f"{prefix}{group.name} ")

    found = []
    for name, callback in commands(app):
        roles = ROLES.get(name)
        listed = set() if roles is None else {*roles.inputs, *roles.outputs, *roles.folders}
        for param in inspect.signature(callback).parameters.values():
            if "Path" in str(param.annotation) or param.name in ("video", "camera"):
                found.append((name, param.name))
                assert param.name in listed, f"{name}: parameter {param.name} names a file but has no role"
    assert len(found) >= 25, found  # the walk did find the commands' options


# ---------------------------------------------------------------- signals

@dataclass(frozen=True)
class SignalRun:
    """A run to interrupt: ``args`` (``{o}`` = its output folder), the outputs it writes there.

    The signal comes ``delay_s`` (a seeded draw from the range) after the command started, or for a
    live run that records, after the recording started.
    """

    id: str
    args: tuple[str, ...]
    outputs: tuple[str, ...]
    live: bool = False
    slow: bool = False
    delay_s: tuple[float, float] = (0.0, 4.0)


LIVE_SOURCE = str(SAMPLES / "seated_ir.mp4")
SIGNAL_RUNS = [
    SignalRun("rotation file", ("rotation", "{npz}", "--json", "{o}/r.json", "--csv", "{o}/r.csv",
                                "--report", "{o}/r.html"), ("r.json", "r.csv", "r.html")),
    SignalRun("circles file", ("circles", "{npz}", "--json", "{o}/c.json", "--video", "{video}",
                               "--annotate", "{o}/c.mp4"), ("c.json", "c.mp4")),
    SignalRun("session file", ("session", "{npz}", "--json", "{o}/s.json", "--csv", "{o}/s.csv",
                               "--report", "{o}/s.html"), ("s.json", "s.csv", "s.html")),
    SignalRun("report", ("report", "{json}", "--poses", "{npz}", "-o", "{o}/r.html"), ("r.html",)),
    SignalRun("demo", ("demo", "--video", "{npz}", "--out", "{o}"), ("session.json", "session.csv", "report.html")),
    SignalRun("circles video", ("circles", str(SAMPLES / "hip_circles.mp4"), "--json", "{o}/c.json"),
              ("c.json",), slow=True),
    SignalRun("extract video", ("extract", str(SAMPLES / "seated_ir.mp4"), "-o", "{o}/p.npz"), ("p.npz",),
              slow=True),
    *[SignalRun(f"{c} live", (c, "--camera", LIVE_SOURCE, "--no-window", "--json", "{o}/l.json", "--csv",
                              "{o}/l.csv", "--report", "{o}/l.html", "--record", "{o}/l.mp4"),
                ("l.json", "l.csv", "l.html", "l.mp4"), live=True, slow=True, delay_s=(0.0, 2.0))
      for c in ("rotation", "circles", "session")],
    SignalRun("extract live", ("extract", "--camera", LIVE_SOURCE, "-o", "{o}/p.npz"), ("p.npz",), live=True,
              slow=True, delay_s=(1.0, 8.0)),
]
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _signal_cases():
    """Slow: every run × every signal. Fast: each fast run once, with a signal picked by a seeded draw."""
    draw = random.Random(18)
    for r in SIGNAL_RUNS:
        if r.slow:
            for sig in SIGNALS:
                yield pytest.param(r, sig, id=f"{r.id}-{sig.name}", marks=pytest.mark.slow)
        else:
            sig = draw.choice(SIGNALS)
            yield pytest.param(r, sig, id=f"{r.id}-{sig.name}")


def _complete(path: Path) -> bool:
    """The file is whole for its kind (parses, has its end, opens as a video with frames)."""
    if path.suffix == ".json":
        json.loads(path.read_text())
        return True
    if path.suffix == ".html":
        return path.read_text().rstrip().endswith("</html>")
    if path.suffix == ".csv":
        return path.read_text().endswith("\n") and "," in path.read_text().splitlines()[0]
    if path.suffix == ".mp4":
        cap = cv2.VideoCapture(str(path))
        try:
            return cap.isOpened() and cap.get(cv2.CAP_PROP_FRAME_COUNT) > 0
        finally:
            cap.release()
    if path.suffix == ".npz":
        from hipvision.io import load_sequence

        return len(load_sequence(path)) > 0
    raise AssertionError(path)


_INTERRUPTED = re.compile(r"^(interrupted|stopped) by (?P<sig>.+?)(?:: saved (?P<saved>.+); not saved: (?P<missing>.+)"
                          r"|: nothing was saved \((?P<none>.+) not written\)| after saving (?P<all>.+))?$")


@pytest.mark.parametrize("case, sig", list(_signal_cases()))
def test_signal_at_a_random_point(case, sig, inputs, tmp_path):
    """The exit code and the line tell the truth about what exists; what exists is whole; nothing else is left."""
    out = tmp_path / "out"
    out.mkdir()
    names = {**{k: str(v) for k, v in inputs.items()}, "o": str(out)}
    args = [a.format(**names) for a in case.args]
    # a crash in native code prints every thread's stack on stderr, which the failure message shows
    env = {**os.environ, "HIPVISION_HOME": str(tmp_path / "home"), "PYTHONPATH": str(rc.REPO),
           "PYTHONFAULTHANDLER": "1"}
    before = rc.tree(inputs["npz"].parent)
    draw = random.Random(zlib.crc32(f"{case.id}-{sig.name}".encode()))
    proc = rc.start_cli(args, env=env)
    try:
        # the command has started once its guard handles SIGTERM; a live run, once it records
        started = rc.wait_until(lambda: rc.catches(proc.pid, signal.SIGTERM), proc, 120)
        assert started, "hipvision never handled SIGTERM"
        if started and any(name.endswith(".mp4") for name in case.outputs) and case.live:  # a frame recorded
            started = rc.wait_until(lambda: any(p.stat().st_size for p in out.glob(".*")), proc, 120)
        if started:
            time.sleep(draw.uniform(*case.delay_s))
            if proc.poll() is None:
                proc.send_signal(sig)
        result = rc.finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in result.err
    assert rc.leftovers(out) == [], f"exit {result.code}: {result.err}"
    assert rc.tree(inputs["npz"].parent) == before
    written = sorted(p.name for p in out.iterdir())
    for name in written:
        assert _complete(out / name), name
    lines = rc.error_lines(result.err)
    print(f"{case.id} {sig.name}: exit {result.code}, {lines}")  # which branch the draw hit (pytest -s)
    if result.code == 0:  # finished before the signal, or a live run stopped by Ctrl-C and saved
        assert written == sorted(case.outputs), result.err
        return
    assert result.code == 128 + sig, result.err
    assert len(lines) == 1, result.err
    line = lines[0]
    if line.startswith("stopped by"):  # a live run stopped by SIGTERM/SIGHUP, then saved what it had
        assert case.live and sig != signal.SIGINT
        assert written == sorted(case.outputs), line  # it had frames: everything asked for was saved
    match = _INTERRUPTED.match(line)
    assert match, line
    said_saved = [Path(p).name for key in ("saved", "all") if match[key] for p in match[key].split(", ")]
    assert sorted(said_saved) == written, line
    assert sorted(said_saved + [Path(p).name for key in ("missing", "none") if match[key]
                                for p in match[key].split(", ")]) == sorted(case.outputs), line


def test_live_run_keeps_its_result_when_the_recording_fails(tmp_path):
    """The live loop drops a recording that cannot be written, hands the error on and finishes the run."""
    from test_live import FakeAnalyzer, FakeSource, FakeTracker

    from hipvision.errors import OutputError
    from hipvision.live import loop as live

    class FailingWriter(live.VideoWriterAtomic):
        def write(self, image):
            if self.frames_written == 5:
                raise OutputError("no space left on /x: rec.mp4 was not written")
            super().write(image)

    errors = []
    original = live.VideoWriterAtomic
    live.VideoWriterAtomic = FailingWriter
    try:
        result = live.run_live(FakeSource(20), FakeTracker(), FakeAnalyzer(), window=False,
                               record=tmp_path / "rec.mp4", on_record_error=errors.append)
    finally:
        live.VideoWriterAtomic = original
    assert result["frames"] == 20
    assert [str(e) for e in errors] == ["no space left on /x: rec.mp4 was not written"]
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the pieces, without processes

def test_interrupted_run_says_what_was_saved_and_exits_128_plus_the_signal(tmp_path):
    from hipvision.commands.guard import PathRoles, guarded
    from hipvision.errors import Interrupted
    from hipvision.io import write_json_atomic

    kept = tmp_path / "kept.csv"
    kept.write_text("an older file\n")
    a, b = tmp_path / "a.json", tmp_path / "b.json"

    def command(json_out: Path, csv_out: Path, other: Path):
        write_json_atomic(json_out, {"done": True})
        raise KeyboardInterrupt

    run = guarded(command, PathRoles(outputs=("json_out", "csv_out", "other")))
    with pytest.raises(Interrupted) as info:
        run(json_out=a, csv_out=kept, other=b)
    assert str(info.value) == f"interrupted by Ctrl-C (SIGINT): saved {a}; not saved: {kept}, {b}"
    assert info.value.exit_code == 130
    assert kept.read_text() == "an older file\n"


def test_a_signal_while_disarmed_stops_the_next_command_before_it_starts(tmp_path):
    from hipvision.commands.guard import PathRoles, guarded
    from hipvision.commands.stop import stop_signals
    from hipvision.errors import Interrupted

    ran = []
    run = guarded(lambda json_out: ran.append(json_out), PathRoles(outputs=("json_out",)))
    previous = signal.getsignal(signal.SIGTERM)
    with stop_signals() as stop:
        os.kill(os.getpid(), signal.SIGTERM)  # while the command line would be read: only noted
        assert stop.pending == signal.SIGTERM
        with pytest.raises(Interrupted) as info:
            run(json_out=tmp_path / "r.json")
    assert ran == [] and info.value.exit_code == 143
    assert str(info.value) == f"interrupted by SIGTERM: nothing was saved ({tmp_path / 'r.json'} not written)"
    assert signal.getsignal(signal.SIGTERM) is previous


def test_a_signal_swallowed_by_a_callback_still_stops_the_work_without_a_traceback(tmp_path, capsys):
    """CI once saw SIGTERM land in a weakref callback: Python printed "Exception ignored ... Traceback"."""
    import gc
    import weakref

    from hipvision.commands.guard import PathRoles, guarded
    from hipvision.errors import Interrupted

    class Thing:
        pass

    steps = []

    def work(json_out):
        thing = Thing()
        keep = (weakref.ref(thing, lambda _ref: os.kill(os.getpid(), signal.SIGTERM)),  # lands in the callback
                weakref.ref(thing, lambda _ref: steps.append("callback ran")))
        del thing
        gc.collect()
        for _ in range(1000):  # ordinary lines: the signal, sent again, stops the work here
            steps.append("work went on")
            time.sleep(0.001)
        return keep

    previous = signal.getsignal(signal.SIGTERM), sys.unraisablehook
    with pytest.raises(Interrupted) as info:
        guarded(work, PathRoles(outputs=("json_out",)))(json_out=tmp_path / "r.json")
    assert info.value.exit_code == 143
    assert "callback ran" in steps and steps.count("work went on") < 1000
    assert "Traceback" not in capsys.readouterr().err
    assert (signal.getsignal(signal.SIGTERM), sys.unraisablehook) == previous


def test_a_signal_while_pyav_writes_a_video_stops_after_the_write_without_a_traceback(tmp_path, capfd, monkeypatch):
    """CI once saw SIGINT land in PyAV's call back into the Python file it writes: Cython printed the traceback
    and dropped the exception. Inside a `shielded` write the signal waits until PyAV has returned."""
    pytest.importorskip("av")
    from hipvision.commands.guard import PathRoles, guarded
    from hipvision.errors import Interrupted
    from hipvision.io import video_out

    writes = []
    real_write = video_out._OutputFile.write

    def write_and_be_interrupted(self, data):
        if not writes:
            os.kill(os.getpid(), signal.SIGINT)  # arrives while PyAV is in the middle of writing
        writes.append(len(data))
        return real_write(self, data)

    monkeypatch.setattr(video_out._OutputFile, "write", write_and_be_interrupted)
    frame = np.zeros((64, 64, 3), np.uint8)

    def work(json_out):
        with video_out.VideoWriterAtomic(tmp_path / "v.mp4", fps=10.0) as writer:
            for _ in range(400):
                writer.write(frame)
                time.sleep(0.002)

    with pytest.raises(Interrupted) as info:
        guarded(work, PathRoles(outputs=("json_out",)))(json_out=tmp_path / "r.json")
    assert info.value.exit_code == 130
    assert writes and "Traceback" not in capfd.readouterr().err
    assert not (tmp_path / "v.mp4").exists() and list(tmp_path.iterdir()) == []  # the half-written video is gone


def test_signals_the_user_ignores_stay_ignored():
    from hipvision.commands.stop import armed

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        with armed():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
    finally:
        signal.signal(signal.SIGHUP, previous)


@pytest.mark.parametrize("errno_name, expected", [
    ("ENOSPC", "no space left on "), ("EDQUOT", "disk quota exceeded on "), ("EROFS", "is mounted read-only"),
    ("EACCES", "permission denied"),
])
def test_a_failed_write_is_one_line_and_leaves_no_file(errno_name, expected, tmp_path, monkeypatch):
    """Without root or a full disk: the OS error is raised where the bytes are written."""
    import errno

    from hipvision.errors import OutputError
    from hipvision.io import write_json_atomic

    def refuse(self, data):
        raise OSError(getattr(errno, errno_name), os.strerror(getattr(errno, errno_name)), str(self))

    monkeypatch.setattr(Path, "write_bytes", refuse)
    with pytest.raises(OutputError, match=expected) as info:
        write_json_atomic(tmp_path / "r.json", {"a": 1})
    assert "\n" not in str(info.value) and str(tmp_path / "r.json") in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_reading_an_input_that_is_denied_is_not_called_a_write_error(tmp_path):
    """EACCES on another file (an input read inside the block) passes through as it is."""
    from hipvision.io import atomic_path

    with pytest.raises(PermissionError):
        with atomic_path(tmp_path / "out.json"):
            raise PermissionError(13, "Permission denied", str(tmp_path / "input.mp4"))
    assert list(tmp_path.iterdir()) == []


def test_video_writer_stops_at_the_first_frame_opencv_cannot_write(tmp_path, monkeypatch):
    import numpy as np

    from hipvision.io import video_out
    from hipvision.errors import OutputError

    class Refusing:
        def __init__(self, real):
            self.real = real

        def isOpened(self):
            return True

        def write(self, image):
            return False  # what OpenCV 5 returns when FFmpeg could not write the frame

        def release(self):
            self.real.release()

    real_writer = cv2.VideoWriter
    monkeypatch.setattr(video_out.cv2, "VideoWriter", lambda *a: Refusing(real_writer(*a)))
    with pytest.raises(OutputError, match="could not write frame 1"):  # .avi: written by OpenCV (MJPG)
        with video_out.VideoWriterAtomic(tmp_path / "v.avi", fps=10) as writer:
            for _ in range(5):
                writer.write(np.zeros((48, 64, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_video_writer_refuses_a_file_that_does_not_open_as_a_video(tmp_path, monkeypatch):
    """OpenCV writes the index on release and says nothing if that fails: the file is checked."""
    import numpy as np

    from hipvision.io import video_out
    from hipvision.errors import OutputError

    def release_and_truncate(self, **_):
        if self._writer is not None:
            self._writer.release()
            self._writer = None
            with open(self._tmp, "r+b") as fh:
                fh.truncate(100)

    monkeypatch.setattr(video_out.VideoWriterAtomic, "_release", release_and_truncate)
    with pytest.raises(OutputError, match="not readable"):
        with video_out.VideoWriterAtomic(tmp_path / "v.avi", fps=10) as writer:
            for _ in range(5):
                writer.write(np.zeros((48, 64, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_a_temporary_file_whose_block_never_ended_is_removed_at_exit(tmp_path):
    """A write still in progress when the process exits (here on a thread that never finishes, whose `with` block
    nothing will close) leaves no temporary file; the target is not created."""
    script = textwrap.dedent(f"""
        import sys, threading, time
        from hipvision.io import atomic_path
        began = threading.Event()
        def write():
            with atomic_path({str(tmp_path / "out.json")!r}) as tmp:
                tmp.write_text("{{}}")
                began.set()
                time.sleep(60)
        threading.Thread(target=write, daemon=True).start()
        began.wait(10)
        print(sorted(p.name for p in __import__("pathlib").Path({str(tmp_path)!r}).iterdir()))
        sys.exit(3)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(rc.REPO)})
    assert run.returncode == 3, run.stderr
    assert run.stdout.strip().startswith("['.out.json."), run.stdout  # it was there while the block ran
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_signal_while_a_source_closes_waits_until_its_reader_is_done(tmp_path):
    """CI once saw a live run stopped with SIGINT die in OpenCV (exit -11): the capture can be released under
    a reader thread still inside ``read`` when a stop signal breaks the wait for it. The wait is `shielded`:
    the signal stops the work once the reader is done and the capture released."""
    import threading

    from hipvision.commands.guard import PathRoles, guarded
    from hipvision.errors import Interrupted
    from hipvision.io.sources import open_source

    released = []

    class SlowCapture:  # reads take 0.3 s; release notes whether a read is under way
        def __init__(self, cap):
            self.cap, self.reading = cap, False

        def read(self):
            self.reading = True
            time.sleep(0.3)
            try:
                return self.cap.read()
            finally:
                self.reading = False

        def get(self, prop):
            return self.cap.get(prop)

        def release(self):
            released.append(self.reading)
            self.cap.release()

    def work(json_out):
        with open_source(SAMPLES / "seated_ir.mp4") as source:
            source._cap = SlowCapture(source._cap)
            frames = iter(source)
            next(frames)
            time.sleep(0.4)  # the reader is inside a slow read now
            threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT)).start()  # lands while close waits
            frames.close()  # the source closes: stop the reader, wait for it, release the capture
            for _ in range(100):  # the work goes on: the deferred signal stops it here
                time.sleep(0.01)

    with pytest.raises(Interrupted):
        guarded(work, PathRoles(outputs=("json_out",)))(json_out=tmp_path / "r.json")
    assert released == [False]


def test_a_signal_inside_mediapipe_image_waits_until_the_pose_call_returned(model_path, tmp_path, capfd,
                                                                              monkeypatch):
    """CI once saw SIGHUP land inside MediaPipe's `Image.__init__` before it set its pointer: its `__del__` then
    failed and Python printed "Exception ignored ... Traceback". The pose call is `shielded`: the signal stops the
    work right after it, and the image is whole."""
    import mediapipe as mp

    from hipvision.commands.guard import PathRoles, guarded
    from hipvision.errors import Interrupted
    from hipvision.pose.landmarker import _Landmarker

    calls = []

    class InterruptedImage(mp.Image):
        def __init__(self, *args, **kwargs):
            if not calls:
                os.kill(os.getpid(), signal.SIGHUP)  # handled at the next line, before MediaPipe's own __init__
            calls.append("image")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(mp, "Image", InterruptedImage)
    # SIGHUP as in a terminal: under nohup it is ignored, and a run leaves an ignored signal ignored
    previous = signal.signal(signal.SIGHUP, signal.SIG_DFL)
    landmarker = _Landmarker(model_path, video=True, num_poses=1, verbose=False)
    rgb = np.zeros((128, 128, 3), np.uint8)

    def work(json_out):
        for i in range(200):
            landmarker.detect(rgb, i / 30)
            calls.append("detected")

    try:
        with pytest.raises(Interrupted) as info:
            guarded(work, PathRoles(outputs=("json_out",)))(json_out=tmp_path / "r.json")
    finally:
        landmarker.close()
        signal.signal(signal.SIGHUP, previous)
    import gc

    gc.collect()
    assert info.value.exit_code == 128 + signal.SIGHUP
    assert calls == ["image"]  # the signal stopped the work as the first pose call returned
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception ignored" not in err, err


_LATE_NOTE = """
import os, sys, threading, time
import hipvision.cli as cli

def fake_run(args):
    def late():  # a pose model still being created on another thread: its start-up note comes late
        time.sleep(0.3)
        os.write(2, b"INFO: [environment.cc:36] Creating LiteRT environment with options\\n")
    threading.Thread(target=late).start()  # not a daemon: the interpreter waits for it
    print("interrupted by SIGTERM: nothing was saved", file=sys.stderr)
    return int(sys.argv[1])

cli._run = fake_run
sys.exit(cli.main())
"""


@pytest.mark.parametrize("code, muted", [(143, True), (130, True), (0, False), (2, False)])
def test_after_a_signal_s_line_nothing_more_is_printed(code, muted):
    """Run as the program, a run cut short by a signal ends with its one line, even when native code on another
    thread prints later (CI, circles video SIGTERM: MediaPipe's LiteRT start-up notes came after the line); other
    exits keep stderr as it is."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _LATE_NOTE, str(code)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(rc.REPO)})
    assert proc.returncode == code
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines[0] == "interrupted by SIGTERM: nothing was saved"
    assert (len(lines) == 1) is muted, proc.stderr


def test_in_a_polled_loop_the_first_signal_is_noted_and_a_second_one_raises():
    """Live frame loops ask whether to stop (`polled`) instead of having an exception raised into a frame's
    work: a fresh-clone CI twice crashed inside OpenCV's Python binding when it came during a text call."""
    from hipvision.commands.stop import SignalInterrupt, armed, polled

    with armed() as stop:
        with polled() as stop_requested:
            assert not stop_requested()
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(50):  # Python lines on which the handler runs: none raises
                time.sleep(0.002)
            assert stop_requested() and stop.signum == signal.SIGTERM
            with pytest.raises(SignalInterrupt):
                os.kill(os.getpid(), signal.SIGTERM)  # the user insists
                for _ in range(200):
                    time.sleep(0.005)
        assert not stop.polled


def test_outside_a_cli_call_nothing_asks_a_polled_loop_to_stop():
    from hipvision.commands.stop import polled

    with polled() as stop_requested:
        assert stop_requested() is False


def test_a_stop_signal_is_never_raised_inside_opencvs_text_calls(monkeypatch):
    """OpenCV's binding may call PyObject_Str inside a text call (formatting the Hershey overload's failure),
    which runs pending signal handlers; an exception raised there is dereferenced as NULL (segfaults when live
    runs were stopped). Text calls are shielded: the signal is raised once the call has returned."""
    from hipvision.commands.stop import SignalInterrupt, armed
    from hipvision.draw import canvas

    finished = []

    def put_text(*args):  # a stand-in that runs Python lines after the signal, as PyObject_Str's check would
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(20):
            time.sleep(0.002)
        finished.append(True)

    monkeypatch.setattr(cv2, "putText", put_text)
    with armed(), pytest.raises(SignalInterrupt):
        canvas.put_text(np.zeros((40, 200, 3), np.uint8), "held 35°", (2, 2), size_px=20)
    assert finished == [True]
