"""Seeded seated-IR recordings with known answers across camera set-ups, bodies and MediaPipe-like errors.

A `SeatedCase` is one recording: a body (`SeatedBody`), a camera placed by a named set-up
(`SETUPS`), efforts per leg with a little tremor, and `LandmarkErrors` (MediaPipe-like). Its
`truth` per leg is the largest internal-rotation effort's angle, or 0.0 for a leg that never
rotated inward (the analysis should then say "no effort"). Used to calibrate and check the
uncertainty of the held angle (`hipvision.core.rotation.uncertainty`, `tests/test_rotation_uncertainty.py`,
`benchmarks/rotation_uncertainty.py`).

    case = random_case(7, "turned")
    result = analyze_rotation(case.sequence())
    result.left.held_deg - case.truth("left")
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipvision.sequence import PoseSequence
from hipvision.synthetic.camera import PinholeCamera, sequence_from_joints
from hipvision.synthetic.mediapipe_like import LandmarkErrors, add_landmark_errors, misplace_hips
from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints

#: Camera set-ups: ranges drawn uniformly (yaw and roll either way), degrees and metres.
#: "low" reaches a camera on the floor (about 20° below knee height at 2 m).
SETUPS: dict[str, dict[str, tuple[float, float]]] = {
    "front": {"yaw": (0, 8), "pitch": (0, 12), "roll": (0, 2), "distance": (1.6, 2.5)},
    "turned": {"yaw": (10, 25), "pitch": (0, 12), "roll": (0, 2), "distance": (1.6, 2.5)},
    "high": {"yaw": (0, 10), "pitch": (20, 35), "roll": (0, 2), "distance": (1.6, 2.5)},
    "low": {"yaw": (0, 10), "pitch": (-20, -5), "roll": (0, 2), "distance": (1.6, 2.5)},
    "far": {"yaw": (0, 10), "pitch": (0, 12), "roll": (0, 2), "distance": (3.2, 4.2)},
    "tilted": {"yaw": (0, 10), "pitch": (5, 15), "roll": (4, 8), "distance": (1.6, 2.5)},
}
_EITHER_WAY = ("yaw", "roll")


@dataclass(frozen=True)
class SeatedCase:
    """One synthetic recording. Efforts are ``(start_s, angle_deg, hold_s)`` per leg (see `effort_profile`)."""

    seed: int
    setup: str
    body: SeatedBody
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    distance_m: float
    hfov_deg: float
    frame_size: tuple[int, int]
    fps: float
    duration_s: float
    left: tuple[tuple[float, float, float], ...]
    right: tuple[tuple[float, float, float], ...]
    rest_deg: tuple[float, float]
    tremor_deg: float
    errors: LandmarkErrors

    def truth(self, side: str) -> float:
        """The leg's largest internal-rotation effort, degrees; 0.0 when it never rotated inward."""
        rest = self.rest_deg[0 if side == "left" else 1]
        ir = [a for _, a, _ in getattr(self, side) if a > rest]
        return max(ir) if ir else 0.0

    def angles(self) -> tuple[np.ndarray, np.ndarray]:
        """(T,) true IR angle of each leg (left, right), degrees, tremor included."""
        t = np.arange(int(self.duration_s * self.fps)) / self.fps
        rng = np.random.default_rng(self.seed + 17)
        out = []
        for efforts, rest in zip((self.left, self.right), self.rest_deg):
            base = effort_profile(t, list(efforts), rest_deg=rest)
            away = np.abs(base - rest) / max(max((abs(a - rest) for _, a, _ in efforts), default=1.0), 1e-9)
            hz, phase = rng.uniform(3.0, 6.0), rng.uniform(0, 2 * np.pi)
            out.append(base + self.tremor_deg * away * np.sin(2 * np.pi * hz * t + phase))
        return out[0], out[1]

    def camera(self) -> PinholeCamera:
        w, h = self.frame_size
        return PinholeCamera.looking_at(self.body.knee_centre(), distance_m=self.distance_m, yaw_deg=self.yaw_deg,
                                        pitch_deg=self.pitch_deg, roll_deg=self.roll_deg, width=w, height=h,
                                        hfov_deg=self.hfov_deg)

    def sequence(self) -> PoseSequence:
        """The recording as the pose model would report it (MediaPipe-like errors included)."""
        ir_l, ir_r = self.angles()
        joints = misplace_hips(seated_joints(ir_l, ir_r, body=self.body), heading_deg=self.body.heading_deg,
                               forward_m=self.errors.hip_forward_m, up_m=self.errors.hip_up_m)
        seq = sequence_from_joints(joints, self.camera(), fps=self.fps, seed=self.seed,
                                   source=f"synthetic {self.setup} seed {self.seed}")
        return add_landmark_errors(seq, self.errors, seed=self.seed + 1)


def _efforts(rng: np.random.Generator, start_s: float) -> tuple[list[tuple[float, float, float]], float]:
    """Zero to two efforts from ``start_s`` (an external rotation now and then); returns them and the end."""
    out, t = [], start_s
    for _ in range(int(rng.choice([0, 1, 1, 2]))):
        angle = float(rng.uniform(-20, -8)) if rng.random() < 0.15 else float(rng.uniform(10, 55))
        hold = float(rng.uniform(1.5, 3.0))
        out.append((t, angle, hold))
        t += 2.0 + hold + float(rng.uniform(1.0, 2.0))   # ramps of 1 s, then rest
    return out, t


def random_case(seed: int, setup: str | None = None, *, errors: LandmarkErrors | None = None) -> SeatedCase:
    """A seeded `SeatedCase`: ``setup`` from `SETUPS` (None: drawn), body, efforts and errors drawn from ``seed``.

    Bodies: 1.55–1.95 m, knees 18–36 cm apart, thighs level to 10° down, knees at 85–100°, the trunk
    leaned -5…12°, thigh/shank length ratio 0.85–1.10. Frames 1280×720 (30 fps) or 640×480 (20 fps).
    Each leg does 0–2 efforts (10–55° inward, or 8–20° outward now and then), sometimes both at once.
    """
    rng = np.random.default_rng(seed)
    setup = setup or str(rng.choice(sorted(SETUPS)))
    cam = {}
    for key, (lo, hi) in SETUPS[setup].items():
        v = float(rng.uniform(lo, hi))
        cam[key] = -v if key in _EITHER_WAY and rng.random() < 0.5 else v
    height = float(rng.uniform(1.55, 1.95))
    leg = 0.491 * height                                   # thigh + shank (Drillis & Contini)
    ratio = float(rng.uniform(0.85, 1.10))
    body = SeatedBody(height_m=height, knee_width_m=float(rng.uniform(0.18, 0.36)),
                      thigh_m=leg * ratio / (1 + ratio), shank_m=leg / (1 + ratio),
                      thigh_pitch_deg=float(rng.uniform(-10, 0)), knee_flexion_deg=float(rng.uniform(85, 100)),
                      trunk_lean_deg=float(rng.uniform(-5, 12)), seat_height_m=float(rng.uniform(0.62, 0.78)))
    small = rng.random() < 0.4
    size, fps = ((640, 480), 20.0) if small else ((1280, 720), 30.0)
    left, t = _efforts(rng, 1.5)
    if rng.random() < 0.25:                                # both legs at once
        right = [(s, float(rng.uniform(10, 55)), h) for s, _, h in left]
    else:
        right, t = _efforts(rng, t)
    person = rng.uniform(0.7, 1.3)                         # how badly MediaPipe places this person's landmarks
    errs = errors or LandmarkErrors(hip_forward_m=float(rng.uniform(0.04, 0.10)), hip_up_m=float(rng.uniform(0.01, 0.05)),
                                    offset_frac=0.02 * person, drift_frac=0.008 * person, jitter_frac=0.006 * person)
    return SeatedCase(seed, setup, body, cam["yaw"], cam["pitch"], cam["roll"], cam["distance"],
                      float(rng.uniform(55, 75)), size, fps, max(t, 6.0) + 1.5, tuple(left), tuple(right),
                      (float(rng.uniform(-3, 3)), float(rng.uniform(-3, 3))), float(rng.uniform(0.3, 0.8)), errs)
