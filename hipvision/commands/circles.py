"""`hipvision circles`: count and grade quadruped hip circles, from a file or live from a camera.

CSV (``--csv``, one row per frame):

| column | unit | meaning |
|---|---|---|
| frame | – | 0-based frame index |
| t_s | s | time from the start of the source |
| valid | 0/1 | on hands and knees, well enough seen to use |
| forward_cm, right_cm | cm | pelvis in the body's horizontal frame: forward = toward the head, 0 with the hips over the knees (negative = sitting back); right = toward the person's right, 0 on the midline between hands and knees |
| centre_forward_cm, centre_right_cm | cm | centre of the circles at that time |
| rep | – | 1-based circle number, empty outside counted circles |
| direction | – | `clockwise` / `counterclockwise` (seen from above, head at 12 o'clock) for frames in a circle |
| hip_flexion_deg | ° | 180° − shoulder–hip–knee angle (about 80–90° in the start position; more when sitting back) |
| shoulders_forward_cm, shoulders_right_cm | cm | shoulder midpoint relative to the wrists (0, 0 = shoulders over hands) |
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer
from rich import box
from rich.table import Table

from hipvision.commands.common import (write_annotated_video, provisioned_model, MODEL_OPTION, rich_progress,
    MAX_FRAMES_OPTION, MIRROR_OPTION, RECORD_OPTION, REPS_OPTION, REPORT_OPTION, SAVE_OPTION, SUBJECT_OPTION, WINDOW_OPTION,
    LiveStatus, Outputs, camera_spec, console, cli_options, import_in_background, live_input,
    video_argument, write_json_csv,
)
from hipvision.core.posture_check import file_input
from hipvision.commands.notes import confidence_suffix, print_notes, print_reasons
from hipvision.commands.cues import CUES_WAV_OPTION, SOUND_OPTION, live_cues
from hipvision.commands.report import write_report_and_history
from hipvision.commands.stop import polled
from hipvision.core.circles.result import ESTIMATE_MARK, ESTIMATE_NOTE
from hipvision.io.files import add_source_video, known_source_video
from hipvision.errors import InputError

CSV_HEADER = ("frame", "t_s", "valid", "forward_cm", "right_cm", "centre_forward_cm", "centre_right_cm", "rep",
              "direction", "hip_flexion_deg", "shoulders_forward_cm", "shoulders_right_cm")


def csv_rows(result) -> list[list]:
    """Rows for `CSV_HEADER` from a `CirclesResult` (which carries its per-frame track)."""
    track = result.track
    directions = {r.index: r.direction for r in result.reps}
    rows = []
    nan = float("nan")
    for i, t in enumerate(result.t_s):
        valid = bool(track.valid[i])
        k = int(result.rep_of_frame[i])
        cm = [100 * float(v) if valid else nan for v in (*track.pelvis_m[i], *track.centre_m[i],
                                                         *track.shoulders_m[i, :2])]
        rows.append([i, float(t), int(valid), *cm[:4], k or "", directions.get(k, ""),
                     float(track.hip_flexion_deg[i]) if valid else nan, *cm[4:]])
    return rows


def _f(value, fmt: str = ".1f", unit: str = "") -> str:
    return "—" if value is None or (isinstance(value, float) and not np.isfinite(value)) else f"{value:{fmt}}{unit}"


def print_summary(result: dict) -> None:
    """The circles, counts per direction, protocol, start position, then warnings, notes and what next.

    The table fits 80 columns; each verdict is printed once, on its own line, with its circles.
    """
    # The headline on a line of its own: as a table title it wrapped to the width of a table with few columns.
    console.print(f"Hip circles: {result['total']} ({result['clockwise']} clockwise, {result['counterclockwise']} "
                  f"counter-clockwise){confidence_suffix(result.get('confidence'))}", highlight=False)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for col in ("#", "dir", "time s", "radius cm", "round", "back cm", "flex", "spine cm"):
        table.add_column(col, justify="left" if col == "dir" else "right", no_wrap=True)
    verdicts: dict[str, list[str]] = {}
    for r in result["reps"]:
        about = ESTIMATE_MARK if r.get("size_estimated") else ""
        table.add_row(str(r["index"]), "cw" if r["direction"] == "clockwise" else "ccw",
                      f"{_f(r['start_s'])}-{_f(r['end_s'])}",
                      f"{about}{_f(r['radius_cm'])} ({_f(r['radius_pct_torso'], '.0f')}%)",
                      about + _f(r["roundness"], ".2f"),
                      _f(r["sit_back_cm"]), _f(r["peak_hip_flexion_deg"], ".0f", "°"), _f(r["spine_motion_cm"]))
        verdicts.setdefault(r["verdict"], []).append(str(r["index"]))
    if result["reps"]:  # no header for an empty table: the headline already says 0
        console.print(table)
    if any(r.get("size_estimated") for r in result["reps"]):
        console.print(f"{ESTIMATE_MARK} {ESTIMATE_NOTE}", highlight=False)
    for verdict, reps in verdicts.items():
        console.print(f"{verdict}: circle{'s' if len(reps) > 1 else ''} {', '.join(reps)}", highlight=False)
    print_confidence(result)
    for p in result.get("partials") or []:
        console.print(f"unfinished {p['direction']} circle at {p['start_s']:.1f}–{p['end_s']:.1f} s "
                      f"({100 * p['fraction']:.0f}% of a turn, not counted)", highlight=False)
    # another posture: "do 5 more …" and "start position: not seen" do not apply
    if not result.get("posture_mismatch"):
        protocol = result["protocol"]  # a complete set's message says so ("set complete: …"), the others get "set: "
        complete = not any((protocol.get("missing") or {}).values())
        console.print(protocol["message"] if complete else f"set: {protocol['message']}", highlight=False)
        sp = result.get("start_position") or {}
        if sp.get("message"):
            console.print(f"start position: {sp['message']}", highlight=False)
    print_notes(console, warnings=result.get("warnings") or [], info=result.get("info") or [],
                next_steps=result.get("next_steps") or [])


def print_confidence(result: dict) -> None:
    """The counts' confidence: one line when high, the reasons and what to change when low."""
    level = result.get("confidence")
    if level == "high":
        console.print("confidence: [green]high[/]", highlight=False)
    elif level is not None:
        console.print("confidence: [bold yellow]LOW[/]: the counts may be wrong", highlight=False)
        print_reasons(console, result.get("confidence_reasons") or [], result.get("what_to_change") or [])


def _write(result, json_out: Path | None, csv_out: Path | None, outputs: Outputs, video: Path | None = None,
           cues=None) -> dict:
    data = add_source_video(result.to_dict(), video)
    if cues is not None:
        cues.add_to(data)
    write_json_csv(data, json_out=json_out, csv_out=csv_out, csv_header=CSV_HEADER, csv_rows=lambda: csv_rows(result),
                   outputs=outputs)
    return data


def run_camera(camera: str, *, model: Path | None, window: bool, mirror: bool, record: Path | None,
               max_frames: int | None, keep=None, settings=None, on_record_error=None, sound: bool | None = None,
               cues_wav: Path | None = None):
    """Live circles from a camera (or a video played as live); returns the `CirclesResult` to save: the
    file analysis of every frame counted (the live view counts as it goes), and the run's
    `hipvision.commands.cues.LiveCues`. ``keep``: a `hipvision.io.frame_store.FrameStore` that gets every
    frame, for the report; ``settings``: the `CirclesSettings` (default ones when None); ``on_record_error``:
    see `hipvision.live.run_live`; ``sound``, ``cues_wav``: see `hipvision.commands.cues.live_cues`."""
    from hipvision.core.circles import CirclesSettings
    from hipvision.live import run_live

    import_in_background("scipy.signal", "scipy.optimize")  # the live analyses' filters, while the model loads
    from hipvision.live.circles import CirclesLive
    from hipvision.pose import PoseTracker
    from hipvision.io.sources import open_source

    model = provisioned_model(model)
    with open_source(camera_spec(camera)) as source, PoseTracker(model, verbose=cli_options().verbose) as tracker:
        analyzer = CirclesLive(settings=settings or CirclesSettings(), source=source.description,
                               model=tracker.model_name, frame_size=source.frame_size, fps=source.fps,
                               mirror=mirror, command_input=live_input(camera))
        with live_cues(analyzer, is_live=source.is_live, sound=sound, cues_wav=cues_wav,
                       target_per_direction=analyzer.settings.target_per_direction) as cues, \
                LiveStatus(source, window=window) as status, polled() as stop_requested:
            run_live(source, tracker, cues.analyzer, window=window, mirror=mirror, record=record,
                     max_frames=max_frames, keep=keep, on_record_error=on_record_error, on_status=status,
                     stop_requested=stop_requested)
        return analyzer.saved_result(), cues


def register(app: typer.Typer) -> None:
    """Add `hipvision circles` to ``app``."""

    @app.command("circles")
    def circles_cmd(
        video: Optional[Path] = video_argument("Video of the hip circles, or poses (.npz) from 'hipvision extract' "
                                               "(leave out with --camera)."),
        camera: Optional[str] = typer.Option(None, "--camera", help="Count live from this camera (index, e.g. 0) "
                                                                    "or a video file played as if live."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the circles result JSON here."),
        csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write one row per frame as CSV here "
                                                                   "(columns: see docs/outputs.md)."),
        annotate: Optional[Path] = typer.Option(None, "--annotate", help="Write an annotated video here (.mp4): "
                                                                         "skeleton, pelvis trail, counts."),
        source_video: Optional[Path] = typer.Option(None, "--video", help="The video the poses came from (needed "
                                                                          "for --annotate when VIDEO is a .npz)."),
        model: Optional[Path] = MODEL_OPTION,
        reps: int = REPS_OPTION,
        report: Optional[Path] = REPORT_OPTION,
        subject: Optional[str] = SUBJECT_OPTION,
        save: bool = SAVE_OPTION,
        window: bool = WINDOW_OPTION,
        mirror: bool = MIRROR_OPTION,
        record: Optional[Path] = RECORD_OPTION,
        max_frames: Optional[int] = MAX_FRAMES_OPTION,
        sound: Optional[bool] = SOUND_OPTION,
        cues_wav: Optional[Path] = CUES_WAV_OPTION,
    ) -> None:
        """Count quadruped hip circles per direction and grade each one (size, sit-back, spine, smoothness).

        On hands and knees, circle the hips as large as possible: 5 clockwise and 5 counter-clockwise
        (--reps N for N each way). Clockwise = forward → your right → back → left, seen from above with
        the head at 12 o'clock. Film from about 45° between the head and the side (not straight in front of
        the head, which hides the hips, nor behind the hips), or straight behind from higher up (a shelf,
        looking down at the hips). Live keys: SPACE pause/resume, R reset, F full screen, Q quit and save.

        Examples:

        hipvision circles clip.mp4 --json circles.json --annotate circles.mp4

        hipvision circles clip.mp4 --reps 3 --report circles.html    (a 3 + 3 set)

        hipvision circles poses.npz --video clip.mp4 --annotate circles.mp4

        hipvision circles --camera 0 --json circles.json    (live; Q quits and saves)

        hipvision circles --camera clip.mp4 --no-window --cues-wav cues.wav    (the sound cues as a file)
        """
        from hipvision.commands.report import check_save_options
        from hipvision.core.circles import CirclesSettings
        from hipvision.io.frame_store import FrameStore

        check_save_options(subject, save)
        settings = CirclesSettings(target_per_direction=reps)
        if (video is None) == (camera is None):
            raise InputError("give a VIDEO (or .npz poses) to analyse, or --camera for live counting (not both)")
        if camera is not None:
            if annotate is not None:
                raise InputError("--annotate is for files; use --record to save the live view")
            keep = FrameStore() if report is not None else None
            outputs = Outputs()
            result, cues = run_camera(camera, model=model, window=window, mirror=mirror, record=record,
                                      max_frames=max_frames, keep=keep, settings=settings,
                                      on_record_error=lambda e: outputs.failed(e, record), sound=sound,
                                      cues_wav=cues_wav)
            data = _write(result, json_out, csv_out, outputs, cues=cues)
            print_summary(data)
            cues.write_wav(outputs, cues_wav)
            write_report_and_history(outputs, data, report=report, subject=subject, save=save, frames=keep)
            outputs.finish()
            return
        if record is not None:
            raise InputError("--record is for --camera; use --annotate for a file")
        if cues_wav is not None:
            raise InputError("--cues-wav is for --camera (the live view's sound cues)")
        is_npz = video.suffix.lower() == ".npz"
        src = source_video if source_video is not None else (None if is_npz else video)
        if annotate is not None:
            from hipvision.io.video_out import fourcc_for

            fourcc_for(annotate)  # a bad extension fails before any work
            if src is None:
                raise InputError("--annotate with a .npz needs the video it came from: add --video PATH")
        if src is not None and not src.is_file():
            raise InputError(f"no such video: {src}")
        import_in_background("scipy.signal", "hipvision.core.circles.analyze")
        from hipvision.pose import input_warnings, poses_from_input

        model = model if is_npz else provisioned_model(model)
        seq = poses_from_input(video, model=model, progress=rich_progress)
        from hipvision.core.circles import analyze_circles

        if annotate is not None:
            from hipvision.io.sources import check_frame_size

            check_frame_size(src, seq.frame_size)
        result = analyze_circles(seq, settings=settings, command_input=file_input(video))
        result.warnings[:0] = input_warnings(seq)  # a video cut short
        outputs = Outputs()
        src = known_source_video(src, seq)
        data = _write(result, json_out, csv_out, outputs, src)
        print_summary(data)
        if annotate is not None:
            from hipvision.draw.circles import CirclesAnnotator

            write_annotated_video(outputs, annotate, src, CirclesAnnotator(seq, result, settings=settings))
        write_report_and_history(outputs, data, report=report, subject=subject, save=save, video=src, poses=seq,
                                 model=model)
        outputs.finish()
