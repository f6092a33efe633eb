"""Private means private: no network during an analysis, and a history only its owner can read.

MediaPipe's Tasks library uploads usage records to Google (google-ai-edge/mediapipe#6291);
`hipvision.pose.usage_logging` keeps them off the network. Two proofs on a real analysis:
it succeeds in a network namespace with no network at all (root only), and under strace it
makes no name lookup and opens no internet socket (strace only sees what the process asks
the kernel for, so MediaPipe's C++ sockets count too, unlike a Python audit hook).
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hipvision.pose import usage_logging

from conftest import write_video

_C = ctypes.CDLL(None)
_C.getenv.argtypes, _C.getenv.restype = [ctypes.c_char_p], ctypes.c_char_p


def _c_getenv(name: str) -> bytes | None:
    return _C.getenv(name.encode())


def test_usage_logging_block_is_counted_and_restores_the_previous_proxy():
    before = _c_getenv("https_proxy")
    python_before = os.environ.get("https_proxy")
    usage_logging.block()
    usage_logging.block()
    assert _c_getenv("https_proxy") == usage_logging.BLOCKING_PROXY.encode()
    assert os.environ.get("https_proxy") == python_before  # Python's own downloads are unaffected
    usage_logging.unblock()
    assert usage_logging.is_blocked() and _c_getenv("https_proxy") == usage_logging.BLOCKING_PROXY.encode()
    usage_logging.unblock()
    assert not usage_logging.is_blocked() and _c_getenv("https_proxy") == before
    usage_logging.unblock()  # an extra one is harmless
    assert _c_getenv("https_proxy") == before


def _analysis(tmp_path: Path) -> list[str]:
    video = write_video(tmp_path / "tiny.mp4", frames=12)
    return [sys.executable, "-m", "hipvision", "rotation", str(video), "--json", str(tmp_path / "r.json")]


def _can_unshare_network() -> str | None:
    """Why a network namespace cannot be made here, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root for `unshare -n`"
    if shutil.which("unshare") is None:
        return "no `unshare` (util-linux)"
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        return "`unshare -n` is not permitted in this container"
    return None


@pytest.mark.slow
def test_analysis_runs_without_any_network(tmp_path, model_path):
    why = _can_unshare_network()
    if why:
        pytest.skip(why)
    done = subprocess.run(["unshare", "-n", *_analysis(tmp_path)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HIPVISION_MODELS": str(model_path.parent)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r.json").is_file()
    assert "Traceback" not in done.stderr


#: What a name lookup or an internet connection looks like in strace's output: an AF_INET/AF_INET6
#: socket address (connect, sendto, sendmsg), DNS's port, or glibc asking nscd before a lookup.
_NETWORK = re.compile(r"AF_INET6?\b.*sin6?_(port|addr)|htons\(53\)|/nscd/")


@pytest.mark.slow
def test_analysis_makes_no_name_lookup_or_connection(tmp_path, model_path):
    if shutil.which("strace") is None:
        pytest.skip("no strace (apt-get install strace; .ci/run installs it)")
    log = tmp_path / "strace.log"
    cmd = ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o", str(log), *_analysis(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HIPVISION_MODELS": str(model_path.parent)})
    if done.returncode != 0 and "ptrace" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r.json").is_file()  # the model was loaded and ran
    network = [line for line in log.read_text().splitlines() if _NETWORK.search(line)]
    assert network == [], "\n".join(network[:5])


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def open_umask():
    """Run with umask 000, so the modes seen are the ones hipvision asked for, not the umask's."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_history_folder_and_files_it_creates_are_private(tmp_path, open_umask):
    from hipvision.io.history import db_path, open_db, save_result

    home = tmp_path / "data" / "hipvision"
    save_result("Alex", _rotation_fixture(), home=home)
    assert _mode(home) == 0o700 and _mode(db_path(home)) == 0o600
    with open_db(home) as con:  # while a connection is open, SQLite keeps its -wal and -shm files
        con.execute("BEGIN IMMEDIATE")
        con.execute("DELETE FROM results WHERE id = -1")
        con.execute("COMMIT")
        side = [p for p in home.iterdir() if p.name != "history.sqlite3"]
        assert {p.name for p in side} >= {"history.sqlite3-wal", "history.sqlite3-shm"}
        assert {p.name: _mode(p) for p in side} == {p.name: 0o600 for p in side}
    assert _mode(tmp_path / "data") == 0o777  # a parent it had to make is an ordinary folder


def test_history_keeps_the_permissions_of_an_existing_folder_and_database(tmp_path, open_umask):
    from hipvision.io.history import db_path, save_result

    home = tmp_path / "shared"
    home.mkdir(mode=0o750)
    save_result("Alex", _rotation_fixture(), home=home)
    assert _mode(home) == 0o750  # chosen by the user: not chmod-ed
    db_path(home).chmod(0o640)
    save_result("Sam", _rotation_fixture(), home=home)
    assert _mode(db_path(home)) == 0o640


def test_progress_plot_in_the_history_folder_is_private(tmp_path, open_umask, monkeypatch):
    import datetime as dt

    from hipvision.io.history import load_history, save_result
    from hipvision.report.plots import write_progress_plot

    monkeypatch.setenv("HIPVISION_HOME", str(tmp_path / "hv"))
    for day in (1, 2):
        save_result("Alex", _rotation_fixture(), recorded_at=dt.datetime(2025, 3, day, tzinfo=dt.timezone.utc))
    rows = load_history("Alex")
    inside = write_progress_plot(rows, tmp_path / "hv" / "progress.png")
    elsewhere = write_progress_plot(rows, tmp_path / "progress.png")
    assert _mode(inside) == 0o600
    assert _mode(elsewhere) == 0o666  # any other file: as the umask says


def _rotation_fixture() -> dict:
    import json

    return json.loads((Path(__file__).parent / "fixtures" / "rotation.json").read_text())
