"""`hipvision history`: saved results per subject as a table, a progress plot or CSV."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.table import Table

from hipvision.commands.common import console
from hipvision.errors import InputError

#: Columns of ``--csv`` (one row per saved result; see docs/outputs.md).
CSV_HEADER = ("id", "subject", "kind", "recorded_at", "source", "left_deg", "left_uncertainty_deg", "right_deg",
              "right_uncertainty_deg", "left_after_deg", "left_after_uncertainty_deg", "right_after_deg",
              "right_after_uncertainty_deg", "circles_total", "circles_confidence", "circle_radius_cm")


def deg_cell(value, uncertainty=None) -> str:
    """"38.2", or with its 95% half-width "38±3" (whole degrees: the ± says how far the tenths mean anything)."""
    if value is None:
        return ""
    return f"{value:.1f}" if uncertainty is None else f"{value:.0f}±{uncertainty:.0f}"


def ir_cell(row: dict, side: str) -> str:
    """Held IR of ``side`` ± its uncertainty (keys ``{side}_deg`` ...), with the after value when there is one."""
    before = deg_cell(row.get(f"{side}_deg"), row.get(f"{side}_uncertainty_deg"))
    after = deg_cell(row.get(f"{side}_after_deg"), row.get(f"{side}_after_uncertainty_deg"))
    if not after:
        return before
    return f"{before or '—'}→{after}"


def circles_cell(row: dict) -> str:
    """The count, marked "?" when its confidence is low."""
    total = row.get("circles_total")
    if total is None:
        return ""
    return f"{total}?" if row.get("circles_confidence") == "low" else str(total)


def print_table(rows: list[dict]) -> None:
    """Saved results as a table (fits 80 columns): when (date and time), kind, IR per leg, circles, radius
    and source file; the subject column only when several people are listed."""
    several = len({r["subject"] for r in rows}) > 1
    years = {r["recorded_at"].year for r in rows}
    when_format = "%d %b %H:%M" if years == {_dt.date.today().year} else "%d %b %Y %H:%M"
    low = any(r.get("circles_confidence") == "low" for r in rows)
    table = Table(title="Saved results: held IR ° ± its 95% uncertainty (sessions: before→after the circles), "
                        "radius cm", caption="? = circle count of low confidence" if low else None,
                  title_justify="left", caption_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=0)
    cols = ["#", "when"] + (["subject"] if several else []) + ["kind", "IR left", "IR right", "circles", "radius",
                                                               "source"]
    for col in cols:
        table.add_column(col, justify="right" if col in ("#", "circles", "radius") else "left",
                         no_wrap=col != "subject", min_width=7 if col == "subject" else None,
                         overflow="ellipsis" if col == "source" else "fold", max_width=20 if col == "source" else None)
    for r in rows:
        cells = [str(r["id"]), r["recorded_at"].strftime(when_format)] + ([r["subject"]] if several else [])
        cells += [r["kind"], ir_cell(r, "left"), ir_cell(r, "right"),
                  circles_cell(r),
                  "" if r["circle_radius_cm"] is None else f"{r['circle_radius_cm']:.1f}",
                  Path(r.get("source") or "").name]
        table.add_row(*cells)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `hipvision history` to ``app``."""

    @app.command("history")
    def history_cmd(
        subject: Optional[str] = typer.Option(None, "--subject", help="Only this person's results."),
        kind: Optional[str] = typer.Option(None, "--kind", help="Only results of this kind: rotation, circles or session."),
        plot: Optional[Path] = typer.Option(None, "--plot", help="Write a progress plot (IR per leg and circle "
                                                                 "size over dates) to this .png, .svg or .pdf."),
        csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write the listed results as CSV here."),
    ) -> None:
        """List results saved with '--subject NAME --save' and plot progress over time.

        Examples:

        hipvision history

        hipvision history --subject Alex --plot progress.png

        hipvision history --subject Alex --kind session --csv alex.csv
        """
        from hipvision.io.history import KINDS, db_path, load_history
        from hipvision.report.plots import write_progress_plot
        from hipvision.io.files import write_csv_atomic

        if kind is not None and kind not in KINDS:
            raise InputError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
        rows = load_history(subject, kind=kind)
        if not rows:
            who = f" for {subject}" if subject else ""
            console.print(f"No saved results{who} in {db_path()}. Save one with: "
                          "hipvision session VIDEO --subject NAME --save", highlight=False)
            return
        subjects = sorted({r["subject"] for r in rows})
        if plot is not None and len(subjects) > 1:
            raise InputError(f"the history holds several people ({', '.join(subjects)}); "
                             "choose one with --subject NAME for the plot")
        print_table(rows)
        if csv_out is not None:
            write_csv_atomic(csv_out, CSV_HEADER, [[("" if r[c] is None else
                                                     r[c].isoformat() if c == "recorded_at" else r[c])
                                                    for c in CSV_HEADER] for r in rows])
            console.print(f"csv: [bold]{csv_out}[/]", highlight=False)
        if plot is not None:
            write_progress_plot(rows, plot, title=f"Progress · {subjects[0]}")
            console.print(f"plot: [bold]{plot}[/]", highlight=False)
