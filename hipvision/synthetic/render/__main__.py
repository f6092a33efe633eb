"""``python -m hipvision.synthetic.render``: render videos with ground-truth sidecars."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Optional

import typer

from hipvision.synthetic.render.scenes import SCENES, make_spec

app = typer.Typer(name="hipvision.synthetic.render", help="Render rendered-person videos with ground-truth sidecars.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

#: The bundled samples: file stem → (scene, seed, condition, options); an ``fps`` option sets the frame rate
#: (default 20).
SAMPLES: dict[str, tuple[str, int, str, dict]] = {
    "seated_ir": ("seated_ir", 9, "front", {"efforts": 3}),
    "hip_circles": ("hip_circles", 15, "side", {"per_direction": 5}),
    "session": ("session", 3, "front", {"per_direction": 3, "efforts": 2}),
    "standing_rocking": ("standing_rocking", 2, "front", {}),
    "hip_circles_oblique_back": ("hip_circles", 5031, "oblique_back", {"per_direction": 3, "fps": 15}),
    "hip_circles_behind": ("hip_circles", 5001, "behind", {"per_direction": 3, "fps": 15}),
}


def _command() -> str:
    return " ".join(shlex.quote(a) for a in ["python", "-m", "hipvision.synthetic.render", *sys.argv[1:]])


def _render(spec, out: Path, rig_cache: Optional[Path], command: str, force: bool) -> dict:
    from hipvision.commands.common import progress_bar
    from hipvision.synthetic.render.generate import render_spec

    out.parent.mkdir(parents=True, exist_ok=True)
    with progress_bar() as bar:
        task = bar.add_task(out.name, total=None)
        sidecar = render_spec(spec, out, rig_cache=rig_cache, command=command, skip_existing=not force,
                              on_frame=lambda done, total: bar.update(task, completed=done, total=total))
    return sidecar


@app.command()
def render(
    scene: str = typer.Argument(..., help=f"One of: {', '.join(SCENES)}."),
    out: Path = typer.Option(..., "--out", "-o", help="Video file to write (.mp4); the sidecar goes next to it (.json)."),
    seed: int = typer.Option(0, help="Seed for every random choice (body, clothes, room, camera, script)."),
    condition: Optional[str] = typer.Option(None, help="Camera condition (front, turned, high, far, tilted; "
                                            "side, oblique, high_side, far_side). Default depends on the scene."),
    fps: float = typer.Option(20.0, help="Frames per second."),
    width: int = typer.Option(640, help="Frame width in pixels."),
    height: int = typer.Option(480, help="Frame height in pixels."),
    efforts: int = typer.Option(4, help="Seated IR efforts (seated_ir: total; session: per seated phase)."),
    per_direction: int = typer.Option(5, help="Circles per direction (hip_circles, session)."),
    rig_cache: Optional[Path] = typer.Option(None, help="Folder for cached body rigs (default: user cache)."),
    force: bool = typer.Option(False, help="Render again even if an up-to-date video exists."),
) -> None:
    """Render one video of SCENE with its ground-truth sidecar."""
    options = {"efforts": efforts, "per_direction": per_direction}
    spec = make_spec(scene, seed, fps=fps, width=width, height=height, condition=condition, options=options)
    sidecar = _render(spec, out, rig_cache, _command(), force)
    typer.echo(f"{out}: {sidecar['video']['frame_count']} frames, {sidecar['render']['seconds_per_frame']} s/frame")


@app.command()
def samples(
    out: Path = typer.Option(Path("samples"), "--out", "-o", help="Folder for the sample videos and sidecars."),
    only: Optional[str] = typer.Option(None, help=f"Only this sample ({', '.join(SAMPLES)})."),
    rig_cache: Optional[Path] = typer.Option(None, help="Folder for cached body rigs (default: user cache)."),
    force: bool = typer.Option(False, help="Render again even if an up-to-date video exists."),
) -> None:
    """Render the bundled sample videos (seated IR, hip circles, session, a negative)."""
    for name, (scene, seed, condition, options) in SAMPLES.items():
        if only and name != only:
            continue
        options = dict(options)
        spec = make_spec(scene, seed, fps=float(options.pop("fps", 20.0)), condition=condition, options=options)
        sidecar = _render(spec, out / f"{name}.mp4", rig_cache, _command(), force)
        typer.echo(f"{name}: {sidecar['video']['frame_count']} frames")


@app.command()
def spec(
    scene: str = typer.Argument(..., help=f"One of: {', '.join(SCENES)}."),
    seed: int = typer.Option(0, help="Seed."),
    condition: Optional[str] = typer.Option(None, help="Camera condition."),
) -> None:
    """Print the seeded spec and truth of SCENE without rendering (no extra needed)."""
    from hipvision.io.files import to_json_text
    from hipvision.synthetic.render.scenes import truth_summary

    s = make_spec(scene, seed, condition=condition)
    typer.echo(to_json_text({"spec": s.to_dict(), "truth": truth_summary(s.segments)}))


@app.command()
def preview(
    scene: str = typer.Argument(..., help=f"One of: {', '.join(SCENES)}."),
    out: Path = typer.Option(..., "--out", "-o", help="PNG contact sheet to write."),
    seed: int = typer.Option(0, help="Seed."),
    condition: Optional[str] = typer.Option(None, help="Camera condition."),
    times: str = typer.Option("1,4,8,12", help="Comma-separated times in seconds."),
    efforts: int = typer.Option(4, help="Seated IR efforts."),
    per_direction: int = typer.Option(5, help="Circles per direction."),
    rig_cache: Optional[Path] = typer.Option(None, help="Folder for cached body rigs."),
) -> None:
    """Render a few frames of SCENE into a PNG contact sheet (to look at before rendering a video)."""
    import cv2

    from hipvision.synthetic.render.generate import preview as make_preview

    spec = make_spec(scene, seed, condition=condition, options={"efforts": efforts, "per_direction": per_direction})
    sheet = make_preview(spec, [float(t) for t in times.split(",")], rig_cache=rig_cache)
    cv2.imwrite(str(out), sheet)
    typer.echo(str(out))


@app.command()
def check(
    videos: list[Path] = typer.Argument(..., help="Rendered videos (each with its .json sidecar)."),
    model: Optional[Path] = typer.Option(None, help="Pose model (.task); default: hipvision's model lookup."),
) -> None:
    """Run the pose model on rendered videos: detection rate and left/right correctness vs the sidecar."""
    from hipvision.synthetic.render.check import check_video

    for video in videos:
        report = check_video(video, model=model)
        typer.echo(json.dumps(report))


def main() -> int:
    try:
        app()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
