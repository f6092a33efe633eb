"""The ``hipvision`` command line. Each sub-command lives in `hipvision.commands`."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from hipvision import __version__
from hipvision.commands import COMMAND_MODULES
from hipvision.commands.common import settings, err_console
from hipvision.errors import HipvisionError

app = typer.Typer(
    name="hipvision",
    help="Hip mobility numbers from a camera or a video: seated hip internal rotation "
         "per leg and quadruped hip circles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"hipvision {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    version: Optional[bool] = typer.Option(None, "--version", callback=_version_callback, is_eager=True,
                                           help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show MediaPipe's own log output."),
) -> None:
    settings.debug = debug
    settings.verbose = verbose


for _module in COMMAND_MODULES:
    _module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI; user errors become one line on stderr and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    settings.debug = "--debug" in args
    try:
        code = app(args=args, prog_name="hipvision", standalone_mode=False)  # a command's typer.Exit(code)
    except HipvisionError as exc:
        if settings.debug:
            raise
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort,):
        return 1
    except Exception as exc:  # usage errors (click's, vendored by typer) and anything unexpected
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            return exc.exit_code
        if settings.debug:
            raise
        err_console.print(f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug for details)",
                          highlight=False, soft_wrap=True)
        return 1
    return code if isinstance(code, int) and not isinstance(code, bool) else 0


if __name__ == "__main__":
    sys.exit(main())
