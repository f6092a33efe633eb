"""What the camera set-up did to the seated IR measurement: warnings when it costs accuracy, information
when it was simply corrected.

A *warning* names the leg(s) affected and how to place the camera; *information* ("camera tilted 5°,
corrected") says what the analysis corrected at no real cost. Thresholds (`SETUP_LIMITS`) follow the
uncertainty terms of `uncertainty`: a warning when a set-up alone adds about a degree or more
to a leg's 95% half-width, or when rendered people read off by several degrees in that set-up
(docs/rotation-accuracy.md).
"""

from __future__ import annotations

import numpy as np

from hipvision.core.rotation.view import CameraView

#: (information from, warning from): degrees of camera angle; for "shank_px", pixels (warning below).
SETUP_LIMITS: dict[str, tuple[float, float]] = {
    "yaw": (3.0, 10.0),       # camera off to one side
    "pitch": (10.0, 20.0),    # camera above or below knee height
    "roll": (3.0, 6.0),       # camera tilted about its axis
    "shank_px": (0.0, 70.0),  # shank shorter than this in the picture: person small / far away
}
#: A typical adult shank (knee → ankle landmark), metres, to turn a shank's image length into a distance.
SHANK_M = 0.43


def setup_advice(view: CameraView, shank_px: float) -> tuple[list[str], list[str]]:
    """(warnings, information) about the camera set-up.

    Args:
        view: the fitted camera view (its sign conventions: yaw + = camera to the person's left,
            pitch + = camera above knee height, roll + = camera turned clockwise seen from behind it).
        shank_px: median image length of the shanks while measured, pixels (NaN = not known).
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
            warnings.append(f"{text} (corrected, but less certain): the {side} leg can read high and the "
                            f"{other} leg low by a few degrees; place the camera straight in front of the knees")
        else:
            info.append(f"{text}, corrected")
    if abs(pitch) >= SETUP_LIMITS["pitch"][0]:
        where = "above" if pitch > 0 else "below"
        text = f"camera about {abs(pitch):.0f}° {where} knee height"
        if abs(pitch) >= SETUP_LIMITS["pitch"][1]:
            move = "lower" if pitch > 0 else "raise"
            warnings.append(f"{text} (corrected, but less certain): both legs; {move} the camera to knee height")
        else:
            info.append(f"{text}, corrected")
    if abs(roll) >= SETUP_LIMITS["roll"][0]:
        text = f"camera tilted {abs(roll):.0f}°"
        if abs(roll) >= SETUP_LIMITS["roll"][1]:
            warnings.append(f"{text} (corrected, but less certain): one leg can read high and the other low by "
                            "as much as the tilt is misjudged; level the camera")
        else:
            info.append(f"{text}, corrected")
    if np.isfinite(shank_px) and shank_px < SETUP_LIMITS["shank_px"][1]:
        away = f", about {view.focal_px * SHANK_M / shank_px:.1f} m away" if shank_px > 0 else ""
        warnings.append(f"person small in the picture (shank {shank_px:.0f} px{away}): both legs less certain; "
                        "move the camera to 1.5-2.5 m or film at a higher resolution")
    return warnings, info
