"""Offscreen rendering of a posed body in a simple room (pyrender + Mesa, headless).

Set ``PYOPENGL_PLATFORM`` to ``egl`` (default here) or ``osmesa`` before import if needed.
The room: a tiled floor, a back wall with a few coloured panels, optional box to
sit on, a key and a fill light. The camera is a `hipvision.synthetic.PinholeCamera`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from hipvision.synthetic.camera import PinholeCamera

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")


@dataclass(frozen=True)
class Room:
    """Look of the room (colours RGB 0..1, sizes in metres).

    Attributes:
        floor_a, floor_b: alternating floor tile colours.
        tile_m: floor tile size.
        wall: wall colour; wall_distance_m: how far behind the subject (from the camera) the wall stands.
        panels: coloured rectangles on the wall as (x_offset, y_bottom, width, height, r, g, b).
        key_direction: (3,) direction the key light shines toward; key_intensity, fill_intensity, ambient.
        box: (x_min, x_max, y_top, z_min, z_max) of a box in the body frame, or None; box_colour.
    """

    floor_a: tuple[float, float, float] = (0.55, 0.45, 0.35)
    floor_b: tuple[float, float, float] = (0.50, 0.40, 0.31)
    tile_m: float = 0.5
    wall: tuple[float, float, float] = (0.85, 0.85, 0.80)
    wall_distance_m: float = 1.5
    panels: tuple[tuple[float, ...], ...] = ()
    key_direction: tuple[float, float, float] = (-0.3, -1.0, -0.5)
    key_intensity: float = 3.0
    fill_intensity: float = 1.2
    ambient: float = 0.35
    box: tuple[float, float, float, float, float] | None = None
    box_colour: tuple[float, float, float] = (0.45, 0.35, 0.25)
    extra: dict = field(default_factory=dict)


def _look_rotation(direction: np.ndarray) -> np.ndarray:
    """4x4 pose of a light shining along ``direction`` (its -Z axis)."""
    d = np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    helper = np.array([0.0, 1.0, 0.0]) if abs(d[1]) < 0.95 else np.array([1.0, 0.0, 0.0])
    x = np.cross(helper, -d)
    x /= np.linalg.norm(x)
    y = np.cross(-d, x)
    pose = np.eye(4)
    pose[:3, :3] = np.stack([x, y, -d], axis=1)
    return pose


def _floor_mesh(room: Room, centre: np.ndarray, size_m: float = 12.0):
    import trimesh

    n = int(size_m / room.tile_m)
    verts, faces, colours = [], [], []
    x0, z0 = centre[0] - size_m / 2, centre[2] - size_m / 2
    for i in range(n):
        for j in range(n):
            x, z = x0 + i * room.tile_m, z0 + j * room.tile_m
            k = len(verts)
            verts += [(x, 0, z), (x + room.tile_m, 0, z), (x + room.tile_m, 0, z + room.tile_m), (x, 0, z + room.tile_m)]
            faces += [(k, k + 2, k + 1), (k, k + 3, k + 2)]
            c = room.floor_a if (i + j) % 2 == 0 else room.floor_b
            colours += [c, c]
    mesh = trimesh.Trimesh(np.array(verts), np.array(faces), process=False)
    mesh.visual.face_colors = (np.array(colours) * 255).astype(np.uint8)
    return mesh


def _quad(centre: np.ndarray, right: np.ndarray, up: np.ndarray, w: float, h: float, colour) -> "object":
    import trimesh

    c = np.asarray(centre, float)
    pts = [c - right * w / 2, c + right * w / 2, c + right * w / 2 + up * h, c - right * w / 2 + up * h]
    mesh = trimesh.Trimesh(np.array(pts), np.array([(0, 1, 2), (0, 2, 3)]), process=False)
    mesh.visual.face_colors = np.tile((np.array(list(colour) + [1.0]) * 255).astype(np.uint8), (2, 1))
    return mesh


def _disable_msaa(renderer_module) -> None:
    """Make pyrender allocate single-sample framebuffers (patches its GL call once per process)."""
    original = renderer_module.glRenderbufferStorageMultisample
    if getattr(original, "_hipvision_single_sample", False):
        return

    def single_sample(target, samples, *args):
        return original(target, 0, *args)

    single_sample._hipvision_single_sample = True
    renderer_module.glRenderbufferStorageMultisample = single_sample


class BodyRenderer:
    """Renders frames of one video: a fixed room and camera, a body mesh that changes per frame.

    The room is rendered once; each frame renders only the body (with the same
    lights and camera) and composites it over the room by depth, plus a soft
    shadow of the body cast on the floor along the key light. Use as a context
    manager; `render(vertices)` returns a (H, W, 3) BGR uint8 image.
    """

    def __init__(self, camera: PinholeCamera, room: Room, faces: np.ndarray, colours: np.ndarray,
                 *, subject_centre: np.ndarray, body_to_scene=None, vertex_groups: np.ndarray | None = None,
                 shadow_strength: float = 0.45, msaa: bool = False):
        if not hasattr(np, "infty"):  # pyrender 0.1.45 still uses the alias NumPy 2 removed
            np.infty = np.inf
        import pyrender
        import pyrender.renderer
        import scipy.sparse
        import trimesh

        if not msaa:  # 4x MSAA doubles the cost on llvmpipe; a light blur of the frame stands in for it
            _disable_msaa(pyrender.renderer)
        self.msaa = msaa
        faces = np.asarray(faces, np.int64)
        n_v = len(colours)
        rows = faces.reshape(-1)
        cols = np.repeat(np.arange(len(faces)), 3)
        self._vertex_faces = scipy.sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_v, len(faces)))
        groups = np.zeros(n_v, int) if vertex_groups is None else np.asarray(vertex_groups)
        self._groups = [np.flatnonzero(groups == g) for g in np.unique(groups)]

        self._pyrender, self._trimesh = pyrender, trimesh
        self.camera, self.faces, self.colours, self.room = camera, faces, colours, room
        self.shadow_strength = shadow_strength
        lights = [(pyrender.DirectionalLight(intensity=room.key_intensity), _look_rotation(room.key_direction)),
                  (pyrender.DirectionalLight(intensity=room.fill_intensity),
                   _look_rotation(camera.rotation[2] + np.array([0.0, -0.3, 0.0])))]
        cam = pyrender.IntrinsicsCamera(fx=camera.focal_px, fy=camera.focal_px, cx=camera.width / 2,
                                        cy=camera.height / 2, znear=0.05, zfar=40.0)
        cam_pose = np.eye(4)
        cam_pose[:3, :3] = np.stack([camera.rotation[0], -camera.rotation[1], -camera.rotation[2]], axis=1)
        cam_pose[:3, 3] = camera.position

        def new_scene(bg):
            scene = pyrender.Scene(ambient_light=np.full(3, room.ambient), bg_color=bg)
            for light, pose in lights:
                scene.add(light, pose=pose)
            scene.add(cam, pose=cam_pose)
            return scene

        self._renderer = pyrender.OffscreenRenderer(camera.width, camera.height)
        room_scene = new_scene(np.array([*room.wall, 1.0]))
        for mesh in self._room_meshes(room, camera, subject_centre, body_to_scene):
            room_scene.add(pyrender.Mesh.from_trimesh(mesh, smooth=False))
        colour, depth = self._renderer.render(room_scene, flags=pyrender.RenderFlags.SHADOWS_DIRECTIONAL)
        self._bg = colour[:, :, :3].astype(np.float32)
        self._bg_depth = np.where(depth > 0, depth, np.inf)
        self._floor = self._floor_mask(depth)
        self._body_scene = new_scene(np.zeros(4))
        self._body_node = None

    @staticmethod
    def _room_meshes(room: Room, camera: PinholeCamera, centre: np.ndarray, body_to_scene) -> list:
        import trimesh

        meshes = [_floor_mesh(room, centre)]
        look = centre - camera.position
        look[1] = 0.0
        look /= np.linalg.norm(look)
        right = np.cross(look, [0.0, 1.0, 0.0])
        wall_c = centre + look * room.wall_distance_m
        wall_c[1] = 0.0
        up = np.array([0.0, 1.0, 0.0])
        meshes.append(_quad(wall_c, right, up, 14.0, 4.0, room.wall))
        for x_off, y0, w, h, r, g, b in room.panels:
            meshes.append(_quad(wall_c + right * x_off - look * 0.01 + up * y0, right, up, w, h, (r, g, b)))
        if room.box is not None and body_to_scene is not None:
            x0, x1, top, z0, z1 = room.box
            box = trimesh.creation.box(extents=(x1 - x0, top, z1 - z0))
            box.apply_translation(((x0 + x1) / 2, top / 2, (z0 + z1) / 2))
            box.vertices = body_to_scene(box.vertices)
            box.visual.face_colors = (np.array(list(room.box_colour) + [1.0]) * 255).astype(np.uint8)
            meshes.append(box)
        return meshes

    def _floor_mask(self, depth: np.ndarray) -> np.ndarray:
        """(H, W) bool: pixels whose room surface is the floor (height ≈ 0)."""
        cam = self.camera
        h, w = depth.shape
        u, v = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
        rays = np.stack([(u - w / 2) / cam.focal_px, (v - h / 2) / cam.focal_px, np.ones_like(u)], axis=-1)
        points = cam.position + (rays * depth[..., None]) @ cam.rotation
        return (depth > 0) & (np.abs(points[..., 1]) < 0.005)

    def _shadow(self, vertices: np.ndarray) -> np.ndarray:
        """(H, W) float 0..1: the body's shadow on the floor along the key light (soft)."""
        import cv2

        d = np.asarray(self.room.key_direction, float)
        d = d / np.linalg.norm(d)
        if d[1] > -0.2:
            return np.zeros(self._floor.shape, np.float32)
        on_floor = vertices - np.outer(vertices[:, 1] / d[1], d)
        px = self.camera.project(on_floor)
        mask = np.zeros(self._floor.shape, np.uint8)
        for idx in self._groups:  # one convex hull per body segment
            pts = px[idx]
            pts = pts[np.all(np.abs(pts) < 10000, axis=1)]
            if len(pts) >= 3:
                cv2.fillConvexPoly(mask, cv2.convexHull(np.round(pts).astype(np.int32)), 255)
        mask = cv2.GaussianBlur(mask, (0, 0), 4.0)
        return mask.astype(np.float32) / 255.0 * self._floor

    def render(self, vertices: np.ndarray) -> np.ndarray:
        """(H, W, 3) BGR uint8 frame with the body mesh at ``vertices`` (V, 3) scene metres."""
        import cv2

        pyrender = self._pyrender
        if self._body_node is not None:
            self._body_scene.remove_node(self._body_node)
        tri = vertices[self.faces]
        face_normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        normals = np.asarray(self._vertex_faces @ face_normals)
        normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
        prim = pyrender.Primitive(positions=vertices.astype(np.float32), normals=normals.astype(np.float32),
                                  color_0=self.colours, indices=self.faces)
        self._body_node = self._body_scene.add(pyrender.Mesh([prim]))
        colour, depth = self._renderer.render(self._body_scene, flags=pyrender.RenderFlags.RGBA)
        bg = self._bg * (1.0 - self.shadow_strength * self._shadow(vertices))[..., None]
        alpha = colour[:, :, 3:4].astype(np.float32) / 255.0
        in_front = ((depth > 0) & (depth <= self._bg_depth + 0.01))[..., None]
        alpha = np.where(in_front | ((depth == 0)[..., None] & (alpha > 0)), alpha, 0.0)
        out = alpha * colour[:, :, :3] + (1.0 - alpha) * bg
        if not self.msaa:
            out = cv2.GaussianBlur(out, (0, 0), 0.6)
        return np.ascontiguousarray(np.clip(out, 0, 255).astype(np.uint8)[:, :, ::-1])

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.delete()
            self._renderer = None

    def __enter__(self) -> "BodyRenderer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
