"""`hipvision models list|fetch|verify`: provision and check the MediaPipe pose models."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from hipvision.commands.common import console, download_bar, err_console, cli_options
from hipvision.errors import ModelError

models_app = typer.Typer(
    name="models", no_args_is_help=True,
    help="List, download (or build offline) and verify the MediaPipe pose models.\n\n"
         "Examples:\n\nhipvision models list\n\nhipvision models fetch full\n\nhipvision models verify full",
)


def _megabytes(n_bytes: int | None) -> str:
    return "" if n_bytes is None else f"{n_bytes / 1e6:.1f} MB"


@models_app.command("list")
def list_command() -> None:
    """Show each pose model, where it was found (or "not provisioned") and its size.

    Examples:

    hipvision models list

    HIPVISION_MODELS=/data/models hipvision models list    (that folder first)
    """
    from hipvision.pose import models

    table = Table(show_edge=False, header_style="bold")
    table.add_column("name")
    table.add_column("where", overflow="fold")
    table.add_column("size", justify="right")
    table.add_column("origin")
    for status in models.list_models():
        where = str(status.path) if status.path else "[dim]not provisioned[/]"
        table.add_row(status.name, where, _megabytes(status.size), status.origin)
    console.print(table)
    console.print("searched: " + ", ".join(f"{label} = {folder}" for label, folder in models.search_dirs()),
                  style="dim", highlight=False, soft_wrap=True)


@models_app.command("fetch")
def fetch_command(
    name: str = typer.Argument("full", help="Model to provision: lite, full or heavy."),
    offline: bool = typer.Option(False, "--offline",
                                 help="Build the model instead of downloading it: from the mediapipe wheel "
                                      "on PyPI (pip), and for lite/heavy also @mediapipe/pose (npm pack)."),
    dest: Optional[Path] = typer.Option(None, "--dest", file_okay=False,
                                        help="Folder to put the model in (default: the first writable of "
                                             "$HIPVISION_MODELS, the repo's models/, the user cache)."),
    force: bool = typer.Option(False, "--force", help="Fetch again even if the model is already there."),
) -> None:
    """Download (or build offline) a pose model and check that it loads. Instant if already there.

    Examples:

    hipvision models fetch full

    hipvision models fetch full --offline    (built from the mediapipe wheel)

    hipvision models fetch heavy --dest models/
    """
    from hipvision.pose import models

    with download_bar(f"downloading {models.model_spec(name).file}") as bar:
        path = models.fetch(name, dest=dest, offline=offline, force=force, on_progress=bar,
                            verbose=cli_options().verbose,
                            say=lambda msg: err_console.print(msg, style="yellow", highlight=False, soft_wrap=True))
    console.print(f"{models.model_spec(name).name}: {path} ({_megabytes(path.stat().st_size)}, verified)",
                  highlight=False, soft_wrap=True)


@models_app.command("verify")
def verify_command(
    model: str = typer.Argument("full", help="A model file (PATH) or a model name (lite, full, heavy)."),
) -> None:
    """Load a pose model and run it once on a blank image; exit code 2 if it is not usable.

    Examples:

    hipvision models verify full

    hipvision models verify models/pose_landmarker_full.task
    """
    from hipvision.pose import models

    path = Path(model).expanduser()
    if not path.is_file():
        try:
            spec = models.model_spec(model)
        except ModelError:
            raise ModelError(f"{model} is neither a model file nor a model name "
                             f"({', '.join(models.MODEL_NAMES)})") from None
        found = models.find_model(spec.name)
        if found is None:
            raise ModelError(f"pose model '{spec.name}' is not provisioned; run `hipvision models fetch "
                             f"{spec.name}`")
        path = found
    models.ensure_verified(path, force=True, verbose=cli_options().verbose)
    console.print(f"ok: {path} ({_megabytes(path.stat().st_size)}, sha256 {models.file_sha256(path)})",
                  highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the `models` sub-commands to `app`."""
    app.add_typer(models_app, name="models")
