"""A seated person with known hip rotation per leg, in MediaPipe's 33 landmarks.

The person sits square on the edge of a table, facing +Z (the default camera
of `hipvision.synthetic.camera`), hips and knees at 90°, thighs horizontal and
parallel, shanks hanging. Scene frame: metres, +Y up, floor at Y = 0; the
person's right side is at -X, their left at +X.

Hip internal rotation (IR) of a leg is applied as a rotation of its shank and
foot about the thigh axis (hip → knee). Sign: positive = IR = the foot swings
*laterally* (right foot toward -X, left foot toward +X); negative = external
rotation. With the knee at 90° this turns the shank by exactly that angle from
the vertical in the frontal plane, which is what the clinical test reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from hipvision.landmarks import NUM_LANDMARKS, Landmark as L
from hipvision.sequence import PoseSequence
from hipvision.synthetic.camera import _rotation_about


@dataclass(frozen=True)
class SeatedBody:
    """Body proportions and posture (metres, degrees).

    Segment lengths default to fractions of ``height_m`` (Drillis & Contini):
    thigh (hip → knee) 0.245, shank (knee → ankle) 0.246, foot 0.152.
    """

    height_m: float = 1.75
    seat_height_m: float = 0.72          # table top under the thighs
    hip_width_m: float = 0.26            # between the two hip landmarks
    knee_width_m: float | None = None    # between the knees; None = hip width (thighs parallel)
    shoulder_width_m: float = 0.36
    thigh_m: float | None = None
    shank_m: float | None = None
    foot_m: float | None = None
    thigh_pitch_deg: float = 0.0         # knee above (+) or below (-) the hip, 0 = thighs horizontal
    knee_flexion_deg: float = 90.0       # 90 = shank perpendicular to the thigh
    heading_deg: float = 0.0             # person turned toward +X (their left) by this much, about vertical
    trunk_lean_deg: float = 0.0          # trunk (shoulders, arms, head) leaned back (+) about the hips
    x_m: float = 0.0                     # where the seat centre is, along X
    z_m: float = 0.0                     # and along Z

    @property
    def thigh(self) -> float:
        return self.thigh_m if self.thigh_m is not None else 0.245 * self.height_m

    @property
    def shank(self) -> float:
        return self.shank_m if self.shank_m is not None else 0.246 * self.height_m

    @property
    def foot(self) -> float:
        return self.foot_m if self.foot_m is not None else 0.152 * self.height_m

    @property
    def hip_height(self) -> float:
        return self.seat_height_m + 0.09

    def knee_centre(self) -> np.ndarray:
        """(3,) scene point between the two knees (a good camera target)."""
        joints = seated_joints(np.zeros(1), np.zeros(1), body=self)[0]
        return joints[[L.LEFT_KNEE, L.RIGHT_KNEE]].mean(axis=0)

    def with_(self, **changes) -> "SeatedBody":
        return replace(self, **changes)


def _leg(body: SeatedBody, side: int, ir_deg: np.ndarray) -> dict[str, np.ndarray]:
    """Joints of one leg in the body frame. ``side`` = +1 left (+X), -1 right (-X). Returns (T, 3) arrays."""
    n = len(ir_deg)
    hw = body.hip_width_m / 2
    kw = (body.knee_width_m if body.knee_width_m is not None else body.hip_width_m) / 2
    hip = np.array([side * hw, body.hip_height, 0.0])
    tp = np.radians(body.thigh_pitch_deg)
    along = np.sqrt(max(body.thigh ** 2 - (kw - hw) ** 2, 1e-9))
    knee = hip + np.array([side * (kw - hw), along * np.sin(tp), along * np.cos(tp)])
    axis = (knee - hip) / np.linalg.norm(knee - hip)
    # shank direction at 0° IR: perpendicular to the thigh (knee flexion 90°), in the sagittal plane, down
    down0 = np.cross([1.0, 0.0, 0.0], axis)  # points down for a thigh pointing +Z
    down0 = down0 / np.linalg.norm(down0)
    extra = np.radians(body.knee_flexion_deg - 90.0)  # >0: foot tucked back under the seat
    shank_dir = _rotation_about(np.cross(axis, down0), extra) @ down0
    ankle0 = knee + body.shank * shank_dir
    heel0 = ankle0 + 0.05 * shank_dir - 0.055 * axis
    toe0 = ankle0 + 0.07 * shank_dir + (body.foot - 0.055) * axis
    out = {"hip": np.tile(hip, (n, 1)), "knee": np.tile(knee, (n, 1))}
    rots = np.stack([_rotation_about(axis, side * np.radians(a)) for a in ir_deg])  # (T, 3, 3)
    for name, p in (("ankle", ankle0), ("heel", heel0), ("toe", toe0)):
        out[name] = knee + np.einsum("tij,j->ti", rots, p - knee)
    return out


def seated_joints(ir_left_deg: np.ndarray, ir_right_deg: np.ndarray, *, body: SeatedBody = SeatedBody(),
                  sway_m: np.ndarray | None = None) -> np.ndarray:
    """(T, 33, 3) scene-frame landmarks of a seated person with the given hip IR per frame.

    Args:
        ir_left_deg, ir_right_deg: (T,) hip internal rotation of each leg, degrees (+ = IR, foot lateral).
        body: proportions and posture.
        sway_m: optional (T, 3) whole-body offset per frame, metres (small movements while seated).
    """
    ir_left = np.asarray(ir_left_deg, float)
    ir_right = np.asarray(ir_right_deg, float)
    if ir_left.shape != ir_right.shape or ir_left.ndim != 1:
        raise ValueError("ir_left_deg and ir_right_deg must be (T,) arrays of the same length")
    n = len(ir_left)
    j = np.zeros((n, NUM_LANDMARKS, 3))
    names = {"hip": ("LEFT_HIP", "RIGHT_HIP"), "knee": ("LEFT_KNEE", "RIGHT_KNEE"),
             "ankle": ("LEFT_ANKLE", "RIGHT_ANKLE"), "heel": ("LEFT_HEEL", "RIGHT_HEEL"),
             "toe": ("LEFT_FOOT_INDEX", "RIGHT_FOOT_INDEX")}
    for k, (side, ir) in enumerate(((+1, ir_left), (-1, ir_right))):
        for part, pts in _leg(body, side, ir).items():
            j[:, L[names[part][k]]] = pts
    _upper_body(j, body)
    if body.heading_deg:
        rot = _rotation_about(np.array([0.0, 1.0, 0.0]), np.radians(body.heading_deg))
        j = j @ rot.T
    j = j + np.array([body.x_m, 0.0, body.z_m])
    if sway_m is not None:
        j = j + np.asarray(sway_m, float)[:, None, :]
    return j


def _upper_body(j: np.ndarray, body: SeatedBody) -> None:
    """Trunk, arms (hands resting on the table beside the hips) and face, upright, facing +Z."""
    h, yh = body.height_m, body.hip_height
    sw = body.shoulder_width_m / 2
    ys = yh + 0.30 * h                     # shoulders above the hips
    pts = {
        "LEFT_SHOULDER": (sw, ys, 0.0), "RIGHT_SHOULDER": (-sw, ys, 0.0),
        "LEFT_ELBOW": (sw + 0.04, ys - 0.17 * h, 0.02), "RIGHT_ELBOW": (-sw - 0.04, ys - 0.17 * h, 0.02),
        "LEFT_WRIST": (sw + 0.06, yh - 0.05, 0.08), "RIGHT_WRIST": (-sw - 0.06, yh - 0.05, 0.08),
        "NOSE": (0.0, ys + 0.17, 0.10),
        "LEFT_EYE_INNER": (0.015, ys + 0.20, 0.085), "RIGHT_EYE_INNER": (-0.015, ys + 0.20, 0.085),
        "LEFT_EYE": (0.032, ys + 0.20, 0.08), "RIGHT_EYE": (-0.032, ys + 0.20, 0.08),
        "LEFT_EYE_OUTER": (0.045, ys + 0.20, 0.07), "RIGHT_EYE_OUTER": (-0.045, ys + 0.20, 0.07),
        "LEFT_EAR": (0.075, ys + 0.19, 0.0), "RIGHT_EAR": (-0.075, ys + 0.19, 0.0),
        "MOUTH_LEFT": (0.025, ys + 0.13, 0.085), "MOUTH_RIGHT": (-0.025, ys + 0.13, 0.085),
    }
    for name, p in pts.items():
        j[:, L[name]] = p
    if body.trunk_lean_deg:
        upper = [L[name] for name in pts]
        pivot = np.array([0.0, yh, 0.0])
        rot = _rotation_about(np.array([1.0, 0.0, 0.0]), -np.radians(body.trunk_lean_deg))
        j[:, upper] = (j[:, upper] - pivot) @ rot.T + pivot
    for side in ("LEFT", "RIGHT"):
        w = j[:, L[f"{side}_WRIST"]]
        sgn = 1.0 if side == "LEFT" else -1.0
        j[:, L[f"{side}_PINKY"]] = w + (sgn * 0.02, -0.01, 0.07)
        j[:, L[f"{side}_INDEX"]] = w + (0.0, -0.01, 0.08)
        j[:, L[f"{side}_THUMB"]] = w + (-sgn * 0.02, 0.0, 0.05)


def standing_joints(n: int, *, height_m: float = 1.75, hip_width_m: float = 0.26) -> np.ndarray:
    """(n, 33, 3) landmarks of a person standing still facing +Z (for negative tests)."""
    body = SeatedBody(height_m=height_m, hip_width_m=hip_width_m, seat_height_m=0.0)
    j = seated_joints(np.zeros(n), np.zeros(n), body=body)
    hip_y = 0.53 * height_m
    lift = hip_y - body.hip_height
    j[:] += (0.0, lift, 0.0)
    for side, sgn in (("LEFT", 1.0), ("RIGHT", -1.0)):
        x = sgn * hip_width_m / 2
        knee_y = hip_y - body.thigh
        ankle_y = knee_y - body.shank
        j[:, L[f"{side}_KNEE"]] = (x, knee_y, 0.02)
        j[:, L[f"{side}_ANKLE"]] = (x, ankle_y, 0.0)
        j[:, L[f"{side}_HEEL"]] = (x, ankle_y - 0.05, -0.05)
        j[:, L[f"{side}_FOOT_INDEX"]] = (x, ankle_y - 0.07, body.foot - 0.05)
    return j


def effort_profile(t_s: np.ndarray, efforts: list[tuple[float, float, float]], *, rest_deg: float = 0.0,
                   ramp_s: float = 1.0) -> np.ndarray:
    """(T,) IR angle in degrees: rest, and for each effort a ramp up, a hold, and a ramp back to rest.

    Args:
        t_s: (T,) times, seconds.
        efforts: ``(start_s, angle_deg, hold_s)`` per effort: the ramp starts at ``start_s``,
            reaches ``angle_deg`` after ``ramp_s``, stays there ``hold_s`` seconds, then returns
            to ``rest_deg`` over ``ramp_s``. Efforts must not overlap.
        rest_deg: angle between efforts, degrees.
        ramp_s: duration of each ramp, seconds (smooth cosine ramps).
    """
    t = np.asarray(t_s, float)
    out = np.full(len(t), float(rest_deg))
    for start, angle, hold in efforts:
        up = np.clip((t - start) / ramp_s, 0, 1)
        down = np.clip((t - start - ramp_s - hold) / ramp_s, 0, 1)
        shape = (1 - np.cos(np.pi * up)) / 2 - (1 - np.cos(np.pi * down)) / 2
        out += (angle - rest_deg) * shape
    return out


def with_depth_noise(seq: PoseSequence, *, depth_noise_m: float, xy_noise_m: float = 0.0,
                     seed: int = 0) -> PoseSequence:
    """A copy of ``seq`` whose world landmarks get extra Gaussian noise, mostly in depth.

    MediaPipe's world z (away from the camera) is much noisier than x and y;
    this mimics that: ``depth_noise_m`` on z, ``xy_noise_m`` on x and y (metres, std).
    """
    rng = np.random.default_rng(seed)
    sigma = np.array([xy_noise_m, xy_noise_m, depth_noise_m])
    world = seq.world + rng.normal(size=seq.world.shape) * sigma
    return replace(seq, world=world)
