"""Render a `VideoSpec` to an ``.mp4`` plus its ground-truth ``.json`` sidecar (needs the ``synth`` extra).

Resumable: a video whose sidecar already exists with the same spec is skipped.
Both files are written to temporary names first and renamed when complete.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from hipvision.io.files import read_json, write_json_atomic
from hipvision.synthetic.render import posing
from hipvision.synthetic.render.body import BodyShape, Outfit, build_rig, vertex_colours
from hipvision.synthetic.render.rig import Rig, posed_joints, skin
from hipvision.synthetic.render.scenes import VideoSpec, truth_summary
from hipvision.synthetic.render.script import Quadruped, Seated, evaluate
from hipvision.synthetic.render.sidecar import build_sidecar
from hipvision.synthetic.camera import PinholeCamera


class _Poser:
    """Turns per-frame script values into body poses for one rig."""

    def __init__(self, rig: Rig, *, thigh_slope_deg: float = 4.0):
        self.rig = rig
        self.seated = posing.seated_geometry(rig, thigh_slope_deg=thigh_slope_deg)
        self.quad = posing.quadruped_geometry(rig)
        self.stand_hip = posing.standing_hip_height(rig)

    def pose(self, segment, tracks, i: int) -> posing.Pose:
        t = float(tracks.t_s[i])
        if isinstance(segment, Seated):
            breath = 0.6 * np.sin(2 * np.pi * t / 4.3)
            return posing.seated_pose(self.rig, self.seated, ir_left_deg=float(tracks.ir_left_deg[i]),
                                      ir_right_deg=float(tracks.ir_right_deg[i]), lean_deg=segment.lean_deg + breath,
                                      head_pitch_deg=2.0 * np.sin(2 * np.pi * t / 7.1))
        if isinstance(segment, Quadruped):
            return posing.quadruped_pose(self.rig, self.quad, forward_m=float(tracks.forward_cm[i]) / 100,
                                         right_m=float(tracks.right_cm[i]) / 100)
        return posing.standing_pose(self.rig, hip_height_m=self.stand_hip, sway_forward_m=float(tracks.sway[i, 0]) / 100,
                                    sway_right_m=float(tracks.sway[i, 1]) / 100)

    def box(self, segment, half_width_m: float = 0.4) -> tuple | None:
        """The box to sit on (body frame: x_min, x_max, top, z_min, z_max) for seated segments."""
        if not isinstance(segment, Seated):
            return None
        g = self.seated
        return (-half_width_m, half_width_m, g.seat_height_m, g.box_back_z_m, g.box_front_z_m)


def fit_camera(points: np.ndarray, *, pitch_deg: float, roll_deg: float, hfov_deg: float, fill: float,
               width: int, height: int) -> tuple[PinholeCamera, np.ndarray, float]:
    """A camera in front (+Z side) of ``points`` (N, 3), aimed at their middle, framing them at ``fill``.

    ``fill`` is the larger of the points' width and height as a fraction of the frame's.
    Returns (camera, target point, distance in metres).
    """
    lo, hi = points.min(axis=0), points.max(axis=0)
    target = (lo + hi) / 2
    distance = 3.0
    for _ in range(4):
        cam = PinholeCamera.looking_at(target, distance_m=distance, pitch_deg=pitch_deg, roll_deg=roll_deg,
                                       width=width, height=height, hfov_deg=hfov_deg)
        px = cam.project(points)
        span = max(np.ptp(px[:, 0]) / width, np.ptp(px[:, 1]) / height)
        distance = float(np.clip(distance * span / fill, 0.8, 15.0))
    cam = PinholeCamera.looking_at(target, distance_m=distance, pitch_deg=pitch_deg, roll_deg=roll_deg,
                                   width=width, height=height, hfov_deg=hfov_deg)
    return cam, target, distance


def _framing_points(rig: Rig, poser: _Poser, segments, tracks, box_half_width_m: float) -> np.ndarray:
    """Mesh vertices (subsampled) at a few frames of every segment, in the scene."""
    pts = []
    for k, seg in enumerate(segments):
        frames = np.flatnonzero(tracks.segment == k)
        for i in frames[np.linspace(0, len(frames) - 1, 5).astype(int)]:
            place = posing.Placement(seg.heading_deg)
            pts.append(skin(rig, place.apply(poser.pose(seg, tracks, i)))[::7])
        box = poser.box(seg, box_half_width_m)
        if box is not None:
            x0, x1, top, z0, z1 = box
            corners = np.array([(x, y, z) for x in (x0, x1) for y in (0.0, top) for z in (z0, z1)])
            pts.append(posing.Placement(seg.heading_deg).to_scene(corners))
    return np.concatenate(pts)


def measurements(rig: Rig) -> dict:
    """Body sizes from the rig, metres."""
    joints = posed_joints(rig, posing.Pose({}, rig.heads[0]))
    top = rig.vertices[:, 1].max() - rig.vertices[:, 1].min()
    return {"height_m": round(float(top), 3),
            "thigh_m": round(rig.length("hip.L", "knee.L"), 3), "shank_m": round(rig.length("knee.L", "ankle.L"), 3),
            "upper_arm_m": round(rig.length("shoulder.L", "elbow.L"), 3),
            "forearm_m": round(rig.length("elbow.L", "wrist.L"), 3),
            "hip_width_m": round(float(np.linalg.norm(joints["hip.L"] - joints["hip.R"])), 3),
            "shoulder_width_m": round(float(np.linalg.norm(joints["shoulder.L"] - joints["shoulder.R"])), 3)}


def is_done(video: Path, sidecar: Path, spec: VideoSpec) -> bool:
    """True when both files exist and the sidecar was written for this exact spec."""
    if not (video.is_file() and sidecar.is_file()):
        return False
    try:
        return read_json(sidecar)["generator"]["spec"] == _plain(spec.to_dict())
    except Exception:
        return False


def _plain(obj):
    """Round-trip through JSON so tuples/ints compare equal to a re-read sidecar."""
    import json

    from hipvision.io.files import to_json_text
    return json.loads(to_json_text(obj))


class _Setup:
    """Everything needed to render the frames of one spec (rig, poser, colours, tracks, camera)."""

    def __init__(self, spec: VideoSpec, rig_cache):
        self.spec = spec
        self.rig = build_rig(BodyShape(**asdict(spec.body)), cache_dir=rig_cache)
        # a higher or lower seat slopes the thighs (spec option "thigh_slope_deg", + = knees below hips)
        self.poser = _Poser(self.rig, thigh_slope_deg=float(spec.options.get("thigh_slope_deg", 4.0)))
        self.colours = vertex_colours(self.rig, Outfit(**spec.outfit), seed=spec.seed)
        self.tracks = evaluate(spec.segments, spec.fps)
        self.box_half = float(spec.room.get("box_half_width_m", 0.4))
        c = spec.camera
        points = _framing_points(self.rig, self.poser, spec.segments, self.tracks, self.box_half)
        self.camera, self.target, self.distance = fit_camera(points, pitch_deg=c.pitch_deg, roll_deg=c.roll_deg,
                                                             hfov_deg=c.hfov_deg, fill=c.fill, width=spec.width,
                                                             height=spec.height)

    def frames(self, indices=None):
        """Yield (frame index, BGR image, scene pose) for ``indices`` (default: all frames, in order)."""
        from hipvision.synthetic.render.render import BodyRenderer, Room

        spec, tracks = self.spec, self.tracks
        indices = range(len(tracks.t_s)) if indices is None else indices
        rng = np.random.default_rng([spec.seed, 7])
        room_kwargs = {k: v for k, v in spec.room.items() if k in Room.__dataclass_fields__}
        renderer, current = None, -1
        try:
            for i in indices:
                k = int(tracks.segment[i])
                seg = spec.segments[k]
                place = posing.Placement(seg.heading_deg)
                if k != current:
                    if renderer is not None:
                        renderer.close()
                    room = Room(**{**room_kwargs, "box": self.poser.box(seg, self.box_half)})
                    floor_centre = np.array([self.target[0], 0.0, self.target[2]])
                    renderer = BodyRenderer(self.camera, room, self.rig.faces, self.colours,
                                            subject_centre=floor_centre, body_to_scene=place.to_scene,
                                            vertex_groups=self.rig.dominant_bone)
                    current = k
                pose = place.apply(self.poser.pose(seg, tracks, i))
                frame = renderer.render(skin(self.rig, pose))
                if spec.noise_sigma > 0:
                    frame = np.clip(frame + rng.normal(0, spec.noise_sigma, frame.shape), 0, 255).astype(np.uint8)
                yield i, frame, pose
        finally:
            if renderer is not None:
                renderer.close()


def preview(spec: VideoSpec, times_s, *, rig_cache=None) -> np.ndarray:
    """A contact sheet (BGR image, 2 columns) of the frames nearest ``times_s``."""
    setup = _Setup(spec, rig_cache)
    idx = sorted({int(np.clip(round(t * spec.fps), 0, len(setup.tracks.t_s) - 1)) for t in times_s})
    images = [img for _, img, _ in setup.frames(idx)]
    if len(images) % 2:
        images.append(np.zeros_like(images[0]))
    return np.vstack([np.hstack(images[k:k + 2]) for k in range(0, len(images), 2)])


def render_spec(spec: VideoSpec, video_path: str | os.PathLike, *, rig_cache: str | os.PathLike | None = None,
                command: str | None = None, on_frame: Callable[[int, int], None] | None = None,
                skip_existing: bool = True) -> dict:
    """Render ``spec`` to ``video_path`` (.mp4) and write ``<video>.json``; returns the sidecar dict.

    Args:
        rig_cache: folder for cached body rigs (see `hipvision.synthetic.render.body.build_rig`).
        command: the command line to record in the sidecar (default: this process's argv).
        on_frame: called as ``on_frame(done, total)`` after every frame (progress).
        skip_existing: return the existing sidecar when the video was already rendered from this spec.
    """
    import cv2

    from hipvision import __version__

    video_path = Path(video_path)
    sidecar_path = video_path.with_suffix(".json")
    if skip_existing and is_done(video_path, sidecar_path, spec):
        return read_json(sidecar_path)
    started = time.perf_counter()
    setup = _Setup(spec, rig_cache)
    camera, tracks, n = setup.camera, setup.tracks, len(setup.tracks.t_s)
    joints_px: dict[str, list] = {}
    tmp_video = video_path.with_name(f".{video_path.stem}.partial.mp4")
    writer = cv2.VideoWriter(str(tmp_video), cv2.VideoWriter_fourcc(*"mp4v"), spec.fps, (spec.width, spec.height))
    if not writer.isOpened():
        raise OSError(f"cannot open a video writer for {tmp_video}")
    try:
        for i, frame, pose in setup.frames():
            writer.write(frame)
            for name, p in posed_joints(setup.rig, pose).items():
                joints_px.setdefault(name, []).append(camera.project(p))
            if on_frame:
                on_frame(i + 1, n)
    finally:
        writer.release()
    truth = truth_summary(spec.segments)
    c = spec.camera
    cam_info = {"condition": c.condition, "position_m": camera.position.round(4).tolist(),
                "rotation": camera.rotation.round(6).tolist(), "focal_px": round(camera.focal_px, 3),
                "hfov_deg": round(c.hfov_deg, 2), "pitch_deg": round(c.pitch_deg, 2), "roll_deg": round(c.roll_deg, 2),
                "fill": round(c.fill, 3), "distance_m": round(setup.distance, 3),
                "target_m": np.round(setup.target, 4).tolist(),
                "subject_heading_deg": [round(float(s.heading_deg), 2) for s in spec.segments]}
    body = {"shape": asdict(spec.body), "outfit": spec.outfit, "measurements": measurements(setup.rig)}
    cmd = command if command is not None else " ".join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv])
    sidecar = build_sidecar(spec=_plain(spec.to_dict()), video_file=video_path.name, tracks=tracks,
                            segments=spec.segments, efforts=truth["efforts"], circles=truth["circles"],
                            camera=cam_info, body=body, joints_px={k: np.array(v) for k, v in joints_px.items()},
                            command=cmd, software=f"hipvision {__version__}")
    elapsed = time.perf_counter() - started
    sidecar["render"] = {"seconds": round(elapsed, 1), "seconds_per_frame": round(elapsed / max(n, 1), 3)}
    os.replace(tmp_video, video_path)
    write_json_atomic(sidecar_path, sidecar)
    return sidecar


__all__ = ["render_spec", "preview", "fit_camera", "is_done", "measurements"]
