"""Top-level CLI behaviour: help, version, and one-line errors without tracebacks."""

import re
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


def command_paths() -> list[list[str]]:
    """Every command and sub-command of the CLI, as the words that call it ([] = the top level)."""
    import typer

    from hipvision.cli import app

    def walk(command, path):
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


def help_text(path: list[str], capsys) -> str:
    assert main([*path, "--help"]) == 0
    return capsys.readouterr().out


def test_every_help_has_examples_and_no_bool_placeholders(capsys):
    paths = command_paths()
    assert ["rotation"] in paths and ["models", "fetch"] in paths and len(paths) >= 12
    for path in paths:
        text = help_text(path, capsys)
        assert "<bool>" not in text, path
        assert "Examples:" in text, path


def test_the_commands_share_one_style(capsys):
    for command in ("rotation", "circles", "session", "extract"):
        text = help_text([command], capsys)
        assert f"Usage: hipvision {command} [OPTIONS] [VIDEO]" in text
        assert re.search(r"VIDEO\s+<path>", text), command  # the argument row, same name and type everywhere
    for command in ("rotation", "circles", "session"):
        text = help_text([command], capsys)
        for option in ("--window", "--no-window", "--mirror", "--no-mirror", "--record", "--max-frames"):
            assert option in text, (command, option)
    for command in ("circles", "session"):
        assert "--reps" in help_text([command], capsys)
    for command in ("demo", "report", "extract"):
        text = help_text([command], capsys)
        assert "--out" in text and " -o " in text and "--output" not in text, command


def test_each_live_commands_help_lists_every_key_its_view_answers(capsys, monkeypatch):
    """The helps listed SPACE/R/Q but not F (full screen), which each live view lists along its bottom."""
    from hipvision.draw.circles import KEYS as CIRCLES_KEYS
    from hipvision.draw.rotation import KEYS as ROTATION_KEYS
    from hipvision.live.session import KEYS as SESSION_KEYS

    monkeypatch.setenv("COLUMNS", "400")  # one line per paragraph: no key torn from what it does
    for command, keys in (("rotation", ROTATION_KEYS), ("circles", CIRCLES_KEYS), ("session", SESSION_KEYS)):
        text = " ".join(help_text([command], capsys).split())
        for key, what in keys:  # "F full screen" ("F toggles full screen" under --window does not count)
            assert f"{key} {what.split()[0]}" in text, (command, key)
