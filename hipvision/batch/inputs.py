"""What a batch runs on: files, folders, globs and CSV manifests → one `Recording` each.

A manifest is a CSV file with a ``path`` column and, optionally, ``subject``, ``kind``
(``rotation``, ``circles`` or ``session``) and ``recorded_at`` (ISO 8601, e.g.
``2025-03-01T09:30`` or ``2025-03-01``); other columns are ignored. Relative paths are taken
from the manifest's folder. Folders are searched recursively for videos and ``.npz`` poses
(hidden files and folders are left out); a glob keeps the same kinds of file.
"""

from __future__ import annotations

import csv
import datetime as _dt
import glob
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from hipvision.errors import InputError

#: Kinds of recording, each analysed as its single command does it.
KINDS = ("rotation", "circles", "session")
MANIFEST_COLUMNS = ("path", "subject", "kind", "recorded_at")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Recording:
    """One input of a batch.

    Attributes:
        source: absolute local path, or a URL the workers can read.
        name: stem of its outputs (``NAME.json``, ``NAME.html``), unique within the batch.
        subject: whose recording it is (history, report title), or None.
        kind: ``rotation``, ``circles`` or ``session``; None = found from the posture.
        recorded_at: when it was recorded, ISO 8601 as given (None: unknown; saving uses now).
    """

    source: str
    name: str = ""
    subject: str | None = None
    kind: str | None = None
    recorded_at: str | None = None

    @property
    def is_url(self) -> bool:
        return is_url(self.source)

    @property
    def is_poses(self) -> bool:
        """A ``.npz`` of landmarks (no pose model needed)."""
        return not self.is_url and Path(self.source).suffix.lower() == ".npz"


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


def input_suffixes() -> frozenset[str]:
    """File name endings a folder or glob contributes: the videos the report knows, and ``.npz`` poses."""
    from hipvision.report.html import VIDEO_SUFFIXES

    return frozenset(VIDEO_SUFFIXES) | {".npz"}


def check_kind(kind: str | None, where: str = "--kind") -> str | None:
    """``kind`` lower-cased if it is one of `KINDS`, None if empty; InputError otherwise."""
    if kind is None or not kind.strip():
        return None
    value = kind.strip().lower()
    if value not in KINDS:
        raise InputError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    return value


def parse_recorded_at(text: str | None, where: str = "recorded_at") -> _dt.datetime | None:
    """``recorded_at`` text → datetime (naive = local time), None if empty; InputError if not ISO 8601."""
    if text is None or not text.strip():
        return None
    try:
        return _dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{where}: {text!r} is not an ISO 8601 date or time (e.g. 2025-03-01T09:30)") from None


def _is_input_file(path: Path, suffixes: frozenset[str]) -> bool:
    return path.is_file() and path.suffix.lower() in suffixes and not path.name.startswith(".")


def _folder_files(folder: Path, suffixes: frozenset[str]) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if _is_input_file(Path(root) / f, suffixes)]
    return found


def read_manifest(path: Path) -> list[Recording]:
    """The recordings a manifest CSV lists, in its order (names not yet assigned)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip().lower() for c in reader.fieldnames or []]
            if "path" not in columns:
                raise InputError(f"manifest {path} has no 'path' column (columns: {', '.join(MANIFEST_COLUMNS)})")
            reader.fieldnames = columns
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read manifest {path}: {exc}") from None
    out = []
    for line, row in enumerate(rows, start=2):
        where = f"{path}:{line}"
        text = (row.get("path") or "").strip()
        if not text:
            raise InputError(f"{where}: empty path")
        source = text if is_url(text) else str((path.parent / Path(text).expanduser()).resolve())
        recorded_at = (row.get("recorded_at") or "").strip() or None
        parse_recorded_at(recorded_at, where)
        out.append(Recording(source=source, subject=(row.get("subject") or "").strip() or None,
                             kind=check_kind(row.get("kind"), where), recorded_at=recorded_at))
    return out


def _expand_one(text: str, suffixes: frozenset[str]) -> list[Recording]:
    if is_url(text):
        return [Recording(source=text)]
    path = Path(text).expanduser()
    if path.is_file() and path.suffix.lower() == ".csv":
        return read_manifest(path)
    if path.is_dir():
        files = _folder_files(path, suffixes)
        if not files:
            raise InputError(f"folder {path} holds no videos or .npz poses ({', '.join(sorted(suffixes))})")
    elif path.is_file():
        files = [path]
    elif _GLOB.search(text):
        files = [Path(p) for p in sorted(glob.glob(str(path), recursive=True)) if _is_input_file(Path(p), suffixes)]
        if not files:
            raise InputError(f"{text} matches no videos or .npz poses")
    else:
        raise InputError(f"no such file, folder or manifest: {text}")
    return [Recording(source=str(f.resolve())) for f in files]


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "recording"


def _stem(source: str) -> str:
    tail = source.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] if is_url(source) else Path(source).name
    return _safe(Path(tail).stem or tail)


def assign_names(recordings: Iterable[Recording]) -> list[Recording]:
    """Give each recording a unique output name: its file stem; where stems collide, ``folder-stem``;
    where those collide too, ``-2``, ``-3``… in input order."""
    recs = list(recordings)
    stems = [_stem(r.source) for r in recs]
    clash = Counter(stems)
    names = [s if clash[s] == 1 else _safe(f"{Path(r.source).parent.name}-{s}") for r, s in zip(recs, stems)]
    seen: Counter[str] = Counter()
    out = []
    for rec, name in zip(recs, names):
        seen[name.lower()] += 1
        k = seen[name.lower()]
        out.append(replace(rec, name=name if k == 1 else f"{name}-{k}"))
    return out


def expand_inputs(inputs: Sequence[str], *, subject: str | None = None, kind: str | None = None) -> list[Recording]:
    """Every recording that ``inputs`` (files, folders, globs, manifests, URLs) stand for, in order,
    each input once, with unique names. ``subject`` and ``kind`` fill in what a manifest leaves empty.

    Raises:
        InputError: an input that does not exist, a folder or glob with no recordings, a bad manifest.
    """
    if not inputs:
        raise InputError("give at least one input: a video, .npz, folder, glob or manifest .csv")
    suffixes = input_suffixes()
    kind = check_kind(kind)
    seen: set[str] = set()
    recs = []
    for text in inputs:
        for rec in _expand_one(str(text), suffixes):
            if rec.source not in seen:
                seen.add(rec.source)
                recs.append(replace(rec, subject=rec.subject or subject, kind=rec.kind or kind))
    return assign_names(recs)
