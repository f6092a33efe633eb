"""The annotated video of a whole session: each phase drawn with its own analysis's overlay.

Analysed seated phases get the seated overlay (`RotationAnnotator`), analysed phases on hands and knees
the circles overlay (`CirclesAnnotator`), every other frame the skeleton; a small panel bottom-right
names the phase (and, in a later seated phase, the "before" values).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Callable

import numpy as np

from hipvision import draw
from hipvision.core.circles import CirclesResult, CirclesSettings
from hipvision.core.posture import QUADRUPED, SEATED
from hipvision.core.rotation import RotationResult
from hipvision.core.rotation.uncertainty import held_text
from hipvision.core.session import SessionResult, held_deg
from hipvision.draw.circles import CirclesAnnotator
from hipvision.draw.rotation import RotationAnnotator

if TYPE_CHECKING:
    from hipvision.io.sources import Frame
    from hipvision.sequence import PoseSequence

_NAMES = {SEATED: "seated IR", QUADRUPED: "hip circles"}


def before_lines(before: Mapping[str, RotationResult | None]) -> list[str]:
    """The status panel's "before" lines in a later seated phase: "before:", then one line per leg with its
    held angle and 95% half-width ("L 25° ± 4°"; "L --" for a leg not measured) from that leg's result in
    ``before`` (side → the seated phase the change starts from, `compared_phases`), so that a leg's value is
    never wrapped away from its letter in the narrow panel."""
    lines = ["before:"]
    for side in ("left", "right"):
        rotation = before.get(side)
        value = held_deg(rotation, side)
        text = "--" if value is None else held_text(value, rotation.leg(side).uncertainty_deg, digits=0)
        lines.append(f"{side[0].upper()} {text}")
    return lines


@dataclasses.dataclass(frozen=True)
class _Part:
    """Frames ``start:stop`` of the recording (one phase) and how to draw them."""

    start: int
    stop: int
    lines: tuple[str, ...]
    draw_frame: Callable[["Frame"], None] | None  # indexed from ``start``; None = skeleton only
    analysed_from: int  # first frame of the phase's analysis (its edges are trimmed)


class SessionAnnotator:
    """``draw(frame)`` for `hipvision.io.video_out.annotate_video` over the recording a session came from.

    Args:
        seq: the whole recording's poses (one row per frame of the video).
        result: `analyze_session` of ``seq``.
        circles: the settings the circles were analysed with (the set's target per direction).
    """

    def __init__(self, seq: "PoseSequence", result: SessionResult, *,
                 circles: CirclesSettings = CirclesSettings()) -> None:
        self.seq = seq
        self.parts: list[_Part] = []
        n = len(result.phases)
        pairs = {side: pair for side, pair in result.compared_phases.items() if pair}
        before = {side: result.phases[pair[0]].result for side, pair in pairs.items()}
        # the re-test: seated phases after the circles (without circles, after the first compared phase)
        on_all_fours = [k for k, p in enumerate(result.phases) if p.kind == QUADRUPED and p.status != "too_short"]
        last_before = on_all_fours[0] if on_all_fours else min((pair[0] for pair in pairs.values()), default=None)
        for k, phase in enumerate(result.phases, start=1):
            lines = [f"phase {k} of {n}: {_NAMES.get(phase.kind, 'between positions')}"]
            if phase.status != "analysed" and phase.kind in _NAMES:
                lines.append(phase.status.replace("_", " "))
            if phase.kind == SEATED and pairs and last_before is not None and k - 1 > last_before:
                lines += before_lines(before)
            drawer, offset = self._analysis_drawer(phase.result, circles)
            self.parts.append(_Part(phase.start_index, phase.stop_index, tuple(lines), drawer,
                                    phase.start_index if offset is None else offset))

    def _analysis_drawer(self, result, circles: CirclesSettings):
        """The phase's overlay and the recording frame its analysis starts at (None, None if not analysed)."""
        if not isinstance(result, (RotationResult, CirclesResult)) or len(result.t_s) == 0:
            return None, None
        start = int(np.searchsorted(self.seq.timestamps_s, result.t_s[0]))
        sub = self.seq.slice(start, start + len(result.t_s))
        if isinstance(result, RotationResult):
            return RotationAnnotator(sub, result), start
        return CirclesAnnotator(sub, result, settings=circles), start

    def __call__(self, frame: "Frame") -> None:
        i = int(frame.index)
        if not 0 <= i < len(self.seq):
            return
        part = next((p for p in self.parts if p.start <= i < p.stop), None)
        local = i - part.analysed_from if part is not None else -1
        if part is not None and part.draw_frame is not None and 0 <= local < part.stop - part.analysed_from:
            part.draw_frame(dataclasses.replace(frame, index=local))
        elif self.seq.detected[i]:
            draw.draw_skeleton(frame.image, self.seq.image[i], self.seq.visibility[i])
        if part is not None:
            draw.draw_status_panel(frame.image, list(part.lines))  # bottom-right, clear of the overlays
