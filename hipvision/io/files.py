"""Files: atomic writes, and `PoseSequence` to and from ``.npz``.

Every result file is written to a temporary file in the same folder and then
renamed over the target, so a crash or a full disk never leaves a half-written
file where a good one was expected.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import errno
import io
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from hipvision.errors import InputError, OutputError
from hipvision.sequence import SCHEMA_VERSION, PoseSequence


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it onto ``target`` on success.

    On an exception the temporary file is removed and ``target`` is untouched. A temporary file that is
    still there when the process exits (a block never left: an interrupt between its steps, a generator
    nobody closed) is removed at exit, so no run leaves one behind however it stops (short of a kill).
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    with stop_signals_after_block():  # made and registered in one step, whatever signal comes
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix, dir=folder)
        except OSError as exc:
            raise output_error(target, exc) from exc
        tmp_path = Path(tmp)
        _unfinished.add(tmp_path)
    try:
        os.close(fd)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; results should be readable like any new file
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException as exc:
        tmp_path.unlink(missing_ok=True)
        if isinstance(exc, OSError) and _is_write_error(exc, (tmp_path, target)):
            raise output_error(target, exc) from exc
        raise
    finally:
        _unfinished.discard(tmp_path)


#: Temporary files of `atomic_path` not yet renamed or removed (see `_remove_unfinished`).
_unfinished: set[Path] = set()


@atexit.register
def _remove_unfinished() -> None:
    """At exit: remove the temporary files whose block was never left."""
    for path in list(_unfinished):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    _unfinished.clear()


#: errno values that can only come from writing (any file); EACCES/EPERM count only for the file being written.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _is_write_error(exc: OSError, paths: Sequence[Path]) -> bool:
    if exc.errno in _WRITE_ERRNOS:
        return True
    return exc.errno in (errno.EACCES, errno.EPERM) and (exc.filename is None or
                                                        os.fspath(exc.filename) in {os.fspath(p) for p in paths})


def mount_point(path: str | os.PathLike) -> Path:
    """The mount point of the file system holding ``path`` (or its nearest existing folder)."""
    here = Path(os.path.abspath(path))
    while not here.exists() and here != here.parent:
        here = here.parent
    while not os.path.ismount(here) and here != here.parent:
        here = here.parent
    return here


def output_error(target: str | os.PathLike, exc: OSError) -> OutputError:
    """The one line the user sees when the OS refuses to write ``target`` (full disk, quota, read-only, ...)."""
    if exc.errno == errno.ENOSPC:
        return OutputError(f"no space left on {mount_point(target)}: {target} was not written")
    if exc.errno == errno.EDQUOT:
        return OutputError(f"disk quota exceeded on {mount_point(target)}: {target} was not written")
    if exc.errno == errno.EFBIG:
        return OutputError(f"cannot write {target}: the file is too large for {mount_point(target)}")
    if exc.errno == errno.EROFS:
        return OutputError(f"cannot write {target}: {mount_point(target)} is mounted read-only")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return OutputError(f"cannot write {target}: permission denied")
    return OutputError(f"cannot write {target}: {exc.strerror or exc}")


def write_bytes_atomic(target: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically; returns the target path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text_atomic(target: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``target`` atomically."""
    return write_bytes_atomic(target, text.encode("utf-8"))


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _nan_to_none(obj: Any) -> Any:
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_nan_to_none(v) for v in obj]
    return obj


def to_json_text(obj: Any) -> str:
    """JSON text with numpy values converted and NaN/inf written as ``null``."""
    plain = json.loads(json.dumps(obj, default=_json_default))
    return json.dumps(_nan_to_none(plain), indent=2, allow_nan=False) + "\n"


def write_json_atomic(target: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON atomically (NaN becomes null)."""
    return write_text_atomic(target, to_json_text(obj))


def write_csv_atomic(target: str | os.PathLike, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write a CSV with a header row atomically. NaN cells are written empty."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if isinstance(v, float) and not np.isfinite(v) else
                         (round(v, 4) if isinstance(v, float) else v) for v in row])
    return write_text_atomic(target, buf.getvalue())


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file, with a clear error when it is missing or malformed (NaN and Infinity,
    which Python would accept, are refused: JSON has no such numbers and hipvision never writes them)."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a JSON file") from None
    except (ValueError, UnicodeDecodeError) as exc:  # json.JSONDecodeError is a ValueError
        raise InputError(f"{path} is not a valid JSON file ({exc})") from None
    except RecursionError:
        raise InputError(f"{path} is not a valid JSON file (nested too deeply)") from None


def save_sequence(seq: PoseSequence, target: str | os.PathLike) -> Path:
    """Save ``seq`` as a compressed ``.npz`` (atomically), with a schema version.

    ``seq.hip_growth`` is stored (float32) when present; files without it still load (as None).
    """
    meta = {"schema_version": SCHEMA_VERSION, "frame_size": list(seq.frame_size), "fps": seq.fps,
            "source": seq.source, "model": seq.model, "meta": seq.meta}
    with stop_signals_after_block(), atomic_path(target, suffix=".npz") as tmp:
        with open(tmp, "wb") as fh:
            _savez(fh, seq, meta)
    return Path(target)


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def stop_signals_after_block() -> Iterator[None]:
    """Hold Ctrl-C and stop signals until the block is done, then deliver them to the handlers in place before.

    For short writes whose interruption would lose finished work or leave a half-closed file (an interrupt inside
    numpy's zip writer leaves a handle that prints a traceback at exit). Only in the main thread (where Python
    runs signal handlers); elsewhere the block runs as is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {sig: signal.signal(sig, lambda number, _frame: held.append(number)) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for number in dict.fromkeys(held):
            signal.raise_signal(number)


def _savez(fh: IO[bytes], seq: PoseSequence, meta: dict) -> None:
    optional = {} if seq.hip_growth is None else {"hip_growth": seq.hip_growth.astype(np.float32)}
    np.savez_compressed(
        fh, timestamps_s=seq.timestamps_s, image=seq.image.astype(np.float32),
        visibility=seq.visibility.astype(np.float32), presence=seq.presence.astype(np.float32),
        world=seq.world.astype(np.float32), meta=np.array(json.dumps(meta, default=_json_default)),
        **optional,
    )


def load_sequence(path: str | os.PathLike) -> PoseSequence:
    """Load a sequence written by `save_sequence` (clear error for anything else)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if not isinstance(meta, dict):
                raise ValueError("its meta is not a JSON object")
            version = meta.get("schema_version")
            if version != SCHEMA_VERSION:
                raise InputError(f"{path} has pose schema version {version}; this hipvision reads {SCHEMA_VERSION}")
            return PoseSequence(
                timestamps_s=data["timestamps_s"].astype(float), image=data["image"].astype(float),
                visibility=data["visibility"].astype(float), presence=data["presence"].astype(float),
                world=data["world"].astype(float), frame_size=meta["frame_size"], fps=meta["fps"],  # checked there
                source=str(meta.get("source") or ""), model=str(meta.get("model") or ""),
                meta=meta["meta"] if isinstance(meta.get("meta"), dict) else {},
                hip_growth=data["hip_growth"].astype(float) if "hip_growth" in data.files else None,
            )
    except InputError:
        raise
    except Exception as exc:  # zipfile/KeyError/ValueError from a file that is not ours
        raise InputError(f"{path} is not a hipvision pose file (.npz from 'hipvision extract'): {exc}") from None


# ------------------------------------------------------------------ where a result's video is

def known_source_video(given: Path | None, seq=None) -> Path | None:
    """The video the poses came from: ``given`` (VIDEO or --video), else the one a `.npz`'s poses recorded
    (``seq.meta["video_path"]``) if that file is still there; None for cameras and unknown videos."""
    if given is not None:
        return given
    recorded = (getattr(seq, "meta", None) or {}).get("video_path")
    return Path(recorded) if recorded and Path(recorded).is_file() else None


def add_source_video(data: dict, video: Path | None) -> dict:
    """Store the source video's absolute path in ``data["source_video"]["path"]`` (right after
    ``source``), so `hipvision report` finds its key frames from anywhere; the JSON writer adds the
    path relative to the JSON. Returns ``data`` (changed in place)."""
    if video is None:
        return data
    items = [(k, v) for k, v in data.items() if k != "source_video"]
    at = next((i + 1 for i, (k, _) in enumerate(items) if k == "source"), len(items))
    items.insert(at, ("source_video", {"path": str(Path(video).resolve())}))
    data.clear()
    data.update(items)
    return data


def with_relative_video(data: dict, json_out: Path) -> dict:
    """``data`` with ``source_video.relative_to_json`` (the video's path from the JSON's folder)."""
    video = data.get("source_video")
    if not isinstance(video, dict) or not video.get("path"):
        return data
    try:
        relative = os.path.relpath(video["path"], json_out.resolve().parent)
    except ValueError:  # another drive (Windows): no relative path
        return data
    return {**data, "source_video": {**video, "relative_to_json": Path(relative).as_posix()}}
