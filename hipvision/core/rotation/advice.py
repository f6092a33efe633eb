"""What the camera set-up did to the seated IR measurement (warnings when it costs accuracy, information
when it was simply corrected), and what to do next after a result (`next_steps`).

A *warning* names the leg(s) affected and how to place the camera; *information* ("camera tilted 5°,
corrected") says what the analysis corrected at no real cost. Thresholds (`SETUP_LIMITS`) follow the
uncertainty terms of `uncertainty`: a warning when a set-up alone adds about a degree or more
to a leg's 95% half-width, or when rendered people read off by several degrees in that set-up
(docs/rotation-accuracy.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hipvision.core.rotation.summary import borderline_mark, class_with_uncertainty
from hipvision.core.rotation.view import CameraView

#: (information from, warning from): degrees of camera angle; for "shank_px", pixels (warning below).
SETUP_LIMITS: dict[str, tuple[float, float]] = {
    "yaw": (3.0, 10.0),       # camera off to one side
    "pitch": (10.0, 20.0),    # camera above or below knee height
    "roll": (3.0, 6.0),       # camera tilted about its axis
    "shank_px": (0.0, 70.0),  # shank shorter than this in the picture: person small / far away
}
#: A camera this far above the knees (degrees) gets the stronger "read high" warning.
STEEP_PITCH_DEG = 40.0
#: A typical adult shank (knee → ankle landmark), metres, to turn a shank's image length into a distance.
SHANK_M = 0.43


def setup_advice(view: CameraView, shank_px: float, *, away_leg_lower: bool = True) -> tuple[list[str], list[str]]:
    """(warnings, information) about the camera set-up.

    Args:
        view: the fitted camera view (its sign conventions: yaw + = camera to the person's left,
            pitch + = camera above knee height, roll + = camera turned clockwise seen from behind it).
        shank_px: median image length of the shanks while measured, pixels (NaN = not known); the
            person-size warning and its distance use it divided by cos(pitch) (the hanging shank's length as a
            camera at knee height would see it).
        away_leg_lower: the pose model reads the leg away from a turned camera lower than the near one (the full
            net; `uncertainty.UncertaintyModel.turn_away_deg` > 0): the turned-camera warning names that leg.
    """
    warnings: list[str] = []
    info: list[str] = []
    if not view.frames:
        return warnings, info
    yaw, pitch, roll = view.yaw_deg, view.pitch_deg, view.roll_deg
    if abs(yaw) >= SETUP_LIMITS["yaw"][0]:
        side = "left" if yaw > 0 else "right"
        other = "right" if side == "left" else "left"
        text = f"camera about {abs(yaw):.0f}° to the person's {side}"
        if abs(yaw) >= SETUP_LIMITS["yaw"][1]:
            # rendered people, |yaw| 10-33°: with the full net the leg away from the camera read -4.0°, the other
            # -1.3° (docs/rotation-accuracy.md, "A turned camera, third pass"); with heavy -1.9° and -1.5° (78 and
            # 73 legs; up to -5° at large angles on both: "The heavy landmarks' own uncertainty constants")
            legs = (f"the {other} leg, away from the camera, can read low by a few degrees (the {side} leg less)"
                    if away_leg_lower else "both legs can read low by a few degrees, more at large angles")
            warnings.append(f"{text} (corrected, but less certain): {legs}; place the camera straight in "
                            "front of the knees")
        else:
            info.append(f"{text}, corrected")
    if abs(pitch) >= SETUP_LIMITS["pitch"][0]:
        where = "above" if pitch > 0 else "below"
        text = f"camera about {abs(pitch):.0f}° {where} knee height"
        if abs(pitch) >= SETUP_LIMITS["pitch"][1]:
            move = "lower" if pitch > 0 else "raise"
            # from above, feet tucked a little under the seat read high (synthetic and rendered people 40-55°
            # above: +1.8° / +2.0° on average, up to +11° at 50°; docs/rotation-accuracy.md, "A camera high above
            # the knees"); from below the same tuck reads low, but that was not seen on rendered people
            # from STEEP_PITCH_DEG up, rendered people 40-51° above (40 legs, heavy) read +3.0° on average, more
            # than 5° for 1 in 6, up to +11.2° (docs/rotation-accuracy.md, "Heavy's uncertainty fitted to heavy")
            steep = pitch >= STEEP_PITCH_DEG
            how = ("both legs" if pitch < 0 else
                   "both legs can read high, by about 3° and up to about 10° from this high" if steep else
                   "both legs can read high by a few degrees, more at large angles")
            warnings.append(f"{text} (corrected, but less certain): {how}; {move} the camera to knee height, "
                            "about 2 m in front of the knees")
        else:
            info.append(f"{text}, corrected")
    if abs(roll) >= SETUP_LIMITS["roll"][0]:
        text = f"camera tilted {abs(roll):.0f}°"
        if abs(roll) >= SETUP_LIMITS["roll"][1]:
            warnings.append(f"{text} (corrected, but less certain): one leg can read high and the other low by "
                            "as much as the tilt is misjudged; level the camera")
        else:
            info.append(f"{text}, corrected")
    # a camera above or below the knees sees the hanging shank foreshortened by cos(pitch): that is the height
    # warning's business, not the person's size (from 45° above a shank 2 m away showed 49 px, not 70)
    upright_px = shank_px / max(np.cos(np.radians(pitch)), 0.1)
    if np.isfinite(shank_px) and upright_px < SETUP_LIMITS["shank_px"][1]:
        away = f", about {view.focal_px * SHANK_M / upright_px:.1f} m away" if shank_px > 0 else ""
        warnings.append(f"person small in the picture (shank {shank_px:.0f} px{away}): both legs less certain; "
                        "move the camera to 1.5-2.5 m or film at a higher resolution")
    return warnings, info


# ---------------------------------------------------------------- what next, after a result

#: A held angle with a 95% half-width above this cannot tell the classes apart (held ± it spans more than the
#: whole 30-45° band): the leg is measured again before any training advice is given on it.
MAX_ADVICE_UNCERTAINTY_DEG = 7.5
#: How to record the seated test (the command's set-up), said when a leg has to be measured again.
RERECORD_HOW = ("How to record: camera at knee height, 1.5-2.5 m straight in front, whole body in view; "
                "turn each foot outward as far as you can (the knee stays put) and hold it 1-2 s")
#: The training advice per class of a leg (`summary.class_with_uncertainty`, "borderline (≈30°)" etc.).
_TRAINING = {
    "limited": "limited: do the quadruped hip circles, 5 each way, then re-test (same camera, same set-up)",
    "borderline (≈30°)": "borderline at 30°: do the quadruped hip circles, 5 each way, then re-test "
                         "(same camera, same set-up)",
    "functional": "good enough: do the hip circles, 5 each way, to work toward 45°",
    "borderline (≈45°)": "about at the 45° target: do the hip circles, 5 each way, to get clearly past 45°",
    "target": "at the target: keep it; the hip circles now and then keep it there",
}
_WHY_AGAIN = {
    "no effort": "did not turn (no effort seen)",
    "not held": "turned but did not hold it for the hold time",
    "not seen": "was not seen long enough to measure",
}


@dataclass(frozen=True)
class LegReading:
    """What the advice needs of one leg: ``status`` (`status.STATUSES`), held angle and its 95% half-width,
    degrees (NaN when not measured / not known); ``unmeasured``: where and why frames were not measured where an
    effort may have been (`status.UnmeasuredHold.why`), else None."""

    side: str
    status: str
    held_deg: float
    uncertainty_deg: float
    unmeasured: str | None = None


def certainty_word(held_deg: float, uncertainty_deg: float | None) -> str | None:
    """How sure a held value is, in one word for a label or a spoken cue: "unsure" when its 95% half-width is
    above `MAX_ADVICE_UNCERTAINTY_DEG` (too unsure to class), "borderline" when held ± it straddles 30° or
    45°, else None (also when the uncertainty is not known)."""
    if uncertainty_deg is None or not math.isfinite(uncertainty_deg):
        return None
    if uncertainty_deg > MAX_ADVICE_UNCERTAINTY_DEG:
        return "unsure"
    return "borderline" if borderline_mark(held_deg, uncertainty_deg) is not None else None


def _measure_again_why(leg: LegReading) -> str | None:
    """Why ``leg`` must be measured again before training advice (None: it need not)."""
    if leg.status == "not held" and leg.unmeasured:
        return f"turned, but its hold was not measured ({leg.unmeasured})"
    if leg.status == "not seen" and leg.unmeasured:
        return f"was not measured where it may have turned ({leg.unmeasured})"
    if leg.status == "measured" and leg.unmeasured and math.isfinite(leg.held_deg):
        return f"reads {leg.held_deg:.0f}° but was not measured where a larger effort may have been ({leg.unmeasured})"
    if leg.status != "measured" or not math.isfinite(leg.held_deg):
        return _WHY_AGAIN.get(leg.status, "was not measured")
    if certainty_word(leg.held_deg, leg.uncertainty_deg) == "unsure":
        return f"reads {leg.held_deg:.0f}° ± {leg.uncertainty_deg:.0f}°, too unsure to class"
    return None


def next_steps(legs: Sequence[LegReading]) -> tuple[str, ...]:
    """What to do next after a seated IR result, in plain words, one step a line.

    A leg that did not turn, was not held or seen, or is too unsure (> `MAX_ADVICE_UNCERTAINTY_DEG`)
    comes first: measure again, and how; no training advice is given on such a result. Otherwise one
    line per leg by its class with its uncertainty: limited or borderline at 30° → the hip circles and
    a re-test; functional or borderline at 45° → the circles toward 45°; target → keep it.
    """
    again = [(leg.side, why) for leg in legs if (why := _measure_again_why(leg)) is not None]
    if again:
        whys = "; ".join(f"the {side} leg {why}" for side, why in again)
        return f"Record the seated test again before any training advice: {whys}.", f"{RERECORD_HOW}."
    steps = []
    for leg in legs:
        cls = class_with_uncertainty(leg.held_deg, leg.uncertainty_deg)
        held = f"{leg.held_deg:.1f}°" + (f" ± {leg.uncertainty_deg:.1f}°" if math.isfinite(leg.uncertainty_deg) else "")
        steps.append(f"{leg.side.capitalize()} leg {held}, {_TRAINING[cls]}.")
    return tuple(steps)
