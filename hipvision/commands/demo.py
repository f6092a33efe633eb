"""`hipvision demo`: the whole pipeline on a bundled sample video, compared with its known answer."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from hipvision.commands.common import MODEL_OPTION, console
from hipvision.errors import InputError

DEMO_SAMPLE = "session.mp4"
#: What the demo writes into ``--out``: the session JSON, its CSV and the HTML report.
DEMO_OUTPUTS = ("session.json", "session.csv", "report.html")


def demo_video(video: Path | None) -> Path | None:
    """The recording the demo analyses: ``video``, else the bundled sample (None if there is none)."""
    from hipvision.paths import samples_dir

    if video is not None:
        return Path(video)
    folder = samples_dir()
    return folder / DEMO_SAMPLE if folder is not None and (folder / DEMO_SAMPLE).is_file() else None


def _truth_line(sidecar: Path) -> str | None:
    """The sample's true IR change per leg, from its ground-truth sidecar (None if absent)."""
    from hipvision.io.files import read_json

    if not sidecar.is_file():
        return None
    change = read_json(sidecar).get("change_deg") or {}
    if not change:
        return None
    return ("known answer (rendered sample): IR change left "
            + ", right ".join(f"{change.get(side, float('nan')):+.1f}°" for side in ("left", "right")))


def register(app: typer.Typer) -> None:
    """Add `hipvision demo` to ``app``."""

    @app.command("demo")
    def demo_cmd(
        out: Path = typer.Option(Path("out/demo"), "--out", "-o", help="Folder for the results (created if needed)."),
        video: Optional[Path] = typer.Option(None, "--video", help="Analyse this recording instead of the bundled sample."),
        model: Optional[Path] = MODEL_OPTION,
    ) -> None:
        """Analyse the bundled sample session (seated IR → hip circles → seated IR): JSON, CSV and an HTML report.

        Examples:

        hipvision demo    (writes out/demo/session.json, session.csv and report.html)

        hipvision demo -o results/    (another folder)

        hipvision demo --video my_routine.mp4 -o mine/    (your own routine)
        """
        from hipvision.commands.session import run_session

        video = demo_video(video)
        if video is None:
            raise InputError("the bundled samples/ folder was not found (run the demo from a source checkout, "
                             "or pass --video PATH)")
        out.mkdir(parents=True, exist_ok=True)
        console.print(f"analysing [bold]{video}[/]", highlight=False)
        json_out, csv_out, report = (out / name for name in DEMO_OUTPUTS)
        run_session(video, json_out=json_out, csv_out=csv_out, report=report, model=model)
        truth = _truth_line(video.with_suffix(".json"))
        if truth:
            console.print(truth, highlight=False)
        console.print(f"open [bold]{report}[/] in a browser to see the report", highlight=False)
