"""Where the source checkout's folders are (models/, samples/) when hipvision runs from one."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path | None:
    """The source checkout this package runs from, or None (e.g. installed as a wheel)."""
    root = Path(__file__).resolve().parents[1]
    pyproject = root / "pyproject.toml"
    try:
        if pyproject.is_file() and 'name = "hipvision"' in pyproject.read_text(encoding="utf-8"):
            return root
    except OSError:
        pass
    return None


def samples_dir() -> Path | None:
    """The checkout's ``samples/`` folder of rendered videos with known answers, or None."""
    root = repo_root()
    return root / "samples" if root is not None and (root / "samples").is_dir() else None
