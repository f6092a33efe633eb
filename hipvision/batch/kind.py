"""Which analysis a recording needs, found from the posture when nobody said.

A seated phase and an on-all-fours phase, each at least ``min_phase_s`` long, make a
whole session; only on all fours: hip circles; only seated: the seated IR test. A phase the posture
classifier calls neither is seated when the seated test says so (`hipvision.core.session.seated_after_all`,
as the session analysis decides: a camera well above the knees).
"""

from __future__ import annotations

from hipvision.core.posture import QUADRUPED, SEATED, segment_postures
from hipvision.core.session import seated_after_all
from hipvision.errors import InputError
from hipvision.sequence import PoseSequence


def detect_kind(seq: PoseSequence, *, min_phase_s: float = 3.0, min_run_s: float = 1.0) -> str:
    """``"session"``, ``"circles"`` or ``"rotation"`` for ``seq``, from its posture phases
    (`hipvision.core.posture.segment_postures`, with the session analysis's ``min_run_s``).

    Args:
        min_phase_s: a posture counts only in phases at least this long, seconds (the session's
            shortest analysed phase).

    Raises:
        InputError: no seated and no on-all-fours phase that long.
    """
    phases = segment_postures(seq, min_run_s=min_run_s)
    long = {SEATED if any(result is not None for _, result in seated_after_all(seq, p, min_phase_s=min_phase_s))
            else p.kind for p in phases if p.duration_s >= min_phase_s}
    if SEATED in long and QUADRUPED in long:
        return "session"
    if QUADRUPED in long:
        return "circles"
    if SEATED in long:
        return "rotation"
    raise InputError(f"cannot tell the kind of recording: no seated or on-all-fours phase of {min_phase_s:g} s "
                     "or more (give it with --kind or a manifest 'kind' column)")
