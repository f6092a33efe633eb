"""`hipvision batch`: many recordings at once, resumable, on local processes or on a Ray cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from hipvision.commands.common import console, err_console, progress_bar
from hipvision.errors import InputError

HELP = """Analyse many recordings: seated tests, hip circles and whole sessions, each found from the posture.

INPUTS are video files, .npz poses, folders (searched recursively), globs, URLs, or a CSV manifest \
with a 'path' column and optional 'subject', 'kind' (rotation, circles, session) and 'recorded_at' \
(ISO 8601). Each recording gets NAME.json (and NAME.html with --report) in --out, exactly as its \
single command writes them, and a row in OUT/batch.csv: the key numbers, their uncertainty or \
confidence, warnings, the error if it failed, seconds taken.

Run the same command again to carry on: recordings already done from the same file content by the \
same software are skipped; Ctrl-C keeps everything finished. A recording that fails gets its error \
in the table and the batch goes on (exit code 1 at the end if any failed).

Examples:

hipvision batch recordings/ --out results/

hipvision batch manifest.csv --out results/ --report --save    (subjects from the manifest)

hipvision batch 'clinic/**/*.mp4' --out results/ --workers 2 --parquet

hipvision batch manifest.csv --out results/ --engine ray --address auto    (an existing Ray cluster)
"""


def _change_cell(row) -> str:
    """A session's IR change, left then right, each with its combined 95% half-width ("+12±5 +3±4"; "?" for a
    leg without one), else ""."""
    def leg(side: str) -> str:
        change, unc = getattr(row, f"{side}_change_deg"), getattr(row, f"{side}_change_uncertainty_deg")
        return "?" if change is None else f"{change:+.0f}" + ("" if unc is None else f"±{unc:.0f}")

    return "" if row.left_change_deg is None and row.right_change_deg is None else f"{leg('left')} {leg('right')}"


def _note(row) -> str:
    """One short line: the error of a failed recording, else its first warning."""
    from hipvision.batch.table import WARNING_SEPARATOR

    text = f"failed: {row.error}" if not row.ok else row.warnings.split(WARNING_SEPARATOR)[0]
    text = " ".join(str(text or "").split())
    return text if len(text) <= NOTE_CHARS else text[:NOTE_CHARS - 1] + "…"


#: A note longer than this is cut (the whole text is in batch.csv and the result's JSON).
NOTE_CHARS = 36
#: Columns never cut below their values' usual width (the file and the note give way instead).
_MIN_WIDTH = {"kind": 8, "IR left": 9, "IR right": 9, "change L R": 11, "circles": 7}


def print_batch_table(rows) -> None:
    """One line per recording (`BatchRow`): file, kind, held IR per leg ± its 95% uncertainty (sessions:
    before→after, and the change), circles (? = low confidence), and a failure or the first warning."""
    from rich import box
    from rich.table import Table

    from hipvision.commands.history import circles_cell, ir_cell

    table = Table(title="IR °: held ± 95% (sessions: before→after, change left right); ? = low-confidence count",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0))
    sessions = any(_change_cell(row) for row in rows)
    file_width = min(max(len(row.name) for row in rows), 16)
    for col in ("file", "kind", "IR left", "IR right") + (("change L R",) if sessions else ()) + ("circles", "note"):
        table.add_column(col, justify="right" if col == "circles" else "left", no_wrap=True, overflow="ellipsis",
                         min_width=file_width if col == "file" else _MIN_WIDTH.get(col),
                         max_width=file_width if col == "file" else None)
    for row in rows:
        cells = {**row.to_dict(), "left_deg": row.left_held_deg, "right_deg": row.right_held_deg}
        change = (_change_cell(row),) if sessions else ()
        table.add_row(row.name, row.kind or "", ir_cell(cells, "left"), ir_cell(cells, "right"), *change,
                      circles_cell(cells), _note(row), style=None if row.ok else "red")
    console.print(table)


def _print_end(summary) -> None:
    if summary.rows:
        print_batch_table(summary.rows)
    failed = summary.failed
    console.print(f"{len(summary.rows) - failed} done ({summary.skipped} by an earlier run), {failed} failed"
                  f"{' (see the error column)' if failed else ''}; table: [bold]{summary.tables[0]}[/]",
                  highlight=False)


def run(inputs: list[str], options, *, subject: str | None, kind: str | None) -> int:
    """Expand ``inputs``, run the batch with a progress bar; returns the exit code (1 if any failed)."""
    from hipvision.batch import expand_inputs, run_batch

    tables = {p.resolve() for p in options.table_paths}
    for text in inputs:
        if Path(text).expanduser().resolve() in tables:
            raise InputError(f"{text} would be overwritten by the batch's table: choose another --out folder")
    recordings = expand_inputs(inputs, subject=subject, kind=kind)
    bar = progress_bar()
    task = None

    def on_start(todo: int, skipped: int) -> None:
        nonlocal task
        if skipped:
            console.print(f"{skipped} of {skipped + todo} recordings already done in {options.out_dir}", highlight=False)
        if todo:
            task = bar.add_task("recordings", total=todo)
            bar.start()

    def on_row(row) -> None:
        if not row.ok:
            bar.console.print(f"[red]failed:[/] {row.name}: {row.error}", highlight=False, soft_wrap=True)
        bar.advance(task)

    try:
        summary = run_batch(recordings, options, on_start=on_start, on_row=on_row,
                            on_note=lambda line: err_console.print(f"[yellow]note:[/] {line}", highlight=False))
    except KeyboardInterrupt:
        bar.stop()
        err_console.print(f"interrupted: every finished recording is in {options.out_dir} and its table; "
                          "run the same command again to carry on", highlight=False, soft_wrap=True)
        raise
    finally:
        bar.stop()
    _print_end(summary)
    return 1 if summary.failed else 0


def register(app: typer.Typer) -> None:
    """Add ``hipvision batch`` to `app`."""

    @app.command("batch", help=HELP)
    def batch_command(
        inputs: list[str] = typer.Argument(..., metavar="INPUTS", show_default=False,
                                           help="Videos, .npz poses, folders, globs, URLs or manifest .csv files."),
        out: Path = typer.Option(..., "--out", "-o", help="Folder for the results, batch.csv and the resume state."),
        workers: Optional[int] = typer.Option(
            None, "--workers", "-j", min=1,
            help="Processes, one pose model each (default: one per two CPUs, the fastest measured)."),
        engine: str = typer.Option("local", "--engine", help="local (processes on this machine) or ray."),
        address: Optional[str] = typer.Option(
            None, "--address", help="Ray: address of an existing cluster ('auto', or host:port); default: "
                                    "start Ray on this machine."),
        kind: Optional[str] = typer.Option(
            None, "--kind", help="rotation, circles or session for every input without one in a manifest "
                                 "(default: found from the posture)."),
        report: bool = typer.Option(False, "--report", help="Also write an HTML report per recording."),
        subject: Optional[str] = typer.Option(
            None, "--subject", help="Subject of every recording without one in a manifest."),
        save: bool = typer.Option(False, "--save", help="Add each result to its subject's local history."),
        parquet: bool = typer.Option(False, "--parquet", help="Also write batch.parquet (needs pyarrow)."),
        model: Optional[str] = typer.Option(
            None, "--model", help="Pose model file (.task) or name, for every recording. Default: full, and heavy for a "
                          "video found to be a seated test (read again, as 'hipvision rotation FILE' reads it)."),
        min_phase_s: float = typer.Option(3.0, "--min-phase-s", min=0.5,
                                          help="Sessions: shortest analysed phase; also the shortest phase "
                                               "that tells the kind (seconds)."),
        retry_failed: bool = typer.Option(False, "--retry-failed",
                                          help="Run recordings that failed in an earlier run again."),
    ) -> None:
        from hipvision.batch import BatchOptions

        options = BatchOptions(out_dir=out, engine=engine.strip().lower(), workers=workers, address=address,
                               model=model, report=report, save=save, parquet=parquet, min_phase_s=min_phase_s,
                               retry_failed=retry_failed)
        code = run(inputs, options, subject=subject, kind=kind)
        if code:
            raise typer.Exit(code)
