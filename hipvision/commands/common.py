"""Shared bits of the CLI: settings, consoles, progress bars."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


@dataclass
class Settings:
    """Global CLI options (set once by the top-level callback)."""

    debug: bool = False
    verbose: bool = False


settings = Settings()
console = Console()
err_console = Console(stderr=True)


def progress_bar(*, transient: bool = False) -> Progress:
    """A rich progress bar for long work (frames, downloads); shown on stderr."""
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err_console, transient=transient,
    )
