"""`hipvision rotation`: seated hip internal rotation per leg, from a video / `.npz` or live from a camera."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from hipvision.commands.common import (write_annotated_video, provisioned_model, MODEL_OPTION, rich_progress,
    MAX_FRAMES_OPTION, MIRROR_OPTION, RECORD_OPTION, REPORT_OPTION, SAVE_OPTION, SUBJECT_OPTION, WINDOW_OPTION,
    LiveStatus, Outputs, camera_spec, console, err_console, cli_options, import_in_background,
    video_argument, write_json_csv,
)
from hipvision.core.posture_check import file_input
from hipvision.commands.notes import print_fields, print_notes
from hipvision.commands.cues import CUES_WAV_OPTION, SOUND_OPTION, live_cues
from hipvision.commands.report import write_report_and_history
from hipvision.commands.stop import polled
from hipvision.io.files import add_source_video, known_source_video
from hipvision.errors import InputError

HELP = """Seated hip internal rotation (IR) per leg: held angle, peak, efforts, class.

Set-up: sit on the edge of a table or bench facing the camera, hips and knees at 90°, \
thighs pointing at the camera, shanks hanging. Camera at about knee height, 1.5-2.5 m in front, \
your whole body (head to feet) in view; shorts or fitted trousers help. Turn one foot OUTWARD as far as \
you can (the knee stays put), hold it 1-2 s, then the other leg. \
Marks: < 30° limited, 30-45° functional, >= 45° target. \
Live keys: SPACE start/stop a trial, R reset, F full screen, Q quit and save.

Examples:

hipvision rotation clip.mp4 --json ir.json --annotate ir.mp4

hipvision rotation clip.mp4 --report ir.html --subject Alex --save

hipvision rotation poses.npz --csv ir.csv    (poses from `hipvision extract`)

hipvision rotation --camera 0 --json ir.json    (live)

hipvision rotation --camera clip.mp4 --no-window --json ir.json    (headless)

hipvision rotation --camera 0 --no-sound    (live, without the spoken "left held, 38 degrees")
"""


def _fmt(v: float | None, unit: str = "°") -> str:
    return "--" if v is None else f"{v:.1f}{unit}"


def print_summary(d: dict) -> None:
    """The rotation JSON as a short table on the console."""
    from hipvision.core.rotation.uncertainty import base_class, held_text
    from hipvision.core.rotation.result import ASYMMETRY_WARNING

    colors = {"limited": "red", "functional": "yellow", "target": "green", "borderline": "magenta",
              "unconfirmed": "magenta", None: "dim"}
    model = str(d.get("model") or "").removeprefix("pose_landmarker_")    # which net measured (files: heavy)
    table = Table(title="Seated hip internal rotation" + (f" ({model} pose model)" if model else ""),
                  show_edge=False, header_style="bold")
    for col, justify in (("leg", "left"), ("held ≥ %gs (95%%)" % d.get("min_hold_s", 1.0), "right"),
                         ("peak", "right"), ("class", "left"), ("efforts", "right"), ("seen", "right")):
        table.add_column(col, justify=justify)
    for side in ("left", "right"):
        leg = d[side]
        cls = leg["class"]
        shown = cls or (leg.get("status") if leg.get("status") not in (None, "measured") else None) or "--"
        table.add_row(side, held_text(leg["held_deg"], leg.get("uncertainty_deg"), leg.get("status")),
                      _fmt(leg["peak_deg"]), f"[{colors.get(base_class(cls), 'dim')}]{shown}[/]",
                      str(len(leg["efforts"])), f"{100 * leg['valid_fraction']:.0f}%")
    console.print(table)
    asym = held_text(d["asymmetry_deg"], d.get("asymmetry_uncertainty_deg"))
    if d.get("asymmetry"):
        asym += f" ({d['asymmetry']})"
    # the left/right-difference warning says what this line says: the line is shown in the warning colour
    # instead of the same words again in the box
    warnings = [w for w in d["warnings"] if not w.startswith(ASYMMETRY_WARNING)]
    if len(warnings) < len(d["warnings"]):
        asym = f"[bold yellow]{asym}[/]"
    print_fields(console, [f"asymmetry: {asym}", f"frames measured: {100 * d['valid_fraction']:.0f}%",
                           f"duration: {d['duration_s']:.1f} s"])
    print_notes(console, warnings=warnings, info=d.get("info") or [], next_steps=d.get("next_steps") or [])


def _write_outputs(d: dict, result, json_out: Path | None, csv_out: Path | None, outputs: Outputs) -> None:
    from hipvision.core.rotation import CSV_HEADER

    write_json_csv(d, json_out=json_out, csv_out=csv_out, csv_header=CSV_HEADER, csv_rows=result.csv_rows,
                   outputs=outputs)


def run_file(video: str | Path, *, json_out: Path | None, csv_out: Path | None, annotate: Path | None,
             original: Path | None, model: Path | None, rot_settings, report: Path | None = None,
             subject: str | None = None, save: bool = False) -> dict:
    """Analyse a video or `.npz`; write the requested outputs; returns the rotation JSON."""
    import_in_background("scipy.signal", "scipy.optimize", "hipvision.core.rotation.analyze")
    is_npz = Path(video).suffix.lower() == ".npz"
    src = original if original is not None else (None if is_npz else Path(video))  # the video, if any
    if annotate is not None:
        from hipvision.io.video_out import fourcc_for

        fourcc_for(annotate)
        if src is None:
            raise InputError("--annotate with a .npz needs the video it came from: add --video PATH")
    if original is not None and not original.is_file():
        raise InputError(f"no such video: {original}")
    from hipvision.pose import input_warnings, poses_from_input

    from hipvision.pose.models import SEATED_FILE_MODEL

    model = model if is_npz else provisioned_model(model, default=SEATED_FILE_MODEL)
    seq = poses_from_input(video, model=model, progress=rich_progress)
    from hipvision.core.rotation import analyze_rotation

    result = analyze_rotation(seq, settings=rot_settings, command_input=file_input(video))
    src = known_source_video(src, seq)
    d = add_source_video(result.to_dict(), src)
    d["warnings"][:0] = input_warnings(seq)  # a video cut short
    print_summary(d)
    outputs = Outputs()
    _write_outputs(d, result, json_out, csv_out, outputs)
    if annotate is not None:
        from hipvision.draw.rotation import RotationAnnotator
        from hipvision.io.sources import check_frame_size

        check_frame_size(src, seq.frame_size)
        write_annotated_video(outputs, annotate, src, RotationAnnotator(seq, result))
    write_report_and_history(outputs, d, report=report, subject=subject, save=save, video=src, poses=seq,
                             model=model)
    outputs.finish()
    return d


def run_camera(camera: str, *, json_out: Path | None, csv_out: Path | None, record: Path | None, window: bool,
               mirror: bool, model: Path | None, max_frames: int | None, rot_settings, report: Path | None = None,
               subject: str | None = None, save: bool = False, sound: bool | None = None,
               cues_wav: Path | None = None) -> dict:
    """The live mode (a camera, a stream, or a video played as a camera); ``sound``, ``cues_wav``: see
    `hipvision.commands.cues.live_cues`."""
    from hipvision.io.frame_store import FrameStore
    from hipvision.live import run_live

    import_in_background("scipy.signal", "scipy.optimize")  # the live analyses' filters, while the model loads
    from hipvision.live.rotation import RotationLive
    from hipvision.pose import PoseTracker
    from hipvision.io.sources import open_source

    spec = camera_spec(camera)
    model = provisioned_model(model)
    with open_source(spec) as source, PoseTracker(model, verbose=cli_options().verbose) as tracker:
        analyzer = RotationLive(frame_size=source.frame_size, settings=rot_settings, mirror=mirror,
                                source=source.description, model=getattr(tracker, "model_name", ""))
        keep = FrameStore() if report is not None else None
        outputs = Outputs()
        with live_cues(analyzer, is_live=source.is_live, sound=sound, cues_wav=cues_wav) as cues, \
                LiveStatus(source, window=window) as status, polled() as stop_requested:
            d = run_live(source, tracker, cues.analyzer, window=window, mirror=mirror, record=record,
                         max_frames=max_frames, keep=keep, on_record_error=lambda exc: outputs.failed(exc, record),
                         on_status=status, stop_requested=stop_requested)
    cues.add_to(d)
    print_summary(d)
    _write_outputs(d, analyzer.tracker.result(), json_out, csv_out, outputs)
    if outputs.ok(record):
        console.print(f"wrote {record}", highlight=False)
    cues.write_wav(outputs, cues_wav)
    write_report_and_history(outputs, d, report=report, subject=subject, save=save, frames=keep)
    outputs.finish()
    return d


def register(app: typer.Typer) -> None:
    """Add ``hipvision rotation`` to `app`."""

    @app.command("rotation", help=HELP)
    def rotation_command(
        video: Optional[Path] = video_argument(
            "Video file, image folder, or .npz from 'hipvision extract' (leave out with --camera)."),
        camera: Optional[str] = typer.Option(
            None, "--camera", help="Live: camera index (0), stream URL, or a video played as a camera."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the result as JSON here."),
        csv_out: Optional[Path] = typer.Option(
            None, "--csv", help="Write the per-frame angles here (CSV; columns: t_s, left_deg, right_deg "
                                "(filtered, degrees, + = IR), left_valid, right_valid, left_reason, "
                                "right_reason, left_raw_deg, right_raw_deg)."),
        annotate: Optional[Path] = typer.Option(
            None, "--annotate", help="Write the video with the analysis drawn on it (.mp4, .avi...)."),
        original: Optional[Path] = typer.Option(
            None, "--video", help="With a .npz input: the video it was extracted from (for --annotate)."),
        model: Optional[Path] = typer.Option(
            None, "--model", help="Pose model: lite, full or heavy, or a .task file. Default: heavy for a video "
                                  "file (more accurate, about half the speed), full live; provisioned on first "
                                  "use (see `hipvision models`)."),
        min_hold: float = typer.Option(1.0, "--min-hold", min=0.1, max=10.0,
                                       help="Seconds an angle must be sustained to count as held."),
        estimator: str = typer.Option("image", "--estimator",
                                      help="image (2D landmarks + camera-angle correction; default) or world "
                                           "(MediaPipe's 3D world landmarks)."),
        fov: float = typer.Option(60.0, "--fov", min=20.0, max=150.0,
                                  help="Horizontal field of view of the camera, degrees (webcams 55-80)."),
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
        from hipvision.commands.report import check_save_options
        from hipvision.core.rotation import ESTIMATORS, RotationSettings

        check_save_options(subject, save)

        if (video is None) == (camera is None):
            raise InputError("give either VIDEO or --camera SPEC (exactly one)")
        if estimator not in ESTIMATORS:
            raise InputError(f"--estimator must be one of: {', '.join(ESTIMATORS)}")
        rot_settings = RotationSettings(min_hold_s=min_hold, estimator=estimator, hfov_deg=fov)
        if camera is not None:
            if annotate is not None or original is not None:
                raise InputError("--annotate/--video are for files; live, use --record OUT.mp4")
            run_camera(camera, json_out=json_out, csv_out=csv_out, record=record, window=window,
                       mirror=mirror, model=model, max_frames=max_frames, rot_settings=rot_settings,
                       report=report, subject=subject, save=save, sound=sound, cues_wav=cues_wav)
        else:
            if cues_wav is not None:
                raise InputError("--cues-wav is for --camera (the live view's sound cues)")
            if record is not None or not window:
                err_console.print("[yellow]note:[/] --record/--no-window only apply with --camera", highlight=False)
            run_file(video, json_out=json_out, csv_out=csv_out, annotate=annotate, original=original, model=model,
                     rot_settings=rot_settings, report=report, subject=subject, save=save)
