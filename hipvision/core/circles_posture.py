"""Hip circles counted on a recording of another posture (seated, standing): say so (`check_circles_posture`).

The circles analysis of a seated test finds nobody on hands and knees and, by its own reasons, asks for "more
of the body in view, camera a little higher": a wrong cause. When the person was mostly in another posture
(`posture_check.posture_mismatch`), the result is low confidence for that one reason, its first warning says
which posture and which command analyses it, and its only next step is that command.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from hipvision.core.circles import CirclesResult
from hipvision.core.circles.confidence import Confidence, Reason
from hipvision.core.posture import QUADRUPED
from hipvision.core.posture_check import PostureMismatch, posture_mismatch
from hipvision.sequence import PoseSequence


@dataclass
class CirclesInWrongPosture(CirclesResult):
    """A `CirclesResult` of a recording mostly in another posture (``posture``); JSON ``posture_mismatch``."""

    posture: PostureMismatch | None = None

    @property
    def next_steps(self) -> tuple[str, ...]:
        return (self.posture.next_step,) if self.posture is not None else super().next_steps

    def to_dict(self) -> dict:
        return {**super().to_dict(), "posture_mismatch": None if self.posture is None else self.posture.to_dict()}


def with_posture(result: CirclesResult, posture: PostureMismatch) -> CirclesInWrongPosture:
    """``result`` saying that the recording was in ``posture.found``: low confidence, as a whole and per set, for
    that reason alone (the analysis's own reasons name other causes; what to do is the warning's and the next
    step's), its warning first."""
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(CirclesResult)}
    confidence = Confidence.of([Reason(posture.fact)])
    fields.update(warnings=[posture.warning, *result.warnings], confidence=confidence,
                  sets=[dataclasses.replace(st, confidence=confidence) for st in result.sets])
    return CirclesInWrongPosture(**fields, posture=posture)


def check_circles_posture(result: CirclesResult, seq: PoseSequence) -> CirclesResult:
    """``result`` (of `analyze_circles` on ``seq``), or, when ``seq`` was mostly in another posture than on hands
    and knees, `with_posture` of it."""
    posture = posture_mismatch(seq, QUADRUPED)
    return result if posture is None else with_posture(result, posture)
