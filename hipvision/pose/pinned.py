"""Files pinned by sha256 in a cache folder: checked on reuse, fetched into a temporary folder, moved in when right.

Used for what the offline model build downloads with other tools (the mediapipe wheel with
pip, the ``@mediapipe/pose`` tarball with npm), so an interrupted or altered download never
stays in the cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hipvision.errors import ModelError


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_pinned(folder: str | os.PathLike, filename: str, sha256: str, *, fetch: Callable[[Path], None],
                 tool: str) -> Path:
    """``folder/filename``, whose sha256 must be ``sha256``; fetched with ``fetch`` if needed.

    A cached file with the right sha256 is returned at once; one with another is deleted.
    Otherwise ``fetch(tmp_dir)`` must put ``filename`` into ``tmp_dir`` (a new folder inside
    ``folder``, removed afterwards) or raise ModelError; the file is moved into place only
    when its sha256 matches. ``tool`` names what fetched it, for the messages.
    """
    folder = Path(folder)
    target = folder / filename
    if target.is_file():
        if file_sha256(target) == sha256:
            return target
        target.unlink()  # a damaged cache entry: fetch again
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp_dir = Path(tempfile.mkdtemp(prefix=f".{tool}-", dir=folder))
    except OSError as exc:
        raise ModelError(f"cannot create the cache folder {folder}: {exc.strerror or exc}") from exc
    try:
        fetch(tmp_dir)
        got = tmp_dir / filename
        if not got.is_file():
            raise ModelError(f"{tool} did not deliver {filename}")
        if file_sha256(got) != sha256:
            raise ModelError(f"{filename} from {tool} has an unexpected sha256; not using it")
        os.replace(got, target)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return target
