"""`hipvision session`: a whole routine (seated IR → hip circles → seated IR) from one recording or live."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from hipvision.commands.common import (
    MAX_FRAMES_OPTION, MIRROR_OPTION, RECORD_OPTION, REPORT_OPTION, SAVE_OPTION, SUBJECT_OPTION, WINDOW_OPTION,
    camera_spec, check_writable, console, settings, write_json_csv,
)
from hipvision.commands.report import check_save_options, write_outputs
from hipvision.errors import InputError
from hipvision.session import circles_credit

#: Columns of ``--csv`` (one row per phase; see docs/outputs.md).
CSV_HEADER = ("phase", "kind", "start_s", "end_s", "status", "seen_fraction", "left_held_deg", "right_held_deg",
              "circles_total", "circles_clockwise", "circles_counterclockwise", "median_radius_cm")


def csv_rows(result: dict) -> list[list]:
    """Rows for `CSV_HEADER` from a session result dict."""
    import numpy as np

    rows = []
    for k, p in enumerate(result.get("phases") or [], start=1):
        r = p.get("result") or {}
        radii = [x["radius_cm"] for x in r.get("reps") or [] if x.get("radius_cm") is not None]
        held = [((r.get(side) or {}).get("held_deg") if p["kind"] == "seated" else None) for side in ("left", "right")]
        rows.append([k, p["kind"], p["start_s"], p["end_s"], p["status"], p.get("seen_fraction"), *held,
                     r.get("total"), r.get("clockwise"), r.get("counterclockwise"),
                     float(np.median(radii)) if radii else None])
    return [[("" if v is None else v) for v in row] for row in rows]


def _fmt(value, unit: str = "°") -> str:
    return "—" if value is None else f"{value:.1f}{unit}"


def print_summary(result: dict) -> None:
    """Phases and the before/after change as a table on the console."""
    table = Table(title="Session", title_justify="left")
    for col in ("#", "phase", "from", "to", "status", "result"):
        table.add_column(col, justify="right" if col in ("#", "from", "to") else "left")
    for k, p in enumerate(result["phases"], start=1):
        r = p.get("result") or {}
        if p["kind"] == "seated" and r:
            what = f"IR left {_fmt((r.get('left') or {}).get('held_deg'))}, right {_fmt((r.get('right') or {}).get('held_deg'))}"
        elif p["kind"] == "quadruped" and r:
            what = f"{r.get('total', 0)} circles ({r.get('clockwise', 0)} cw, {r.get('counterclockwise', 0)} ccw)"
            if p.get("confidence") is not None:
                what += f", {'[bold yellow]LOW[/]' if p['confidence'] != 'high' else 'high'} confidence"
        else:
            what = ""
        table.add_row(str(k), p["kind"], f"{p['start_s']:.1f} s", f"{p['end_s']:.1f} s", p["status"].replace("_", " "), what)
    console.print(table)
    for p in result["phases"]:
        if p["kind"] == "quadruped" and p.get("confidence") not in (None, "high"):
            for reason in p.get("confidence_reasons") or []:
                console.print(f"  [yellow]-[/] circles: {reason}", highlight=False)
    change = result.get("change_deg") or {}
    if any(v is not None for v in change.values()):
        signed = {side: "—" if v is None else f"{v:+.1f}°" for side, v in change.items()}
        total, why = circles_credit(result)
        when = (f"after the {total} hip circles" if why is None
                else f"between the two seated measurements (not credited to the circles: {why})")
        console.print(f"IR change {when}: left [bold]{signed.get('left', '—')}[/], "
                      f"right [bold]{signed.get('right', '—')}[/]", highlight=False)
    for w in result.get("warnings") or []:
        console.print(f"[yellow]![/] {w}", highlight=False)


def _finish(result: dict, *, json_out: Path | None, csv_out: Path | None) -> None:
    write_json_csv(result, json_out=json_out, csv_out=csv_out, csv_header=CSV_HEADER, csv_rows=lambda: csv_rows(result))
    print_summary(result)


def run_session(video: Path, *, json_out: Path | None = None, csv_out: Path | None = None,
                report: Path | None = None, model: Path | None = None, subject: str | None = None,
                save: bool = False, min_phase_s: float = 3.0) -> dict:
    """Poses → session analysis → the requested outputs; prints the summary and returns the session JSON."""
    from hipvision.pose import poses_from_input
    from hipvision.session import analyze_session

    check_save_options(subject, save)
    seq = poses_from_input(video, model=model)
    result = analyze_session(seq, min_phase_s=min_phase_s).to_dict()
    _finish(result, json_out=json_out, csv_out=csv_out)
    is_video = video.suffix.lower() != ".npz"
    write_outputs(result, report=report, video=video if is_video else None, poses=seq, model=model,
                  subject=subject, save=save)
    return result


def run_session_live(camera: str, *, json_out: Path | None = None, csv_out: Path | None = None,
                     report: Path | None = None, model: Path | None = None, subject: str | None = None,
                     save: bool = False, min_phase_s: float = 3.0, window: bool = True, mirror: bool = True,
                     record: Path | None = None, max_frames: int | None = None) -> dict:
    """The routine live from a camera (or a video played as one): guided view, then the same outputs as a file."""
    from hipvision.frame_store import FrameStore
    from hipvision.live import run_live
    from hipvision.overlays.session import SessionLive
    from hipvision.pose import PoseTracker
    from hipvision.sources import open_source

    check_save_options(subject, save)
    with open_source(camera_spec(camera)) as source, PoseTracker(model, verbose=settings.verbose) as tracker:
        analyzer = SessionLive(frame_size=source.frame_size, fps=source.fps, mirror=mirror,
                               source=source.description, model=tracker.model_name, min_phase_s=min_phase_s)
        keep = FrameStore() if report is not None else None
        result = run_live(source, tracker, analyzer, window=window, mirror=mirror, record=record,
                          max_frames=max_frames, keep=keep)
    _finish(result, json_out=json_out, csv_out=csv_out)
    if record is not None:
        console.print(f"wrote {record}", highlight=False)
    write_outputs(result, report=report, subject=subject, save=save, frames=keep)
    return result


def register(app: typer.Typer) -> None:
    """Add `hipvision session` to ``app``."""

    @app.command("session")
    def session_cmd(
        video: Optional[Path] = typer.Argument(None, help="Recording of the routine (seated IR, hip circles, seated "
                                                          "IR): a video file, or poses (.npz) from 'hipvision "
                                                          "extract'. Omit with --camera."),
        camera: Optional[str] = typer.Option(None, "--camera", help="Live: camera index (0), stream URL, or a "
                                                                    "video played as a camera."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the session result JSON here."),
        csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write one row per phase as CSV here."),
        report: Optional[Path] = REPORT_OPTION,
        model: Optional[Path] = typer.Option(None, "--model", help="Pose model file (.task); default: the provisioned one."),
        subject: Optional[str] = SUBJECT_OPTION,
        save: bool = SAVE_OPTION,
        min_phase_s: float = typer.Option(3.0, "--min-phase-s", min=0.5,
                                          help="Seated or circle phases shorter than this are not analysed (seconds)."),
        window: bool = WINDOW_OPTION,
        mirror: bool = MIRROR_OPTION,
        record: Optional[Path] = RECORD_OPTION,
        max_frames: Optional[int] = MAX_FRAMES_OPTION,
    ) -> None:
        """Split a recording into seated and on-all-fours phases, measure each, and report IR before vs after.

        Live (--camera 0) the view follows you through the routine: sit and turn each foot out, get on
        hands and knees for the circles, sit and measure again; Q ends it and saves the same results as a
        recording would give. Keys: R start over, Q quit and save.
        """
        if (video is None) == (camera is None):
            raise InputError("give a VIDEO (or .npz poses) to analyse, or --camera for a live session (not both)")
        for path in (json_out, csv_out, report, record):
            check_writable(path)
        if camera is None:
            if record is not None:
                raise InputError("--record is for --camera")
            run_session(video, json_out=json_out, csv_out=csv_out, report=report, model=model, subject=subject,
                        save=save, min_phase_s=min_phase_s)
        else:
            run_session_live(camera, json_out=json_out, csv_out=csv_out, report=report, model=model,
                             subject=subject, save=save, min_phase_s=min_phase_s, window=window, mirror=mirror,
                             record=record, max_frames=max_frames)
