"""Edges of the counter's radius gate when the radius of the circles being made is known (``ref_radius_m``,
from a first pass): the gate is then also at 0.45 of that radius to start turning and 0.35 of it to go on
(the still start position and the move out onto the circle are not turns); and a dip into the gate
bridged only while the angle jumps at most 90° across it."""

import numpy as np
import pytest

from hipvision.core.circles.counting import CircleCounter, CounterSettings

FPS = 30.0
REF_M = 0.2   # gates 0.09 (enter) and 0.07 (exit), torso 1 m


def _three_turns(start_deg: float = 0.0) -> np.ndarray:
    """Phase (radians) per sample: 1 s still, 3 turns and 10° clockwise at 90°/s, 1 s still."""
    turn = 3 * 360 + 10
    n = int(round(turn / 90.0 * FPS))
    deg = np.r_[np.zeros(int(FPS)), turn * np.arange(1, n + 1) / n, np.full(int(FPS), turn)]
    return np.radians(deg + start_deg)


def _count(phase: np.ndarray, radius: np.ndarray | float, *, ref_radius_m: float = REF_M
           ) -> tuple[int, int, int, list[int]]:
    """(clockwise, counter-clockwise, rejected, partial sweeps in degrees) of a path around the centre."""
    xy = np.broadcast_to(radius, phase.shape)[:, None] * np.stack([np.cos(phase), np.sin(phase)], axis=1)
    counter = CircleCounter(CounterSettings())
    for i, p in enumerate(xy):
        counter.update(i, i / FPS, p, np.zeros(2), 1.0, True, ref_radius_m=ref_radius_m)
    counter.finish()
    return (counter.count["clockwise"], counter.count["counterclockwise"], counter.rejected,
            [round(p.sweep_deg) for p in counter.partials])


@pytest.mark.parametrize("radius, expected", [
    (0.089, (0, 0, 0, [])),    # under 0.45 × 0.2 m: the angle never accumulates
    (0.091, (3, 0, 0, [])),    # over it
])
def test_with_a_known_circle_radius_turning_starts_at_0_45_of_it(radius, expected):
    assert _count(_three_turns(), radius) == expected


@pytest.mark.parametrize("inner, expected", [
    (0.071, (3, 0, 0, [])),             # 120° of each turn just over 0.35 × 0.2 m: the turns still count
    (0.069, (0, 0, 0, [237, 237])),     # just under it: each turn breaks there
])
def test_with_a_known_circle_radius_turning_goes_on_to_0_35_of_it(inner, expected):
    phase = _three_turns(180.0)
    inside = np.degrees(phase) % 360 < 120
    assert _count(phase, np.where(inside, inner, REF_M)) == expected


@pytest.mark.parametrize("dip_deg, expected", [
    (84.0, (3, 0, 0, [])),            # the angle jumps at most 90° across the dip: the turns go on
    (86.0, (0, 0, 0, [270, 270])),    # over 90°: through the centre, not the same circle
])
def test_a_dip_into_the_gate_is_bridged_while_the_angle_jumps_at_most_90_deg(dip_deg, expected):
    """Circles 0.12 from the centre (no known radius) except for ``dip_deg`` of each turn at 0.02 (under the
    0.025 exit gate). The jump across the dip is the dip plus up to two 3° sample steps (90°/s at 30 fps)."""
    phase = _three_turns(180.0)
    inside = np.degrees(phase) % 360 < dip_deg
    assert _count(phase, np.where(inside, 0.02, 0.12), ref_radius_m=np.nan) == expected
