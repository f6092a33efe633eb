"""A pinhole camera and the projection of 3D joints into a `PoseSequence`.

Scene frame (metres): +Y up, the floor at Y = 0. By convention a person
"facing the camera" faces +Z and the default camera sits on +Z looking back
toward -Z; the person's right side is then at -X and appears on the image's left.

Camera frame (OpenCV): x right, y down, z forward (along the optical axis).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipvision.landmarks import NUM_LANDMARKS, Landmark
from hipvision.sequence import PoseSequence


def _rotation_about(axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """3x3 rotation matrix about unit ``axis`` by ``angle_rad`` (right-hand rule)."""
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle_rad) * k + (1 - np.cos(angle_rad)) * (k @ k)


@dataclass(frozen=True)
class PinholeCamera:
    """An ideal pinhole camera.

    Attributes:
        position: (3,) camera centre in the scene frame, metres.
        rotation: (3, 3) scene→camera rotation; its rows are the camera's x (right),
            y (down) and z (forward) axes expressed in the scene frame.
        width, height: image size in pixels.
        focal_px: focal length in pixels (square pixels, principal point at the centre).
    """

    position: np.ndarray
    rotation: np.ndarray
    width: int = 1280
    height: int = 720
    focal_px: float = 1108.5  # 60° horizontal field of view at 1280 px

    @classmethod
    def looking_at(
        cls,
        target: np.ndarray,
        *,
        distance_m: float = 2.0,
        yaw_deg: float = 0.0,
        pitch_deg: float = 0.0,
        roll_deg: float = 0.0,
        width: int = 1280,
        height: int = 720,
        hfov_deg: float = 60.0,
        facing_deg: float = 0.0,
    ) -> "PinholeCamera":
        """A camera ``distance_m`` from ``target``, aimed at it.

        Args:
            target: (3,) scene point the optical axis passes through.
            facing_deg: heading of the camera position around the target before yaw
                (0 = on +Z, in front of a person facing +Z; 90 = on +X, the
                person's left side; 180 = behind).
            yaw_deg: extra heading, positive toward +X (the person's left), degrees.
            pitch_deg: elevation of the camera above the target's height, positive =
                camera above, looking down, degrees.
            roll_deg: rotation of the camera about its optical axis, positive =
                clockwise as seen from behind the camera (the scene then appears
                rotated counter-clockwise in the image), degrees.
        """
        target = np.asarray(target, float)
        heading = np.radians(facing_deg + yaw_deg)
        pitch = np.radians(pitch_deg)
        offset = np.array([np.sin(heading) * np.cos(pitch), np.sin(pitch), np.cos(heading) * np.cos(pitch)])
        position = target + distance_m * offset
        forward = -offset
        right = np.cross(forward, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        roll = _rotation_about(forward, np.radians(roll_deg))
        rotation = np.stack([roll @ right, roll @ down, forward])
        focal = (width / 2) / np.tan(np.radians(hfov_deg) / 2)
        return cls(position, rotation, width, height, float(focal))

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) scene points → (..., 3) camera-frame points, metres."""
        return (np.asarray(points, float) - self.position) @ self.rotation.T

    def project(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) scene points → (..., 2) pixel coordinates (x right, y down)."""
        pc = self.to_camera(points)
        u = self.focal_px * pc[..., 0] / pc[..., 2] + self.width / 2
        v = self.focal_px * pc[..., 1] / pc[..., 2] + self.height / 2
        return np.stack([u, v], axis=-1)


def sequence_from_joints(
    joints: np.ndarray,
    camera: PinholeCamera,
    *,
    fps: float = 30.0,
    noise_px: float = 0.0,
    world_noise_m: float = 0.0,
    dropout_fraction: float = 0.0,
    seed: int = 0,
    source: str = "synthetic",
) -> PoseSequence:
    """See scene joints through ``camera`` as the pose model would report them.

    Args:
        joints: (T, 33, 3) landmark positions in the scene frame, metres, in
            MediaPipe's landmark order; NaN rows are frames with no person.
        camera: the camera that films them.
        fps: frame rate; timestamps are ``arange(T) / fps`` seconds.
        noise_px: standard deviation of Gaussian noise added to image landmarks, pixels.
        world_noise_m: standard deviation of noise added to world landmarks, metres.
        dropout_fraction: fraction (0..1) of frames, chosen at random, with no person.
        seed: seeds the noise and the dropouts.

    Returns:
        A `PoseSequence` whose world landmarks are hip-centred in camera axes
        (x image-right, y down, z away from the camera), as MediaPipe's are.
    """
    joints = np.asarray(joints, float)
    if joints.ndim != 3 or joints.shape[1:] != (NUM_LANDMARKS, 3):
        raise ValueError(f"joints must have shape (T, 33, 3), got {joints.shape}")
    rng = np.random.default_rng(seed)
    n = len(joints)
    px = camera.project(joints)
    px = px + rng.normal(0.0, noise_px, px.shape) if noise_px else px
    cam = camera.to_camera(joints)
    hip_mid = cam[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=1, keepdims=True)
    world = cam - hip_mid
    world = world + rng.normal(0.0, world_noise_m, world.shape) if world_noise_m else world
    depth_scale = camera.focal_px / camera.width / np.maximum(hip_mid[..., 2:3], 1e-6)
    image = np.concatenate(
        [px[..., :1] / camera.width, px[..., 1:2] / camera.height, (cam[..., 2:3] - hip_mid[..., 2:3]) * depth_scale],
        axis=-1,
    )
    visibility = np.ones((n, NUM_LANDMARKS))
    missing = np.isnan(joints).any(axis=(1, 2))
    if dropout_fraction:
        missing |= rng.random(n) < dropout_fraction
    image[missing] = np.nan
    world[missing] = np.nan
    visibility[missing] = 0.0
    return PoseSequence(
        timestamps_s=np.arange(n) / fps, image=image, visibility=visibility, presence=visibility.copy(),
        world=world, frame_size=(camera.width, camera.height), fps=fps, source=source, model="synthetic",
    )
