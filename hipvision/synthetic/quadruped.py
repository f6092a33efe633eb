"""Synthetic people on hands and knees doing hip circles, with known answers.

Scene frame as in `hipvision.synthetic.camera`: metres, +Y up, floor at Y = 0.
The person kneels with the head toward +Z; their right side is at -X and their
left at +X. Hands and knees stay planted; the pelvis follows a scripted path in
the horizontal plane (forward = +Z, right = -X) and its height follows from the
thighs pivoting about the planted knees (moving back lowers it). The shoulders
follow the pelvis by a fraction (`trunk_follow`), the arms reach the planted
hands by two-bone IK.

A script is a list of segments (`Hold`, `Circles`, `SitBack`, `Rock`, `Fidget`, `StandUp`);
`pelvis_script` turns it into a per-frame pelvis path plus the true reps, and
`render_quadruped` films it with a `PinholeCamera` into a `PoseSequence`.

Direction convention (as everywhere in hipvision): clockwise = forward →
person's right → back → left, seen from above with the head at 12 o'clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from hipvision.landmarks import NUM_LANDMARKS, Landmark as L
from hipvision.sequence import PoseSequence
from hipvision.synthetic.camera import PinholeCamera, sequence_from_joints

from hipvision.synthetic.pelvis_script import (Circles, Fidget, Hold, PelvisScript, Rock, SitBack, StandUp,  # noqa: F401
                                               TruePartial, TrueRep, pelvis_script)

_RIGHT = np.array([-1.0, 0.0, 0.0])  # person's right in the scene frame
_FORWARD = np.array([0.0, 0.0, 1.0])
_UP = np.array([0.0, 1.0, 0.0])

#: Camera headings around the person (degrees, see `PinholeCamera.looking_at`).
VIEWS = {"side": 90.0, "45": 45.0, "behind": 180.0}


@dataclass(frozen=True)
class QuadrupedBody:
    """Body proportions (metres) of the synthetic person."""

    hip_width_m: float = 0.26
    shoulder_width_m: float = 0.36
    thigh_m: float = 0.44
    shin_m: float = 0.42
    torso_m: float = 0.52
    upper_arm_m: float = 0.30
    forearm_m: float = 0.27
    knee_height_m: float = 0.05
    wrist_height_m: float = 0.04
    arm_reach: float = 0.97  # shoulder–wrist distance / arm length at the start position

    @property
    def hip_height_m(self) -> float:
        return self.knee_height_m + self.thigh_m

    @property
    def shoulder_height_m(self) -> float:
        return self.wrist_height_m + self.arm_reach * (self.upper_arm_m + self.forearm_m)

    @property
    def hands_forward_m(self) -> float:
        """Horizontal distance from the knees to the hands (shoulders over hands)."""
        dy = self.shoulder_height_m - self.hip_height_m
        return float(np.sqrt(self.torso_m ** 2 - dy ** 2))


# ---------------------------------------------------------------- scripts

def _two_bone_ik(root: np.ndarray, end: np.ndarray, a: float, b: float, pole: np.ndarray) -> np.ndarray:
    """(T, 3) middle joint of a two-bone chain root→end with lengths a, b, bent toward ``pole``."""
    d_vec = end - root
    d = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    d_c = np.clip(d, 1e-6, a + b - 1e-6)
    axis = d_vec / np.maximum(d, 1e-9)
    x = (a ** 2 - b ** 2 + d_c ** 2) / (2 * d_c)
    h = np.sqrt(np.maximum(a ** 2 - x ** 2, 0.0))
    perp = pole - np.sum(pole * axis, axis=-1, keepdims=True) * axis
    perp /= np.maximum(np.linalg.norm(perp, axis=-1, keepdims=True), 1e-9)
    return root + axis * x + perp * h


def _quadruped(offset_m: np.ndarray, body: QuadrupedBody, trunk_follow: float,
               shoulder_sway_m: np.ndarray | None) -> np.ndarray:
    """(T, 33, 3) joints on hands and knees for (T, 2) pelvis offsets [forward, right]."""
    n = len(offset_m)
    j = np.zeros((n, NUM_LANDMARKS, 3))
    hw, sw = body.hip_width_m / 2, body.shoulder_width_m / 2
    horiz = offset_m[:, :1] * _FORWARD + offset_m[:, 1:2] * _RIGHT  # (T, 3)
    for side, sx in (("LEFT", 1.0), ("RIGHT", -1.0)):
        knee = np.array([sx * hw, body.knee_height_m, 0.0])
        wrist = np.array([sx * sw, body.wrist_height_m, body.hands_forward_m])
        j[:, L[f"{side}_KNEE"]] = knee
        j[:, L[f"{side}_ANKLE"]] = knee + [0.0, 0.03, -body.shin_m]
        j[:, L[f"{side}_HEEL"]] = knee + [0.0, 0.09, -body.shin_m - 0.04]
        j[:, L[f"{side}_FOOT_INDEX"]] = knee + [0.0, -0.04, -body.shin_m - 0.09]
        hip_xz = np.array([sx * hw, 0.0, 0.0]) + horiz
        d_h = np.linalg.norm((hip_xz - knee)[:, [0, 2]], axis=1)
        hip = hip_xz.copy()
        hip[:, 1] = body.knee_height_m + np.sqrt(np.maximum(body.thigh_m ** 2 - d_h ** 2, 0.0))
        j[:, L[f"{side}_HIP"]] = hip
        shoulder = np.array([sx * sw, body.shoulder_height_m, body.hands_forward_m]) + trunk_follow * horiz
        if shoulder_sway_m is not None:
            shoulder = shoulder + shoulder_sway_m
        j[:, L[f"{side}_SHOULDER"]] = shoulder
        j[:, L[f"{side}_WRIST"]] = wrist
        pole = np.array([sx * 0.4, 0.0, -1.0])
        j[:, L[f"{side}_ELBOW"]] = _two_bone_ik(shoulder, wrist, body.upper_arm_m, body.forearm_m, pole)
        j[:, L[f"{side}_PINKY"]] = wrist + [sx * 0.03, -0.03, 0.07]
        j[:, L[f"{side}_INDEX"]] = wrist + [-sx * 0.01, -0.03, 0.09]
        j[:, L[f"{side}_THUMB"]] = wrist + [-sx * 0.035, -0.02, 0.05]
    _add_head(j)
    return j


def _add_head(j: np.ndarray) -> None:
    """Head landmarks in front of the shoulders, along the trunk, looking at the floor."""
    sh = j[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(axis=1)
    hip = j[:, [L.LEFT_HIP, L.RIGHT_HIP]].mean(axis=1)
    fwd = sh - hip
    fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
    lat = np.cross(_UP, fwd)  # toward the person's left (+X when facing +Z)
    lat /= np.linalg.norm(lat, axis=1, keepdims=True)
    head = sh + 0.17 * fwd + 0.02 * _UP
    nose = head + 0.08 * fwd - 0.06 * _UP
    j[:, L.NOSE] = nose
    for side, s in (("LEFT", 1.0), ("RIGHT", -1.0)):
        eye = head + 0.06 * fwd - 0.02 * _UP + s * 0.035 * lat
        j[:, L[f"{side}_EYE"]] = eye
        j[:, L[f"{side}_EYE_INNER"]] = eye - s * 0.012 * lat
        j[:, L[f"{side}_EYE_OUTER"]] = eye + s * 0.012 * lat
        j[:, L[f"{side}_EAR"]] = head + s * 0.075 * lat
        j[:, L[f"MOUTH_{side}"]] = nose + 0.01 * fwd - 0.03 * _UP + s * 0.025 * lat


def _standing(n: int, t_s: np.ndarray) -> np.ndarray:
    """(T, 33, 3) a person standing next to the mat, facing +Z, swaying a little."""
    j = np.zeros((n, NUM_LANDMARKS, 3))
    sway = 0.02 * np.sin(2 * np.pi * 0.3 * t_s)[:, None] * np.array([1.0, 0.0, 0.5])
    base = np.array([0.0, 0.0, 0.2])
    for side, sx in (("LEFT", 1.0), ("RIGHT", -1.0)):
        for name, pos in (("HIP", [0.13, 0.95, 0]), ("KNEE", [0.12, 0.52, 0.02]), ("ANKLE", [0.12, 0.08, 0]),
                          ("HEEL", [0.12, 0.04, -0.06]), ("FOOT_INDEX", [0.13, 0.01, 0.16]),
                          ("SHOULDER", [0.19, 1.45, 0]), ("ELBOW", [0.22, 1.17, -0.02]),
                          ("WRIST", [0.23, 0.92, 0.02]), ("PINKY", [0.24, 0.85, 0.02]),
                          ("INDEX", [0.22, 0.84, 0.05]), ("THUMB", [0.2, 0.87, 0.06])):
            j[:, L[f"{side}_{name}"]] = base + np.array(pos) * [sx, 1, 1] + sway
    head = base + [0, 1.62, 0.02] + sway
    j[:, L.NOSE] = head + [0, 0, 0.1]
    for side, s in (("LEFT", 1.0), ("RIGHT", -1.0)):
        j[:, L[f"{side}_EYE"]] = head + [s * 0.035, 0.03, 0.08]
        j[:, L[f"{side}_EYE_INNER"]] = head + [s * 0.022, 0.03, 0.085]
        j[:, L[f"{side}_EYE_OUTER"]] = head + [s * 0.048, 0.03, 0.075]
        j[:, L[f"{side}_EAR"]] = head + [s * 0.075, 0.0, 0.0]
        j[:, L[f"MOUTH_{side}"]] = head + [s * 0.025, -0.04, 0.09]
    return j


def quadruped_joints(script: PelvisScript, *, body: QuadrupedBody = QuadrupedBody(), trunk_follow: float = 0.1,
                     shoulder_sway_m: float = 0.0, shoulder_sway_period_s: float = 3.0) -> np.ndarray:
    """(T, 33, 3) scene joints for a script (metres, scene frame of the module docstring).

    Args:
        trunk_follow: fraction of the pelvis's horizontal motion the shoulders follow.
        shoulder_sway_m: extra side-to-side shoulder sway amplitude (a moving spine), metres.
    """
    sway = None
    if shoulder_sway_m:
        sway = shoulder_sway_m * np.sin(2 * np.pi * script.t_s / shoulder_sway_period_s)[:, None] * _RIGHT
    quad = _quadruped(script.offset_m, body, trunk_follow, sway)
    s = script.stand[:, None, None]
    if not np.any(s > 0):
        return quad
    return (1 - s) * quad + s * _standing(len(script.t_s), script.t_s)


def hip_flexion_deg(joints: np.ndarray) -> np.ndarray:
    """(T,) true hip flexion, 180° minus the shoulder–hip–knee angle (midpoints), degrees."""
    sh = joints[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(axis=1)
    hip = joints[:, [L.LEFT_HIP, L.RIGHT_HIP]].mean(axis=1)
    knee = joints[:, [L.LEFT_KNEE, L.RIGHT_KNEE]].mean(axis=1)
    a, b = sh - hip, knee - hip
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return 180.0 - np.degrees(np.arccos(np.clip(cos, -1, 1)))


# ---------------------------------------------------------------- camera

def quadruped_camera(view: str | float = "side", *, distance_m: float = 2.6, pitch_deg: float = 20.0,
                     width: int = 1280, height: int = 720) -> PinholeCamera:
    """A camera aimed at the middle of the person: ``view`` is "side" (the person's
    left), "45" (front-left diagonal), "behind", or a heading in degrees."""
    facing = VIEWS[view] if isinstance(view, str) else float(view)
    target = np.array([0.0, 0.3, 0.25])
    return PinholeCamera.looking_at(target, distance_m=distance_m, pitch_deg=pitch_deg, facing_deg=facing,
                                    width=width, height=height)


def render_quadruped(script: PelvisScript, *, view: str | float = "side", fps: float = 30.0,
                     body: QuadrupedBody = QuadrupedBody(), trunk_follow: float = 0.1, shoulder_sway_m: float = 0.0,
                     noise_px: float = 1.0, world_noise_m: float = 0.004, depth_noise_m: float = 0.012,
                     dropout_fraction: float = 0.0, burst_dropouts: int = 0, burst_s: float = 0.3,
                     depth_motion_gain: float = 1.0, camera: PinholeCamera | None = None,
                     seed: int = 0) -> PoseSequence:
    """Film a script: a `PoseSequence` as MediaPipe would report it.

    Args:
        world_noise_m: Gaussian noise on every world coordinate, metres.
        depth_noise_m: extra noise on the world depth axis (away from the camera), metres.
        dropout_fraction: fraction of single frames with no person.
        burst_dropouts: number of runs of ``burst_s`` seconds with no person.
        depth_motion_gain: scale each world landmark's motion along the depth axis (about its
            median) by this factor, as a pose model that barely sees motion toward the camera.
        camera: film with this camera instead of `quadruped_camera` (``view``).
    """
    joints = quadruped_joints(script, body=body, trunk_follow=trunk_follow, shoulder_sway_m=shoulder_sway_m)
    rng = np.random.default_rng(seed + 7919)
    n = len(joints)
    for _ in range(burst_dropouts):
        k = int(rng.integers(0, max(n - int(burst_s * fps), 1)))
        joints[k:k + int(round(burst_s * fps))] = np.nan
    seq = sequence_from_joints(joints, camera if camera is not None else quadruped_camera(view), fps=fps, noise_px=noise_px,
                               world_noise_m=world_noise_m, dropout_fraction=dropout_fraction, seed=seed,
                               source=f"synthetic quadruped ({view})")
    if depth_noise_m or depth_motion_gain != 1.0:
        world = seq.world.copy()
        z = world[..., 2]
        median = np.nanmedian(z, axis=0)
        world[..., 2] = median + depth_motion_gain * (z - median)
        world[..., 2] += rng.normal(0.0, depth_noise_m, world.shape[:2])
        seq = replace(seq, world=world)  # keeps every other field
    return seq
