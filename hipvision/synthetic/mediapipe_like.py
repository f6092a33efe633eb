"""Landmark errors like MediaPipe's on seated people, added to exact synthetic skeletons.

What MediaPipe does on rendered seated people (docs/rotation-accuracy.md, measured against the
rendered joints), turned into a seeded error model:

* **Hips on the pelvis's front.** The 2D hip landmarks sit 0.07–0.10 shank lengths above the hip
  joints for everyone, and for people turned 22–35° from the camera 0.04–0.11 shank lengths to one
  side. Both follow if the landmarks lie on the front of the pelvis (about 7 cm in front of the
  joints, 3 cm up): seen square on, "in front" is invisible; from a turned camera it shows up
  sideways, by ``forward · sin(turn)``. `misplace_hips` moves them so, in 3D.
* **Every landmark a little off, differently for each person** (a resting leg put 10 px to the
  side at 640×480), wandering slowly, and jittering from frame to frame: `add_landmark_errors`,
  in fractions of the shank's image length so that a small person gets the same *relative*
  errors, plus a floor in pixels (the model's resolution), so that a small person gets more.

The amounts are defaults of `LandmarkErrors`; `seated_ir_errors` draws them per person.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from hipvision.landmarks import Landmark as L
from hipvision.sequence import PoseSequence

HIPS = (L.LEFT_HIP, L.RIGHT_HIP)


@dataclass(frozen=True)
class LandmarkErrors:
    """How far a pose model puts a seated person's landmarks from the joints.

    Attributes:
        hip_forward_m: 2D hip landmarks this far in front of the hip joints (along the person's
            forward direction), metres.
        hip_up_m: and this far above them, metres.
        offset_frac: SD of each landmark's constant image offset, per person, in shank lengths.
        drift_frac: SD of each landmark's slow wander, in shank lengths; ``drift_s`` its
            correlation time, seconds.
        jitter_frac: SD of frame-to-frame jitter, in shank lengths.
        floor_px: SD in pixels added to each of the three (the model's resolution on a small person).
    """

    hip_forward_m: float = 0.07
    hip_up_m: float = 0.03
    offset_frac: float = 0.02
    drift_frac: float = 0.008
    drift_s: float = 0.8
    jitter_frac: float = 0.006
    floor_px: float = 1.0


def misplace_hips(joints: np.ndarray, *, heading_deg: float = 0.0, forward_m: float, up_m: float) -> np.ndarray:
    """A copy of ``joints`` (T, 33, 3) (scene frame, +Y up) whose hip landmarks are moved ``forward_m``
    along the person's forward direction (+Z turned by ``heading_deg`` toward +X, as `SeatedBody`) and
    ``up_m`` up, metres."""
    h = np.radians(heading_deg)
    out = np.array(joints, float, copy=True)
    out[:, list(HIPS)] += np.array([forward_m * np.sin(h), up_m, forward_m * np.cos(h)])
    return out


def _slow_noise(rng: np.random.Generator, shape: tuple[int, ...], *, dt_s: float, tau_s: float) -> np.ndarray:
    """Unit-SD first-order autoregressive noise along axis 0 with correlation time ``tau_s``."""
    a = float(np.exp(-dt_s / max(tau_s, 1e-9)))
    e = rng.normal(size=shape)
    out = np.empty(shape)
    out[0] = e[0]
    for i in range(1, shape[0]):
        out[i] = a * out[i - 1] + np.sqrt(1 - a * a) * e[i]
    return out


def shank_px(seq: PoseSequence) -> float:
    """Median image length of the two shanks (knee → ankle) over the sequence, pixels."""
    px = seq.image_px()
    lengths = [np.linalg.norm(px[:, a] - px[:, k], axis=-1) for k, a in
               ((L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_KNEE, L.RIGHT_ANKLE))]
    return float(np.nanmedian(np.concatenate(lengths)))


def add_landmark_errors(seq: PoseSequence, errors: LandmarkErrors = LandmarkErrors(), *, seed: int = 0) -> PoseSequence:
    """A copy of ``seq`` whose image landmarks carry a constant offset, a slow wander and jitter per
    landmark (`LandmarkErrors`; hips are moved in 3D by `misplace_hips` before projection, not here).
    World landmarks are left as they are."""
    rng = np.random.default_rng(seed)
    n = len(seq)
    w, h = seq.frame_size
    scale = shank_px(seq)
    dt = float(np.median(np.diff(seq.timestamps_s))) if n > 1 else 1.0

    def sd(frac: float) -> float:
        return float(np.hypot(frac * scale, errors.floor_px))

    shape = (n, seq.image.shape[1], 2)
    err = (sd(errors.offset_frac) * rng.normal(size=(1,) + shape[1:])
           + sd(errors.drift_frac) * _slow_noise(rng, shape, dt_s=dt, tau_s=errors.drift_s)
           + sd(errors.jitter_frac) * rng.normal(size=shape))
    image = seq.image.copy()
    image[..., :2] += err / np.array([w, h])
    return replace(seq, image=image)
