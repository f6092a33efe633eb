"""Named scenes: seeded scripts for each kind of video (numpy only).

`make_spec(scene, seed)` returns a `VideoSpec`: the segments the person performs,
the body, clothes, room and camera draws. Rendering it (`hipvision.synthetic.render.generate`)
needs the ``synth`` extra; building and inspecting specs does not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from hipvision.synthetic.render.randomize import (QUADRUPED_CONDITIONS, SEATED_CONDITIONS, BodyDraw, CameraDraw, draw_body,
                                       draw_camera, draw_outfit, draw_room)
from hipvision.synthetic.render.script import (CircleSet, Effort, Hold, Quadruped, Rocking, Seated, Standing, effort_truth,
                                    circle_truth)

SCENES = ("seated_ir", "hip_circles", "standing", "sitting_still", "rocking", "standing_rocking", "session")
#: A session's heading on all fours relative to the camera, degrees (0 = head toward it, 180 = hips toward it), drawn
#: either way round: side-on unless the ``circles_heading`` option gives another range (the camera stays where the
#: seated test put it, in front of the chair, and the person turns on the floor as they like).
SESSION_CIRCLES_HEADING_DEG = (75.0, 100.0)


@dataclass
class VideoSpec:
    """Everything that determines one rendered video (all seeded)."""

    scene: str
    seed: int
    fps: float
    width: int
    height: int
    segments: list
    body: BodyDraw
    outfit: dict
    room: dict
    camera: CameraDraw
    noise_sigma: float = 1.5
    options: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-able description (segments with their kind)."""
        segs = []
        for s in self.segments:
            d = asdict(s)
            d["kind"] = s.kind
            segs.append(d)
        return {"scene": self.scene, "seed": self.seed, "fps": self.fps, "width": self.width, "height": self.height,
                "segments": segs, "body": asdict(self.body), "outfit": self.outfit, "room": self.room,
                "camera": asdict(self.camera), "noise_sigma": self.noise_sigma, "options": self.options}


def seated_efforts(rng: np.random.Generator, *, n_efforts: int, start_s: float = 1.2,
                   ir_range_deg: tuple[float, float] = (10.0, 55.0), er_probability: float = 0.15,
                   both_probability: float = 0.1, alternate: bool = False) -> tuple[tuple[Effort, ...], float]:
    """Sequential efforts with random legs, angles and timing; returns (efforts, end time in s).

    Legs alternate, except that a quarter of the time (never with ``alternate``) the same leg goes again.
    """
    efforts: list[Effort] = []
    t = start_s
    last_leg = str(rng.choice(["left", "right"]))
    for _ in range(n_efforts):
        leg = "right" if last_leg == "left" else "left"
        if rng.random() < 0.25 and not alternate:
            leg = last_leg
        rise, hold, fall = rng.uniform(0.6, 1.2), rng.uniform(1.5, 3.0), rng.uniform(0.6, 1.1)
        angle = float(rng.uniform(*ir_range_deg))
        if rng.random() < er_probability:
            angle = -float(rng.uniform(8.0, 22.0))
        tremor = float(rng.uniform(0.2, 1.0))
        efforts.append(Effort(leg, round(angle, 1), round(t, 2), round(rise, 2), round(hold, 2), round(fall, 2),
                              round(tremor, 2)))
        if rng.random() < both_probability:
            other = "left" if leg == "right" else "right"
            efforts.append(Effort(other, round(float(rng.uniform(*ir_range_deg)), 1), round(t, 2), round(rise, 2),
                                  round(hold, 2), round(fall, 2), round(tremor, 2)))
        t += rise + hold + fall + rng.uniform(0.8, 1.8)
        last_leg = leg
    return tuple(efforts), t


def circle_sets(rng: np.random.Generator, *, per_direction: int, start_s: float = 1.0,
                first: str | None = None, sit_back_probability: float = 0.5, period_s: float | None = None,
                ellipse: float | None = None) -> tuple[tuple[CircleSet, ...], tuple[Hold, ...], float]:
    """One set each way (random order), a pause between (maybe a sit-back); returns (sets, holds, end s).

    ``period_s`` (seconds per circle) and ``ellipse`` (sideways / forward semi-axis) replace the drawn
    values when given; the random draws stay the same, so the rest of the video does not change.
    """
    first = first or str(rng.choice(["clockwise", "counterclockwise"]))
    order = [first, "counterclockwise" if first == "clockwise" else "clockwise"]
    sets, holds = [], []
    t = start_s
    for k, direction in enumerate(order):
        period = float(rng.uniform(2.4, 3.2))
        rf = float(rng.uniform(5.0, 12.0))
        rr = float(np.clip(rf * rng.uniform(0.6, 1.3), 4.0, 12.0))
        period = period_s or period
        rr = rf * ellipse if ellipse else rr
        cs = CircleSet(direction, per_direction, round(t, 2), round(period, 2), round(rf, 1), round(rr, 1),
                       round(float(rng.uniform(-4.0, 2.0)), 1), 0.6,
                       tuple(round(float(v), 3) for v in rng.uniform(0.9, 1.1, per_direction)))
        sets.append(cs)
        t = cs.end_s
        if k == 0:
            pause = float(rng.uniform(1.5, 3.0))
            if rng.random() < sit_back_probability:
                holds.append(Hold(round(t + 0.2, 2), round(t + pause + 1.5, 2), round(-float(rng.uniform(10, 18)), 1)))
                pause += 1.7
            t += pause
    return tuple(sets), tuple(holds), t + 1.0


def _segments(scene: str, rng: np.random.Generator, cam: CameraDraw, options: dict) -> list:
    heading = cam.heading_deg
    if scene == "seated_ir":
        efforts, end = seated_efforts(rng, n_efforts=int(options.get("efforts", 4)))
        return [Seated(round(end + 0.8, 2), efforts, float(rng.uniform(0, 8)), heading, drift_deg=0.5)]
    if scene == "hip_circles":
        sets, holds, end = circle_sets(rng, per_direction=int(options.get("per_direction", 5)),
                                       period_s=options.get("period_s"), ellipse=options.get("ellipse"))
        return [Quadruped(round(end, 2), sets, holds, (), heading)]
    if scene == "standing":
        return [Standing(float(options.get("duration_s", 8.0)), float(rng.uniform(0.5, 2.0)), heading)]
    if scene == "sitting_still":
        return [Seated(float(options.get("duration_s", 10.0)), (), float(rng.uniform(0, 8)), heading,
                       drift_deg=float(rng.uniform(0.5, 3.0)))]
    if scene == "rocking":
        d = float(options.get("duration_s", 14.0))
        return [Quadruped(d, (), (), (Rocking(1.0, d - 1.0, float(rng.uniform(5, 12)), float(rng.uniform(2.0, 3.2))),),
                          heading)]
    if scene == "standing_rocking":
        side = float(np.sign(heading) or 1.0) * float(rng.uniform(80, 100))
        return [Standing(5.0, float(rng.uniform(0.5, 2.0)), float(rng.uniform(-10, 10))),
                Quadruped(14.0, (), (), (Rocking(1.0, 13.0, float(rng.uniform(6, 12)), float(rng.uniform(2.2, 3.0))),),
                          side)]
    if scene == "session":
        per = int(options.get("per_direction", 3))
        e1, end1 = seated_efforts(rng, n_efforts=int(options.get("efforts", 2)), ir_range_deg=(20, 35),
                                  er_probability=0.0, both_probability=0.0, alternate=True)
        sets, holds, end2 = circle_sets(rng, per_direction=per, sit_back_probability=0.0)
        e2, end3 = seated_efforts(rng, n_efforts=int(options.get("efforts", 2)), ir_range_deg=(32, 48),
                                  er_probability=0.0, both_probability=0.0, alternate=True)
        lo, hi = options.get("circles_heading") or SESSION_CIRCLES_HEADING_DEG
        side = float(rng.choice([-1.0, 1.0])) * float(rng.uniform(lo, hi))
        return [Seated(round(end1 + 0.6, 2), e1, float(rng.uniform(0, 6)), heading, drift_deg=0.5),
                Standing(1.5, 1.0, heading),
                Quadruped(round(end2, 2), sets, holds, (), side),
                Standing(1.5, 1.0, heading),
                Seated(round(end3 + 0.6, 2), e2, float(rng.uniform(0, 6)), heading, drift_deg=0.5)]
    raise ValueError(f"unknown scene {scene!r}; known: {', '.join(SCENES)}")


def default_condition(scene: str) -> str:
    """The camera condition a scene uses when none is given."""
    return "side" if scene in ("hip_circles", "rocking") else "front"


def conditions_for(scene: str) -> tuple[str, ...]:
    """Camera conditions that suit ``scene``."""
    if scene in ("hip_circles", "rocking"):
        return tuple(QUADRUPED_CONDITIONS)
    return tuple(SEATED_CONDITIONS)


def make_spec(scene: str, seed: int, *, fps: float = 20.0, width: int = 640, height: int = 480,
              condition: str | None = None, options: dict | None = None) -> VideoSpec:
    """The fully seeded description of one video of ``scene``."""
    options = dict(options or {})
    rng = np.random.default_rng([seed, SCENES.index(scene) if scene in SCENES else 99])
    condition = condition or default_condition(scene)
    camera = draw_camera(rng, condition)
    body = draw_body(rng)
    outfit = draw_outfit(rng)
    room = draw_room(rng)
    segments = _segments(scene, rng, camera, options)
    noise = float(rng.uniform(0.5, 3.0))
    return VideoSpec(scene, seed, fps, width, height, segments, body, outfit, room, camera, noise, options)


def truth_summary(segments) -> dict:
    """Efforts and circles of a script, with per-direction counts and seated-phase held values."""
    efforts = effort_truth(segments)
    circles = circle_truth(segments)
    counts = {d: sum(1 for c in circles if c["direction"] == d) for d in ("clockwise", "counterclockwise")}
    return {"efforts": efforts, "circles": circles, "circle_counts": counts}
