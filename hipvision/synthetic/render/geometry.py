"""Small rotation and inverse-kinematics helpers (numpy only).

Scene frame (same as `hipvision.synthetic.camera`): metres, +Y up, floor at
Y = 0; a person with heading 0 faces +Z and has their left side at +X.
Rotations are 3x3 matrices acting on column vectors (``R @ v``).
"""

from __future__ import annotations

import numpy as np

UP = np.array([0.0, 1.0, 0.0])


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1 (last axis)."""
    v = np.asarray(v, float)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def axis_angle(axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """(3, 3) rotation by ``angle_rad`` about ``axis`` (right-hand rule)."""
    x, y, z = unit(axis)
    k = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    return np.eye(3) + np.sin(angle_rad) * k + (1.0 - np.cos(angle_rad)) * (k @ k)


def rot_x(angle_deg: float) -> np.ndarray:
    """Rotation about +X by ``angle_deg`` degrees."""
    return axis_angle(np.array([1.0, 0, 0]), np.radians(angle_deg))


def rot_y(angle_deg: float) -> np.ndarray:
    """Rotation about +Y (vertical) by ``angle_deg``: positive turns +Z toward +X."""
    return axis_angle(UP, np.radians(angle_deg))


def rot_z(angle_deg: float) -> np.ndarray:
    """Rotation about +Z by ``angle_deg`` degrees."""
    return axis_angle(np.array([0, 0, 1.0]), np.radians(angle_deg))


def rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction ``a`` onto direction ``b``."""
    a, b = unit(a), unit(b)
    cross = np.cross(a, b)
    s, c = np.linalg.norm(cross), float(np.dot(a, b))
    if s < 1e-9:
        if c > 0:
            return np.eye(3)
        helper = np.array([1.0, 0, 0]) if abs(a[0]) < 0.9 else np.array([0, 1.0, 0])
        return axis_angle(np.cross(a, helper), np.pi)
    return axis_angle(cross, np.arctan2(s, c))


def two_bone_ik(root: np.ndarray, target: np.ndarray, len_a_m: float, len_b_m: float,
                pole: np.ndarray, *, max_reach_fraction: float = 0.999) -> tuple[np.ndarray, np.ndarray]:
    """Place the middle joint of a two-bone chain (shoulder-elbow-wrist).

    Args:
        root: (3,) first joint, metres.
        target: (3,) where the end joint should be.
        len_a_m, len_b_m: bone lengths, metres.
        pole: (3,) direction the middle joint bends toward.
        max_reach_fraction: the chain never straightens past this fraction of its length.

    Returns:
        (middle, end) joint positions; ``end`` equals ``target`` when it is within reach,
        otherwise it is the reachable point on the line toward it.
    """
    d = target - root
    dist = float(np.linalg.norm(d))
    reach = (len_a_m + len_b_m) * max_reach_fraction
    dist_c = float(np.clip(dist, abs(len_a_m - len_b_m) + 1e-6, reach))
    axis = d / dist
    end = root + axis * dist_c
    # Law of cosines: distance of the middle joint along the axis and from it.
    along = (len_a_m ** 2 - len_b_m ** 2 + dist_c ** 2) / (2 * dist_c)
    height = np.sqrt(max(len_a_m ** 2 - along ** 2, 0.0))
    bend = pole - np.dot(pole, axis) * axis
    bend = unit(bend) if np.linalg.norm(bend) > 1e-9 else unit(np.cross(axis, UP))
    return root + axis * along + bend * height, end


def ir_rotation_sign(hip_to_knee: np.ndarray, shank_down: np.ndarray, lateral: np.ndarray) -> float:
    """+1 or -1: the sign of a rotation about ``hip_to_knee`` that swings the shank laterally.

    Internal rotation (IR) of the hip moves the foot away from the midline (lateral)
    when the knee is bent; this returns the sign that makes a positive IR angle do so.
    """
    swing = np.cross(unit(hip_to_knee), shank_down)
    return 1.0 if float(np.dot(swing, lateral)) > 0 else -1.0
