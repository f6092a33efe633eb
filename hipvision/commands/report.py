"""`hipvision report`: an HTML report from a saved result JSON; plus the shared `--report/--save` outputs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from hipvision.commands.common import console
from hipvision.errors import InputError
from hipvision.sequence import PoseSequence

if TYPE_CHECKING:
    from hipvision.frame_store import FrameStore


def write_outputs(result: dict, *, report: Path | None = None, video: Path | None = None,
                  poses: PoseSequence | None = None, model: Path | None = None,
                  subject: str | None = None, save: bool = False, frames: "FrameStore | None" = None) -> None:
    """The optional outputs every analysis command offers: ``--report OUT.html`` and ``--subject NAME --save``.

    Call it after the JSON/CSV are written. ``video``/``poses`` (files) or ``frames`` (what a live run
    kept) give the report its key frames.
    """
    if report is not None:
        from hipvision.report import write_report

        path = write_report(result, report, video=video, poses=poses, model=model, subject=subject, frames=frames)
        console.print(f"report: [bold]{path}[/]", highlight=False)
    if save:
        from hipvision.history import db_path, save_result

        row = save_result(subject or "", result)
        console.print(f"saved to the history of [bold]{subject}[/] (#{row}, {db_path()})", highlight=False)


def check_save_options(subject: str | None, save: bool) -> None:
    """Fail early (before any video work) when ``--save`` comes without ``--subject``."""
    if save and not (subject or "").strip():
        raise InputError("--save needs --subject NAME (whose history to add the result to)")


def register(app: typer.Typer) -> None:
    """Add `hipvision report` to ``app``."""

    @app.command("report")
    def report_cmd(
        result_json: Path = typer.Argument(..., help="A result JSON written by 'hipvision rotation', "
                                                     "'circles' or 'session' (--json)."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="HTML file to write "
                                                                       "(default: the JSON's name with .html)."),
        video: Optional[Path] = typer.Option(None, "--video", help="The source video, for key frames "
                                                                   "(default: the result's source, if that file exists)."),
        poses: Optional[Path] = typer.Option(None, "--poses", help="Poses (.npz from 'hipvision extract') for the "
                                                                   "skeleton on the key frames (default: run the model on them)."),
        model: Optional[Path] = typer.Option(None, "--model", help="Pose model (.task) used for the key frames' skeleton."),
        subject: Optional[str] = typer.Option(None, "--subject", help="Name shown in the report's title."),
    ) -> None:
        """Write a self-contained HTML report (opens offline) from a result JSON."""
        from hipvision.io import load_sequence, read_json
        from hipvision.report import find_source_video, write_report
        from hipvision.result_schema import validate_result

        result = read_json(result_json)
        validate_result(result, name=result_json)  # docs/schemas/<kind>.schema.json
        seq = load_sequence(poses) if poses is not None else None
        if video is not None and not video.is_file():
            raise InputError(f"no such video: {video}")
        video = video if video is not None else find_source_video(result, base_dir=result_json.parent)
        target = out if out is not None else result_json.with_suffix(".html")
        path = write_report(result, target, video=video, poses=seq, model=model, subject=subject)
        console.print(f"report: [bold]{path}[/]", highlight=False)
