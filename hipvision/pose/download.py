"""Streamed, checked, atomic download of one file over HTTP(S) (standard library only).

Progress is reported through a callback, ``on_progress(done_bytes, total_bytes or None)``,
so the caller decides how to show it (the CLI passes a rich progress bar).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Optional

from hipvision.errors import ModelError

CONNECT_TIMEOUT_S = 5.0   # an unreachable host fails after this long
READ_TIMEOUT_S = 30.0     # a stalled transfer fails after this long without data
_CHUNK_BYTES = 1 << 16

#: ``on_progress(done_bytes, total_bytes)``; total is None when the length is not known.
ProgressCallback = Callable[[int, Optional[int]], None]


def _set_read_timeout(response, timeout_s: float) -> None:
    """Relax the socket timeout once connected (urllib uses one timeout for both); best effort."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if isinstance(sock, socket.socket):
        sock.settimeout(timeout_s)


def download(url: str, target: str | os.PathLike, *, size: int | None = None, sha256: str | None = None,
             on_progress: ProgressCallback | None = None, connect_timeout_s: float = CONNECT_TIMEOUT_S,
             read_timeout_s: float = READ_TIMEOUT_S) -> Path:
    """Download ``url`` to ``target``; returns ``target``.

    The body is streamed to a temporary file in ``target``'s folder (calling
    ``on_progress(received_bytes, expected_bytes or None)`` after each chunk, and once with 0
    before the first), checked against the Content-Length header, ``size`` (bytes) and
    ``sha256`` (hex) when given, and renamed onto ``target``. Any failure (unreachable host,
    HTTP error, short body, wrong size or checksum) raises ModelError and leaves no file behind.
    """
    target = Path(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise ModelError(f"cannot write {target}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    received = 0
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(url, timeout=connect_timeout_s)  # noqa: S310 - https URL from the manifest
            except urllib.error.HTTPError as exc:
                raise ModelError(f"download of {url} failed: HTTP {exc.code} {exc.reason}") from exc
            except (urllib.error.URLError, OSError) as exc:
                why = getattr(exc, "reason", None) or exc
                raise ModelError(f"download of {url} failed: {why}") from exc
            with response:
                _set_read_timeout(response, read_timeout_s)
                header = response.headers.get("Content-Length")
                expected = int(header) if header and header.isdigit() else size
                report = on_progress or (lambda done, total: None)
                report(0, expected)
                while True:
                    try:
                        chunk = response.read(_CHUNK_BYTES)
                    except (http.client.IncompleteRead, OSError) as exc:
                        raise ModelError(f"download of {url} broke off after {received} bytes: "
                                         f"{type(exc).__name__}") from exc
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    report(received, expected)
        if header and header.isdigit() and received != int(header):
            raise ModelError(f"download of {url} is truncated: got {received} of {header} bytes")
        if size is not None and received != size:
            raise ModelError(f"download of {url} has {received} bytes, expected {size}")
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise ModelError(f"download of {url} has the wrong sha256 ({digest.hexdigest()[:12]}…, "
                             f"expected {sha256[:12]}…)")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
