"""The ``hipvision`` command line. Each sub-command lives in `hipvision.commands`."""

from __future__ import annotations

import signal
import sys
from typing import Optional

import typer
from typer.core import TyperCommand, TyperGroup

from hipvision._native import mute_stderr_fd
from hipvision._version import __version__
from hipvision.commands import COMMAND_MODULES
from hipvision.commands.common import CliOptions, err_console
from hipvision.commands.guard import guard_commands
from hipvision.commands.stop import STOP_SIGNALS, stop_signals
from hipvision.errors import HipvisionError, Interrupted


def _untyped_flags(command, ctx) -> None:
    """Flags take no value: show no ``<bool>`` type next to them in ``--help`` (typer >= 0.2x shows one)."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


class _Command(TyperCommand):
    def format_help(self, ctx, formatter) -> None:
        _untyped_flags(self, ctx)
        super().format_help(ctx, formatter)


class _Group(TyperGroup):
    def format_help(self, ctx, formatter) -> None:
        _untyped_flags(self, ctx)
        super().format_help(ctx, formatter)


app = typer.Typer(
    name="hipvision",
    cls=_Group,
    help="Hip mobility numbers from a camera or a video: seated hip internal rotation "
         "per leg and quadruped hip circles.\n\n"
         "Examples:\n\n"
         "hipvision demo    (the bundled sample session, with its known answer)\n\n"
         "hipvision session routine.mp4 --report session.html --subject Alex --save\n\n"
         "hipvision rotation --camera 0    (live seated test)\n\n"
         "hipvision COMMAND --help    (each command's options and examples)",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"hipvision {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    ctx: typer.Context,
    version: Optional[bool] = typer.Option(None, "--version", callback=_version_callback, is_eager=True,
                                           help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show MediaPipe's own log output."),
) -> None:
    ctx.obj = CliOptions(debug=debug, verbose=verbose)
    if debug:
        from hipvision._native import show_native_logs

        show_native_logs()  # FFmpeg's, OpenCV's and MediaPipe's own lines too


for _module in COMMAND_MODULES:
    _module.register(app)
guard_commands(app)  # paths checked before any work; SIGTERM/SIGHUP stop a run as Ctrl-C does


def _use_help_classes(typer_app: typer.Typer) -> None:
    """Every command and sub-group of ``typer_app`` renders its help with `_Command`/`_Group`."""
    for info in typer_app.registered_commands:
        info.cls = _Command
    for group in typer_app.registered_groups:
        group.typer_instance.info.cls = _Group
        _use_help_classes(group.typer_instance)


_use_help_classes(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI; user errors become one line on stderr and exit code 2.

    Ctrl-C, SIGTERM and SIGHUP stop a command's work cleanly (see `hipvision.commands.stop`); run as the
    program (``argv`` None) a stop signal that comes once the work is over and its outputs are saved is
    ignored: Python gives its signals back to the system while it shuts down, and such a late signal would
    otherwise end the process as killed instead of with the exit code of what it did.
    """
    args = sys.argv[1:] if argv is None else argv
    with stop_signals(restore=argv is not None):
        code = _run(args)
        if argv is None:
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_IGN)
            if code > 128:  # a signal cut the run short: its line is the last one (`_native.mute_stderr_fd`)
                mute_stderr_fd()
        return code


def _run(args: list[str]) -> int:
    debug = "--debug" in args  # known before the app parses anything, for errors raised while it does
    try:
        code = app(args=args, prog_name="hipvision", standalone_mode=False)
    except Interrupted as exc:
        err_console.print(str(exc), highlight=False, soft_wrap=True, markup=False)
        return exc.exit_code
    except HipvisionError as exc:
        if debug:
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
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug for details)",
                          highlight=False, soft_wrap=True)
        return 1
    return code if isinstance(code, int) and not isinstance(code, bool) else 0


if __name__ == "__main__":
    sys.exit(main())
