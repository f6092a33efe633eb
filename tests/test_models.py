"""Pose-model provisioning: resolution order, download failures, offline build, verification, CLI."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import threading
import zipfile
from pathlib import Path

import pytest

from hipvision.cli import main
from hipvision.errors import ModelError
from hipvision.pose import download as download_mod
from hipvision.pose import models, offline_build

REPO_MANIFEST = Path(__file__).resolve().parents[1] / "models" / "manifest.json"


def _real_cache_dir() -> Path:
    """The cache a user (or `make test`) provisions into; the wheel there is reused."""
    return models.cache_dir()


REAL_CACHE = _real_cache_dir()  # computed before any test changes the environment


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Isolated model folders: env dir, repo models/ dir and cache; verification recorded, not run."""
    env_dir, repo_dir, cache = tmp_path / "env", tmp_path / "repo_models", tmp_path / "cache"
    monkeypatch.setenv(models.ENV_CACHE, str(cache))
    monkeypatch.delenv(models.ENV_MODELS, raising=False)
    monkeypatch.setattr(models, "repo_models_dir", lambda: repo_dir)
    verified = []
    monkeypatch.setattr(models, "verify_model", lambda path, verbose=False: verified.append(Path(path)))
    return {"env": env_dir, "repo": repo_dir, "cache": cache / "models", "verified": verified}


def _put(folder: Path, name: str = "full", data: bytes = b"model") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"pose_landmarker_{name}.task"
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- resolution order

@pytest.mark.parametrize("use_env, present, expected", [
    (True, ("env", "repo", "cache"), "env"),
    (True, ("repo", "cache"), "repo"),
    (True, ("cache",), "cache"),
    (False, ("env", "repo", "cache"), "repo"),   # $HIPVISION_MODELS unset: its folder is not searched
    (False, ("env", "cache"), "cache"),
])
def test_resolution_order(places, monkeypatch, use_env, present, expected):
    if use_env:
        monkeypatch.setenv(models.ENV_MODELS, str(places["env"]))
    for where in present:
        _put(places[where])
    got = models.resolve_model("full", auto_provision=False)
    assert got == places[expected] / "pose_landmarker_full.task"


def test_found_model_is_verified_once_then_remembered(places):
    path = _put(places["repo"])
    assert models.resolve_model("full") == path
    assert models.resolve_model("full") == path
    assert places["verified"] == [path]
    path.write_bytes(b"changed model")  # a changed file is verified again
    models.resolve_model("full")
    assert places["verified"] == [path, path]


def test_explicit_path_wins_and_must_exist(places, tmp_path):
    _put(places["repo"])
    mine = tmp_path / "mine.task"
    mine.write_bytes(b"x")
    assert models.resolve_model("full", mine) == mine
    with pytest.raises(ModelError, match="does not exist"):
        models.resolve_model("full", tmp_path / "missing.task")


def test_explicit_model_name_selects_that_model(places):
    _put(places["repo"], "full")
    heavy = _put(places["cache"], "heavy")
    assert models.resolve_model("full", "heavy") == heavy
    with pytest.raises(ModelError, match="does not exist"):
        models.resolve_model("full", "superheavy")


def test_missing_model_without_provisioning_says_how_to_fetch(places):
    with pytest.raises(ModelError, match="hipvision models fetch lite"):
        models.resolve_model("lite", auto_provision=False)


@pytest.mark.parametrize("use_env, env_writable, expected", [
    (True, True, "env"),
    (True, False, "repo"),
    (False, True, "repo"),
])
def test_auto_provision_goes_to_first_writable_folder(places, monkeypatch, tmp_path, use_env, env_writable,
                                                      expected):
    if use_env:
        env = places["env"] if env_writable else tmp_path / "a_file" / "models"
        (tmp_path / "a_file").write_bytes(b"")  # a folder below a file cannot be created
        monkeypatch.setenv(models.ENV_MODELS, str(env))
    calls = []

    def fake_download(url, target, **kwargs):
        calls.append(url)
        Path(target).write_bytes(b"downloaded")
        return Path(target)

    monkeypatch.setattr(models, "download", fake_download)
    got = models.resolve_model("lite", progress=False)
    assert got == places[expected] / "pose_landmarker_lite.task"
    assert got.read_bytes() == b"downloaded"
    assert calls == [models.model_spec("lite").url]
    assert models.resolve_model("lite") == got and len(calls) == 1  # second time: found, no download


def test_failed_download_falls_back_to_offline_build_for_full_only(places, monkeypatch):
    def failing_download(url, target, **kwargs):
        raise ModelError("download failed: unreachable")

    built = []
    monkeypatch.setattr(models, "download", failing_download)
    monkeypatch.setattr(models.offline_build, "build_task",
                        lambda dest, name, **kw: built.append(name) or Path(dest).write_bytes(b"built"))
    said = []
    path = models.fetch("full", say=said.append, progress=False)
    assert built == ["full"] and path.read_bytes() == b"built"
    assert said[0] == ("downloading pose_landmarker_full.task from storage.googleapis.com (hipvision uses the "
                       "network only to provision models)")
    assert "official download failed" in said[1] and "building pose_landmarker_full.task offline" in said[1]
    assert not any("\n" in line for line in said)
    with pytest.raises(ModelError, match="unreachable"):
        models.fetch("heavy", say=said.append, progress=False)
    with pytest.raises(ModelError, match="cannot be built offline"):
        models.fetch("lite", offline=True, progress=False)


def test_fetch_deletes_a_model_that_fails_verification(places, monkeypatch):
    monkeypatch.setattr(models, "download", lambda url, target, **kw: Path(target).write_bytes(b"junk"))

    def reject(path, verbose=False):
        raise ModelError(f"{path} is not a usable pose model: junk")

    monkeypatch.setattr(models, "verify_model", reject)
    with pytest.raises(ModelError, match="not a usable pose model"):
        models.fetch("lite", progress=False)
    assert list(places["repo"].iterdir()) == []


def test_repo_manifest_matches_builtin():
    assert json.loads(REPO_MANIFEST.read_text()) == models.builtin_manifest()
    assert set(models.manifest()) == set(models.MODEL_NAMES)


# ---------------------------------------------------------------- download (local HTTP server)

BODY = bytes(range(256)) * 400  # 102400 bytes


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server API
        if self.path == "/missing.task":
            self.send_error(404)
            return
        body = BODY[: len(BODY) // 2] if self.path == "/truncated.task" else BODY
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


GOOD_SHA = hashlib.sha256(BODY).hexdigest()


@pytest.mark.parametrize("path, size, sha256, error", [
    ("/good.task", len(BODY), GOOD_SHA, None),
    ("/good.task", None, None, None),
    ("/truncated.task", None, None, "truncated|broke off"),
    ("/good.task", None, "0" * 64, "wrong sha256"),
    ("/good.task", len(BODY) + 1, None, "expected"),
    ("/missing.task", None, None, "HTTP 404"),
])
def test_download(server, tmp_path, path, size, sha256, error):
    target = tmp_path / "model.task"
    if error is None:
        download_mod.download(server + path, target, size=size, sha256=sha256, progress=False)
        assert target.read_bytes() == BODY
        assert [p.name for p in tmp_path.iterdir()] == ["model.task"]
    else:
        with pytest.raises(ModelError, match=error):
            download_mod.download(server + path, target, size=size, sha256=sha256, progress=False)
        assert list(tmp_path.iterdir()) == []


def test_download_from_closed_port_fails_cleanly(tmp_path):
    import socket

    with socket.socket() as sock:  # find a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ModelError, match="failed"):
        download_mod.download(f"http://127.0.0.1:{port}/x.task", tmp_path / "x.task", progress=False)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- verification and CLI (real MediaPipe)

def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


@pytest.mark.parametrize("kind", ["junk", "wrong_members", "garbage_networks"])
def test_corrupt_model_is_a_model_error(tmp_path, kind):
    path = tmp_path / "bad.task"
    if kind == "junk":
        path.write_bytes(b"this is not a model")
    elif kind == "wrong_members":
        _zip(path, {"readme.txt": b"hi"})
    else:
        _zip(path, {offline_build.TASK_DETECTOR: b"\0\0\0\0TFL3" + b"\7" * 500,
                    offline_build.TASK_LANDMARKER: b"hello" * 100})
    with pytest.raises(ModelError, match=r"bad\.task is not a usable pose model: "):
        models.verify_model(path)


@pytest.mark.parametrize("args, code", [
    (["models", "list"], 0),
    (["models", "verify", "no-such-model"], 2),
    (["models", "verify", "lite"], 2),          # not provisioned
    (["models", "fetch", "lite", "--offline"], 2),
])
def test_cli_exit_codes(tmp_path, monkeypatch, args, code):
    monkeypatch.setenv(models.ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.setenv(models.ENV_MODELS, str(tmp_path / "models"))
    monkeypatch.setattr(models, "repo_models_dir", lambda: None)
    assert main(args) == code


def test_cli_verify_rejects_a_corrupt_file(tmp_path, capsys):
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"junk")
    assert main(["models", "verify", str(bad)]) == 2
    assert "is not a usable pose model" in capsys.readouterr().err


@pytest.fixture(scope="module")
def cached_wheel() -> Path:
    """The mediapipe wheel in the real user cache (downloaded with pip once, then reused)."""
    return offline_build.fetch_wheel(REAL_CACHE / "wheels")


def _metadata_normalization(tflite: bytes) -> tuple[list, list]:
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    model = tfl.Model.GetRootAs(tflite, 0)
    entry = next(model.Metadata(i) for i in range(model.MetadataLength())
                 if model.Metadata(i).Name() == b"TFLITE_METADATA")
    buf = model.Buffers(entry.Buffer()).DataAsNumpy().tobytes()
    assert meta.ModelMetadata.ModelMetadataBufferHasIdentifier(buf, 0)
    md = meta.ModelMetadataT.InitFromObj(meta.ModelMetadata.GetRootAs(buf, 0))
    tensor = md.subgraphMetadata[0].inputTensorMetadata[0]
    assert tensor.content.contentProperties.colorSpace == meta.ColorSpaceType.RGB
    assert len(md.subgraphMetadata[0].outputTensorMetadata) == model.Subgraphs(0).OutputsLength()
    norm = tensor.processUnits[0].options
    return list(norm.mean), list(norm.std)


@pytest.mark.slow
def test_offline_build_loads_and_cli_verifies_it(tmp_path, monkeypatch, cached_wheel, capsys):
    cache = tmp_path / "cache"
    (cache / "wheels").mkdir(parents=True)
    os.symlink(cached_wheel, cache / "wheels" / cached_wheel.name)
    monkeypatch.setenv(models.ENV_CACHE, str(cache))
    monkeypatch.setenv(models.ENV_MODELS, str(tmp_path / "models"))
    monkeypatch.setattr(models, "repo_models_dir", lambda: None)

    assert main(["models", "fetch", "full", "--offline"]) == 0
    path = tmp_path / "models" / "pose_landmarker_full.task"
    with zipfile.ZipFile(path) as bundle:
        assert sorted(bundle.namelist()) == sorted([offline_build.TASK_DETECTOR, offline_build.TASK_LANDMARKER])
        assert _metadata_normalization(bundle.read(offline_build.TASK_DETECTOR)) == ([127.5], [127.5])
        assert _metadata_normalization(bundle.read(offline_build.TASK_LANDMARKER)) == ([0.0], [255.0])
    assert models.is_verified(path)
    assert main(["models", "verify", "full"]) == 0
    assert "ok:" in capsys.readouterr().out
    assert models.resolve_model("full", auto_provision=False) == path

    truncated = tmp_path / "truncated.task"
    truncated.write_bytes(path.read_bytes()[:-1000])
    assert main(["models", "verify", str(truncated)]) == 2
