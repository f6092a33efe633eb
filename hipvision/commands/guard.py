"""The guard around every command: its files checked before any work, and one line saying what was
saved when a signal cut a run short.

`ROLES` says, per command, which parameters name files the command reads (inputs), files it writes
(outputs) and folders it creates and writes into. `guard_commands` wraps every registered command so
that before the command's own code runs every output is checked: not a folder, its folder exists (or
the command creates it) and is writable, not one of the run's inputs (also through symbolic or hard
links), not another output. The work then runs with the stop signals armed (`hipvision.commands.stop`).

Exit codes: 2 for an unusable path (one line, nothing done); 128 + the signal's number (130 for Ctrl-C)
when a signal cut the run short, with one line saying which outputs were saved. A live run the user
stopped with Ctrl-C (or Q) exits 0 once everything asked for is saved; one stopped by SIGTERM or
SIGHUP saves the same and exits 143 or 129, so that a service manager sees how it ended.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from hipvision.commands.stop import armed
from hipvision.errors import Interrupted, OutputError

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


@dataclass(frozen=True)
class PlannedPath:
    """A file (or folder) a command run reads or writes; ``label`` is how the user named it (``--json``)."""

    label: str
    path: Path
    created: bool = False  # an output whose folder the command makes when missing (demo --out, the history)


@dataclass(frozen=True)
class PathPlan:
    """Every path one command run touches, known before it starts."""

    inputs: tuple[PlannedPath, ...] = ()
    outputs: tuple[PlannedPath, ...] = ()
    folders: tuple[PlannedPath, ...] = ()


Params = Mapping[str, Any]


@dataclass(frozen=True)
class PathRoles:
    """Which parameters of a command are paths, and what the command does with them.

    ``implied`` adds the paths no option names (a default output file, the files written into a
    folder, the history database) as a `PathPlan`; ``suffixes`` maps an output parameter to a function
    giving the file endings it accepts.
    """

    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    suffixes: Mapping[str, Callable[[], tuple[str, ...]]] = field(default_factory=dict)
    implied: Callable[[Params], PathPlan] | None = None


def _history(params: Params) -> PathPlan:
    """``--save`` writes the subject's history database (its folder is created when missing)."""
    if not params.get("save"):
        return PathPlan()
    from hipvision.io.history import db_path

    return PathPlan(outputs=(PlannedPath("--save", db_path(), created=True),))


def _history_read(params: Params) -> PathPlan:
    from hipvision.io.history import db_path

    return PathPlan(inputs=(PlannedPath("the history", db_path()),))


def _report_default(params: Params) -> PathPlan:
    """``hipvision report R.json`` without ``-o`` writes R.html next to the JSON."""
    if params.get("out") is not None or params.get("result_json") is None:
        return PathPlan()
    return PathPlan(outputs=(PlannedPath("report (default -o)", Path(params["result_json"]).with_suffix(".html")),))


def _demo(params: Params) -> PathPlan:
    """The demo writes a fixed set of files into ``--out`` and reads the sample's known answer."""
    from hipvision.commands.demo import DEMO_OUTPUTS, demo_video

    out = Path(params["out"])
    video = demo_video(params.get("video"))
    inputs = () if video is None else (PlannedPath("the sample", video),
                                       PlannedPath("its known answer", video.with_suffix(".json")))
    return PathPlan(inputs=inputs, outputs=tuple(PlannedPath("--out", out / name, created=True)
                                                 for name in DEMO_OUTPUTS))


def _video_suffixes() -> tuple[str, ...]:
    from hipvision.io.video_out import FOURCC_BY_SUFFIX

    return tuple(FOURCC_BY_SUFFIX)


_ANALYSIS_OUTPUTS = ("json_out", "csv_out", "annotate", "record", "report", "cues_wav")
_VIDEO_OUTPUTS = {"annotate": _video_suffixes, "record": _video_suffixes}
_ANALYSIS_SUFFIXES = {**_VIDEO_OUTPUTS, "cues_wav": lambda: (".wav",)}

#: The path parameters of every command (key: the command's name, sub-commands as "models fetch").
ROLES: dict[str, PathRoles] = {
    "rotation": PathRoles(inputs=("video", "original", "camera", "model"), outputs=_ANALYSIS_OUTPUTS,
                          suffixes=_ANALYSIS_SUFFIXES, implied=_history),
    "circles": PathRoles(inputs=("video", "source_video", "camera", "model"), outputs=_ANALYSIS_OUTPUTS,
                         suffixes=_ANALYSIS_SUFFIXES, implied=_history),
    "session": PathRoles(inputs=("video", "original", "camera", "model"), outputs=_ANALYSIS_OUTPUTS,
                         suffixes=_ANALYSIS_SUFFIXES, implied=_history),
    "extract": PathRoles(inputs=("video", "camera", "model"), outputs=("output",),
                         suffixes={"output": lambda: (".npz",)}),
    "report": PathRoles(inputs=("result_json", "video", "poses", "model"), outputs=("out",),
                        implied=_report_default),
    "history": PathRoles(outputs=("csv_out", "plot"), suffixes={"plot": lambda: (".png", ".svg", ".pdf")},
                         implied=_history_read),
    "demo": PathRoles(inputs=("video", "model"), folders=("out",), implied=_demo),
    "models fetch": PathRoles(folders=("dest",)),
    "batch": PathRoles(folders=("out",), implied=_history),  # its INPUTS (files, folders, globs) it checks itself
}


# ---------------------------------------------------------------- the plan and its checks

def _labels(fn: Callable[..., Any]) -> dict[str, str]:
    """Parameter name → how the user writes it (``--json``, ``VIDEO``), from the typer declarations."""
    labels = {}
    for name, param in inspect.signature(fn).parameters.items():
        info = param.default
        decls = [d for d in getattr(info, "param_decls", None) or () if d.startswith("--")]
        if decls:
            labels[name] = decls[0].split("/")[0]
        elif isinstance(info, typer.models.ArgumentInfo):
            labels[name] = info.metavar or name.upper()
        else:
            labels[name] = f"--{name.replace('_', '-')}"
    return labels


def _as_path(value: Any) -> Path | None:
    """A parameter value as a local path; None for no value, a camera index or a URL."""
    if value is None or isinstance(value, bool):
        return None
    text = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if text is None or not text.strip() or text.strip().isdigit() or _URL.match(text):
        return None
    return Path(text).expanduser()


def plan_paths(roles: PathRoles, params: Params, labels: Mapping[str, str]) -> PathPlan:
    """The `PathPlan` of one run of a command with these parameter values."""
    def named(names: Sequence[str]) -> tuple[PlannedPath, ...]:
        return tuple(PlannedPath(labels.get(n, n), p) for n in names if (p := _as_path(params.get(n))) is not None)

    extra = roles.implied(params) if roles.implied is not None else PathPlan()
    return PathPlan(inputs=named(roles.inputs) + extra.inputs, outputs=named(roles.outputs) + extra.outputs,
                    folders=named(roles.folders) + extra.folders)


def _same_file(a: Path, b: Path) -> bool:
    """True when both name one existing file (also through symbolic or hard links)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _nearest_existing(folder: Path) -> Path:
    here = Path(os.path.abspath(folder))
    while not here.exists() and here != here.parent:
        here = here.parent
    return here


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _check_folder(item: PlannedPath) -> None:
    if item.path.exists() and not item.path.is_dir():
        raise OutputError(f"{item.label} {item.path} is a file, not a folder")
    base = _nearest_existing(item.path)
    if not base.is_dir():
        raise OutputError(f"cannot create {item.label} folder {item.path}: {base} is not a folder")
    if not _writable(base):
        raise OutputError(f"cannot write into {item.label} {item.path}: folder {base} is not writable")


def _check_output(item: PlannedPath, suffixes: tuple[str, ...] | None) -> None:
    path = item.path
    if suffixes and path.suffix.lower() not in suffixes:
        raise OutputError(f"{item.label} {path} must end in {' or '.join(suffixes)}")
    if path.is_dir():
        raise OutputError(f"cannot write {item.label} {path}: it is a folder")
    folder = _folder_of(path)
    if item.created:
        _check_folder(PlannedPath(item.label, folder))
        return
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise OutputError(f"cannot write {item.label} {path}: folder {folder} {what}")
    if not _writable(folder):
        raise OutputError(f"cannot write {item.label} {path}: folder {folder} is not writable")


def check_plan(plan: PathPlan, suffixes: Mapping[str, tuple[str, ...]] | None = None) -> None:
    """Raise `OutputError` (one line) unless every output and folder of ``plan`` can be written as planned.
    (The commands say themselves, before any work, when an input is missing.)

    ``suffixes``: label → the file endings that output accepts.
    """
    for item in plan.folders:
        _check_folder(item)
    for k, item in enumerate(plan.outputs):
        _check_output(item, (suffixes or {}).get(item.label))
        for source in plan.inputs:
            if _same_file(item.path, source.path):
                how = "" if os.path.abspath(item.path) == os.path.abspath(source.path) else " (the same file by a link)"
                raise OutputError(f"refusing to write {item.label} {item.path}: it is the input "
                                  f"{source.label} {source.path}{how}")
        for other in plan.outputs[:k]:
            if os.path.realpath(other.path) == os.path.realpath(item.path) or _same_file(other.path, item.path):
                raise OutputError(f"{other.label} and {item.label} both name {item.path}: give each its own file")


# ---------------------------------------------------------------- what was saved

def signal_name(signum: int) -> str:
    """The signal as the user knows it: "Ctrl-C (SIGINT)", "SIGTERM", "SIGHUP"."""
    name = signal.Signals(signum).name
    return "Ctrl-C (SIGINT)" if signum == signal.SIGINT else name


def _stamp(path: Path) -> tuple | None:
    """Identity and time of a file and its SQLite write-ahead log; None if neither exists."""
    stamps = []
    for p in (path, Path(f"{path}-wal")):
        try:
            st = p.stat()
        except OSError:
            stamps.append(None)
        else:
            stamps.append((st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size))
    return None if stamps == [None, None] else tuple(stamps)


def _saved(outputs: Sequence[PlannedPath], before: Mapping[Path, tuple | None]) -> tuple[list[str], list[str]]:
    """Outputs written since ``before`` was taken, and those not written (as the user named them)."""
    saved, missing = [], []
    for item in outputs:
        name = "the history" if item.label == "--save" else str(item.path)
        now = _stamp(item.path)
        (saved if now is not None and now != before.get(item.path) else missing).append(name)
    return saved, missing


def interrupted_line(signum: int, saved: Sequence[str], missing: Sequence[str], *, head: str = "interrupted") -> str:
    """The one line after a signal cut a run short (``head``: "stopped" for a live run that then saved
    what it had): which outputs exist and which do not."""
    head = f"{head} by {signal_name(signum)}"
    if not saved and not missing:
        return head
    if not saved:
        return f"{head}: nothing was saved ({', '.join(missing)} not written)"
    if not missing:
        return f"{head} after saving {', '.join(saved)}"
    return f"{head}: saved {', '.join(saved)}; not saved: {', '.join(missing)}"


# ---------------------------------------------------------------- the wrapper

def guarded(fn: Callable[..., Any], roles: PathRoles) -> Callable[..., Any]:
    """``fn`` (a typer command callback) behind the checks, signal handling and reporting of this module."""
    labels = _labels(fn)

    @functools.wraps(fn)
    def run(**params: Any) -> Any:
        plan = plan_paths(roles, params, labels)
        suffixes = {labels.get(name, name): get() for name, get in roles.suffixes.items()
                    if params.get(name) is not None}
        check_plan(plan, suffixes)
        before = {item.path: _stamp(item.path) for item in plan.outputs}
        with armed() as stop:
            if stop.pending is not None:  # a signal came while the command line was read
                raise Interrupted(interrupted_line(stop.pending, [], [str(o.path) for o in plan.outputs]),
                                  stop.pending)
            try:
                value = fn(**params)
            except KeyboardInterrupt:
                stop.armed = False
                signum = stop.signum or signal.SIGINT
                raise Interrupted(interrupted_line(signum, *_saved(plan.outputs, before)), signum) from None
            except OutputError as exc:
                stop.armed = False
                saved, _ = _saved(plan.outputs, before)
                if not saved:
                    raise
                raise OutputError(f"{exc}; saved: {', '.join(saved)}") from exc
        if stop.signum is not None and stop.signum != signal.SIGINT:  # a live run stopped and saved
            raise Interrupted(interrupted_line(stop.signum, *_saved(plan.outputs, before), head="stopped"),
                              stop.signum)
        return value

    return run


def guard_commands(app: typer.Typer, prefix: str = "") -> None:
    """Put every command of ``app`` (and of its sub-apps) behind `guarded`, with its `ROLES` entry."""
    for info in app.registered_commands:
        name = f"{prefix}{info.name or info.callback.__name__}"
        info.callback = guarded(info.callback, ROLES.get(name, PathRoles()))
    for group in app.registered_groups:
        guard_commands(group.typer_instance, f"{prefix}{group.name} ")
