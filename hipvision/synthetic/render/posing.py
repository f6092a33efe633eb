"""Poses of a `Rig`: seated on a box, quadruped (hands and knees), standing (numpy only).

Everything is built in the *body frame* (metres, +Y up, the person facing +Z,
their left side at +X; horizontal origin under the hip midpoint) and then
placed in the scene by a heading (degrees about +Y, positive turns +Z toward
+X) and a floor position.

Ground truth lives here: the seated hip internal rotation (IR) is a rotation of
thigh, shank and foot about the hip→knee axis, positive when the foot moves
laterally; the quadruped pelvis offset is the hip midpoint's horizontal
displacement from its neutral spot, forward (toward the head) and to the
person's right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipvision.synthetic.render.geometry import UP, axis_angle, ir_rotation_sign, rot_x, rot_y, two_bone_ik, unit
from hipvision.synthetic.render.rig import Pose, Rig, posed_joints, skin

X = np.array([1.0, 0.0, 0.0])
Z = np.array([0.0, 0.0, 1.0])
SIDES = {"L": 1.0, "R": -1.0}  # sign of +X for the person's left / right


def align(d0: np.ndarray, s0: np.ndarray, d1: np.ndarray, s1: np.ndarray) -> np.ndarray:
    """Rotation taking direction ``d0`` to ``d1`` and side vector ``s0`` to (about) ``s1``."""
    def frame(d: np.ndarray, s: np.ndarray) -> np.ndarray:
        d = unit(d)
        s = unit(s - np.dot(s, d) * d)
        return np.stack([d, s, np.cross(d, s)], axis=1)
    return frame(d1, s1) @ frame(d0, s0).T


@dataclass(frozen=True)
class Placement:
    """Where the body stands in the scene: heading about +Y (degrees) and floor position (x, z) in metres."""

    heading_deg: float = 0.0
    x_m: float = 0.0
    z_m: float = 0.0

    def apply(self, pose: Pose) -> Pose:
        yaw = rot_y(self.heading_deg)
        root = yaw @ pose.root_position + np.array([self.x_m, 0.0, self.z_m])
        return Pose({k: yaw @ r for k, r in pose.rotations.items()}, root)

    def to_scene(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) body-frame points → scene points."""
        return np.asarray(points) @ rot_y(self.heading_deg).T + np.array([self.x_m, 0.0, self.z_m])


def _rest_dirs(rig: Rig) -> dict[str, np.ndarray]:
    j = rig.rest_joint
    out = {"trunk": (j("shoulder.L") + j("shoulder.R")) / 2 - (j("hip.L") + j("hip.R")) / 2}
    for s in "LR":
        out.update({
            f"thigh.{s}": j(f"knee.{s}") - j(f"hip.{s}"), f"shank.{s}": j(f"ankle.{s}") - j(f"knee.{s}"),
            f"foot.{s}": j(f"toe.{s}") - j(f"ankle.{s}"), f"upperarm.{s}": j(f"elbow.{s}") - j(f"shoulder.{s}"),
            f"forearm.{s}": j(f"wrist.{s}") - j(f"elbow.{s}"), f"hand.{s}": j(f"middle.{s}") - j(f"wrist.{s}"),
            f"across.{s}": j(f"pinky.{s}") - j(f"index.{s}"),
        })
    return out


def _root_for_hip_mid(rig: Rig, rotations: dict[str, np.ndarray], hip_mid: np.ndarray) -> np.ndarray:
    """Root position that puts the hip-joint midpoint at ``hip_mid`` (pelvis rotation applied)."""
    rest_mid = (rig.rest_joint("hip.L") + rig.rest_joint("hip.R")) / 2
    g = rotations.get("pelvis", np.eye(3))
    return hip_mid - g @ (rest_mid - rig.heads[0])


def _arm_rotations(rig: Rig, shoulder: dict[str, np.ndarray], wrist_target: dict[str, np.ndarray],
                   pole: dict[str, np.ndarray], hand_dir: dict[str, np.ndarray] | None,
                   across: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    """Upper arm, forearm and hand rotations reaching ``wrist_target`` (two-bone IK)."""
    rest = _rest_dirs(rig)
    out = {}
    for s in "LR":
        la, lb = rig.length(f"shoulder.{s}", f"elbow.{s}"), rig.length(f"elbow.{s}", f"wrist.{s}")
        elbow, wrist = two_bone_ik(shoulder[s], wrist_target[s], la, lb, pole[s])
        up0, fo0 = rest[f"upperarm.{s}"], rest[f"forearm.{s}"]
        flex0 = np.cross(up0, fo0)
        up1, fo1 = elbow - shoulder[s], wrist - elbow
        flex1 = np.cross(up1, fo1)
        out[f"upperarm.{s}"] = align(up0, flex0, up1, flex1)
        g_fore = align(fo0, flex0, fo1, flex1)
        out[f"forearm.{s}"] = g_fore
        if hand_dir is None:
            out[f"hand.{s}"] = g_fore
        else:
            out[f"hand.{s}"] = align(rest[f"hand.{s}"], rest[f"across.{s}"], hand_dir[s], across[s])
    return out


def _shoulders(rig: Rig, rotations: dict[str, np.ndarray], root: np.ndarray) -> dict[str, np.ndarray]:
    joints = posed_joints(rig, Pose(rotations, root))
    return {s: joints[f"shoulder.{s}"] for s in "LR"}


# --------------------------------------------------------------------------- seated

@dataclass(frozen=True)
class SeatedGeometry:
    """Static layout of one body sitting on a box edge (body frame, metres).

    Attributes:
        hip_height_m: height of the hip joints above the floor.
        seat_height_m: top of the box (where the buttocks rest).
        box_front_z_m, box_back_z_m: front and back faces of the box.
        thigh_abduction_deg: each thigh's angle out from straight ahead.
        hand_out_m: how far beside the hip joints the hands rest.
    """

    hip_height_m: float
    seat_height_m: float
    box_front_z_m: float
    box_back_z_m: float
    thigh_abduction_deg: float = 8.0
    thigh_slope_deg: float = 4.0
    hand_out_m: float = 0.13


def _seated_leg_rotations(rig: Rig, geom_abd: float, slope: float, ir: dict[str, float],
                          foot_drop_deg: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    rest = _rest_dirs(rig)
    rots, thigh_dirs = {}, {}
    for s, sign in SIDES.items():
        abd = np.radians(geom_abd)
        thigh = unit(np.array([sign * np.sin(abd), -np.tan(np.radians(slope)), np.cos(abd)]))
        g_thigh = align(rest[f"thigh.{s}"], X, thigh, X)
        g_shank = align(rest[f"shank.{s}"], X, -UP, X)
        g_foot = rot_x(foot_drop_deg) @ g_shank
        lateral = sign * X
        r_ir = axis_angle(thigh, np.radians(ir[s]) * ir_rotation_sign(thigh, -UP, lateral))
        rots.update({f"thigh.{s}": r_ir @ g_thigh, f"shank.{s}": r_ir @ g_shank, f"foot.{s}": r_ir @ g_foot})
        thigh_dirs[s] = thigh
    return rots, thigh_dirs


def seated_geometry(rig: Rig, *, foot_clearance_m: float = 0.05, thigh_abduction_deg: float = 8.0,
                    thigh_slope_deg: float = 4.0) -> SeatedGeometry:
    """Work out hip height, seat height and box depth so the feet hang ``foot_clearance_m`` above the floor."""
    legs, _ = _seated_leg_rotations(rig, thigh_abduction_deg, thigh_slope_deg, {"L": 0.0, "R": 0.0}, 15.0)
    rots = {"pelvis": np.eye(3), "chest": np.eye(3), "head": np.eye(3), **legs}
    probe = Pose(rots, _root_for_hip_mid(rig, rots, np.zeros(3)))
    verts = skin(rig, probe)
    joints = posed_joints(rig, probe)
    seg = np.array(rig.segment_of)[rig.dominant_bone]
    feet = np.isin(seg, ["foot.L", "foot.R", "shank.L", "shank.R"])
    hip_height = -verts[feet, 1].min() + foot_clearance_m
    knee_z = min(joints["knee.L"][2], joints["knee.R"][2])
    under = np.isin(seg, ["thigh.L", "thigh.R", "pelvis"]) & (verts[:, 2] < knee_z - 0.12)
    seat = hip_height + np.percentile(verts[under, 1], 2) + 0.01
    back = verts[under, 2].min() - 0.03
    return SeatedGeometry(float(hip_height), float(seat), float(knee_z - 0.10), float(back),
                          thigh_abduction_deg, thigh_slope_deg)


def seated_pose(rig: Rig, geom: SeatedGeometry, *, ir_left_deg: float, ir_right_deg: float,
                lean_deg: float = 3.0, head_pitch_deg: float = 0.0, foot_drop_deg: float = 15.0) -> Pose:
    """Sitting on the box edge, thighs forward, shanks hanging, hands on the box beside the hips.

    Args:
        ir_left_deg, ir_right_deg: hip internal rotation of each leg, degrees (+ = foot lateral).
        lean_deg: trunk lean forward from vertical, degrees.
        head_pitch_deg: head nod, positive = looking down.
    """
    legs, _ = _seated_leg_rotations(rig, geom.thigh_abduction_deg, geom.thigh_slope_deg,
                                    {"L": ir_left_deg, "R": ir_right_deg}, foot_drop_deg)
    rots = {"pelvis": rot_x(lean_deg * 0.3), "chest": rot_x(lean_deg),
            "head": rot_x(lean_deg + head_pitch_deg), **legs}
    root = _root_for_hip_mid(rig, rots, np.array([0.0, geom.hip_height_m, 0.0]))
    shoulder = _shoulders(rig, rots, root)
    hips = posed_joints(rig, Pose(rots, root))
    wrist = {s: np.array([hips[f"hip.{s}"][0] + SIDES[s] * geom.hand_out_m, geom.seat_height_m + 0.035,
                          hips[f"hip.{s}"][2] - 0.02]) for s in "LR"}
    pole = {s: unit(-Z + 0.3 * SIDES[s] * X) for s in "LR"}
    hand = {s: unit(Z - 0.25 * UP) for s in "LR"}
    across = {s: SIDES[s] * X for s in "LR"}
    rots.update(_arm_rotations(rig, shoulder, wrist, pole, hand, across))
    return Pose(rots, root)


# --------------------------------------------------------------------------- quadruped

@dataclass(frozen=True)
class QuadrupedGeometry:
    """Static layout of one body on hands and knees (body frame, metres).

    The knees sit under the neutral hip joints at z = 0; the hands are planted
    under the neutral shoulders.
    """

    knee_height_m: float
    hip_height_m: float
    shoulder_mid_m: tuple[float, float, float]
    wrists_m: tuple[tuple[float, float, float], tuple[float, float, float]]  # L, R
    knee_half_width_m: float
    trunk_length_m: float


def quadruped_geometry(rig: Rig, *, knee_height_m: float = 0.075, wrist_height_m: float = 0.045,
                       arm_reach_fraction: float = 0.97) -> QuadrupedGeometry:
    """Neutral quadruped: thighs vertical, arms nearly straight, trunk tilted so both fit."""
    thigh = (rig.length("hip.L", "knee.L") + rig.length("hip.R", "knee.R")) / 2
    arm = rig.length("shoulder.L", "elbow.L") + rig.length("elbow.L", "wrist.L")
    hip_y = knee_height_m + thigh
    hips_mid = (rig.rest_joint("hip.L") + rig.rest_joint("hip.R")) / 2
    sh_mid = (rig.rest_joint("shoulder.L") + rig.rest_joint("shoulder.R")) / 2
    trunk = float(np.linalg.norm(sh_mid - hips_mid))
    sh_y = wrist_height_m + arm * arm_reach_fraction
    rise = np.clip(sh_y - hip_y, -0.6 * trunk, 0.6 * trunk)
    sh = np.array([0.0, hip_y + rise, np.sqrt(trunk ** 2 - rise ** 2)])
    half_sh = abs(rig.rest_joint("shoulder.L")[0] - rig.rest_joint("shoulder.R")[0]) / 2
    wrists = tuple((SIDES[s] * half_sh * 0.95, wrist_height_m, float(sh[2]) + 0.02) for s in "LR")
    half_hip = abs(rig.rest_joint("hip.L")[0] - rig.rest_joint("hip.R")[0]) / 2
    return QuadrupedGeometry(knee_height_m, float(hip_y), tuple(map(float, sh)), wrists, float(half_hip), trunk)


def quadruped_pose(rig: Rig, geom: QuadrupedGeometry, *, forward_m: float = 0.0, right_m: float = 0.0,
                   chest_follow: float = 0.35, neck_extension_deg: float = 20.0) -> Pose:
    """Hands and knees planted; the hip midpoint displaced ``forward_m`` / ``right_m`` from neutral.

    The hips stay a thigh length from the knees (so they drop a little when they
    move away from above the knees); the chest follows the pelvis by ``chest_follow``
    sideways and rigidly forward; the arms reach the planted hands by IK.
    """
    rest = _rest_dirs(rig)
    thigh_len = {s: rig.length(f"hip.{s}", f"knee.{s}") for s in "LR"}
    knees = {s: np.array([SIDES[s] * geom.knee_half_width_m, geom.knee_height_m, 0.0]) for s in "LR"}
    hip_xz = {s: np.array([SIDES[s] * geom.knee_half_width_m - right_m, forward_m]) for s in "LR"}
    hip_y = {s: geom.knee_height_m + np.sqrt(max(thigh_len[s] ** 2 - float(np.sum(
        (hip_xz[s] - knees[s][[0, 2]]) ** 2)), 0.01)) for s in "LR"}
    hip_mid = np.array([-right_m, (hip_y["L"] + hip_y["R"]) / 2, forward_m])
    roll = np.degrees(np.arcsin(np.clip((hip_y["L"] - hip_y["R"]) / (2 * geom.knee_half_width_m), -0.5, 0.5)))
    sh0 = np.array(geom.shoulder_mid_m)
    sh_target = sh0 + np.array([-right_m * chest_follow, 0.0, forward_m])
    trunk_dir = unit(sh_target - hip_mid)
    neutral_dir = unit(sh0 - np.array([0.0, geom.hip_height_m, 0.0]))
    side = axis_angle(Z, np.radians(-roll)) @ X
    g_chest = align(rest["trunk"], X, trunk_dir, side)
    g_pelvis = align(rest["trunk"], X, unit(trunk_dir + neutral_dir), side)
    rots = {"pelvis": g_pelvis, "chest": g_chest, "head": rot_x(-neck_extension_deg) @ g_chest}
    for s in "LR":
        hip = np.array([hip_xz[s][0], hip_y[s], hip_xz[s][1]])
        rots[f"thigh.{s}"] = align(rest[f"thigh.{s}"], X, knees[s] - hip, X)
        g_shank = align(rest[f"shank.{s}"], X, np.array([0.0, -0.03, -1.0]), X)
        rots[f"shank.{s}"] = g_shank
        rots[f"foot.{s}"] = align(rest[f"foot.{s}"], X, np.array([0.0, -0.35, -1.0]), X)
    root = _root_for_hip_mid(rig, rots, hip_mid)
    shoulder = _shoulders(rig, rots, root)
    wrist = {s: np.array(geom.wrists_m[i]) for i, s in enumerate("LR")}
    pole = {s: unit(-Z + 0.4 * SIDES[s] * X) for s in "LR"}
    hand = {s: unit(Z + 0.08 * SIDES[s] * X) for s in "LR"}
    across = {s: SIDES[s] * X for s in "LR"}
    rots.update(_arm_rotations(rig, shoulder, wrist, pole, hand, across))
    return Pose(rots, root)


# --------------------------------------------------------------------------- standing

def _standing_legs(rig: Rig) -> dict[str, np.ndarray]:
    rest = _rest_dirs(rig)
    rots: dict[str, np.ndarray] = {}
    for s in "LR":
        rots[f"thigh.{s}"] = align(rest[f"thigh.{s}"], X, -UP + 0.05 * SIDES[s] * X, X)
        rots[f"shank.{s}"] = align(rest[f"shank.{s}"], X, -UP + 0.05 * SIDES[s] * X, X)
        rots[f"foot.{s}"] = align(rest[f"foot.{s}"], X, np.array([SIDES[s] * 0.15, -0.45, 1.0]), X)
    return rots


def standing_hip_height(rig: Rig) -> float:
    """Height of the hip joints above the floor when standing (soles on the floor), metres."""
    rots = {"pelvis": np.eye(3), "chest": np.eye(3), "head": np.eye(3), **_standing_legs(rig)}
    probe = Pose(rots, _root_for_hip_mid(rig, rots, np.zeros(3)))
    seg = np.array(rig.segment_of)[rig.dominant_bone]
    verts = skin(rig, probe)
    return float(-verts[np.isin(seg, ["foot.L", "foot.R"]), 1].min())


def standing_pose(rig: Rig, *, hip_height_m: float, sway_forward_m: float = 0.0, sway_right_m: float = 0.0,
                  arm_abduction_deg: float = 10.0, elbow_flex_deg: float = 12.0) -> Pose:
    """Standing with the feet on the floor, arms hanging a little away from the body.

    ``hip_height_m`` comes from `standing_hip_height`; the sway tilts the body about the ankles.
    """
    rots: dict[str, np.ndarray] = _standing_legs(rig)
    lean = np.degrees(np.arctan2(sway_forward_m, 1.0))
    roll = np.degrees(np.arctan2(sway_right_m, 1.0))
    tilt = axis_angle(Z, np.radians(roll)) @ rot_x(lean)
    hip_mid = np.array([-sway_right_m * 0.5, hip_height_m, sway_forward_m * 0.5])
    rots.update({"pelvis": tilt, "chest": tilt, "head": tilt})
    root = _root_for_hip_mid(rig, rots, hip_mid)
    shoulder = _shoulders(rig, rots, root)
    wrist = {}
    for s in "LR":
        arm = rig.length(f"shoulder.{s}", f"elbow.{s}") + rig.length(f"elbow.{s}", f"wrist.{s}")
        down = axis_angle(Z, np.radians(SIDES[s] * arm_abduction_deg)) @ (-UP)
        reach = arm * np.cos(np.radians(elbow_flex_deg / 2))
        wrist[s] = shoulder[s] + tilt @ (reach * down + 0.06 * Z)
    pole = {s: tilt @ -Z for s in "LR"}
    rots.update(_arm_rotations(rig, shoulder, wrist, pole, None, None))
    return Pose(rots, root)


def lowest_point(rig: Rig, pose: Pose) -> float:
    """Lowest vertex height of the posed mesh, metres (for floor-contact checks)."""
    return float(skin(rig, pose)[:, 1].min())

