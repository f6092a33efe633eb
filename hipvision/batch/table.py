"""The batch's summary table: one `BatchRow` per recording, written as CSV (and Parquet).

Columns (units in the names; empty where a recording has no such number):

* ``name``, ``input``, ``subject``, ``kind``, ``recorded_at``: which recording.
* ``left_held_deg``, ``left_uncertainty_deg``, ``left_class`` and the same for ``right``: held
  seated IR per leg (degrees, + = internal rotation), its 95% half-width and class; for a
  session the first analysed seated phase (before the circles).
* ``left_after_deg`` … ``right_after_class``: a session's last analysed seated phase.
* ``left_change_deg``, ``right_change_deg``: a session's IR change per leg (after − before);
  ``left_change_uncertainty_deg`` … its 95% half-width (before and after combined) and
  ``left_change_verdict`` … "gained", "lost" or "no clear change" (a change within that half-width).
* ``circles_total``, ``circles_clockwise``, ``circles_counterclockwise``: complete circles
  (sessions: all analysed circle phases); ``circle_radius_cm``: their median radius;
  ``circles_confidence``: ``high`` or ``low`` (a session: ``low`` if any phase is).
* ``warnings``: the result's warnings joined by `` | ``.
* ``status`` (``ok`` or ``failed``), ``error`` (one line), ``seconds`` (worker time), ``sha256``
  of the input, ``json`` and ``report`` (file names in the output folder).

Uncertainty and confidence are read from the result where it has them
(``uncertainty_deg`` per leg, ``confidence`` per circles result) and left empty where not.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from hipvision.io.files import atomic_path, write_csv_atomic
from hipvision.core.session import SIDES, compared_legs
WARNING_SEPARATOR = " | "


@dataclass(frozen=True)
class BatchRow:
    """One recording of a batch (see the module docstring for the columns)."""

    name: str
    input: str
    subject: str | None = None
    kind: str | None = None
    recorded_at: str | None = None
    left_held_deg: float | None = None
    left_uncertainty_deg: float | None = None
    left_class: str | None = None
    right_held_deg: float | None = None
    right_uncertainty_deg: float | None = None
    right_class: str | None = None
    left_after_deg: float | None = None
    left_after_uncertainty_deg: float | None = None
    left_after_class: str | None = None
    right_after_deg: float | None = None
    right_after_uncertainty_deg: float | None = None
    right_after_class: str | None = None
    left_change_deg: float | None = None
    left_change_uncertainty_deg: float | None = None
    left_change_verdict: str | None = None
    right_change_deg: float | None = None
    right_change_uncertainty_deg: float | None = None
    right_change_verdict: str | None = None
    circles_total: int | None = None
    circles_clockwise: int | None = None
    circles_counterclockwise: int | None = None
    circle_radius_cm: float | None = None
    circles_confidence: str | None = None
    warnings: str = ""
    status: str = "ok"
    error: str | None = None
    seconds: float | None = None
    sha256: str | None = None
    json: str | None = None
    report: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "BatchRow":
        """A row from `to_dict` output (unknown keys, e.g. from a newer version, are ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(BatchRow))
_INT_COLUMNS = ("circles_total", "circles_clockwise", "circles_counterclockwise")
_FLOAT_COLUMNS = tuple(f.name for f in fields(BatchRow) if f.type == "float | None")


def _leg(result: dict | None, side: str, *, after: bool = False) -> dict:
    """``side``'s held angle, its uncertainty and class as the before (or ``after``) columns."""
    leg = (result or {}).get(side) or {}
    prefix = f"{side}_after" if after else side
    return {f"{prefix}_deg" if after else f"{side}_held_deg": leg.get("held_deg"),
            f"{prefix}_uncertainty_deg": leg.get("uncertainty_deg"), f"{prefix}_class": leg.get("class")}


def _analysed(result: dict, kind: str) -> list[dict]:
    """The results of a session's analysed phases of ``kind`` (``seated``/``quadruped``), in order."""
    return [p["result"] for p in result.get("phases") or []
            if p.get("kind") == kind and p.get("status") == "analysed" and p.get("result")]


def _circles(results: list[dict]) -> dict:
    if not results:
        return {}
    radii = [r["radius_cm"] for c in results for r in c.get("reps") or [] if r.get("radius_cm") is not None]
    confidences = [c.get("confidence") for c in results]
    confidence = None
    if "low" in confidences:
        confidence = "low"
    elif confidences and all(c == "high" for c in confidences):
        confidence = "high"
    return {"circles_total": sum(int(c.get("total") or 0) for c in results),
            "circles_clockwise": sum(int(c.get("clockwise") or 0) for c in results),
            "circles_counterclockwise": sum(int(c.get("counterclockwise") or 0) for c in results),
            "circle_radius_cm": float(statistics.median(radii)) if radii else None,
            "circles_confidence": confidence}


def numbers(result: dict) -> dict:
    """The key numbers of a rotation, circles or session result dict, as `BatchRow` fields."""
    kind = result.get("kind")
    out: dict = {}
    if kind == "rotation":
        for side in SIDES:
            out |= _leg(result, side)
    elif kind == "circles":
        out |= _circles([result])
    elif kind == "session":
        for side in SIDES:
            before, after = compared_legs(result, side)
            out |= _leg({side: before}, side)
            out |= _leg({side: after} if after else None, side, after=True)
            for column, key in (("change_deg", "change_deg"), ("change_uncertainty_deg", "change_uncertainty_deg"),
                                ("change_verdict", "change_verdict")):
                out[f"{side}_{column}"] = (result.get(key) or {}).get(side)
        out |= _circles(_analysed(result, "quadruped"))
    return out


def row_for_result(base: BatchRow, result: dict) -> BatchRow:
    """``base`` (identity and outcome columns) with the numbers and warnings of ``result``."""
    warnings = WARNING_SEPARATOR.join(" ".join(str(w).split()) for w in result.get("warnings") or [])
    return BatchRow(**{**base.to_dict(), **numbers(result), "kind": result.get("kind"), "warnings": warnings})


def _cells(row: BatchRow) -> list:
    return ["" if v is None else v for v in (getattr(row, c) for c in COLUMNS)]


def write_csv(rows: list[BatchRow], path: Path) -> Path:
    """The table as CSV (atomically); empty cells where a value is missing."""
    return write_csv_atomic(path, COLUMNS, (_cells(r) for r in rows))


def parquet_available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def write_parquet(rows: list[BatchRow], path: Path) -> Path:
    """The table as Parquet (atomically), with typed columns (needs the ``parquet`` extra: pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def kind_of(name: str) -> pa.DataType:
        return pa.int64() if name in _INT_COLUMNS else pa.float64() if name in _FLOAT_COLUMNS else pa.string()

    schema = pa.schema([(c, kind_of(c)) for c in COLUMNS])
    table = pa.Table.from_pylist([r.to_dict() for r in rows], schema=schema)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return path
