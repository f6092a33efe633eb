"""What a batch has already done, kept in its output folder so a rerun carries on.

``.hipvision-batch.json`` maps each recording's name to the sha256 of the input it came from,
the fingerprint of the software and options that made it, its table row and whether it was
saved to the history. It is rewritten atomically after every recording, so an interrupted
batch (Ctrl-C, a crash, a full disk) loses at most the recordings still running.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from hipvision.batch.table import BatchRow
from hipvision.io.files import write_json_atomic

STATE_FILE = ".hipvision-batch.json"
STATE_FORMAT = 1


@dataclass(frozen=True)
class Entry:
    """One recording done (or failed) by an earlier or the current run.

    Attributes:
        sha256: hex sha256 of the input's content (for a URL: of the URL text).
        fingerprint: software versions and options that change the result (see `fingerprint`).
        row: its table row.
        saved: the result was added to the history.
    """

    sha256: str
    fingerprint: dict
    row: BatchRow
    saved: bool = False

    def to_dict(self) -> dict:
        return {"sha256": self.sha256, "fingerprint": self.fingerprint, "row": self.row.to_dict(), "saved": self.saved}

    @classmethod
    def from_dict(cls, data: dict) -> "Entry":
        return cls(str(data["sha256"]), dict(data["fingerprint"]), BatchRow.from_dict(data["row"]),
                   bool(data.get("saved")))


def fingerprint(*, kind: str | None, model: str | None, min_phase_s: float) -> dict:
    """What besides the input decides a result: hipvision's and mediapipe's versions (of the machine
    running the batch), the kind asked for (None: from the posture), the model asked for and the
    session's shortest phase."""
    from hipvision.core.schema import software_versions

    return {"software": software_versions(), "kind": kind, "model": model, "min_phase_s": float(min_phase_s)}


class BatchState:
    """The state file of one output folder: `Entry` per recording name."""

    def __init__(self, path: Path, entries: dict[str, Entry] | None = None, *, damaged: bool = False) -> None:
        self.path = path
        self.entries: dict[str, Entry] = dict(entries or {})
        self.damaged = damaged  # the file existed but could not be read: starting afresh

    @classmethod
    def load(cls, out_dir: Path) -> "BatchState":
        """The state of ``out_dir`` (empty if there is none; ``damaged`` if it cannot be read)."""
        path = out_dir / STATE_FILE
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != STATE_FORMAT:
                return cls(path, damaged=True)
            return cls(path, {name: Entry.from_dict(e) for name, e in data["recordings"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(path, damaged=True)

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def put(self, name: str, entry: Entry) -> None:
        """Record ``entry`` and rewrite the file (atomically)."""
        self.entries[name] = entry
        write_json_atomic(self.path, {"format": STATE_FORMAT,
                                      "recordings": {k: e.to_dict() for k, e in self.entries.items()}})
