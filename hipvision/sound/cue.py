"""`Cue`: one sound cue of the live view (a counted circle, a finished set, a recorded hold)."""

from __future__ import annotations

from dataclasses import dataclass

#: Cue kinds: a circle was counted, a direction's set is complete, a hold of ≥ 1 s was recorded.
CIRCLE, SET_DONE, HOLD = "circle", "set_done", "hold"
KINDS = (CIRCLE, SET_DONE, HOLD)


@dataclass(frozen=True)
class Cue:
    """A sound cue, decided when the live view showed what it announces.

    Attributes:
        t_s: seconds on the source's clock (the frame time at which the view showed it).
        kind: one of `KINDS`.
        text: what is spoken ("three", "set done, now the other way", "left held, 38 degrees").
        direction: "clockwise" / "counterclockwise" for circle and set cues (it picks the tone), else None.
        leg: "left" / "right" for hold cues, else None.
    """

    t_s: float
    kind: str
    text: str
    direction: str | None = None
    leg: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown cue kind {self.kind!r}")

    def to_dict(self) -> dict:
        """``{t_s, kind, text}`` plus ``direction`` or ``leg`` when set (the live JSON's ``cues``)."""
        out = {"t_s": round(float(self.t_s), 3), "kind": self.kind, "text": self.text}
        if self.direction is not None:
            out["direction"] = self.direction
        if self.leg is not None:
            out["leg"] = self.leg
        return out
