"""Progress history: results saved per subject in a local SQLite database.

The database lives in ``$HIPVISION_HOME`` if set, else in the platform's user data
folder (``platformdirs.user_data_dir("hipvision")``), as ``history.sqlite3``.

* Safe with several writers at once: WAL journal, a busy timeout, every write in one
  ``BEGIN IMMEDIATE`` transaction, and opening retried while other processes switch a new database to WAL.
* Schema versioned with ``PRAGMA user_version``; a newer schema is refused, never rewritten.
* A damaged file (or one that is not ours) gives a clear error and is left exactly as it is.
* Private: a folder it creates is 0700 and the database it creates 0600 (SQLite gives the
  ``-wal``/``-shm``/``-journal`` files the database's mode), as are progress plots written into that
  folder. A folder or database that already exists keeps the permissions it has (the user's choice).

Each row keeps the whole result JSON plus a few summary numbers for tables and plots.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from hipvision.errors import HipvisionError, InputError, OutputError
from hipvision.io.files import to_json_text

DB_NAME = "history.sqlite3"
DB_SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
KINDS = ("rotation", "circles", "session")
FOLDER_MODE = 0o700  # health measurements: the owner's alone
FILE_MODE = 0o600

_SCHEMA = """
CREATE TABLE results (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subject          TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('rotation', 'circles', 'session')),
    recorded_at      TEXT NOT NULL,          -- ISO 8601 with UTC offset
    source           TEXT NOT NULL DEFAULT '',
    left_deg         REAL,                   -- held IR (sessions: first seated phase, before)
    right_deg        REAL,
    left_after_deg   REAL,                   -- sessions: last seated phase, after the circles
    right_after_deg  REAL,
    circles_total    INTEGER,
    circle_radius_cm REAL,                   -- median radius of the complete circles
    result_json      TEXT NOT NULL
);
CREATE INDEX results_subject_time ON results (subject, recorded_at);
"""
#: Summary columns, in table order (see docs/outputs.md).
SUMMARY_COLUMNS = ("left_deg", "right_deg", "left_after_deg", "right_after_deg", "circles_total", "circle_radius_cm")
#: How far each summary number can be trusted, read from the stored result when listed (not stored as columns):
#: the 95% half-width of each held IR (degrees; None where the result has none) and the circles' confidence
#: ("high"/"low"; a session is "low" when any circle phase is).
CONFIDENCE_COLUMNS = ("left_uncertainty_deg", "right_uncertainty_deg", "left_after_uncertainty_deg",
                      "right_after_uncertainty_deg", "circles_confidence")


def history_home(home: str | os.PathLike | None = None) -> Path:
    """Folder of the history database: ``home``, else ``$HIPVISION_HOME``, else the user data folder."""
    if home is not None:
        return Path(home)
    if os.environ.get("HIPVISION_HOME"):
        return Path(os.environ["HIPVISION_HOME"])
    import platformdirs

    return Path(platformdirs.user_data_dir("hipvision", appauthor=False))


def db_path(home: str | os.PathLike | None = None) -> Path:
    return history_home(home) / DB_NAME


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _fail(error: type[HipvisionError], path: Path, exc: sqlite3.Error,
          waited_s: float = BUSY_TIMEOUT_S) -> HipvisionError:
    text = str(exc)
    if _is_busy(exc):
        return error(f"history database {path} stayed busy for {waited_s:.0f} s ({text}); try again")
    if isinstance(exc, sqlite3.OperationalError) and ("unable to open" in text or "readonly" in text):
        return error(f"cannot open history database {path}: {text}")
    return error(f"history database {path} is damaged or is not a hipvision history ({text}). "
                 "It was left untouched: move it away (or set $HIPVISION_HOME) to start a new history.")


def _ensure_schema(con: sqlite3.Connection, path: Path, error: type[HipvisionError]) -> None:
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version == DB_SCHEMA_VERSION:
        return
    if version > DB_SCHEMA_VERSION:
        raise error(f"history database {path} has schema version {version}, newer than this hipvision reads "
                    f"({DB_SCHEMA_VERSION}); upgrade hipvision")
    con.execute("BEGIN IMMEDIATE")
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]  # another process may have just made it
        if version == 0:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            if tables:
                raise error(f"{path} is an SQLite database with other tables ({', '.join(tables[:5])}), "
                            "not a hipvision history; it was left untouched")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute(f"PRAGMA user_version = {DB_SCHEMA_VERSION}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@contextlib.contextmanager
def open_db(home: str | os.PathLike | None = None, *, create: bool = True,
            error: type[HipvisionError] = InputError) -> Iterator[sqlite3.Connection | None]:
    """An open connection to the history database (None if it does not exist and ``create`` is False)."""
    path = db_path(home)
    if not path.exists():
        if not create:
            yield None
            return
        try:
            path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)  # an existing folder is left as it is
            _create_private(path)
        except OSError as exc:
            raise error(f"cannot create the history database {path}: {exc.strerror or exc}") from None
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise _fail(error, path, exc) from None
    try:
        _prepare(con, path, error)
        yield con
    finally:
        con.close()


def _prepare(con: sqlite3.Connection, path: Path, error: type[HipvisionError]) -> None:
    """Switch a new database to WAL and make its schema, retrying while other writers hold it.

    Switching the journal mode upgrades a read lock to a write lock; two processes doing that at once on a
    just-created database make SQLite answer "database is locked" at once to one of them (deadlock avoidance,
    the busy timeout does not wait there). So a busy answer is retried here until ``BUSY_TIMEOUT_S`` has passed.
    """
    start = time.monotonic()
    while True:
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                con.execute("PRAGMA journal_mode = WAL")
            _ensure_schema(con, path, error)
            return
        except sqlite3.Error as exc:
            waited = time.monotonic() - start
            if not _is_busy(exc) or waited >= BUSY_TIMEOUT_S:
                raise _fail(error, path, exc, waited_s=max(waited, 0.0)) from None
            time.sleep(random.uniform(0.01, 0.1))


def _create_private(path: Path) -> None:
    """Create the empty database file readable by its owner only (SQLite takes an empty file as a new
    database); another process creating it first is fine."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass


def _median_radius(circles: list[dict]) -> float | None:
    radii = [r["radius_cm"] for c in circles for r in c.get("reps") or [] if r.get("radius_cm") is not None]
    return round(float(np.median(radii)), 2) if radii else None


def summarize(result: dict) -> dict:
    """The summary and confidence columns (`SUMMARY_COLUMNS`, `CONFIDENCE_COLUMNS`) of a result dict; None
    where not applicable (also for a leg that was not measured, e.g. status "no effort")."""
    from hipvision.core.rotation.status import measured_held_deg
    from hipvision.core.session import compared_legs

    out = dict.fromkeys(SUMMARY_COLUMNS + CONFIDENCE_COLUMNS)
    kind = result.get("kind")
    seated: list[dict] = []
    circles: list[dict] = []
    if kind == "rotation":
        seated = [result]
    elif kind == "circles":
        circles = [result]
    elif kind == "session":
        phases = [p for p in result.get("phases") or [] if p.get("status") == "analysed" and p.get("result")]
        circles = [p["result"] for p in phases if p["kind"] == "quadruped"]
    for side in ("left", "right"):
        legs = compared_legs(result, side) if kind == "session" else ((seated[0].get(side) or {}) if seated else {}, {})
        for when, leg in zip(("", "_after"), legs):
            if leg:
                out[f"{side}{when}_deg"] = measured_held_deg(leg)
                out[f"{side}{when}_uncertainty_deg"] = _uncertainty_deg(leg)
    if circles:
        out["circles_total"] = sum(int(c.get("total") or 0) for c in circles)
        out["circle_radius_cm"] = _median_radius(circles)
        levels = [c.get("confidence") for c in circles]
        out["circles_confidence"] = None if None in levels else "low" if "low" in levels else "high"
    return out


def _uncertainty_deg(leg: dict | None) -> float | None:
    """The 95% half-width of a measured leg's held angle (degrees), None for a leg not measured or a result
    written before uncertainties existed."""
    from hipvision.core.rotation.status import measured_held_deg

    value = (leg or {}).get("uncertainty_deg")
    return None if value is None or measured_held_deg(leg) is None else float(value)


def save_result(subject: str, result: dict, *, home: str | os.PathLike | None = None,
                recorded_at: _dt.datetime | None = None) -> int:
    """Store ``result`` (a rotation, circles or session dict) for ``subject``; returns the row id.

    ``recorded_at`` defaults to now; a naive datetime is taken as local time.
    """
    subject = (subject or "").strip()
    if not subject:
        raise InputError("--save needs a subject name (--subject NAME)")
    kind = result.get("kind") if isinstance(result, dict) else None
    if kind not in KINDS:
        raise InputError(f"cannot save a result of kind {kind!r} (expected {', '.join(KINDS)})")
    when = (recorded_at or _dt.datetime.now()).astimezone().isoformat(timespec="seconds")
    summary = summarize(result)
    text = to_json_text(result)
    with open_db(home, error=OutputError) as con:
        path = db_path(home)
        try:
            con.execute("BEGIN IMMEDIATE")
            cur = con.execute(
                f"INSERT INTO results (subject, kind, recorded_at, source, {', '.join(SUMMARY_COLUMNS)}, result_json) "
                f"VALUES (?, ?, ?, ?, {', '.join('?' * len(SUMMARY_COLUMNS))}, ?)",
                (subject, kind, when, str(result.get("source") or ""), *(summary[c] for c in SUMMARY_COLUMNS), text))
            con.execute("COMMIT")
            return int(cur.lastrowid)
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                con.execute("ROLLBACK")
            raise _fail(OutputError, path, exc) from None


def load_history(subject: str | None = None, *, home: str | os.PathLike | None = None,
                 kind: str | None = None, with_results: bool = False) -> list[dict]:
    """Saved results, oldest first, as dicts: id, subject, kind, recorded_at (aware datetime), source,
    the summary columns, the confidence columns (`CONFIDENCE_COLUMNS`, read from each stored result) and
    ``result`` (the parsed JSON) when ``with_results``."""
    with open_db(home, create=False) as con:
        if con is None:
            return []
        where, args = [], []
        if subject is not None:
            where.append("subject = ?")
            args.append(subject)
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        cols = ["id", "subject", "kind", "recorded_at", "source", *SUMMARY_COLUMNS, "result_json"]
        sql = f"SELECT {', '.join(cols)} FROM results {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY recorded_at, id"
        try:
            rows = con.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise _fail(InputError, db_path(home), exc) from None
    out = []
    for row in rows:
        d = dict(zip(cols, row))
        d["recorded_at"] = _dt.datetime.fromisoformat(d["recorded_at"])
        result = json.loads(d.pop("result_json"))
        confidence = summarize(result) if isinstance(result, dict) else {}
        d.update({c: confidence.get(c) for c in CONFIDENCE_COLUMNS})
        if with_results:
            d["result"] = result
        out.append(d)
    return out
