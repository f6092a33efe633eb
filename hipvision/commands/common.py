"""Shared bits of the CLI: settings, consoles, progress bars."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hipvision.errors import InputError, OutputError


@dataclass
class Settings:
    """Global CLI options (set once by the top-level callback)."""

    debug: bool = False
    verbose: bool = False


settings = Settings()
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


def check_frame_size(video: Path, size: tuple[int, int]) -> None:
    """The video given for ``--annotate`` must be the one the landmarks came from (same size, maybe rotated)."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    try:
        if not cap.isOpened():
            raise InputError(f"cannot read video {video}")
        got = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    finally:
        cap.release()
    if got != tuple(size) and got != tuple(size)[::-1]:
        raise InputError(f"{video} is {got[0]}x{got[1]} but the landmarks are from a "
                         f"{size[0]}x{size[1]} video: give the video the .npz was extracted from")


def camera_spec(camera: str) -> int | str:
    """``--camera`` value: a digit string is a camera index, anything else a file or URL."""
    return int(camera) if camera.strip().isdigit() else camera


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
            write_json_atomic(json_out, data)
            console.print(f"json: [bold]{json_out}[/]", highlight=False)
    if csv_out is not None:
        with outputs.attempt(csv_out):
            write_csv_atomic(csv_out, csv_header, csv_rows())
            console.print(f"csv: [bold]{csv_out}[/]", highlight=False)


def write_report_and_history(outputs: Outputs, result: dict, *, report: Path | None, subject: str | None,
                             save: bool, **key_frames) -> None:
    """``--report`` and ``--subject NAME --save`` as two outputs: the history gets the result also when
    the report cannot be written. ``key_frames``: ``video``/``poses``/``model`` or ``frames`` for the report."""
    from hipvision.commands.report import write_outputs

    if report is not None:
        with outputs.attempt(report):
            write_outputs(result, report=report, subject=subject, **key_frames)
    if save:
        with outputs.attempt():
            write_outputs(result, subject=subject, save=save)


# Options of the live mode, shared by the commands that have one (typer reads them as defaults).
WINDOW_OPTION = typer.Option(True, "--window/--no-window", help="Live: show a window (--no-window: headless).")
MIRROR_OPTION = typer.Option(True, "--mirror/--no-mirror", help="Live: show the picture mirrored (selfie view).")
RECORD_OPTION = typer.Option(None, "--record", help="Live: record the annotated view here (.mp4).")
MAX_FRAMES_OPTION = typer.Option(None, "--max-frames", min=1, help="Live: stop after this many frames.")
REPORT_OPTION = typer.Option(None, "--report", help="Write a self-contained HTML report here.")
SUBJECT_OPTION = typer.Option(None, "--subject", help="Whose recording it is (report title, --save).")
SAVE_OPTION = typer.Option(False, "--save", help="Add the result to the subject's local history (needs --subject).")
