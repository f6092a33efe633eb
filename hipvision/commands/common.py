"""Shared bits of the CLI: settings, consoles, progress bars."""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hipvision.core.posture_check import shell_word
from hipvision.io.files import with_relative_video
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


class _Progress(Progress):
    """A `Progress` that vanishes when its block ends in an exception: the error's one line is all that is left."""

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        if exc_type is None:
            super().__exit__(exc_type, exc_val, exc_tb)
            return
        self.live.transient = True
        self.live.stop()  # not Progress.stop(), which adds an empty line when stderr is not a terminal


def progress_bar(*, transient: bool = False) -> Progress:
    """A rich progress bar for long work (frames, downloads); shown on stderr. Used as a context manager,
    it disappears when the work fails or is interrupted."""
    return _Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err_console, transient=transient,
    )


@contextlib.contextmanager
def rich_progress(description: str, total: int | None) -> Iterator[Tick]:
    """A `hipvision.progress.ProgressFactory` drawing a rich bar on stderr (frames, items)."""
    with progress_bar() as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


@contextlib.contextmanager
def download_bar(label: str) -> Iterator[Callable[[int, int | None], None]]:
    """A byte-count progress bar on stderr, as an ``on_progress(done_bytes, total_bytes)`` callback.

    The bar appears at the first call (nothing is shown if nothing is downloaded) and is
    removed when the block ends, also on an error.
    """
    from rich.progress import DownloadColumn, TransferSpeedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                   TimeRemainingColumn(), console=err_console, transient=True)
    task = None

    def update(done: int, total: int | None) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if task is not None:  # a bar never started prints an empty line when stopped (stderr not a terminal)
            bar.stop()


def provisioned_model(model: str | os.PathLike | None, *, default: str | None = None) -> Path:
    """The ``--model`` value (a ``.task`` file, a model name, or None for the default) as a model file.

    ``default``: the model name to use when ``--model`` was not given (None: `hipvision.pose.models.DEFAULT_MODEL`);
    when it cannot be provisioned, the general default is used with a note on stderr.
    A model that is not there yet is provisioned now (downloaded with a progress bar, or built
    offline; see `hipvision.pose.models.fetch`). Raises ModelError.
    """
    from hipvision.pose.models import resolve_model, resolve_preferred

    with download_bar("downloading pose model") as bar:
        if model is None and default is not None:
            return resolve_preferred(default, on_progress=bar, verbose=cli_options().verbose,
                                     on_fallback=lambda line: err_console.print(f"[yellow]note:[/] {line}",
                                                                                highlight=False))
        return resolve_model(explicit=model, on_progress=bar, verbose=cli_options().verbose)
def import_in_background(*modules: str) -> None:
    """Start importing ``modules`` (e.g. an analysis needing scipy.signal, seconds to import) on a daemon
    thread. Imports hold the GIL, but the pose model's loading and inference release it, so the analysis
    code loads while the poses run; the later ``import`` statement waits for it. Errors surface there."""
    def run() -> None:
        for name in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(name)

    threading.Thread(target=run, name="hipvision-import", daemon=True).start()


class LiveStatus:
    """What a live run says on the terminal (stderr): a first line once the source is open, then, without
    a window, the analyzer's status line (`hipvision.live.run_live`'s ``on_status``): updated in place when
    stderr is a terminal, a plain line every ``every_s`` seconds of the source's time when it is not (a log).

    Use as a context manager around `run_live`; the line in place is removed at the end.
    """

    def __init__(self, source, *, window: bool, every_s: float = 5.0, out: Console | None = None) -> None:
        self.out = out or err_console
        self.window, self.every_s = window, every_s
        self._next_s: float | None = None
        self._live = None
        w, h = source.frame_size
        stop = "Q in the window or Ctrl-C to stop and save" if window else "Ctrl-C to stop and save"
        self.first_line = f"{source.description} open, {w}×{h} at {source.fps:g} fps; {stop}"

    def __enter__(self) -> "LiveStatus":
        self.out.print(self.first_line, highlight=False, soft_wrap=True)
        if not self.window and self.out.is_terminal:
            from rich.live import Live
            from rich.text import Text

            self._live = Live(Text(""), console=self.out, transient=True, refresh_per_second=4)
            self._live.start()
        return self

    def __call__(self, t_s: float, text: str) -> None:
        if self.window:
            return
        if self._live is not None:
            from rich.text import Text

            self._live.update(Text(f"{t_s:7.1f} s   {text}", no_wrap=True, overflow="ellipsis"))
            return
        if self._next_s is None:
            self._next_s = t_s + self.every_s
        elif t_s >= self._next_s:
            self._next_s = t_s + self.every_s
            self.out.print(f"{t_s:7.1f} s   {text}", highlight=False, soft_wrap=True)

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


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


def camera_spec(camera: str) -> int | str:
    """``--camera`` value: a digit string is a camera index, anything else a file or URL."""
    return int(camera) if camera.strip().isdigit() else camera


def live_input(camera: str) -> str:
    """How a command run live from ``camera`` (the ``--camera`` value) takes its input, for the commands a
    result names (`hipvision.core.posture_check.PostureMismatch.command_input`): "--camera 0"."""
    return f"--camera {shell_word(camera)}"


class Outputs:
    """The outputs of one analysis, written one after the other: one that fails (a full disk, a busy
    history) does not stop those after it, and `finish` raises the first failure at the end.

    A live routine cannot be done again, so its JSON, report and history entry are kept even when its
    recording (or any other one output) cannot be written.
    """

    def __init__(self) -> None:
        self.failures: list[tuple[Path | None, OutputError]] = []

    @contextlib.contextmanager
    def attempt(self, path: Path | None = None) -> Iterator[None]:
        """Write one output (``path``) in this block; an `OutputError` is kept for `finish`."""
        try:
            yield
        except OutputError as exc:
            self.failures.append((path, exc))

    def failed(self, exc: OutputError, path: Path | None = None) -> None:
        """An output that failed elsewhere (the live loop's recording)."""
        self.failures.append((path, exc))

    def ok(self, path: Path | None) -> bool:
        """``path`` was asked for and nothing went wrong writing it."""
        return path is not None and all(p != path for p, _ in self.failures)

    def finish(self) -> None:
        """Raise the first failure (one line, saying how many more there were), if any."""
        if self.failures:
            first, more = self.failures[0][1], len(self.failures) - 1
            if not more:
                raise first
            raise OutputError(f"{first} (and {more} more output{'s' if more > 1 else ''} failed)") from first


def write_json_csv(data: dict, *, json_out: Path | None, csv_out: Path | None,
                   csv_header: Sequence[str], csv_rows: Callable[[], Iterable[Sequence]], outputs: Outputs) -> None:
    """Write the result JSON and the per-frame CSV (atomically) where asked, saying where; a failure of
    one is kept in ``outputs`` and the other is still written."""
    from hipvision.io import write_csv_atomic, write_json_atomic

    if json_out is not None:
        with outputs.attempt(json_out):
            write_json_atomic(json_out, with_relative_video(data, json_out))
            console.print(f"json: [bold]{json_out}[/]", highlight=False)
    if csv_out is not None:
        with outputs.attempt(csv_out):
            write_csv_atomic(csv_out, csv_header, csv_rows())
            console.print(f"csv: [bold]{csv_out}[/]", highlight=False)


def write_annotated_video(outputs: Outputs, annotate: Path | None, video: Path | None, draw) -> None:
    """``--annotate``: ``video`` with ``draw(frame)`` on every frame (an annotator of `hipvision.draw`), written
    as one of the run's ``outputs`` (a failure is kept for `Outputs.finish`, the other outputs still written)."""
    if annotate is None:
        return
    from hipvision.io.video_out import annotate_video

    with outputs.attempt(annotate):
        path = annotate_video(video, annotate, draw, progress=rich_progress)
        console.print(f"annotated video: [bold]{path}[/]", highlight=False)


def video_argument(text: str):
    """The VIDEO argument, named and typed the same in every command (optional: --camera can replace it)."""
    return typer.Argument(None, metavar="VIDEO", show_default=False, help=text)


#: ``--reps N``: circles per direction in the set (the 5 + 5 protocol by default).
REPS_OPTION = typer.Option(5, "--reps", min=1, max=100, metavar="N",
                           help="Circles per direction in the set, for the set check (5 = the 5 + 5 protocol).")

# Options of the live mode, shared by the commands that have one (typer reads them as defaults).
WINDOW_OPTION = typer.Option(True, "--window/--no-window", help="Live: show a full-screen window (F toggles full "
                                                                 "screen); --no-window: a status line on the terminal.")
MIRROR_OPTION = typer.Option(True, "--mirror/--no-mirror", help="Live: show the picture mirrored (selfie view).")
RECORD_OPTION = typer.Option(None, "--record", help="Live: record the annotated view here (.mp4).")
MAX_FRAMES_OPTION = typer.Option(None, "--max-frames", min=1, help="Live: stop after this many frames.")
REPORT_OPTION = typer.Option(None, "--report", help="Write a self-contained HTML report here.")
SUBJECT_OPTION = typer.Option(None, "--subject", help="Whose recording it is (report title, --save).")
SAVE_OPTION = typer.Option(False, "--save", help="Add the result to the subject's local history (needs --subject).")
MODEL_OPTION = typer.Option(None, "--model", help="Pose model: lite, full (default) or heavy, or a .task file; "
                                                  "provisioned on first use (see `hipvision models`).")
