"""The header every result JSON starts with (see docs/outputs.md), built in one place.

`RESULT_SCHEMA_VERSION` versions the result JSONs; it is kept apart from the `.npz` pose
file's version (`hipvision.sequence.SCHEMA_VERSION`): the two change for different reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata

from hipvision._version import __version__

RESULT_SCHEMA_VERSION = 1


def software_versions() -> dict[str, str | None]:
    """Versions that produced a result: hipvision and, when installed, mediapipe (read from metadata only)."""
    try:
        mediapipe = metadata.version("mediapipe")
    except metadata.PackageNotFoundError:
        mediapipe = None
    return {"hipvision": __version__, "mediapipe": mediapipe}


def result_header(kind: str, *, model: str, source: str, duration_s: float, warnings: Sequence[str]) -> dict:
    """The fields every result JSON starts with: kind, schema and software versions, model, source,
    duration (seconds, rounded to ms) and the warnings."""
    return {"kind": kind, "schema_version": RESULT_SCHEMA_VERSION, "software": software_versions(),
            "model": model, "source": source, "duration_s": round(float(duration_s), 3),
            "warnings": list(warnings)}
