"""Which sound cues to give, and when: decided from what the live view shows, never ahead of it.

* a circle: each time a direction's count shown goes up (its tone says the direction, the words the count);
* a set done: when a direction's count shown first reaches the set's target ("set done, now the other way");
* a hold: when a leg's held value shown (a hold of at least the minimum hold time, as the view decides it)
  is new in whole degrees and has stayed on the view for `HOLD_SETTLE_S` ("left held, 38 degrees"): one cue
  per hold, not one per step while a longer hold raises the value. A value under `MIN_EFFORT_DEG` is the leg
  at rest (the live session's view shows that level too), not an effort: it is not spoken. A value whose
  uncertainty shown makes it borderline at 30° or 45° ends in ", borderline", one too unsure to class
  (`hipvision.core.rotation.advice.certainty_word`) in ", unsure" (`hold_note`).

`CueDecider` turns successive shown states into `hipvision.sound.Cue` events (pure, no sound);
`CuedAnalyzer` wraps a live analyzer for `run_live` and feeds its decider after every frame: the counts
from the analyzer's ``shown`` timeline (`CirclesLive`, `SessionLive`) and the held values from its
``held_shown_deg`` and ``held_shown_uncertainty_deg`` (`RotationLive`, `SessionLive`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from hipvision.core.circles.recount import DIRECTIONS
from hipvision.core.rotation.advice import certainty_word
from hipvision.core.rotation.summary import EFFORT_ENTER_DEG
from hipvision.landmarks import SIDES
from hipvision.sound import CIRCLE, HOLD, SET_DONE, Cue, number_word

if TYPE_CHECKING:
    from hipvision.pose import FramePose


#: A leg's new held value is spoken once the view has shown it this long, seconds (the seated view
#: refreshes its held values every second: a value is spoken when the next refresh keeps it)
HOLD_SETTLE_S = 1.0
#: Held values below this are a leg at rest, not an effort, degrees (where an effort starts:
#: `hipvision.core.rotation.summary.find_efforts`'s ``enter_deg``).
MIN_EFFORT_DEG = EFFORT_ENTER_DEG


def hold_note(held_deg: float, uncertainty_deg: float | None) -> str:
    """What the spoken hold cue adds after the degrees: ", unsure" or ", borderline" (`certainty_word`),
    else nothing."""
    word = certainty_word(held_deg, uncertainty_deg)
    return f", {word}" if word else ""


class CueDecider:
    """Cues from the shown states, in the order they are shown.

    Args:
        target_per_direction: circles per direction in a set (the set cue comes when a count reaches it);
            None = no set cues.
        hold_settle_s: seconds a leg's new held value must stay shown before it is spoken.
    """

    def __init__(self, *, target_per_direction: int | None = 5, hold_settle_s: float = HOLD_SETTLE_S) -> None:
        self.target = target_per_direction
        self.hold_settle_s = hold_settle_s
        self.cues: list[Cue] = []
        self.reset_counts()
        self._spoken: list[int | None] = [None] * len(SIDES)   # per leg: the held value last spoken, degrees
        self._pending: list[tuple[int, float] | None] = [None] * len(SIDES)  # (value shown, since when)

    def reset_counts(self) -> None:
        """The counts start again from 0 (a reset): circles and sets are announced anew."""
        self._counts = dict.fromkeys(DIRECTIONS, 0)
        self._sets_done: set[str] = set()

    def counts(self, t_s: float, shown: Mapping[str, int]) -> list[Cue]:
        """The view shows ``shown`` (circles per direction) from ``t_s`` (seconds) on; returns the new cues.

        One circle cue per circle counted (a count that jumps from 2 to 4 gives "three" and "four"); a count
        going down (the analysis revised it, or a reset) is followed silently."""
        new: list[Cue] = []
        for d in DIRECTIONS:
            n = int(shown.get(d, 0))
            new += [Cue(t_s, CIRCLE, number_word(k), direction=d) for k in range(self._counts[d] + 1, n + 1)]
            if self.target is not None and n >= self.target and d not in self._sets_done:
                self._sets_done.add(d)
                rest = "now the other way" if len(self._sets_done) < len(DIRECTIONS) else "both ways done"
                new.append(Cue(t_s, SET_DONE, f"set done, {rest}", direction=d))
            elif self.target is not None and n < self.target:
                self._sets_done.discard(d)
            self._counts[d] = n
        self.cues += new
        return new

    def held(self, t_s: float, held_deg: Sequence[float],
             uncertainty_deg: Sequence[float] | None = None) -> list[Cue]:
        """The view shows the held values ``held_deg`` (left, right; NaN = none shown) at ``t_s``, with their
        95% half-widths ``uncertainty_deg`` (None: not known); returns the new cues: one per leg whose value,
        in whole degrees, differs from the one last spoken and has been shown since at least
        ``hold_settle_s`` ago ("left held, 38 degrees", + `hold_note`). A leg shown without a value (a new
        trial or seated phase) is spoken afresh."""
        unc = [None] * len(SIDES) if uncertainty_deg is None else list(uncertainty_deg)
        new: list[Cue] = []
        for k, (leg, value) in enumerate(zip(SIDES, held_deg)):
            if not np.isfinite(value):
                self._spoken[k] = self._pending[k] = None
                continue
            deg = int(round(float(value)))
            if value < MIN_EFFORT_DEG or deg == self._spoken[k]:
                self._pending[k] = None
                continue
            if self._pending[k] is None or self._pending[k][0] != deg:
                self._pending[k] = (deg, t_s)
            if t_s - self._pending[k][1] >= self.hold_settle_s:
                self._spoken[k], self._pending[k] = deg, None
                new.append(Cue(t_s, HOLD, f"{leg} held, {deg} degrees{hold_note(float(value), unc[k])}", leg=leg))
        self.cues += new
        return new


class CuedAnalyzer:
    """A live analyzer (`hipvision.live.LiveAnalyzer`) that also gives sound cues: pass it to `run_live`
    in place of ``analyzer``; everything but `update` is the analyzer's own.

    After each frame's update it hands what the view now shows to a `CueDecider` and each new cue to
    ``on_cue`` (e.g. `hipvision.sound.CuePlayer.play`). ``cues`` lists every cue given; ``end_s`` is the last
    frame's time.
    """

    def __init__(self, analyzer: Any, *, target_per_direction: int | None = 5,
                 on_cue: Callable[[Cue], None] | None = None) -> None:
        self.analyzer = analyzer
        self.decider = CueDecider(target_per_direction=target_per_direction)
        self.on_cue = on_cue
        self.end_s = 0.0
        self._shown: list[dict] | None = None  # the analyzer's shown timeline (a new list after a reset)
        self._seen = 0                          # its entries already decided on

    @property
    def cues(self) -> list[Cue]:
        return self.decider.cues

    def update(self, pose: "FramePose") -> None:
        self.analyzer.update(pose)
        t_s = float(pose.timestamp_s)
        self.end_s = max(self.end_s, t_s)
        new = self._count_cues() + self._hold_cues(t_s)
        if self.on_cue is not None:
            for cue in new:
                self.on_cue(cue)

    def _count_cues(self) -> list[Cue]:
        shown = getattr(self.analyzer, "shown", None)
        if shown is None:
            return []
        if shown is not self._shown:  # reset (R): a fresh timeline
            self._shown, self._seen = shown, 0
            self.decider.reset_counts()
        new: list[Cue] = []
        for entry in shown[self._seen:]:
            new += self.decider.counts(float(entry["t_s"]), entry)
        self._seen = len(shown)
        return new

    def _hold_cues(self, t_s: float) -> list[Cue]:
        held = getattr(self.analyzer, "held_shown_deg", None)
        return [] if held is None else self.decider.held(t_s, held,
                                                         getattr(self.analyzer, "held_shown_uncertainty_deg", None))

    def __getattr__(self, name: str) -> Any:  # title, draw_scene, draw_hud, on_key, result, ...
        return getattr(self.__dict__["analyzer"], name)
