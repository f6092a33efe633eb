"""The circles' advice inside a session (`in_session`): the camera stays, the person moves.

A session films the seated test, the hip circles and the seated re-test from one camera, and the re-test asks for
the same camera and set-up. Where a circles result alone would say to move the camera (to the front diagonal, onto
a shelf, closer), inside a session it says how to place oneself on the floor instead: the same view of the hips,
reached by turning or coming closer, with the camera left where the seated test needs it. Rendered sessions filmed
from in front of the chair put the person on all fours 3.5-4 m away at every angle; "move the camera to about 45°"
there would have broken the re-test.
"""

from __future__ import annotations

import dataclasses

from hipvision.core.circles.confidence import (BIGGER_OR_NEARER, CLOSER, FRONT_DIAGONAL, HIGHER_NEARER,
                                               LOW_BEHIND_CHANGE, MORE_IN_VIEW, NOT_NEARER, SHELF_BEHIND, Confidence)
from hipvision.core.circles.result import CirclesResult
from hipvision.core.circles.summary import BEHIND_PLACE, BEST_PLACE, IN_DEPTH_PLACE

#: The person turns or comes closer: the camera is not moved (each change says so by whom it asks to move).
TURN_TO_DIAGONAL = "on hands and knees, turn so that the camera sees you from about 45° between the head and the side"
COME_CLOSER = "on hands and knees, come closer to the camera, so that the body fills most of the frame"
#: A camera's change → the person's, inside a session; the longer texts first (one may hold another).
IN_SESSION: dict[str, str] = {
    LOW_BEHIND_CHANGE: TURN_TO_DIAGONAL,
    SHELF_BEHIND: TURN_TO_DIAGONAL,
    FRONT_DIAGONAL: TURN_TO_DIAGONAL,
    CLOSER: COME_CLOSER,
    BEHIND_PLACE: f"{TURN_TO_DIAGONAL} for best results",
    BEST_PLACE: f"{TURN_TO_DIAGONAL} for best results",
    IN_DEPTH_PLACE: "on hands and knees, turn so that the camera sees you from the side or about 45° in front to check "
                    "it",
    MORE_IN_VIEW: "on hands and knees, place yourself so that the camera sees the hands, knees, hips and shoulders",
    HIGHER_NEARER: "on hands and knees, come a little nearer to the camera, with the hips well in view",
    NOT_NEARER: "on hands and knees, keep the whole body in view",
    BIGGER_OR_NEARER: "make each circle bigger, or on hands and knees come a little nearer to the camera",
}


def session_words(text: str) -> str:
    """``text`` with each camera change of `IN_SESSION` (verbatim inside it) said as the person's."""
    for camera, person in IN_SESSION.items():
        text = text.replace(camera, person)
    return text


def _confidence(confidence: Confidence) -> Confidence:
    return dataclasses.replace(confidence, said=tuple(dataclasses.replace(r, change=session_words(r.change))
                                                      for r in confidence.said))


def in_session(result: CirclesResult) -> CirclesResult:
    """``result`` (a circles phase of a session) with every change its confidence, sets, warnings and start position
    name said as the person's (`session_words`); counts, measures and levels unchanged."""
    start = result.start_position
    return dataclasses.replace(result, confidence=_confidence(result.confidence),
                               sets=[dataclasses.replace(s, confidence=_confidence(s.confidence)) for s in result.sets],
                               warnings=[session_words(w) for w in result.warnings],
                               start_position=dataclasses.replace(start, message=session_words(start.message)))
