"""The pinned ``@mediapipe/pose`` npm package, fetched with the ``npm pack`` client, and files read from it.

Why: the PyPI mediapipe wheel carries only the *full* pose landmark network; the npm package
``@mediapipe/pose`` carries all three (``pose_landmark_lite.tflite`` 2.8 MB,
``pose_landmark_full.tflite`` 6.4 MB, ``pose_landmark_heavy.tflite`` 27.7 MB). Its full net
is byte-identical to the wheel's (same sha256, `LANDMARKER_SHA256`). It does not ship the
pose detector as a file (only inside an Emscripten asset pack, with the same weights
but other bytes), so `hipvision.pose.offline_build` keeps taking the detector from the wheel.

The tarball is fetched by ``npm pack <package>@<version>``, so npm's own registry settings
(``.npmrc``, ``$npm_config_registry``, mirrors, proxies) apply; no registry address is written
here. It is checked against a pinned sha256 and cached; each file taken from it is checked
against its own pinned sha256.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from hipvision.errors import ModelError
from hipvision.pose.pinned import fetch_pinned

PACKAGE = "@mediapipe/pose"
VERSION = "0.5.1675469404"  # the last release (2023-02); its tensors match the wheel's full net
SPEC = f"{PACKAGE}@{VERSION}"
TARBALL = f"mediapipe-pose-{VERSION}.tgz"  # the name `npm pack` gives it
TARBALL_SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"
TARBALL_MB = 41

#: Landmark network per model name: member path inside the tarball and its sha256.
LANDMARKER_MEMBERS = {name: f"package/pose_landmark_{name}.tflite" for name in ("lite", "full", "heavy")}
LANDMARKER_SHA256 = {
    "lite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "full": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",  # = the wheel's
    "heavy": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def npm_executable(purpose: str) -> str:
    """The path of ``npm``; ModelError (one line) if it is not installed.

    ``purpose`` completes "npm is needed to …" in the message.
    """
    found = shutil.which("npm")
    if found is None:
        raise ModelError(f"npm is not installed: it is needed to {purpose} from {SPEC}; install Node.js "
                         "(which brings npm), or pass --model PATH with a .task file you have")
    return found


_NPM_PREFIXES = ("npm error ", "npm ERR! ")
_NPM_NOISE = ("code", "syscall", "errno", "A complete log", "Log files were not written")


def npm_error_line(stderr: str | None, returncode: int) -> str:
    """The informative line of npm's error output (without its "npm error" prefix)."""
    for line in (stderr or "").splitlines():
        text = line.strip()
        for prefix in _NPM_PREFIXES:
            text = text.removeprefix(prefix).strip()
        if text and not text.startswith(_NPM_NOISE):
            return text
    return f"npm exited with code {returncode}"


def fetch_tarball(cache: str | os.PathLike, *, purpose: str = "build the pose model offline",
                  quiet: bool = True) -> Path:
    """The pinned ``@mediapipe/pose`` tarball in folder ``cache``, fetched with ``npm pack`` if needed.

    A cached tarball whose sha256 matches is reused without calling npm; a new one is kept
    only when its sha256 matches (`hipvision.pose.pinned.fetch_pinned`). Raises ModelError if
    npm is missing, fails, or delivers other bytes.
    """
    def pack(tmp_dir: Path) -> None:
        npm = npm_executable(purpose)
        cmd = [npm, "pack", SPEC, "--pack-destination", str(tmp_dir), "--ignore-scripts"]
        if quiet:
            cmd.append("--loglevel=error")
        try:
            proc = subprocess.run(cmd, cwd=tmp_dir, capture_output=quiet, text=True)
        except OSError as exc:
            raise ModelError(f"could not run {npm}: {exc.strerror or exc}") from exc
        if proc.returncode != 0:
            raise ModelError(f"could not fetch {SPEC} with npm pack: {npm_error_line(proc.stderr, proc.returncode)}")

    return fetch_pinned(cache, TARBALL, TARBALL_SHA256, fetch=pack, tool="npm")


def read_landmarker(tarball: str | os.PathLike, name: str) -> bytes:
    """The bytes of ``pose_landmark_<name>.tflite`` from the tarball, checked against its sha256.

    Raises ModelError if the member is missing, unreadable or not the pinned bytes.
    """
    member = LANDMARKER_MEMBERS[name]
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            handle = tar.extractfile(member)
            if handle is None:
                raise KeyError(member)
            data = handle.read()
    except (OSError, KeyError, tarfile.TarError) as exc:
        raise ModelError(f"cannot read {member} from {tarball}: {exc}") from exc
    if sha256_bytes(data) != LANDMARKER_SHA256[name]:
        raise ModelError(f"{member} in {tarball} has an unexpected sha256; not using it")
    return data
