"""A skinned body rig in the scene frame, its forward kinematics and skinning (numpy only).

A `Rig` holds what the body model gives once per body shape: bone names and
parents, rest-pose bone heads and mesh vertices (scene frame: metres, +Y up,
facing +Z, left side at +X), and linear-blend skinning weights.

A pose is given per *segment* (pelvis, chest, thigh.L, ...): each segment has a
world rotation ``G`` (3x3) relative to its rest orientation. Every bone takes the
rotation of its segment; the spine bones between pelvis and chest, and the neck,
interpolate. Bone heads follow their parents, so limbs stay connected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Bone → segment for the bones that start a segment; other bones inherit their parent's.
SEGMENT_ANCHORS: dict[str, str] = {
    "root": "pelvis", "spine05": "spine05", "spine04": "spine04", "spine03": "spine03",
    "spine02": "spine02", "spine01": "chest", "neck01": "neck01", "neck02": "neck02",
    "neck03": "head", "head": "head",
    **{f"upperarm01.{s}": f"upperarm.{s}" for s in "LR"},
    **{f"lowerarm01.{s}": f"forearm.{s}" for s in "LR"},
    **{f"wrist.{s}": f"hand.{s}" for s in "LR"},
    **{f"upperleg01.{s}": f"thigh.{s}" for s in "LR"},
    **{f"lowerleg01.{s}": f"shank.{s}" for s in "LR"},
    **{f"foot.{s}": f"foot.{s}" for s in "LR"},
}

#: Segments that interpolate between two others when not set: name → (from, to, fraction).
INTERPOLATED: dict[str, tuple[str, str, float]] = {
    "spine05": ("pelvis", "chest", 0.1), "spine04": ("pelvis", "chest", 0.3),
    "spine03": ("pelvis", "chest", 0.55), "spine02": ("pelvis", "chest", 0.8),
    "neck01": ("chest", "head", 0.35), "neck02": ("chest", "head", 0.7),
}

#: Named joints (bone heads) used to pose the body and to report its positions.
JOINT_BONES: dict[str, str] = {
    "pelvis": "root", "chest": "spine01", "neck": "neck01", "head": "head",
    **{f"{k}.{s}": f"{b}.{s}" for s in "LR" for k, b in (
        ("hip", "upperleg01"), ("knee", "lowerleg01"), ("ankle", "foot"), ("toe", "toe3-1"),
        ("shoulder", "upperarm01"), ("elbow", "lowerarm01"), ("wrist", "wrist"),
        ("index", "finger2-1"), ("middle", "finger3-1"), ("pinky", "finger5-1"), ("eye", "eye"))},
}


@dataclass(frozen=True, eq=False)
class Rig:
    """One body shape, ready to pose.

    Attributes:
        labels: (B,) bone names, parents before children.
        parents: (B,) index of each bone's parent, -1 for the root.
        heads: (B, 3) rest-pose bone heads, scene frame, metres.
        vertices: (V, 3) rest-pose mesh vertices, metres.
        weights: (V, K) skinning weights (rows sum to 1).
        indices: (V, K) bone index of each weight.
        faces: (F, 3) triangle vertex indices.
    """

    labels: tuple[str, ...]
    parents: np.ndarray
    heads: np.ndarray
    vertices: np.ndarray
    weights: np.ndarray
    indices: np.ndarray
    faces: np.ndarray
    segment_of: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        seg: list[str] = []
        for i, name in enumerate(self.labels):
            if name in SEGMENT_ANCHORS:
                seg.append(SEGMENT_ANCHORS[name])
            elif self.parents[i] < 0:
                raise ValueError(f"root bone {name!r} has no segment")
            else:
                seg.append(seg[self.parents[i]])
        object.__setattr__(self, "segment_of", tuple(seg))

    def bone(self, name: str) -> int:
        """Index of bone ``name``."""
        return self.labels.index(name)

    def rest_joint(self, joint: str) -> np.ndarray:
        """(3,) rest position of a named joint (see `JOINT_BONES`)."""
        return self.heads[self.bone(JOINT_BONES[joint])]

    def length(self, a: str, b: str) -> float:
        """Rest distance between two named joints, metres."""
        return float(np.linalg.norm(self.rest_joint(a) - self.rest_joint(b)))

    @property
    def dominant_bone(self) -> np.ndarray:
        """(V,) the bone with the largest skinning weight on each vertex."""
        return self.indices[np.arange(len(self.indices)), self.weights.argmax(axis=1)]


def _log_rotation(r: np.ndarray) -> np.ndarray:
    """Rotation vector (axis * angle, radians) of a 3x3 rotation."""
    cos = np.clip((np.trace(r) - 1.0) / 2.0, -1.0, 1.0)
    angle = np.arccos(cos)
    if angle < 1e-9:
        return np.zeros(3)
    w = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]])
    if np.pi - angle < 1e-6:  # near 180°: axis from the symmetric part
        axis = np.sqrt(np.maximum((np.diag(r) + 1.0) / 2.0, 0.0))
        axis *= np.sign(w + (w == 0))
        return axis / np.linalg.norm(axis) * angle
    return w / (2.0 * np.sin(angle)) * angle


def _exp_rotation(v: np.ndarray) -> np.ndarray:
    angle = float(np.linalg.norm(v))
    if angle < 1e-12:
        return np.eye(3)
    x, y, z = v / angle
    k = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    return np.eye(3) + np.sin(angle) * k + (1.0 - np.cos(angle)) * (k @ k)


def slerp(a: np.ndarray, b: np.ndarray, fraction: float) -> np.ndarray:
    """Rotation ``fraction`` (0..1) of the way from ``a`` to ``b``."""
    return _exp_rotation(fraction * _log_rotation(b @ a.T)) @ a


@dataclass
class Pose:
    """World rotations per segment plus the position of the root bone head.

    Attributes:
        rotations: segment name → (3, 3) rotation relative to the rest pose.
            Missing segments inherit their parent's rotation (or interpolate, see `INTERPOLATED`).
        root_position: (3,) where the root bone head goes, metres.
    """

    rotations: dict[str, np.ndarray]
    root_position: np.ndarray


def bone_rotations(rig: Rig, pose: Pose) -> np.ndarray:
    """(B, 3, 3) world rotation of every bone for ``pose``."""
    seg_rot = dict(pose.rotations)
    seg_rot.setdefault("pelvis", np.eye(3))
    for name, (a, b, f) in INTERPOLATED.items():
        if name not in seg_rot and a in seg_rot and b in seg_rot:
            seg_rot[name] = slerp(seg_rot[a], seg_rot[b], f)
    out = np.empty((len(rig.labels), 3, 3))
    for i, seg in enumerate(rig.segment_of):
        if seg in seg_rot:
            out[i] = seg_rot[seg]
        else:
            out[i] = out[rig.parents[i]] if rig.parents[i] >= 0 else np.eye(3)
    return out


def forward_kinematics(rig: Rig, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """Posed bone heads (B, 3) and bone rotations (B, 3, 3)."""
    rots = bone_rotations(rig, pose)
    heads = np.empty_like(rig.heads)
    for i, p in enumerate(rig.parents):
        if p < 0:
            heads[i] = pose.root_position
        else:
            heads[i] = heads[p] + rots[p] @ (rig.heads[i] - rig.heads[p])
    return heads, rots


def posed_joints(rig: Rig, pose: Pose) -> dict[str, np.ndarray]:
    """Named joint positions (see `JOINT_BONES`) for ``pose``, metres."""
    heads, _ = forward_kinematics(rig, pose)
    return {name: heads[rig.bone(bone)] for name, bone in JOINT_BONES.items()}


def skin(rig: Rig, pose: Pose) -> np.ndarray:
    """(V, 3) posed mesh vertices (linear blend skinning)."""
    heads, rots = forward_kinematics(rig, pose)
    # Each bone maps x → R (x - h_rest) + h_posed.
    offsets = heads - np.einsum("bij,bj->bi", rots, rig.heads)
    out = np.zeros_like(rig.vertices)
    for k in range(rig.weights.shape[1]):
        idx = rig.indices[:, k]
        w = rig.weights[:, k:k + 1]
        moved = np.einsum("vij,vj->vi", rots[idx], rig.vertices) + offsets[idx]
        out += w * moved
    return out
