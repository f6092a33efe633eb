"""`hipvision demo`: the whole pipeline on a bundled sample video, compared with its known answer."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from hipvision.commands.common import MODEL_OPTION, console
from hipvision.errors import InputError

DEMO_SAMPLE = "session.mp4"


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
        from hipvision.paths import samples_dir

        if video is None:
            folder = samples_dir()
            if folder is None or not (folder / DEMO_SAMPLE).is_file():
                raise InputError("the bundled samples/ folder was not found (run the demo from a source checkout, "
                                 "or pass --video PATH)")
            video = folder / DEMO_SAMPLE
        out.mkdir(parents=True, exist_ok=True)
        console.print(f"analysing [bold]{video}[/]", highlight=False)
        run_session(video, json_out=out / "session.json", csv_out=out / "session.csv",
                    report=out / "report.html", model=model)
        truth = _truth_line(video.with_suffix(".json"))
        if truth:
            console.print(truth, highlight=False)
        console.print(f"open [bold]{out / 'report.html'}[/] in a browser to see the report", highlight=False)
