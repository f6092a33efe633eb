"""What a before/after change means and what to do next after a session, in plain words.

A change of held IR between two seated measurements is only called a gain or a loss when it is at least
its combined 95% uncertainty (root sum of squares of the two measurements' half-widths, as
`rotation.uncertainty.asymmetry_verdict` does for left vs right); a smaller one is "no clear change".
The per-result advice lives beside each analysis (`rotation.advice.next_steps`, `circles.advice.next_steps`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hipvision.core.rotation.uncertainty import combined_uncertainty_deg

GAINED, LOST, NO_CLEAR_CHANGE = "gained", "lost", "no clear change"


@dataclass(frozen=True)
class Change:
    """Held IR after minus before for one leg, degrees (None: not known), and its combined 95% half-width
    (NaN: not known; then any non-zero change counts)."""

    side: str
    change_deg: float | None
    uncertainty_deg: float = math.nan

    @staticmethod
    def of(side: str, change_deg: float | None, before_unc: float | None, after_unc: float | None) -> Change:
        """The change with the combined uncertainty of the before and after measurements (None = unknown)."""
        nan = math.nan
        return Change(side, change_deg, combined_uncertainty_deg(nan if before_unc is None else before_unc,
                                                                 nan if after_unc is None else after_unc))

    @property
    def verdict(self) -> str | None:
        """"gained" / "lost" when |change| ≥ its uncertainty, "no clear change" when smaller (or 0), None
        when the change is not known."""
        if self.change_deg is None or not math.isfinite(self.change_deg):
            return None
        if self.change_deg == 0 or (math.isfinite(self.uncertainty_deg) and abs(self.change_deg) < self.uncertainty_deg):
            return NO_CLEAR_CHANGE
        return GAINED if self.change_deg > 0 else LOST

    @property
    def text(self) -> str | None:
        """"gained 6.0° ± 4.5°", "lost 5.0°", "no clear change (+2.0°, within ± 4.7°)"; None when unknown."""
        verdict = self.verdict
        if verdict is None:
            return None
        known = math.isfinite(self.uncertainty_deg)
        if verdict == NO_CLEAR_CHANGE:
            within = f", within ± {self.uncertainty_deg:.1f}°" if known else ""
            return f"{NO_CLEAR_CHANGE} ({self.change_deg:+.1f}°{within})"
        return f"{verdict} {abs(self.change_deg):.1f}°" + (f" ± {self.uncertainty_deg:.1f}°" if known else "")


def session_next_steps(changes: Sequence[Change], *, credited: bool, after: Sequence[str] = (),
                       circles: Sequence[str] = ()) -> tuple[str, ...]:
    """What to do next after a session, one step a line.

    Args:
        changes: the IR change per leg (`Change`).
        credited: the change may be put down to the circles (`session.circles_credit`).
        after: the advice on the last seated measurement (`rotation.advice.next_steps`).
        circles: the advice on the circles phase(s) (`circles.advice.next_steps`, without the re-test).

    A loss → check the set-up was the same and re-test; only no clear change → keep on and compare
    over several sessions; a gain after circles counted with confidence → keep them; then `circles`
    and `after`.
    """
    known = [c for c in changes if c.verdict is not None]
    steps = []
    for c in known:
        if c.verdict == LOST:
            steps.append(f"The {c.side} leg {c.text}: check that the camera and the seat were the same both "
                         "times, then re-test.")
    if known and all(c.verdict == NO_CLEAR_CHANGE for c in known):
        steps.append("No clear change yet (within what the measurement can tell): keep doing the circles and "
                     "compare over several sessions, same camera and set-up.")
    gained = [c.side for c in known if c.verdict == GAINED]
    if gained and credited:
        legs = " and ".join(gained)
        steps.append(f"The {legs} leg{'s' if len(gained) > 1 else ''} gained after the circles: keep them in "
                     "the routine.")
    return (*steps, *circles, *after)
