"""Build a MediaPipe Tasks ``pose_landmarker_<name>.task`` offline, from the mediapipe PyPI wheel.

Why: the official ``.task`` files live on storage.googleapis.com, which CI machines and
PyPI-mirror-only networks cannot reach. The legacy mediapipe 0.10.21 wheel ships the same
two networks as bare ``.tflite`` files (pose detector and full pose landmarker). The Tasks
API refuses them as they are ("Input tensor has type float32: it requires specifying
NormalizationOptions metadata"), so this module adds the TFLite model metadata the Tasks
API needs (an RGB image input with a ``NormalizationOptions`` process unit, one entry per
output) and zips both into a ``.task`` bundle.

Only the ``full`` landmarker is in the wheel. The ``lite`` and ``heavy`` landmarkers come
from the npm package ``@mediapipe/pose`` (fetched with the ``npm pack`` client,
`hipvision.pose.npm_package`), with the wheel's detector, so the three bundles share their
detector bytes. The wheel is platform independent as far as the ``.tflite`` files go, so one
fixed wheel is fetched whatever the host, and cached for reuse.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from hipvision.errors import ModelError
from hipvision.pose import npm_package
from hipvision.pose.pinned import fetch_pinned

WHEEL_REQUIREMENT = "mediapipe==0.10.21"
WHEEL_FILENAME = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
# sha256 of WHEEL_FILENAME as published on PyPI (checked after every download and reuse).
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
_PIP_TARGET = ("--python-version", "3.11", "--platform", "manylinux_2_28_x86_64",
               "--implementation", "cp", "--abi", "cp311")

DETECTOR_MEMBER = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKER_MEMBERS = {"full": "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"}  # in the wheel
NPM_LANDMARKERS = ("lite", "heavy")  # from `npm_package`
BUILDABLE = ("lite", "full", "heavy")

_TFLITE_IDENTIFIER = b"TFL3"
_METADATA_IDENTIFIER = b"M001"
_METADATA_NAME = "TFLITE_METADATA"
_BUFFER_ALIGNMENT = 16  # bytes; within the .tflite and for each member's data within the .task zip


@dataclass(frozen=True)
class Normalization:
    """Input scaling the network expects: ``(pixel - mean) / std`` on RGB values 0..255."""

    mean: float
    std: float


# The detector takes RGB in [-1, 1]; the landmarker takes RGB in [0, 1].
DETECTOR_NORMALIZATION = Normalization(mean=127.5, std=127.5)
LANDMARKER_NORMALIZATION = Normalization(mean=0.0, std=255.0)

# Member names the Tasks API looks for inside a pose landmarker bundle.
TASK_DETECTOR = "pose_detector.tflite"
TASK_LANDMARKER = "pose_landmarks_detector.tflite"


def recipe(name: str) -> dict | None:
    """The offline recipe for model ``name`` (for the manifest), or None if it cannot be built."""
    if name not in BUILDABLE:
        return None
    wheel = {"wheel": WHEEL_REQUIREMENT, "wheel_file": WHEEL_FILENAME, "wheel_sha256": WHEEL_SHA256,
             "detector": DETECTOR_MEMBER}
    if name in LANDMARKER_MEMBERS:
        return {**wheel, "landmarker": LANDMARKER_MEMBERS[name]}
    return {**wheel, "npm": npm_package.SPEC, "npm_file": npm_package.TARBALL,
            "npm_sha256": npm_package.TARBALL_SHA256, "landmarker": npm_package.LANDMARKER_MEMBERS[name],
            "landmarker_sha256": npm_package.LANDMARKER_SHA256[name]}


def sources(name: str) -> str:
    """Where the offline build of ``name`` takes its networks from, for messages."""
    if name in NPM_LANDMARKERS:
        return f"{WHEEL_REQUIREMENT} on PyPI and {npm_package.SPEC} on npm"
    return f"{WHEEL_REQUIREMENT} on PyPI"


def fetch_wheel(wheel_dir: Path, *, quiet: bool = True) -> Path:
    """Return the cached mediapipe wheel in ``wheel_dir``, downloading it with pip if needed.

    The wheel is downloaded into a temporary folder and moved into place only when its
    sha256 matches (`hipvision.pose.pinned.fetch_pinned`), so an interrupted download never
    leaves a bad wheel in the cache. Raises ModelError if pip fails or the file does not match.
    """
    def pip_download(tmp_dir: Path) -> None:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", WHEEL_REQUIREMENT,
               "--only-binary=:all:", *_PIP_TARGET, "--disable-pip-version-check", "-d", str(tmp_dir)]
        if quiet:
            cmd.append("--quiet")
        proc = subprocess.run(cmd, capture_output=quiet, text=True)
        if proc.returncode != 0:
            lines = [ln for ln in (proc.stderr or "").splitlines() if ln.strip()]
            why = lines[-1].strip() if lines else f"pip exited with code {proc.returncode}"
            raise ModelError(f"could not download {WHEEL_REQUIREMENT} with pip: {why}")

    return fetch_pinned(wheel_dir, WHEEL_FILENAME, WHEEL_SHA256, fetch=pip_download, tool="pip")


def _zip_padding(header_offset: int, member: str) -> bytes:
    """A zip "extra" field that puts a stored member's data on a `_BUFFER_ALIGNMENT` boundary.

    Uses the padding block id 0xD935 that Android's zipalign uses; readers skip unknown ids.
    """
    data_offset = header_offset + 30 + len(member.encode()) + 4  # local header + name + block header
    pad = -data_offset % _BUFFER_ALIGNMENT
    return struct.pack("<HH", 0xD935, pad) + bytes(pad)


def _make_readable(path: Path) -> None:
    """Give a temp file (mkstemp makes them 0600) the usual permissions under the umask."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _schemas():
    """The flatbuffers modules mediapipe ships for the TFLite model and metadata schemas."""
    try:
        from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
        from mediapipe.tasks.metadata import schema_py_generated as tfl
    except ImportError as exc:  # pragma: no cover - depends on the installed mediapipe
        raise ModelError(f"cannot build the model offline: mediapipe's TFLite schema modules are "
                         f"missing ({exc})") from exc
    return meta, tfl


class _AlignedBuffer:
    """A TFLite ``Buffer`` that packs its bytes on a 16-byte boundary.

    The generated ``BufferT.Pack`` aligns data to 1 byte, which makes the TFLite runtime copy
    every weight tensor to an aligned heap buffer instead of using the file in place.
    """

    def __init__(self, data=None, offset: int = 0, size: int = 0):
        self.data, self.offset, self.size = data, offset, size

    def Pack(self, builder):  # noqa: N802 - flatbuffers object-API name
        _meta, tfl = _schemas()
        data = None
        if self.data is not None:
            payload = bytes(memoryview(self.data).cast("B"))
            builder.StartVector(1, len(payload), _BUFFER_ALIGNMENT)
            builder.head -= len(payload)
            builder.Bytes[builder.head:builder.head + len(payload)] = payload
            data = builder.EndVector()
        tfl.BufferStart(builder)
        if data is not None:
            tfl.BufferAddData(builder, data)
        tfl.BufferAddOffset(builder, self.offset)
        tfl.BufferAddSize(builder, self.size)
        return tfl.BufferEnd(builder)


def add_metadata(tflite: bytes, *, name: str, normalization: Normalization,
                 source: str = WHEEL_REQUIREMENT) -> bytes:
    """Return ``tflite`` with Tasks-API model metadata attached.

    The metadata declares input 0 of the single subgraph as an RGB image normalised with
    ``normalization`` and gives one (empty) entry per subgraph output. Any metadata already in
    the model is kept; the new ``TFLITE_METADATA`` entry points at a new buffer. ``source``
    (where the network came from) goes into the metadata's description.
    """
    import flatbuffers

    meta, tfl = _schemas()
    if not tfl.Model.ModelBufferHasIdentifier(tflite, 0):
        raise ModelError(f"{name}: not a TFLite model (missing the TFL3 identifier)")
    model = tfl.ModelT.InitFromObj(tfl.Model.GetRootAs(tflite, 0))
    if not model.subgraphs:
        raise ModelError(f"{name}: TFLite model has no subgraph")
    subgraph = model.subgraphs[0]

    norm = meta.NormalizationOptionsT(mean=[float(normalization.mean)], std=[float(normalization.std)])
    image_input = meta.TensorMetadataT(
        name="image",
        content=meta.ContentT(contentPropertiesType=meta.ContentProperties.ImageProperties,
                              contentProperties=meta.ImagePropertiesT(colorSpace=meta.ColorSpaceType.RGB)),
        processUnits=[meta.ProcessUnitT(optionsType=meta.ProcessUnitOptions.NormalizationOptions,
                                        options=norm)],
    )
    outputs = [meta.TensorMetadataT() for _ in range(len(subgraph.outputs))]
    model_meta = meta.ModelMetadataT(
        name=name, description=f"{name}, rebuilt by hipvision from {source}",
        subgraphMetadata=[meta.SubGraphMetadataT(inputTensorMetadata=[image_input],
                                                 outputTensorMetadata=outputs)],
    )
    builder = flatbuffers.Builder(1024)
    builder.Finish(model_meta.Pack(builder), file_identifier=_METADATA_IDENTIFIER)
    meta_bytes = bytes(builder.Output())

    import numpy as np

    model.buffers = [_AlignedBuffer(b.data, b.offset, b.size) for b in (model.buffers or [])]
    model.buffers.append(_AlignedBuffer(np.frombuffer(meta_bytes, dtype=np.uint8)))
    model.metadata = [m for m in (model.metadata or []) if m.name not in (_METADATA_NAME, _METADATA_NAME.encode())]
    model.metadata.append(tfl.MetadataT(name=_METADATA_NAME, buffer=len(model.buffers) - 1))

    builder = flatbuffers.Builder(len(tflite) + len(meta_bytes) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=_TFLITE_IDENTIFIER)
    return bytes(builder.Output())


def build_task(dest: str | os.PathLike, name: str = "full", *, wheel_dir: str | os.PathLike,
               wheel: str | os.PathLike | None = None, npm_dir: str | os.PathLike | None = None,
               tarball: str | os.PathLike | None = None, quiet: bool = True) -> Path:
    """Build ``pose_landmarker_<name>.task`` at ``dest``; returns ``dest``.

    The detector (and the ``full`` landmarker) come from the mediapipe wheel: ``wheel`` if
    given, else fetched with pip into (or reused from) ``wheel_dir``. The ``lite`` and
    ``heavy`` landmarkers come from the ``@mediapipe/pose`` npm tarball: ``tarball`` if given,
    else fetched with ``npm pack`` into (or reused from) ``npm_dir`` (default: ``npm`` next to
    ``wheel_dir``); npm's absence is reported before anything is downloaded. Raises ModelError
    when ``name`` cannot be built offline or any step fails; see `write_bundle` for how the
    file is written. The result is not verified here (see `hipvision.pose.models.verify_model`).
    """
    if name not in BUILDABLE:
        raise ModelError(f"pose model '{name}' cannot be built offline (only: {', '.join(BUILDABLE)}); "
                         "download it instead")
    from_npm = name in NPM_LANDMARKERS
    if from_npm and tarball is None:
        npm_package.npm_executable(f"build pose_landmarker_{name}.task offline")  # fail before any download
    wheel_path = Path(wheel) if wheel is not None else fetch_wheel(Path(wheel_dir), quiet=quiet)
    try:
        with zipfile.ZipFile(wheel_path) as whl:
            detector = whl.read(DETECTOR_MEMBER)
            landmarker = None if from_npm else whl.read(LANDMARKER_MEMBERS[name])
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelError(f"cannot read the pose networks from {wheel_path}: {exc}") from exc
    source = WHEEL_REQUIREMENT
    if from_npm:
        if tarball is None:
            folder = Path(npm_dir) if npm_dir is not None else Path(wheel_dir).parent / "npm"
            tarball = npm_package.fetch_tarball(folder, purpose=f"build pose_landmarker_{name}.task offline",
                                                quiet=quiet)
        landmarker, source = npm_package.read_landmarker(tarball, name), npm_package.SPEC

    members = {
        TASK_DETECTOR: add_metadata(detector, name="pose_detector", normalization=DETECTOR_NORMALIZATION),
        TASK_LANDMARKER: add_metadata(landmarker, name=f"pose_landmarks_detector_{name}",
                                      normalization=LANDMARKER_NORMALIZATION, source=source),
    }
    return write_bundle(dest, members)


def write_bundle(dest: str | os.PathLike, members: dict[str, bytes]) -> Path:
    """Zip ``members`` (name → bytes) as a ``.task`` bundle at ``dest``; returns ``dest``.

    Members are stored uncompressed, in the given order, with a fixed date and each member's
    data on a 16-byte boundary (the TFLite runtime maps them in place), so equal input gives
    equal bytes. Written to a temporary file next to ``dest`` and renamed into place, so a
    failure leaves nothing behind. Raises ModelError if it cannot be written.
    """
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    except OSError as exc:
        raise ModelError(f"cannot write {dest}: {exc.strerror or exc}") from exc
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as bundle:
            for member, data in members.items():
                info = zipfile.ZipInfo(member, date_time=(2025, 1, 31, 0, 0, 0))  # reproducible bytes
                info.compress_type = zipfile.ZIP_STORED
                info.external_attr = 0o644 << 16
                info.extra = _zip_padding(bundle.fp.tell(), member)
                bundle.writestr(info, data)
        _make_readable(Path(tmp))
        os.replace(tmp, dest)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ModelError(f"cannot write {dest}: {exc.strerror or exc}") from exc
        raise
    return dest
