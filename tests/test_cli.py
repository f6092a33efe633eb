"""Top-level CLI behaviour: help, version, and one-line errors without tracebacks."""

import subprocess
import sys


from hipvision import __version__
from hipvision.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hipvision", *args], capture_output=True, text=True, timeout=120)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"hipvision {__version__}"


def test_help_lists_the_commands():
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("extract", "rotation", "circles", "models"):
        assert command in out.stdout


def test_unknown_command_is_a_usage_error_not_a_traceback():
    out = run_cli("no-such-command")
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert "no-such-command" in out.stderr
