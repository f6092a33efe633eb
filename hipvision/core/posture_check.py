"""Was the person in the posture the analysis measures? `posture_mismatch` names the posture they were in.

A seated test analysed from a hands-and-knees video (or hip circles from a seated one) finds nothing to
measure, and its own reasons ("not visible", "camera a little higher") then name the wrong cause. The frames'
postures (`posture.classify_frames`, the classifier the session uses) tell the truth: when the posture the
analysis needs is rare (under `MAX_EXPECTED_SHARE` of the frames) and one other posture took most of them (at
least `MIN_FOUND_SHARE`), the result says which, in how many of the frames, and which command analyses it.

"standing" is not a posture of its own to the classifier (it is "other"): an "other" frame is described as
standing when the body is upright with the thighs and shanks hanging (`STANDING`, the classifier's features and
rule matching), so that a standing person is not told they were "neither seated nor on hands and knees".
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass

import numpy as np

from hipvision.core.posture import (
    OTHER, POSTURES, QUADRUPED, SEATED, PostureFeatures, _matches, classify_frames, posture_features,
)
from hipvision.sequence import PoseSequence

STANDING = "standing"
#: An "other" frame is standing when these hold (degrees, `posture.PostureFeatures`): upright torso, thighs and
#: shanks hanging (kneeling upright has the shank on the floor, 90°; seated, the thigh is horizontal).
STANDING_RULES: dict[str, tuple[float, float]] = {
    "torso_tilt_deg": (0.0, 35.0), "thigh_drop_deg": (0.0, 40.0), "shank_drop_deg": (0.0, 40.0)}
#: The posture an analysis needs in under this share of the frames (0..1) ...
MAX_EXPECTED_SHARE = 0.3
#: ... and another one in at least this share: the recording is of that other posture.
MIN_FOUND_SHARE = 0.5

#: How each posture reads in a sentence ("you were ... in 97% of the frames").
PHRASE = {SEATED: "seated", QUADRUPED: "on hands and knees", STANDING: "standing"}
#: How the commands a mismatch names take their input (`PostureMismatch.command_input`): a recording. A live run
#: names its own (the command line sets it, e.g. "--camera 0").
RECORDING = "VIDEO"


def shell_word(text: str) -> str:
    """``text`` as one word of a shell command, to quote inside a message that puts the command in single quotes:
    as it is when the shell needs no quotes, else in double quotes ("my clip.mp4")."""
    if shlex.quote(text) == text:
        return text
    return '"' + "".join("\\" + c if c in '"$`\\' else c for c in text) + '"'


def file_input(video: str | os.PathLike) -> str:
    """How a command run on the file ``video`` takes its input, for the commands a result names
    (`PostureMismatch.command_input`): the path as given (`shell_word`)."""
    return shell_word(str(video))


#: What a recording in each posture looks like, and the commands that analyse it ({input}: ``command_input``).
_LOOKS_LIKE = {
    QUADRUPED: "this looks like a hip-circles recording: run 'hipvision circles {input}' (or 'hipvision session "
               "{input}' for test → circles → re-test)",
    SEATED: "this looks like a seated IR test: run 'hipvision rotation {input}' (or 'hipvision session {input}' for "
            "test → circles → re-test)",
    STANDING: "record the movement itself: seated on a table edge for 'hipvision rotation', on hands and knees "
              "for 'hipvision circles'",
}


@dataclass(frozen=True)
class PostureMismatch:
    """The recording was mostly in another posture than the analysis measures.

    Attributes:
        expected: the posture the analysis needs ("seated" or "quadruped").
        found: the posture most frames were in ("seated", "quadruped" or "standing").
        share: 0..1, the share of all frames in ``found``.
        expected_share: 0..1, the share of all frames in ``expected``.
        command_input: how the commands `advice` names take their input: `RECORDING` ("VIDEO"), or a live run's
            (e.g. "--camera 0"); not in the JSON.
    """

    expected: str
    found: str
    share: float
    expected_share: float
    command_input: str = RECORDING

    @property
    def fact(self) -> str:
        """"You were on hands and knees in 97% of the frames, not seated"."""
        return f"You were {PHRASE[self.found]} in {self.share:.0%} of the frames, not {PHRASE[self.expected]}"

    @property
    def advice(self) -> str:
        """What the recording looks like and which command analyses it (lower case, no full stop)."""
        return _LOOKS_LIKE[self.found].format(input=self.command_input)

    @property
    def warning(self) -> str:
        """One plain line: the posture, its share, the posture it is not, and what to do."""
        return f"{self.fact}; {self.advice}."

    @property
    def next_step(self) -> str:
        """What to do, as a sentence of its own."""
        return f"{self.advice[0].upper()}{self.advice[1:]}."

    @property
    def short(self) -> str:
        """A label's worth: "on hands and knees, not seated"."""
        return f"{PHRASE[self.found]}, not {PHRASE[self.expected]}"

    def to_dict(self) -> dict:
        return {"expected": self.expected, "found": self.found, "share": round(self.share, 3),
                "expected_share": round(self.expected_share, 3)}


def posture_shares(seq: PoseSequence, features: PostureFeatures | None = None) -> dict[str, float]:
    """Share of all frames (0..1) per posture: "seated", "quadruped", "standing", and "other" (the rest,
    including frames where the body was not seen). ``features``: ``posture_features(seq)`` if the caller has
    them already."""
    n = len(seq.timestamps_s)
    if n == 0:
        return {SEATED: 0.0, QUADRUPED: 0.0, STANDING: 0.0, OTHER: 0.0}
    features = posture_features(seq) if features is None else features
    labels = classify_frames(features)
    standing = (labels == POSTURES.index(OTHER)) & _matches(features.as_dict(), STANDING_RULES, 0.0)
    shares = {SEATED: float(np.mean(labels == POSTURES.index(SEATED))),
              QUADRUPED: float(np.mean(labels == POSTURES.index(QUADRUPED))),
              STANDING: float(np.mean(standing))}
    shares[OTHER] = max(0.0, 1.0 - sum(shares.values()))
    return shares


def posture_mismatch(seq: PoseSequence, expected: str, *, command_input: str = RECORDING,
                     features: PostureFeatures | None = None,
                     measured_share: float | None = None) -> PostureMismatch | None:
    """The posture ``seq`` was mostly in when it is not ``expected`` ("seated" or "quadruped"), else None
    (``command_input``: see `PostureMismatch`; ``features``: ``posture_features(seq)`` if the caller has them).

    None also when the body was mostly not seen or not in a known posture: that is the analysis's own
    reasons' business (not visible, out of frame); and when the analysis's own test of the posture passed
    ``measured_share`` (0..1) of the frames, `MAX_EXPECTED_SHARE` or more: it saw the posture, whatever the
    classifier says. (A camera 30-48° above seated people, rendered: the seated IR test measured every frame
    and the angles were right, while the classifier read 72-100% of the frames as standing, or on hands and
    knees, and the result told the person to record the movement itself.)"""
    if measured_share is not None and measured_share >= MAX_EXPECTED_SHARE:
        return None
    shares = posture_shares(seq, features)
    if shares[expected] >= MAX_EXPECTED_SHARE:
        return None
    found = max((p for p in (SEATED, QUADRUPED, STANDING) if p != expected), key=shares.__getitem__)
    if shares[found] < MIN_FOUND_SHARE:
        return None
    return PostureMismatch(expected, found, shares[found], shares[expected], command_input)
