"""`hipvision rotation`: seated hip internal rotation per leg, from a video / `.npz` or live from a camera."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from hipvision.commands.common import (rich_progress, 
    REPORT_OPTION, SAVE_OPTION, SUBJECT_OPTION, camera_spec, check_writable, console, err_console,
    cli_options, import_in_background, write_json_csv,
)
from hipvision.errors import InputError

HELP = """Seated hip internal rotation (IR) per leg: held angle, peak, efforts, class.

Set-up: sit on the edge of a table or bench facing the camera, hips and knees at 90°, \
thighs pointing at the camera, shanks hanging. Camera at about knee height, 1.5-2.5 m in front, \
your whole body (head to feet) in view; shorts or fitted trousers help. Turn one foot OUTWARD as far as \
you can (the knee stays put), hold it 1-2 s, then the other leg. \
Marks: < 30° limited, 30-45° functional, >= 45° target.

Examples:

hipvision rotation clip.mp4 --json ir.json --annotate ir.mp4

hipvision rotation clip.mp4 --report ir.html --subject Alex --save    (report and history)

hipvision rotation poses.npz --csv ir.csv    (landmarks from `hipvision extract`)

hipvision rotation --camera 0 --json ir.json    (live: SPACE trial, R reset, Q quit and save)
"""


def _fmt(v: float | None, unit: str = "°") -> str:
    return "--" if v is None else f"{v:.1f}{unit}"


def print_summary(d: dict) -> None:
    """The rotation JSON as a short table on the console."""
    colors = {"limited": "red", "functional": "yellow", "target": "green", None: "dim"}
    table = Table(title="Seated hip internal rotation", show_edge=False, header_style="bold")
    for col, justify in (("leg", "left"), ("held ≥ %gs" % d.get("min_hold_s", 1.0), "right"), ("peak", "right"),
                         ("class", "left"), ("efforts", "right"), ("seen", "right")):
        table.add_column(col, justify=justify)
    for side in ("left", "right"):
        leg = d[side]
        cls = leg["class"]
        table.add_row(side, _fmt(leg["held_deg"]), _fmt(leg["peak_deg"]), f"[{colors[cls]}]{cls or '--'}[/]",
                      str(len(leg["efforts"])), f"{100 * leg['valid_fraction']:.0f}%")
    console.print(table)
    console.print(f"asymmetry: {_fmt(d['asymmetry_deg'])}   frames measured: {100 * d['valid_fraction']:.0f}%   "
                  f"duration: {d['duration_s']:.1f} s", highlight=False)
    for w in d["warnings"]:
        console.print(f"[yellow]warning:[/] {w}", highlight=False, soft_wrap=True)


def _write_outputs(d: dict, result, json_out: Path | None, csv_out: Path | None) -> None:
    from hipvision.core.rotation import CSV_HEADER

    write_json_csv(d, json_out=json_out, csv_out=csv_out, csv_header=CSV_HEADER, csv_rows=result.csv_rows)


def run_file(video: str, *, json_out: Path | None, csv_out: Path | None, annotate: Path | None,
             original: Path | None, model: Path | None, rot_settings, report: Path | None = None,
             subject: str | None = None, save: bool = False) -> dict:
    """Analyse a video or `.npz`; write the requested outputs; returns the rotation JSON."""
    from hipvision.commands.report import write_outputs

    import_in_background("hipvision.core.rotation.analyze")
    is_npz = Path(video).suffix.lower() == ".npz"
    src = original if original is not None else (None if is_npz else Path(video))  # the video, if any
    if annotate is not None:
        from hipvision.io.video_out import fourcc_for

        fourcc_for(annotate)
        if src is None:
            raise InputError("--annotate with a .npz needs the video it came from: add --video PATH")
    from hipvision.pose import poses_from_input

    seq = poses_from_input(video, model=model, progress=rich_progress)
    from hipvision.core.rotation import analyze_rotation

    result = analyze_rotation(seq, settings=rot_settings)
    d = result.to_dict()
    print_summary(d)
    _write_outputs(d, result, json_out, csv_out)
    if annotate is not None:
        from hipvision.draw.rotation import annotate_rotation_video

        from hipvision.io.sources import check_frame_size


        check_frame_size(src, seq.frame_size)
        annotate_rotation_video(src, annotate, seq, result, progress=rich_progress)
        console.print(f"wrote {annotate}", highlight=False)
    write_outputs(d, report=report, video=src, poses=seq, model=model, subject=subject, save=save)
    return d


def run_camera(camera: str, *, json_out: Path | None, csv_out: Path | None, record: Path | None, window: bool,
               mirror: bool, model: Path | None, max_frames: int | None, rot_settings, report: Path | None = None,
               subject: str | None = None, save: bool = False) -> dict:
    """The live mode (a camera, a stream, or a video played as a camera)."""
    from hipvision.commands.report import write_outputs
    from hipvision.io.frame_store import FrameStore
    from hipvision.live import run_live
    from hipvision.live.rotation import RotationLive
    from hipvision.pose import PoseTracker
    from hipvision.io.sources import open_source

    spec = camera_spec(camera)
    with open_source(spec) as source, PoseTracker(model, verbose=cli_options().verbose) as tracker:
        analyzer = RotationLive(frame_size=source.frame_size, settings=rot_settings, mirror=mirror,
                                source=source.description, model=getattr(tracker, "model_name", ""))
        keep = FrameStore() if report is not None else None
        d = run_live(source, tracker, analyzer, window=window, mirror=mirror, record=record, max_frames=max_frames,
                     keep=keep)
    print_summary(d)
    _write_outputs(d, analyzer.tracker.result(), json_out, csv_out)
    if record is not None:
        console.print(f"wrote {record}", highlight=False)
    write_outputs(d, report=report, subject=subject, save=save, frames=keep)
    return d


def register(app: typer.Typer) -> None:
    """Add ``hipvision rotation`` to `app`."""

    @app.command("rotation", help=HELP)
    def rotation_command(
        video: Optional[str] = typer.Argument(
            None, metavar="VIDEO", show_default=False,
            help="Video file, image folder, or .npz from `hipvision extract` (leave out with --camera)."),
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
            None, "--model", help="Pose model file (.task). Default: the provisioned 'full' model."),
        min_hold: float = typer.Option(1.0, "--min-hold", min=0.1, max=10.0,
                                       help="Seconds an angle must be sustained to count as held."),
        estimator: str = typer.Option("image", "--estimator",
                                      help="image (2D landmarks + camera-angle correction; default) or world "
                                           "(MediaPipe's 3D world landmarks)."),
        fov: float = typer.Option(60.0, "--fov", min=20.0, max=150.0,
                                  help="Horizontal field of view of the camera, degrees (webcams 55-80)."),
        no_window: bool = typer.Option(False, "--no-window", help="Live: no window (headless)."),
        no_mirror: bool = typer.Option(False, "--no-mirror", help="Live: show the picture unmirrored."),
        record: Optional[Path] = typer.Option(None, "--record", help="Live: record the annotated view (.mp4)."),
        max_frames: Optional[int] = typer.Option(None, "--max-frames", min=1, help="Live: stop after N frames."),
        report: Optional[Path] = REPORT_OPTION,
        subject: Optional[str] = SUBJECT_OPTION,
        save: bool = SAVE_OPTION,
    ) -> None:
        from hipvision.commands.report import check_save_options
        from hipvision.core.rotation import ESTIMATORS, RotationSettings

        check_save_options(subject, save)

        if (video is None) == (camera is None):
            raise InputError("give either VIDEO or --camera SPEC (exactly one)")
        if estimator not in ESTIMATORS:
            raise InputError(f"--estimator must be one of: {', '.join(ESTIMATORS)}")
        check_writable(json_out)
        check_writable(csv_out)
        check_writable(annotate)
        check_writable(record)
        check_writable(report)
        rot_settings = RotationSettings(min_hold_s=min_hold, estimator=estimator, hfov_deg=fov)
        if camera is not None:
            if annotate is not None or original is not None:
                raise InputError("--annotate/--video are for files; live, use --record OUT.mp4")
            run_camera(camera, json_out=json_out, csv_out=csv_out, record=record, window=not no_window,
                       mirror=not no_mirror, model=model, max_frames=max_frames, rot_settings=rot_settings,
                       report=report, subject=subject, save=save)
        else:
            if record is not None or no_window:
                err_console.print("[yellow]note:[/] --record/--no-window only apply with --camera", highlight=False)
            run_file(video, json_out=json_out, csv_out=csv_out, annotate=annotate, original=original, model=model,
                     rot_settings=rot_settings, report=report, subject=subject, save=save)
