"""The end of every terminal summary: a WARNINGS box, plain notes, and what to do next.

Warnings cost accuracy or need action (each says what to change); notes are context and what the
analysis corrected for; the next steps come from the result (`next_steps`, decided in `hipvision.core`).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

#: The widest the box is drawn (the summaries fit an 80-column terminal).
MAX_WIDTH = 80


def bullet_list(lines: Sequence[str], mark: str, *, style: str = "", mark_style: str | None = None) -> Table:
    """``lines`` as a list with hanging indents: ``mark`` (``{k}`` = the 1-based number) in a column of its
    own, each line wrapped after it; ``style`` for both columns, ``mark_style`` (default ``style``) for the mark."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style=style if mark_style is None else mark_style)
    grid.add_column(style=style)
    for k, line in enumerate(lines, start=1):
        grid.add_row(mark.format(k=k), line)
    return grid


def print_fields(console: Console, fields: Sequence[str], *, gap: str = "   ") -> None:
    """Print ``fields`` (markup) on one line, ``gap`` between them, or over as many lines as the terminal needs
    (at most `MAX_WIDTH` wide): a line breaks between fields, never inside one ("25.6" and its "s" stay together)."""
    width = min(console.width, MAX_WIDTH)
    line: list[str] = []
    for field in fields:
        if line and Text.from_markup(gap.join([*line, field])).cell_len > width:
            console.print(gap.join(line), highlight=False)
            line = []
        line.append(field)
    if line:
        console.print(gap.join(line), highlight=False)


def confidence_suffix(level: str | None) -> str:
    """", LOW confidence" (markup) / ", high confidence" after a circle count; "" when the result has none."""
    if level is None:
        return ""
    return f", {'[bold yellow]LOW[/]' if level != 'high' else 'high'} confidence"


def print_reasons(console: Console, reasons: Sequence[str], changes: Sequence[str] = ()) -> None:
    """A low confidence's ``reasons`` as a list (those that differ only in their moment said once,
    `hipvision.core.circles.confidence.merged_reasons`), then one "What to change:" line with the distinct
    ``changes`` they ask for (left out when none)."""
    from hipvision.core.circles.confidence import merged_reasons

    console.print(bullet_list(merged_reasons(reasons), "  -", mark_style="yellow"), highlight=False)
    if changes:
        console.print(bullet_list(["; ".join(dict.fromkeys(changes))], "  What to change:", mark_style="bold"),
                      highlight=False)


def print_notes(console: Console, *, warnings: Sequence[str] = (), info: Sequence[str] = (),
                next_steps: Sequence[str] = ()) -> None:
    """Print the warnings in a yellow box, the information as dim notes, then the numbered next steps.
    Sections without lines are left out; nothing is printed twice."""
    width = min(console.width, MAX_WIDTH)
    if warnings:
        console.print(Panel(bullet_list(list(dict.fromkeys(warnings)), "•"), title="WARNINGS", title_align="left",
                            border_style="yellow", box=box.ROUNDED, width=width))
    if info:
        console.print("[dim]notes:[/]", highlight=False)
        console.print(bullet_list(list(dict.fromkeys(info)), " ·", style="dim"), width=width, highlight=False)
    if next_steps:
        console.print("[bold]what next:[/]", highlight=False)
        console.print(bullet_list(list(dict.fromkeys(next_steps)), " {k}."), width=width, highlight=False)
