"""`hipvision session`: a whole routine (seated IR → hip circles → seated IR) from one recording or live."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from hipvision.commands.common import (write_annotated_video, provisioned_model, MODEL_OPTION, rich_progress,
    MAX_FRAMES_OPTION, MIRROR_OPTION, RECORD_OPTION, REPORT_OPTION, REPS_OPTION, SAVE_OPTION, SUBJECT_OPTION, WINDOW_OPTION,
    LiveStatus, Outputs, camera_spec, console, cli_options, import_in_background,
    video_argument, write_json_csv,
)
from hipvision.commands.notes import confidence_suffix, print_notes, print_reasons
from hipvision.commands.cues import CUES_WAV_OPTION, SOUND_OPTION, live_cues
from hipvision.commands.report import write_report_and_history
from hipvision.commands.stop import polled
from hipvision.commands.report import check_save_options
from hipvision.io.files import add_source_video, known_source_video
from hipvision.errors import InputError

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
    """Phases, the before/after change per leg with its uncertainty, then warnings (the session's and each
    phase's), notes and what next, on the console."""
    table = Table(title="Session", title_justify="left")
    for col in ("#", "phase", "from", "to", "status", "result"):
        table.add_column(col, justify="right" if col in ("#", "from", "to") else "left")
    for k, p in enumerate(result["phases"], start=1):
        r = p.get("result") or {}
        if p["kind"] == "seated" and r:
            from hipvision.core.rotation.uncertainty import held_text

            legs = {side: r.get(side) or {} for side in ("left", "right")}
            left, right = (held_text(g.get("held_deg"), g.get("uncertainty_deg"), g.get("status"), missing="—")
                           for g in legs.values())
            what = f"IR left {left}, right {right}"
        elif p["kind"] == "quadruped" and r:
            what = f"{r.get('total', 0)} circles ({r.get('clockwise', 0)} cw, {r.get('counterclockwise', 0)} ccw)"
            what += confidence_suffix(p.get("confidence"))
        else:
            what = ""
        table.add_row(str(k), p["kind"], f"{p['start_s']:.1f} s", f"{p['end_s']:.1f} s", p["status"].replace("_", " "), what)
    console.print(table)
    for k, p in enumerate(result["phases"], start=1):
        if p["kind"] == "quadruped" and p.get("confidence") not in (None, "high"):
            console.print(f"circles (phase {k}): confidence [bold yellow]LOW[/]: the counts may be wrong",
                          highlight=False)
            print_reasons(console, p.get("confidence_reasons") or [], p.get("what_to_change") or [])
    change = result.get("change_deg") or {}
    if any(v is not None for v in change.values()):
        from hipvision.core.session import circles_credit  # scipy.signal: seconds to import, only for a summary

        total, why = circles_credit(result)
        when = (f"after the {total} hip circles" if why is None
                else f"between the two seated measurements (not credited to the circles: {why})")
        console.print(f"IR change {when}:", highlight=False)
        console.print(_change_table(result), highlight=False)
    warnings, info = list(result.get("warnings") or []), list(result.get("info") or [])
    for k, p in enumerate(result["phases"], start=1):
        r = p.get("result") or {}
        name = f"phase {k} ({'circles' if p['kind'] == 'quadruped' else p['kind']})"
        warnings += [f"{name}: {w}" for w in r.get("warnings") or []]
        info += [f"{name}: {line}" for line in r.get("info") or []]
    print_notes(console, warnings=warnings, info=info, next_steps=result.get("next_steps") or [])


def _change_table(result: dict) -> Table:
    """Per leg: the IR change with its combined 95% uncertainty, and what it means ("no clear change" when
    smaller than its uncertainty; results without uncertainties show the change alone)."""
    from hipvision.core.advice import Change

    change, unc = result.get("change_deg") or {}, result.get("change_uncertainty_deg") or {}
    grid = Table.grid(padding=(0, 2))
    for justify in ("left", "right", "left"):
        grid.add_column(justify=justify, no_wrap=True)
    for side in ("left", "right"):
        c = Change(side, change.get(side), float("nan") if unc.get(side) is None else float(unc[side]))
        if c.verdict is None:
            grid.add_row(f"  {side}", "—", "not measured before and after")
            continue
        amount = f"{c.change_deg:+.1f}°" + (f" ± {c.uncertainty_deg:.1f}°" if unc.get(side) is not None else "")
        grid.add_row(f"  {side}", f"[bold]{amount}[/]", c.verdict)
    return grid


def _finish(result: dict, *, json_out: Path | None, csv_out: Path | None, outputs: Outputs) -> None:
    write_json_csv(result, json_out=json_out, csv_out=csv_out, csv_header=CSV_HEADER, csv_rows=lambda: csv_rows(result),
                   outputs=outputs)
    print_summary(result)


def run_session(video: Path, *, json_out: Path | None = None, csv_out: Path | None = None,
                report: Path | None = None, model: Path | None = None, subject: str | None = None,
                save: bool = False, min_phase_s: float = 3.0, reps: int = 5, annotate: Path | None = None,
                original: Path | None = None) -> dict:
    """Poses → session analysis → the requested outputs; prints the summary and returns the session JSON.
    ``reps``: circles per direction in the set; ``annotate``: write the video with each phase's overlay
    (``original``: the video a ``.npz`` came from)."""
    from hipvision.core.circles import CirclesSettings
    from hipvision.pose import input_warnings, poses_from_input

    check_save_options(subject, save)
    import_in_background("scipy.signal", "scipy.optimize", "hipvision.core.session")
    if annotate is not None:
        from hipvision.io.video_out import fourcc_for

        fourcc_for(annotate)  # a bad extension fails before any work
    if original is not None and not original.is_file():
        raise InputError(f"no such video: {original}")
    model = provisioned_model(model) if video.suffix.lower() != ".npz" else model
    seq = poses_from_input(video, model=model, progress=rich_progress)
    given = original if original is not None else (None if video.suffix.lower() == ".npz" else video)
    src = known_source_video(given, seq)
    if annotate is not None and src is None:
        raise InputError("--annotate with a .npz needs the video it came from: add --video PATH")
    if annotate is not None:
        from hipvision.io.sources import check_frame_size

        check_frame_size(src, seq.frame_size)
    from hipvision.core.session import analyze_session

    circles = CirclesSettings(target_per_direction=reps)
    session = analyze_session(seq, min_phase_s=min_phase_s, circles=circles)
    result = session.to_dict()
    result["warnings"][:0] = input_warnings(seq)  # a video cut short
    outputs = Outputs()
    _finish(add_source_video(result, src), json_out=json_out, csv_out=csv_out, outputs=outputs)
    if annotate is not None:
        from hipvision.draw.session import SessionAnnotator

        write_annotated_video(outputs, annotate, src, SessionAnnotator(seq, session, circles=circles))
    write_report_and_history(outputs, result, report=report, subject=subject, save=save, video=src, poses=seq,
                             model=model)
    outputs.finish()
    return result


def run_session_live(camera: str, *, json_out: Path | None = None, csv_out: Path | None = None,
                     report: Path | None = None, model: Path | None = None, subject: str | None = None,
                     save: bool = False, min_phase_s: float = 3.0, window: bool = True, mirror: bool = True,
                     record: Path | None = None, max_frames: int | None = None, reps: int = 5,
                     sound: bool | None = None, cues_wav: Path | None = None) -> dict:
    """The routine live from a camera (or a video played as one): guided view, then the same outputs as a file.
    ``sound``, ``cues_wav``: see `hipvision.commands.cues.live_cues`."""
    from hipvision.core.circles import CirclesSettings
    from hipvision.io.frame_store import FrameStore
    from hipvision.live import run_live

    import_in_background("scipy.signal", "scipy.optimize")  # the live analyses' filters, while the model loads
    from hipvision.live.session import SessionLive
    from hipvision.pose import PoseTracker
    from hipvision.io.sources import open_source

    check_save_options(subject, save)
    model = provisioned_model(model)
    with open_source(camera_spec(camera)) as source, PoseTracker(model, verbose=cli_options().verbose) as tracker:
        analyzer = SessionLive(frame_size=source.frame_size, fps=source.fps, mirror=mirror,
                               source=source.description, model=tracker.model_name, min_phase_s=min_phase_s,
                               circles=CirclesSettings(target_per_direction=reps))
        keep = FrameStore() if report is not None else None
        outputs = Outputs()
        with live_cues(analyzer, is_live=source.is_live, sound=sound, cues_wav=cues_wav,
                       target_per_direction=reps) as cues, \
                LiveStatus(source, window=window) as status, polled() as stop_requested:
            result = run_live(source, tracker, cues.analyzer, window=window, mirror=mirror, record=record,
                              max_frames=max_frames, keep=keep,
                              on_record_error=lambda exc: outputs.failed(exc, record), on_status=status,
                              stop_requested=stop_requested)
    _finish(cues.add_to(result), json_out=json_out, csv_out=csv_out, outputs=outputs)
    cues.write_wav(outputs, cues_wav)
    if outputs.ok(record):
        console.print(f"wrote {record}", highlight=False)
    write_report_and_history(outputs, result, report=report, subject=subject, save=save, frames=keep)
    outputs.finish()
    return result


def register(app: typer.Typer) -> None:
    """Add `hipvision session` to ``app``."""

    @app.command("session")
    def session_cmd(
        video: Optional[Path] = video_argument("Recording of the routine (seated IR, hip circles, seated IR): a "
                                               "video file, or poses (.npz) from 'hipvision extract' (leave out "
                                               "with --camera)."),
        camera: Optional[str] = typer.Option(None, "--camera", help="Live: camera index (0), stream URL, or a "
                                                                    "video played as a camera."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the session result JSON here."),
        csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write one row per phase as CSV here."),
        annotate: Optional[Path] = typer.Option(None, "--annotate", help="Write the video with each phase's overlay "
                                                                         "(seated IR, hip circles) here (.mp4)."),
        original: Optional[Path] = typer.Option(None, "--video", help="The video the poses came from (for "
                                                                      "--annotate when VIDEO is a .npz)."),
        report: Optional[Path] = REPORT_OPTION,
        model: Optional[Path] = MODEL_OPTION,
        subject: Optional[str] = SUBJECT_OPTION,
        save: bool = SAVE_OPTION,
        min_phase_s: float = typer.Option(3.0, "--min-phase-s", min=0.5,
                                          help="Seated or circle phases shorter than this are not analysed (seconds)."),
        reps: int = REPS_OPTION,
        window: bool = WINDOW_OPTION,
        mirror: bool = MIRROR_OPTION,
        record: Optional[Path] = RECORD_OPTION,
        max_frames: Optional[int] = MAX_FRAMES_OPTION,
        sound: Optional[bool] = SOUND_OPTION,
        cues_wav: Optional[Path] = CUES_WAV_OPTION,
    ) -> None:
        """Split a recording into seated and on-all-fours phases, measure each, and report IR before vs after.

        Live (--camera 0) the view follows you through the routine: sit and turn each foot out, get on
        hands and knees for the circles, sit and measure again; Q ends it and saves the same results as a
        recording would give. Keys: R start over, F full screen, Q quit and save.

        Examples:

        hipvision session routine.mp4 --json session.json --report session.html

        hipvision session routine.mp4 --annotate annotated.mp4    (overlays drawn)

        hipvision session routine.mp4 --reps 3 --subject Alex --save    (3 + 3 set)

        hipvision session --camera 0 --json session.json --record live.mp4    (live)

        hipvision session --camera 0 --no-sound    (live, without the sound cues)
        """
        if (video is None) == (camera is None):
            raise InputError("give a VIDEO (or .npz poses) to analyse, or --camera for a live session (not both)")
        if camera is None:
            if record is not None:
                raise InputError("--record is for --camera; use --annotate for a file")
            if cues_wav is not None:
                raise InputError("--cues-wav is for --camera (the live view's sound cues)")
            run_session(video, json_out=json_out, csv_out=csv_out, report=report, model=model, subject=subject,
                        save=save, min_phase_s=min_phase_s, reps=reps, annotate=annotate, original=original)
        else:
            if annotate is not None or original is not None:
                raise InputError("--annotate/--video are for files; live, use --record OUT.mp4")
            run_session_live(camera, json_out=json_out, csv_out=csv_out, report=report, model=model,
                             subject=subject, save=save, min_phase_s=min_phase_s, window=window, mirror=mirror,
                             record=record, max_frames=max_frames, reps=reps, sound=sound, cues_wav=cues_wav)
