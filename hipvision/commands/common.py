"""Shared bits of the CLI: settings, consoles, progress bars."""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import typer
from rich.console import Console
from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeRemainingColumn, TransferSpeedColumn)

from hipvision.errors import InputError, OutputError
from hipvision.progress import Tick


@dataclass(frozen=True)
class CliOptions:
    """The global options of one invocation (``--debug``, ``--verbose``), kept on the click context."""

    debug: bool = False
    verbose: bool = False


def cli_options() -> CliOptions:
    """This invocation's global options (the defaults outside a command)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, CliOptions) else CliOptions()


console = Console()
err_console = Console(stderr=True)


def progress_bar(*, transient: bool = False) -> Progress:
    """A rich progress bar for long work (frames, downloads); shown on stderr."""
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err_console, transient=transient,
    )


def import_in_background(*modules: str) -> None:
    """Start importing ``modules`` (e.g. an analysis needing scipy.signal, seconds to import) on a daemon
    thread. Imports hold the GIL, but the pose model's loading and inference release it, so the analysis
    code loads while the poses run; the later ``import`` statement waits for it. Errors surface there."""
    def run() -> None:
        for name in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(name)

    threading.Thread(target=run, name="hipvision-import", daemon=True).start()


def check_writable(path: Path | None, *, suffixes: tuple[str, ...] | None = None) -> None:
    """Fail before any work (one clear line) if ``path`` cannot be written; None is fine."""
    if path is None:
        return
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputError(f"output {path} must end in {' or '.join(suffixes)}")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write {path}: folder {folder} is not writable")


@contextmanager
def rich_progress(description: str, total: int | None) -> Iterator[Tick]:
    """A `hipvision.progress.ProgressFactory` drawing a rich bar on stderr (frames, items)."""
    with progress_bar() as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


@contextmanager
def rich_download_progress(description: str, total: int | None) -> Iterator[Tick]:
    """A `hipvision.progress.ProgressFactory` for bytes: size, speed and time left, gone when done."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                   TimeRemainingColumn(), console=err_console, transient=True)
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def camera_spec(camera: str) -> int | str:
    """``--camera`` value: a digit string is a camera index, anything else a file or URL."""
    return int(camera) if camera.strip().isdigit() else camera


def write_json_csv(data: dict, *, json_out: Path | None, csv_out: Path | None,
                   csv_header: Sequence[str], csv_rows: Callable[[], Iterable[Sequence]]) -> None:
    """Write the result JSON and the per-frame CSV (atomically) where asked, saying where."""
    from hipvision.io.files import write_csv_atomic, write_json_atomic

    if json_out is not None:
        write_json_atomic(json_out, data)
        console.print(f"json: [bold]{json_out}[/]", highlight=False)
    if csv_out is not None:
        write_csv_atomic(csv_out, csv_header, csv_rows())
        console.print(f"csv: [bold]{csv_out}[/]", highlight=False)


# Options of the live mode, shared by the commands that have one (typer reads them as defaults).
WINDOW_OPTION = typer.Option(True, "--window/--no-window", help="Live: show a window (--no-window: headless).")
MIRROR_OPTION = typer.Option(True, "--mirror/--no-mirror", help="Live: show the picture mirrored (selfie view).")
RECORD_OPTION = typer.Option(None, "--record", help="Live: record the annotated view here (.mp4).")
MAX_FRAMES_OPTION = typer.Option(None, "--max-frames", min=1, help="Live: stop after this many frames.")
REPORT_OPTION = typer.Option(None, "--report", help="Write a self-contained HTML report here.")
SUBJECT_OPTION = typer.Option(None, "--subject", help="Whose recording it is (report title, --save).")
SAVE_OPTION = typer.Option(False, "--save", help="Add the result to the subject's local history (needs --subject).")
