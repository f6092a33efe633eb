"""`hipvision extract`: a video (or camera) → pose landmarks of one person, saved as ``.npz``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from hipvision.commands.common import MODEL_OPTION, check_writable, cli_options, console, provisioned_model, rich_progress, video_argument
from hipvision.errors import InputError
from hipvision.progress import ProgressFactory


def check_output(path: Path) -> Path:
    """Fail early (before minutes of work) if ``path`` cannot receive a ``.npz``."""
    check_writable(path, suffixes=(".npz",))
    return path


def run_extract(spec: str | int | Path, output: Path, *, model: Path | None = None, max_frames: int | None = None,
                progress: ProgressFactory | None = rich_progress, live: bool = False) -> dict:
    """Extract landmarks from ``spec`` into ``output``; returns the summary figures.

    ``live`` (``--camera``): Ctrl-C, SIGTERM or SIGHUP end the recording and the poses so far are saved.
    """
    from hipvision.io.files import save_sequence
    from hipvision.pose import PoseTracker, extract, input_warnings
    from hipvision.io.sources import open_source

    check_output(output)
    model = provisioned_model(model)
    with open_source(spec) as source, PoseTracker(model, verbose=cli_options().verbose) as tracker:
        start = time.perf_counter()
        seq = extract(source, tracker, progress=progress, max_frames=max_frames, keep_on_interrupt=live or None)
        elapsed = time.perf_counter() - start
        searches = tracker.stats["search_hits"]
    if len(seq) == 0:
        raise InputError(f"{source.description} delivered no frames")
    save_sequence(seq, output)
    return {"frames": len(seq), "duration_s": seq.duration_s, "detection_rate": seq.detection_rate,
            "fps": len(seq) / elapsed if elapsed > 0 else float("nan"), "small_person_finds": searches,
            "warnings": input_warnings(seq)}


def register(app: typer.Typer) -> None:
    """Add ``hipvision extract`` to `app`."""

    @app.command("extract")
    def extract_command(
        video: Optional[Path] = video_argument("Video file or image folder to read (leave out with --camera)."),
        output: Path = typer.Option(..., "--out", "-o", help="Where to write the landmarks (.npz)."),
        model: Optional[Path] = MODEL_OPTION,
        camera: Optional[str] = typer.Option(
            None, "--camera", help="Read a camera (index such as 0), a stream URL, or a video played as a "
                                   "camera. Ctrl-C ends the recording and saves what was captured."),
        max_frames: Optional[int] = typer.Option(None, "--max-frames", min=1, help="Stop after this many frames."),
    ) -> None:
        """Find one person's pose landmarks in every frame and save them for the analyses.

        Every analysis takes the .npz instead of the video, and runs again without the pose model.

        Examples:

        hipvision extract clip.mp4 -o poses.npz

        hipvision extract frames/ -o poses.npz    (a folder of images)

        hipvision extract --camera 0 -o poses.npz    (Ctrl-C stops, keeps all)
        """
        if (video is None) == (camera is None):
            raise InputError("give either VIDEO or --camera SPEC (exactly one)")
        spec = video if video is not None else camera
        summary = run_extract(spec, output, model=model, max_frames=max_frames, live=camera is not None)
        rate = summary["detection_rate"]
        console.print(f"wrote {output}", highlight=False)
        console.print(f"{summary['frames']} frames ({summary['duration_s']:.1f} s), person found in "
                      f"{rate:.1%} of frames, {summary['fps']:.1f} frames/s", highlight=False)
        if summary["small_person_finds"]:
            console.print(f"the person was small in the frame: found by the tile search "
                          f"{summary['small_person_finds']} time(s)", highlight=False)
        if rate < 0.5:
            console.print(f"[yellow]warning:[/] a person was found in only {rate:.0%} of frames; "
                          "check that the whole body is in view and well lit", highlight=False)
        for warning in summary["warnings"]:
            console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
