"""Seeded random choices for rendered videos: body, clothes, room, camera (numpy only).

Every draw takes a `numpy.random.Generator`, so a video is fully determined by its seed.
Camera *conditions* are named tables of ranges; the benchmark reports accuracy per condition.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

#: Camera condition → ranges (low, high) for the draw. ``heading`` is the person's heading
#: relative to the camera (0 = facing it, ±90 = side-on); ``fill`` the fraction of the frame the
#: person spans; ``pitch`` the camera's elevation angle (positive = looking down).
SEATED_CONDITIONS: dict[str, dict[str, tuple[float, float]]] = {
    "front": {"heading": (-8, 8), "pitch": (0, 12), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "turned": {"heading": (20, 35), "pitch": (0, 12), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "high": {"heading": (-10, 10), "pitch": (25, 35), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "far": {"heading": (-10, 10), "pitch": (0, 12), "roll": (-2, 2), "hfov": (60, 75), "fill": (0.3, 0.4)},
    "tilted": {"heading": (-10, 10), "pitch": (5, 15), "roll": (5, 10), "hfov": (70, 80), "fill": (0.55, 0.75)},
    # widened for issue 14: a slight yaw either way, a camera on the floor looking up, a camera above the
    # head looking down, and yaw with roll together
    "turned_slight": {"heading": (8, 15), "pitch": (0, 12), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "floor": {"heading": (-10, 10), "pitch": (-22, -12), "roll": (-2, 2), "hfov": (60, 75), "fill": (0.55, 0.75)},
    "overhead": {"heading": (-10, 10), "pitch": (40, 50), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.55, 0.75)},
    "turned_rolled": {"heading": (12, 25), "pitch": (0, 15), "roll": (4, 8), "hfov": (60, 75), "fill": (0.55, 0.75)},
}
QUADRUPED_CONDITIONS: dict[str, dict[str, tuple[float, float]]] = {
    "side": {"heading": (80, 100), "pitch": (5, 18), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "oblique": {"heading": (35, 55), "pitch": (10, 22), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "high_side": {"heading": (80, 100), "pitch": (25, 35), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "far_side": {"heading": (75, 105), "pitch": (5, 18), "roll": (-3, 3), "hfov": (60, 75), "fill": (0.35, 0.45)},
    # Where people put the camera besides side-on (heading 180 = camera in line with the body, behind the hips;
    # a negative pitch = camera below the hips, on the floor).
    "behind": {"heading": (168, 180), "pitch": (5, 18), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "behind_floor": {"heading": (168, 180), "pitch": (-8, -3), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "behind_high": {"heading": (165, 180), "pitch": (28, 40), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.55, 0.75)},
    "oblique_back": {"heading": (125, 145), "pitch": (8, 20), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "oblique_front": {"heading": (35, 55), "pitch": (3, 15), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "floor_side": {"heading": (80, 100), "pitch": (-8, -3), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "shelf_side": {"heading": (80, 100), "pitch": (30, 42), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.55, 0.75)},
    # A laptop within about a metre (on the floor or a chair): a laptop's wide lens, the person filling the frame.
    "near_side": {"heading": (80, 100), "pitch": (-3, 12), "roll": (-2, 2), "hfov": (68, 80), "fill": (0.85, 0.97)},
    "near_oblique": {"heading": (35, 55), "pitch": (0, 15), "roll": (-2, 2), "hfov": (68, 80), "fill": (0.85, 0.97)},
    # In line in front of the head, where a person who wants to see the screen puts it: at table height, a laptop
    # or phone on the floor in front of the hands (looking up a little), and a shelf in front looking down.
    "front": {"heading": (0, 15), "pitch": (5, 18), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "front_floor": {"heading": (0, 15), "pitch": (-8, -3), "roll": (-2, 2), "hfov": (68, 80), "fill": (0.75, 0.95)},
    "front_high": {"heading": (0, 15), "pitch": (28, 40), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.55, 0.75)},
    # The two diagonals from the floor and from a shelf (the diagonals were filmed only from about hip height).
    "oblique_floor": {"heading": (35, 55), "pitch": (-8, -3), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.6, 0.8)},
    "oblique_shelf": {"heading": (35, 55), "pitch": (30, 42), "roll": (-2, 2), "hfov": (55, 70), "fill": (0.55, 0.75)},
    "oblique_back_floor": {"heading": (125, 145), "pitch": (-8, -3), "roll": (-2, 2), "hfov": (55, 70),
                           "fill": (0.6, 0.8)},
    "oblique_back_high": {"heading": (125, 145), "pitch": (30, 42), "roll": (-2, 2), "hfov": (55, 70),
                          "fill": (0.55, 0.75)},
}
#: Conditions where the sign of ``heading`` and ``roll`` are drawn at random (left or right).
SYMMETRIC = ("heading", "roll")


@dataclass(frozen=True)
class CameraDraw:
    """Camera parameters relative to the subject (angles in degrees)."""

    condition: str
    heading_deg: float
    pitch_deg: float
    roll_deg: float
    hfov_deg: float
    fill: float


def draw_camera(rng: np.random.Generator, condition: str) -> CameraDraw:
    """Draw camera parameters for a named condition (see the condition tables)."""
    table = {**SEATED_CONDITIONS, **QUADRUPED_CONDITIONS}
    if condition not in table:
        raise ValueError(f"unknown camera condition {condition!r}; known: {sorted(table)}")
    values = {}
    for key, (lo, hi) in table[condition].items():
        v = float(rng.uniform(lo, hi))
        if key in SYMMETRIC and rng.random() < 0.5:
            v = -v
        values[key] = v
    return CameraDraw(condition, values["heading"], values["pitch"], values["roll"], values["hfov"], values["fill"])


@dataclass(frozen=True)
class BodyDraw:
    """Anny phenotype (0..1 each; gender 0 = male, 1 = female)."""

    gender: float
    age: float
    muscle: float
    weight: float
    height: float
    proportions: float


def draw_body(rng: np.random.Generator) -> BodyDraw:
    """An adult body: either sex, age ≈ 20–60 years, varied weight and muscle, 1.55–1.95 m tall."""
    return BodyDraw(gender=float(rng.choice([0.0, 1.0]) if rng.random() < 0.8 else rng.uniform(0.3, 0.7)),
                    age=float(rng.uniform(0.7, 0.85)), muscle=float(rng.uniform(0.3, 0.7)),
                    weight=float(rng.uniform(0.25, 0.75)), height=float(rng.uniform(0.28, 0.52)),
                    proportions=float(rng.uniform(0.35, 0.65)))


SKIN_TONES = ((0.95, 0.80, 0.69), (0.87, 0.70, 0.58), (0.78, 0.60, 0.46), (0.63, 0.45, 0.32),
              (0.48, 0.33, 0.23), (0.36, 0.24, 0.17))
GARMENT_COLOURS = ((0.15, 0.30, 0.65), (0.70, 0.15, 0.15), (0.15, 0.55, 0.30), (0.90, 0.90, 0.88),
                   (0.10, 0.10, 0.12), (0.55, 0.55, 0.58), (0.85, 0.55, 0.15), (0.45, 0.25, 0.55),
                   (0.20, 0.60, 0.70), (0.85, 0.75, 0.30))
HAIR_COLOURS = ((0.08, 0.06, 0.05), (0.25, 0.16, 0.09), (0.50, 0.35, 0.20), (0.80, 0.68, 0.45), (0.55, 0.55, 0.55))


def _jitter(rng: np.random.Generator, colour, amount: float = 0.05) -> tuple[float, float, float]:
    return tuple(float(np.clip(c + rng.normal(0, amount), 0, 1)) for c in colour)


#: Share of outfits with long trousers (the lower leg dressed like the upper leg) instead of shorts.
TROUSERS_PROBABILITY = 0.35


def draw_outfit(rng: np.random.Generator) -> dict:
    """Colours of skin, T-shirt, shorts (different from the shirt), shoes and hair; with
    `TROUSERS_PROBABILITY` long trousers (``lower_leg`` = the shorts' colour, else None = bare skin)."""
    shirt_i, shorts_i = rng.choice(len(GARMENT_COLOURS), size=2, replace=False)
    out = {"skin": _jitter(rng, SKIN_TONES[rng.integers(len(SKIN_TONES))], 0.02),
           "shirt": _jitter(rng, GARMENT_COLOURS[shirt_i]), "shorts": _jitter(rng, GARMENT_COLOURS[shorts_i]),
           "shoes": _jitter(rng, GARMENT_COLOURS[rng.integers(len(GARMENT_COLOURS))]),
           "hair": _jitter(rng, HAIR_COLOURS[rng.integers(len(HAIR_COLOURS))], 0.02)}
    out["lower_leg"] = out["shorts"] if rng.random() < TROUSERS_PROBABILITY else None
    return out


def draw_room(rng: np.random.Generator) -> dict:
    """Floor tiles, wall colour and panels, light direction and strength (keyword arguments of `Room`)."""
    floor = np.array([rng.uniform(0.3, 0.75), rng.uniform(0.25, 0.6), rng.uniform(0.2, 0.5)])
    if rng.random() < 0.3:
        floor = np.full(3, rng.uniform(0.3, 0.7))
    contrast = rng.uniform(0.04, 0.15)
    wall = tuple(float(v) for v in np.clip(rng.uniform(0.55, 0.95) + rng.normal(0, 0.05, 3), 0, 1))
    panels = []
    for _ in range(int(rng.integers(0, 4))):
        c = GARMENT_COLOURS[rng.integers(len(GARMENT_COLOURS))]
        panels.append((float(rng.uniform(-2.5, 2.5)), float(rng.uniform(0.0, 1.4)), float(rng.uniform(0.3, 1.2)),
                       float(rng.uniform(0.4, 1.6)), *_jitter(rng, c, 0.08)))
    az = rng.uniform(0, 2 * np.pi)
    key = (float(np.cos(az) * 0.6), -1.0, float(np.sin(az) * 0.6))
    return {"floor_a": tuple(map(float, floor)), "floor_b": tuple(float(v) for v in np.clip(floor * (1 - contrast), 0, 1)),
            "tile_m": float(rng.choice([0.3, 0.5, 0.6, 1.0])), "wall": wall,
            "wall_distance_m": float(rng.uniform(1.0, 2.5)), "panels": tuple(panels), "key_direction": key,
            "key_intensity": float(rng.uniform(2.0, 4.0)), "fill_intensity": float(rng.uniform(0.6, 1.6)),
            "ambient": float(rng.uniform(0.2, 0.45)), "box_half_width_m": float(rng.uniform(0.3, 0.5)),
            "box_colour": _jitter(rng, ((0.45, 0.35, 0.25), (0.3, 0.3, 0.32), (0.6, 0.6, 0.58))[rng.integers(3)], 0.04)}


def as_dict(obj) -> dict:
    """Dataclass → plain dict (for sidecars)."""
    return asdict(obj)
