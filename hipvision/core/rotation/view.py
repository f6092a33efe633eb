"""Where the camera looks at the seated person from: roll, pitch and yaw.

The seated IR angle is the shank's angle from the vertical in the person's
frontal plane. A camera that is rolled, above knee height (pitch) or off to
one side (yaw) sees that plane tilted or foreshortened. We estimate the body's
axes in camera coordinates once per recording (or every second, live) and
measure the angle in the body's own frontal plane.

Body axes (unit vectors in camera coordinates, OpenCV camera: x right, y down,
z forward): X = the person's left, Y = up, Z = forward (out of the person's
chest, toward the camera when they face it).

Camera angles relative to the body (same conventions as
`hipvision.synthetic.PinholeCamera.looking_at`):
    roll_deg  + = camera turned clockwise seen from behind it (the scene looks
                turned counter-clockwise on screen);
    pitch_deg + = camera above knee height, looking down;
    yaw_deg   + = camera off to the person's left.

Image-based estimate (`estimate_view_image`), with rays from an assumed focal
length: the knee–knee and hip–hip image lines run along X, so they must point
at X's vanishing point (gives the roll); the mid-thigh, rebuilt in 3D from the
shanks and a thigh/shank length ratio, runs along Z and must land on the
observed mid-hip (gives pitch and yaw). Robust least squares over many frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from hipvision.core import geometry as g
from hipvision.landmarks import Landmark as L


@dataclass(frozen=True)
class CameraView:
    """The person's body axes as the camera sees them.

    Attributes:
        roll_deg, pitch_deg, yaw_deg: camera orientation relative to the body (module docstring).
        focal_px: focal length assumed for the image rays, pixels.
        centre_px: (2,) principal point, pixels (the image centre).
        source: how it was obtained: "image" (fitted on image landmarks), "roll" (roll
            only, pitch = yaw = 0), "world" (world landmarks) or "default" (nothing to fit on).
        frames: number of frames it was estimated from.
    """

    roll_deg: float = 0.0
    pitch_deg: float = 0.0
    yaw_deg: float = 0.0
    focal_px: float = 1108.5
    centre_px: tuple[float, float] = (640.0, 360.0)
    source: str = "default"
    frames: int = 0

    @cached_property
    def axes(self) -> np.ndarray:
        """(3, 3) rows X (person's left), Y (up), Z (forward) in camera coordinates."""
        return body_axes(self.roll_deg, self.pitch_deg, self.yaw_deg)

    def rays(self, px: np.ndarray) -> np.ndarray:
        """``(..., 2)`` pixel positions → ``(..., 3)`` camera-frame rays (z = 1)."""
        px = np.asarray(px, float)
        xy = (px - np.asarray(self.centre_px)) / self.focal_px
        return np.concatenate([xy, np.ones(xy.shape[:-1] + (1,))], axis=-1)

    def image_direction(self, direction: np.ndarray, at_px: np.ndarray) -> np.ndarray:
        """``(..., 2)`` unit image direction (pixels, y down) of the 3D camera-frame ``direction``
        starting at pixel ``at_px`` (..., 2): where a segment along it would point on screen.
        E.g. ``view.image_direction(-view.axes[1], knee_px)`` is the person's vertical at the knee."""
        ray = self.rays(at_px)
        d = np.asarray(direction, float)
        return g.unit(d[..., :2] - ray[..., :2] * d[..., 2:3])


def focal_from_hfov(width_px: int, hfov_deg: float) -> float:
    """Focal length in pixels of a camera ``width_px`` wide with horizontal field of view ``hfov_deg``."""
    return (width_px / 2) / np.tan(np.radians(hfov_deg) / 2)


def body_axes(roll_deg: float, pitch_deg: float, yaw_deg: float) -> np.ndarray:
    """(3, 3) body axes X (left), Y (up), Z (forward) as rows, in camera coordinates."""
    h, p = np.radians(yaw_deg), np.radians(pitch_deg)
    offset = np.array([np.sin(h) * np.cos(p), np.sin(p), np.cos(h) * np.cos(p)])  # body → camera
    forward = -offset
    right = g.unit(np.cross(forward, [0.0, 1.0, 0.0]))
    down = np.cross(forward, right)
    roll = g.rotation_matrix(forward, roll_deg)
    cam_in_body = np.stack([roll @ right, roll @ down, forward])  # rows: camera x, y, z in body frame
    return cam_in_body.T


def view_angles(axes: np.ndarray) -> tuple[float, float, float]:
    """Inverse of `body_axes`: (roll, pitch, yaw) degrees from (3, 3) body axes in camera coordinates."""
    cam_in_body = np.asarray(axes, float).T
    forward = cam_in_body[2]
    pitch = np.degrees(np.arcsin(np.clip(-forward[1], -1, 1)))
    yaw = np.degrees(np.arctan2(-forward[0], -forward[2]))
    right0 = g.unit(np.cross(forward, [0.0, 1.0, 0.0]))
    down0 = np.cross(forward, right0)
    roll = np.degrees(np.arctan2(g.dot(cam_in_body[0], down0), g.dot(cam_in_body[0], right0)))
    return float(roll), float(pitch), float(yaw)


def default_view(frame_size: tuple[int, int], *, hfov_deg: float = 60.0) -> CameraView:
    """A level camera straight in front (no correction)."""
    w, h = frame_size
    return CameraView(focal_px=float(focal_from_hfov(w, hfov_deg)), centre_px=(w / 2, h / 2))


def knee_line_roll_deg(px: np.ndarray) -> np.ndarray:
    """(...) camera roll suggested by the image tilt of the knee and hip lines, degrees.

    ``px``: ``(..., 33, 2)`` pixels. The line from the person's right knee (hip)
    to their left knee (hip) runs toward image-right on a level camera; a
    camera rolled by +r shows it turned by -r (counter-clockwise on screen).
    """
    px = np.asarray(px, float)
    knees = g.direction_deg(px[..., L.LEFT_KNEE, :] - px[..., L.RIGHT_KNEE, :])
    hips = g.direction_deg(px[..., L.LEFT_HIP, :] - px[..., L.RIGHT_HIP, :])
    both = np.stack([knees, hips], axis=-1)
    rad = np.radians(both)
    return -np.degrees(np.arctan2(g.nanmean(np.sin(rad)), g.nanmean(np.cos(rad))))


#: Roll cues: image segments (from → to; a tuple of landmarks = their midpoint) that run along a body
#: axis ("y" = up, "x" = the person's left, "trunk" = up but leaned by the fitted trunk lean, see
#: `estimate_view_image`), with weights. On rendered seated people MediaPipe's trunk
#: midline gave the camera roll within 0.7° RMS (1.7° worst, a person turned 30°), its hip line within
#: 2.3° (6° turned) and its knee line was 2–4° off; shanks hanging at rest (the "rest" cues, used only
#: on frames where both legs rest) add an independent vertical (0.8° RMS together with the trunk).
ROLL_CUES = (
    ("trunk", (L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_SHOULDER, L.RIGHT_SHOULDER), 1.0, False),
    ("y", (L.LEFT_ANKLE,), (L.LEFT_KNEE,), 0.5, True),
    ("y", (L.RIGHT_ANKLE,), (L.RIGHT_KNEE,), 0.5, True),
    ("x", (L.RIGHT_HIP,), (L.LEFT_HIP,), 1.0, False),
)
_FIT_LANDMARKS = (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE)
#: A shank shorter than this on screen (pixels) has no direction: its frame cannot place the thigh.
MIN_SHANK_PX = 1.0
#: Hip → knee over knee → ankle landmark distance (0.245 / 0.246 of body height, Drillis & Contini).
THIGH_TO_SHANK = 1.0
#: A fitted pitch beyond this is not believed (`estimate_view_image`). 45° until issue 14's overhead pass: rendered
#: cameras 41-50° above the knees fitted 36-48° (2.3° low on average, 9° at worst), and those beyond 45° fell back to
#: roll only and read up to 14° high. Hips drawn 0.8 m above the knees by a level camera fit like a camera 54°
#: above (the two cannot be told apart in the picture); a camera more than 60° above sees the thighs end-on.
MAX_PITCH_DEG = 60.0


def frontal_direction(axes: np.ndarray, ray_from: np.ndarray, ray_to: np.ndarray) -> np.ndarray:
    """``(..., 3)`` unit 3D direction, in the body's frontal plane, of the segment seen from ``ray_from``
    to ``ray_to`` (camera rays, ``(..., 3)``): the plane through the camera centre and the image segment
    cut by the frontal plane (normal = body Z, ``axes[2]``), oriented like the image segment."""
    d = np.cross(np.cross(ray_from, ray_to), axes[2])
    img = d[..., :2] - d[..., 2:3] * ray_from[..., :2]
    flip = np.where(g.dot(img, ray_to[..., :2] - ray_from[..., :2]) < 0, -1.0, 1.0)
    return g.unit(d * flip[..., None])


def estimate_view_image(px: np.ndarray, frame_size: tuple[int, int], *, hfov_deg: float = 60.0,
                        fit_pitch_yaw: bool = True, noise_px: float = 3.0, thigh_to_shank: float = THIGH_TO_SHANK,
                        thigh_to_shank_sd: float = 0.15, prior_sd_deg: float = 20.0, max_frames: int = 240,
                        max_pitch_deg: float = MAX_PITCH_DEG, max_yaw_deg: float = 40.0, at_rest: bool = False,
                        lean_sd_deg: float = 15.0, trunk_roll_sd_deg: float = 0.7) -> CameraView:
    """Fit roll (and pitch, yaw) to the shoulders, hips, knees and ankles of seated frames.

    Roll: the trunk midline (hip-mid → shoulder-mid) and, with ``at_rest``, the hanging
    shanks must point at the vanishing point of the body's vertical Y (`ROLL_CUES`; pixels by
    which each segment's far end misses that line). The trunk may lean back or forward by a
    fitted angle: a person leaning back, or MediaPipe's hips placed on the front of the pelvis,
    tilts the midline in the picture of a turned camera (by about lean · sin yaw), and a midline
    held vertical then set the roll 1–3° off (the leg on the camera's side read high, the other
    low). The lean's prior (SD ``lean_sd_deg``) is weighed against the midline's own accuracy
    (``trunk_roll_sd_deg``) on every frame, so the midline keeps its say on the roll seen square
    on and gives way to the shanks and the hip line as the camera turns (half at 5°, 90% at 15°).
    Pitch and yaw: rebuild the mid-thigh in 3D from each frame's shanks: the shank length
    (at the knee's depth) follows from the ankle's image position given the view, the thigh is
    ``thigh_to_shank`` times as long and runs along the body's Z, so the mid-hip must land on
    the observed mid-hip. That works with splayed or crossed thighs (only their mean direction
    is used) and at any camera height; the prior on the length ratio (SD ``thigh_to_shank_sd``)
    weighs the along-thigh error. Robust least squares (soft L1) over up to ``max_frames`` frames.

    Args:
        px: (N, 33, 2) pixel landmarks of frames in which the person sits facing the
            camera (frames missing a hip, knee or ankle, or with a shank shorter than
            `MIN_SHANK_PX`, e.g. all landmarks on one point, are skipped).
        frame_size: (width, height) pixels; the principal point is the centre.
        hfov_deg: assumed horizontal field of view (webcams: 55–80°).
        fit_pitch_yaw: False fits roll only (pitch = yaw = 0).
        noise_px: expected landmark noise, pixels (scales the data against the priors).
        thigh_to_shank, thigh_to_shank_sd: prior on the thigh/shank length ratio.
        prior_sd_deg: standard deviation of the prior pulling pitch and yaw toward 0, degrees.
        max_frames: at most this many frames, evenly spaced, are used.
        max_pitch_deg, max_yaw_deg: a fit beyond these is not a plausible set-up (bad hip
            landmarks, say): the roll-only fit is returned instead (source "roll").
        at_rest: the frames show both legs resting (shanks near vertical): use them for the roll too.
        lean_sd_deg: prior SD of the trunk midline's lean in the body's sagittal plane, degrees.
        trunk_roll_sd_deg: how well the trunk midline gives the roll where the lean does not matter, degrees.
    """
    view = default_view(frame_size, hfov_deg=hfov_deg)
    px = np.asarray(px, float)
    ok = np.isfinite(px[:, list(_FIT_LANDMARKS)]).all(axis=(1, 2)) if len(px) else np.zeros(0, bool)
    px = px[ok]
    shanks = px[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] - px[:, [L.LEFT_KNEE, L.RIGHT_KNEE]]
    px = px[(g.norm(shanks) >= MIN_SHANK_PX).all(axis=-1)]
    if len(px) == 0:
        return view
    if len(px) > max_frames:
        px = px[np.linspace(0, len(px) - 1, max_frames).round().astype(int)]
    roll0 = g.circular_median_deg(knee_line_roll_deg(px))
    roll0 = roll0 if np.isfinite(roll0) else 0.0  # knees and hips all on one point: no tilt to start from
    scale = noise_px * np.sqrt(2.0)
    rays = view.rays(px)
    cues = [(axis, a, b, weight) for axis, a, b, weight, rest_only in ROLL_CUES if at_rest or not rest_only]
    mid_knee_ray = (rays[:, L.LEFT_KNEE] + rays[:, L.RIGHT_KNEE]) / 2
    mid_knee_px = (px[:, L.LEFT_KNEE] + px[:, L.RIGHT_KNEE]) / 2
    mid_hip_px = (px[:, L.LEFT_HIP] + px[:, L.RIGHT_HIP]) / 2
    centre = np.asarray(view.centre_px)
    trunk_px = np.nan_to_num(g.norm((px[:, L.LEFT_SHOULDER] + px[:, L.RIGHT_SHOULDER]) / 2 - mid_hip_px))
    lean_weight = trunk_px * (trunk_roll_sd_deg / lean_sd_deg) / scale   # per frame, as a trunk cue's residual

    def end_ray(idx: tuple, x_axis: np.ndarray) -> np.ndarray:
        """Ray to a landmark, or to the 3D midpoint of a pair lying along ``x_axis`` (their depths
        follow from that direction: the image midpoint is not the midpoint's image)."""
        if len(idx) == 1:
            return rays[:, idx[0]]
        r1, r2 = rays[:, idx[0]], rays[:, idx[1]]
        w1, w2 = g.norm(np.cross(r2, x_axis)), g.norm(np.cross(r1, x_axis))   # ∝ the depths of 1 and 2
        return (w1[:, None] * r1 + w2[:, None] * r2) / (w1 + w2)[:, None]

    def roll_residuals(ax: np.ndarray, lean_deg: float) -> list[np.ndarray]:
        out = []
        lean = np.radians(lean_deg)
        along = {"x": ax[0], "y": ax[1], "trunk": np.cos(lean) * ax[1] - np.sin(lean) * ax[2]}
        for axis, a, b, weight in cues:
            start, end = end_ray(a, ax[0]), end_ray(b, ax[0])
            seg = view.focal_px * (end - start)[:, :2]
            mid = (start + end) / 2
            d = g.unit(along[axis][:2] - mid[:, :2] * along[axis][2])
            out.append(np.nan_to_num(weight * g.cross2(d, seg) / scale))   # a missing landmark tells nothing
        return out

    def thigh_residuals(ax: np.ndarray) -> list[np.ndarray]:
        lengths = []
        for knee, ankle in ((L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_KNEE, L.RIGHT_ANKLE)):
            k, a = rays[:, knee], rays[:, ankle]         # knee placed at depth 1
            d = frontal_direction(ax, k, a)
            u = d[:, :2] - a[:, :2] * d[:, 2:3]
            v = k[:, :2] - a[:, :2]
            lengths.append(-g.dot(v, u) / np.maximum(g.dot(u, u), 1e-12))
        shank = np.mean(lengths, axis=0)
        hip = mid_knee_ray - (thigh_to_shank * shank)[:, None] * ax[2]
        pred = view.focal_px * hip[:, :2] / np.maximum(hip[:, 2:3], 1e-6) + centre
        seg = pred - mid_knee_px
        along_dir = g.unit(seg + (0.0, -1e-3))  # a thigh seen end-on has no direction: take "up" then
        err = mid_hip_px - pred
        along = g.dot(err, along_dir) / (scale + thigh_to_shank_sd * g.norm(seg))
        return [g.cross2(along_dir, err) / scale, along]

    def residuals(params: np.ndarray) -> np.ndarray:
        roll, pitch, yaw, lean = params if fit_pitch_yaw else (params[0], 0.0, 0.0, 0.0)
        ax = body_axes(roll, pitch, yaw)
        parts = roll_residuals(ax, lean)
        if fit_pitch_yaw:
            parts += thigh_residuals(ax)
            parts.append(np.array([pitch, yaw]) / prior_sd_deg)
            parts.append(lean_weight * np.radians(lean))
        return np.concatenate(parts)

    def cost(params: np.ndarray) -> float:
        r = residuals(params)
        return float(np.sum(2 * (np.sqrt(1 + (r / 2) ** 2) - 1)))   # the soft-L1 loss used below

    if fit_pitch_yaw:
        starts = [np.array([roll0, p, y, 0.0]) for p in (-15.0, 0.0, 15.0, 30.0) for y in (-20.0, 0.0, 20.0)]
        x0 = min(starts, key=cost)
        if not np.isfinite(residuals(x0)).all():  # degenerate thighs left (no direction anywhere): roll only
            return estimate_view_image(px, frame_size, hfov_deg=hfov_deg, fit_pitch_yaw=False, noise_px=noise_px,
                                       at_rest=at_rest)
    else:
        x0 = np.array([roll0])
    from scipy import optimize  # seconds to import: loaded by the first fit, not by importing this module

    fit = optimize.least_squares(residuals, x0, loss="soft_l1", f_scale=2.0, x_scale=5.0)
    roll, pitch, yaw = (fit.x[0], fit.x[1], fit.x[2]) if fit_pitch_yaw else (fit.x[0], 0.0, 0.0)
    if abs(pitch) > max_pitch_deg or abs(yaw) > max_yaw_deg:  # not a plausible seated set-up: trust roll only
        return estimate_view_image(px, frame_size, hfov_deg=hfov_deg, fit_pitch_yaw=False, noise_px=noise_px,
                                   at_rest=at_rest)
    return CameraView(float(g.wrap_deg(roll)), float(pitch), float(yaw), view.focal_px, view.centre_px,
                      "image" if fit_pitch_yaw else "roll", len(px))


def estimate_view_world(world: np.ndarray) -> CameraView:
    """Body axes from MediaPipe world landmarks (camera axes, metres), robust over frames.

    X from the knee and hip lines, Z from the thighs (made perpendicular to X),
    each the normalised median over the (N, 33, 3) frames given.
    """
    w = np.asarray(world, float)
    x = g.unit(w[:, L.LEFT_KNEE] - w[:, L.RIGHT_KNEE]) + g.unit(w[:, L.LEFT_HIP] - w[:, L.RIGHT_HIP])
    z = g.unit(w[:, L.LEFT_KNEE] - w[:, L.LEFT_HIP]) + g.unit(w[:, L.RIGHT_KNEE] - w[:, L.RIGHT_HIP])
    ok = np.isfinite(x).all(-1) & np.isfinite(z).all(-1)
    if not ok.any():
        return CameraView(source="default")
    xm = g.unit(np.median(g.unit(x[ok]), axis=0))
    zm = g.unit(np.median(g.unit(z[ok]), axis=0))
    zm = g.unit(zm - g.dot(zm, xm) * xm)
    ym = np.cross(zm, xm)
    roll, pitch, yaw = view_angles(np.stack([xm, ym, zm]))
    return CameraView(roll, pitch, yaw, source="world", frames=int(ok.sum()))
