"""Bodies from the Anny parametric model (needs the ``synth`` extra: torch + anny).

`build_rig` evaluates Anny once for a body shape and keeps only what posing and
skinning need (`hipvision.synthetic.render.rig.Rig`), cached as ``.npz`` so later runs skip
torch entirely. `vertex_colours` dresses the body by colouring each vertex after
the bone that moves it most (skin, T-shirt, shorts to the knee, shoes, hair, eyes).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from hipvision.synthetic.render.rig import Rig

#: Anny's frame (Z up, facing -Y, left at +X) → scene frame (Y up, facing +Z, left at +X).
ANNY_TO_SCENE = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


@dataclass(frozen=True)
class BodyShape:
    """Anny phenotype values, each 0..1 (gender 0 = male, 1 = female; age ≈ 0.7–0.85 for adults)."""

    gender: float = 0.0
    age: float = 0.75
    muscle: float = 0.5
    weight: float = 0.5
    height: float = 0.5
    proportions: float = 0.5

    def key(self) -> str:
        """Short stable id of this shape (for cache file names)."""
        text = json.dumps({k: round(v, 4) for k, v in asdict(self).items()}, sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]


def require_extra() -> None:
    """Raise ImportError with a clear message when torch/anny are missing."""
    try:
        import anny  # noqa: F401
        import torch  # noqa: F401
    except ImportError as exc:
        raise ImportError("rendering needs the 'synth' extra (torch, anny, pyrender, PyOpenGL): "
                          f"pip install 'hipvision[synth]' ({exc})") from exc


@functools.lru_cache(maxsize=1)
def _anny_model():
    require_extra()
    import warnings

    import anny
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return anny.Anny()


def default_cache_dir() -> Path:
    """Where rigs are cached: $HIPVISION_SYNTH_CACHE or the user cache dir."""
    env = os.environ.get("HIPVISION_SYNTH_CACHE")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_cache_dir("hipvision")) / "synth-rigs"


def _rig_from_npz(path: Path) -> Rig:
    with np.load(path, allow_pickle=False) as d:
        return Rig(labels=tuple(str(s) for s in d["labels"]), parents=d["parents"], heads=d["heads"],
                   vertices=d["vertices"], weights=d["weights"], indices=d["indices"], faces=d["faces"])


def build_rig(shape: BodyShape, *, cache_dir: str | os.PathLike | None = None) -> Rig:
    """The rest-pose rig of ``shape`` in the scene frame (cached on disk)."""
    folder = Path(cache_dir) if cache_dir else default_cache_dir()
    path = folder / f"rig-{shape.key()}.npz"
    if path.is_file():
        return _rig_from_npz(path)
    import torch

    model = _anny_model()
    with torch.no_grad():
        inputs = model.get_tensor_inputs(None, asdict(shape), None, None)
        coeffs = model._get_phenotype_blendshape_coefficients(*inputs[1:])
        rest = model.get_rest_model(coeffs)
    heads = rest["rest_bone_heads"][0].double().numpy() @ ANNY_TO_SCENE.T
    verts = rest["rest_vertices"][0].double().numpy() @ ANNY_TO_SCENE.T
    faces = model.get_triangular_faces().numpy() if hasattr(model, "get_triangular_faces") else model.faces.numpy()
    rig = Rig(labels=tuple(model.bone_labels), parents=np.array([-1] + list(model.bone_parents)[1:]),
              heads=heads, vertices=verts, weights=model.vertex_bone_weights.double().numpy(),
              indices=model.vertex_bone_indices.numpy().astype(np.int64), faces=faces.astype(np.int64))
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, labels=np.array(rig.labels), parents=rig.parents, heads=rig.heads,
                        vertices=rig.vertices, weights=rig.weights, indices=rig.indices, faces=rig.faces)
    os.replace(tmp, path)
    return rig


@dataclass(frozen=True)
class Outfit:
    """Colours (RGB 0..1) of the dressed body."""

    skin: tuple[float, float, float] = (0.80, 0.62, 0.50)
    shirt: tuple[float, float, float] = (0.20, 0.35, 0.65)
    shorts: tuple[float, float, float] = (0.15, 0.15, 0.18)
    shoes: tuple[float, float, float] = (0.9, 0.9, 0.9)
    hair: tuple[float, float, float] = (0.15, 0.10, 0.07)
    lower_leg: tuple[float, float, float] | None = None   # long trousers' lower legs; None = bare skin (shorts)


#: Bone-name prefixes → garment (first match wins; checked on the dominant bone of each vertex).
GARMENT_OF_BONE: tuple[tuple[str, str], ...] = (
    ("eye", "eye"), ("head", "head"), ("neck", "skin"),
    ("foot", "shoes"), ("toe", "shoes"),
    ("lowerleg", "lower_leg"), ("upperleg", "shorts"), ("pelvis", "shorts"), ("root", "shorts"), ("spine05", "shorts"),
    ("spine", "shirt"), ("clavicle", "shirt"), ("shoulder", "shirt"), ("upperarm01", "shirt"),
    ("upperarm02", "skin"), ("lowerarm", "skin"), ("wrist", "skin"), ("finger", "skin"), ("metacarpal", "skin"),
)


def garments(rig: Rig) -> np.ndarray:
    """(V,) garment name of each vertex: skin, shirt, shorts, lower_leg, shoes, hair, eye."""
    names = []
    for bone in rig.dominant_bone:
        label = rig.labels[bone]
        names.append(next((g for p, g in GARMENT_OF_BONE if label.startswith(p)), "skin"))
    out = np.array(names, dtype=object)
    head = out == "head"
    eye_mid = (rig.rest_joint("eye.L") + rig.rest_joint("eye.R")) / 2
    v = rig.vertices
    hair = head & ((v[:, 1] > eye_mid[1] + 0.045) | ((v[:, 2] < eye_mid[2] - 0.075) & (v[:, 1] > eye_mid[1] - 0.07)))
    out[head] = "skin"
    out[hair] = "hair"
    return out.astype(str)


def vertex_colours(rig: Rig, outfit: Outfit, *, seed: int = 0) -> np.ndarray:
    """(V, 4) RGBA uint8 vertex colours for ``outfit`` (slight seeded mottling)."""
    g = garments(rig)
    table = {"skin": outfit.skin, "shirt": outfit.shirt, "shorts": outfit.shorts, "shoes": outfit.shoes,
             "hair": outfit.hair, "lower_leg": outfit.lower_leg or outfit.skin}
    rgb = np.array([table.get(name, outfit.skin) for name in g], float)
    eye = g == "eye"
    if eye.any():
        centre = {s: rig.rest_joint(f"eye.{s}") for s in "LR"}
        for s, c in centre.items():
            sel = eye & (np.sign(rig.vertices[:, 0]) == (1 if s == "L" else -1))
            front = rig.vertices[:, 2] > c[2] + 0.008
            rgb[sel] = (0.92, 0.92, 0.9)
            rgb[sel & front] = (0.12, 0.08, 0.05)
    rng = np.random.default_rng(seed)
    rgb = np.clip(rgb * (1 + rng.normal(0, 0.03, (len(rgb), 1))), 0, 1)
    return np.concatenate([(rgb * 255).astype(np.uint8), np.full((len(rgb), 1), 255, np.uint8)], axis=1)
