"""What to do next after a set of hip circles, in plain words (`next_steps`).

Pure rules on what the result already holds: the counts' confidence, what the set is missing, and the
circles' cues (`quality.verdict`). The start position has its own line in every view and is not repeated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from hipvision.core.circles.quality import NOT_JUDGED

GOOD = "good circle"
#: The last step after a finished set counted with confidence (left out inside a session, which re-tests).
SET_DONE = "Set done: re-test the seated rotation (same camera, same set-up) to see what it changed."
_NAMES = {"clockwise": "clockwise", "counterclockwise": "counter-clockwise"}
#: The step where the poses, not the recording, are what to change (`next_steps`' ``poses_only``).
RERUN = ("run hipvision on the video itself (or extract its poses again), which measures the image growth around the "
         "hips these poses lack; no need to record again")


def next_steps(*, total: int, confidence: str, missing: Mapping[str, int], verdicts: Sequence[str],
               target_per_direction: int, poses_only: bool = False) -> tuple[str, ...]:
    """The next steps after a circles result, one step a line.

    Args:
        total: circles counted. confidence: "high" or "low" (`confidence.Confidence.level`).
        missing: circles still to do per direction ("clockwise", "counterclockwise") to finish the set.
        verdicts: the cue of each counted circle ("good circle", "make the circle bigger", ...).
        target_per_direction: circles per direction in the set.
        poses_only: the only change the confidence asks for is the input's (`confidence.NO_GROWTH_CHANGE`: poses
            saved without the image growth, read from a camera already in the right place): the step is to analyse
            the video again, not to record again.

    No circles → how to do them (after the confidence's changes when low); low confidence → record again after
    the changes the confidence lists; an unfinished set → what is left (with low confidence: if the counts are
    right, which the person should check); the most frequent cue (not `NOT_JUDGED`)
    → the focus of the next set; a finished set counted with confidence → re-test the seated rotation.
    """
    if total == 0:
        how = (f"on hands and knees, circle the hips as large as you can, {target_per_direction} each way, the whole "
               "body in view.")
        if confidence != "high" and poses_only:
            return (f"No circle was counted, but from these poses some may have been missed: {RERUN}.",)
        if confidence != "high":  # circles may have been missed: first the changes the confidence lists
            return (f"No circle was counted, but from this recording some may have been missed: make the changes "
                    f"listed under confidence, then record again ({how[:-1]}).",)
        return (f"No circle was counted: {how}",)
    steps = []
    if confidence != "high" and poses_only:
        steps.append(f"The circle counts are unsure from these poses: {RERUN}.")
    elif confidence != "high":
        steps.append("The circle counts are unsure: make the changes listed under confidence, then record the set "
                     "again.")
    todo = [f"{n} more {_NAMES.get(k, k)}" for k, n in missing.items() if n > 0]
    if todo and confidence == "high":
        steps.append(f"Finish the set of circles: {' and '.join(todo)}.")
    elif todo:  # what is left follows from counts that may be wrong: said as such, not as an instruction
        steps.append(f"If the counts are right, the set still needs {' and '.join(todo)}: check them on the video.")
    cues = Counter(v for v in verdicts if v not in (GOOD, NOT_JUDGED))
    if cues:
        cue, n = cues.most_common(1)[0]
        steps.append(f"In the next set of circles, {cue} (the cue for {n} of {len(verdicts)} circles).")
    if confidence == "high" and not todo:
        steps.append(SET_DONE)
    return tuple(steps)
