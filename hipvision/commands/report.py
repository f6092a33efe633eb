"""`hipvision report`: an HTML report from a saved result JSON; plus the shared `--report/--save` outputs."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from hipvision.commands.common import Outputs, console, err_console
from hipvision.errors import InputError
from hipvision.sequence import PoseSequence

if TYPE_CHECKING:
    from hipvision.io.frame_store import FrameStore


def write_outputs(result: dict, *, report: Path | None = None, video: Path | None = None,
                  poses: PoseSequence | None = None, model: Path | None = None,
                  subject: str | None = None, save: bool = False, frames: "FrameStore | None" = None) -> None:
    """The optional outputs every analysis command offers: ``--report OUT.html`` and ``--subject NAME --save``.

    Call it after the JSON/CSV are written. ``video``/``poses`` (files) or ``frames`` (what a live run
    kept) give the report its key frames.
    """
    if report is not None:
        from hipvision.report import write_report

        path = write_report(result, report, video=video, poses=poses, detect=pose_detector(model), subject=subject,
                            frames=frames)
        console.print(f"report: [bold]{path}[/]", highlight=False)
    if save:
        from hipvision.io.history import db_path, save_result

        row = save_result(subject or "", result)
        console.print(f"saved to the history of [bold]{subject}[/] (#{row}, {db_path()})", highlight=False)


def write_report_and_history(outputs: Outputs, result: dict, *, report: Path | None, subject: str | None,
                             save: bool, **key_frames) -> None:
    """``--report`` and ``--subject NAME --save`` as two outputs: the history gets the result also when
    the report cannot be written. ``key_frames``: ``video``/``poses``/``model`` or ``frames`` for the report."""
    if report is not None:
        with outputs.attempt(report):
            write_outputs(result, report=report, subject=subject, **key_frames)
    if save:
        with outputs.attempt():
            write_outputs(result, subject=subject, save=save)


def pose_detector(model: Path | None):
    """The pose model run on a report's few key frames when no poses are at hand (`PoseDetector`)."""
    from hipvision.pose import landmarks_of_images

    return functools.partial(landmarks_of_images, model=model)


def check_save_options(subject: str | None, save: bool) -> None:
    """Fail early (before any video work) when ``--save`` comes without ``--subject``."""
    if save and not (subject or "").strip():
        raise InputError("--save needs --subject NAME (whose history to add the result to)")


def register(app: typer.Typer) -> None:
    """Add `hipvision report` to ``app``."""

    @app.command("report")
    def report_cmd(
        result_json: Path = typer.Argument(..., metavar="RESULT_JSON", show_default=False,
                                           help="A result JSON written by 'hipvision rotation', 'circles' or "
                                                "'session' (--json)."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="HTML file to write "
                                                                       "(default: the JSON's name with .html)."),
        video: Optional[Path] = typer.Option(None, "--video", help="The source video, for key frames "
                                                                   "(default: the result's source, if that file exists)."),
        poses: Optional[Path] = typer.Option(None, "--poses", help="Poses (.npz from 'hipvision extract') for the "
                                                                   "skeleton on the key frames (default: run the model on them)."),
        model: Optional[Path] = typer.Option(None, "--model", help="Pose model (lite, full, heavy or a .task "
                                                                   "file) used for the key frames' skeleton."),
        subject: Optional[str] = typer.Option(None, "--subject", help="Name shown in the report's title."),
    ) -> None:
        """Write a self-contained HTML report (opens offline) from a result JSON.

        Examples:

        hipvision report session.json    (writes session.html next to it)

        hipvision report results/ir.json -o ir.html --subject Alex

        hipvision report ir.json --video moved/clip.mp4    (video moved)
        """
        from hipvision.io.files import load_sequence, read_json
        from hipvision.report import find_source_video, source_video_candidates, write_report
        from hipvision.io.result_schema import validate_result

        result = read_json(result_json)
        validate_result(result, name=result_json)  # docs/schemas/<kind>.schema.json
        seq = load_sequence(poses) if poses is not None else None
        if video is not None and not video.is_file():
            raise InputError(f"no such video: {video}")
        if video is None:
            video = find_source_video(result, base_dir=result_json.parent)
            if video is None and source_video_candidates(result):
                named = (result.get("source_video") or {}).get("path") or result.get("source")
                err_console.print(f"[yellow]note:[/] source video not found; pass --video for key frames ({named})",
                                  highlight=False)
        target = out if out is not None else result_json.with_suffix(".html")
        path = write_report(result, target, video=video, poses=seq, detect=pose_detector(model), subject=subject)
        console.print(f"report: [bold]{path}[/]", highlight=False)
