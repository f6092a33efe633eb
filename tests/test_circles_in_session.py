"""Inside a session the circles' advice moves the person, not the camera (`hipvision.core.circles.in_session`): the
seated re-test needs the camera where the first test had it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from fixtures import skeletons as sk
from hipvision.core.circles import analyze_circles
from hipvision.core.circles.confidence import (CLOSER, FRONT_DIAGONAL, SHELF_BEHIND, Confidence, Reason)
from hipvision.core.circles.in_session import IN_SESSION, TURN_TO_DIAGONAL, in_session, session_words
from hipvision.core.circles.summary import BEHIND_PLACE
from hipvision.core.session import analyze_session
from test_posture import FPS, circling, see
from test_session import seated_effort

#: Words that ask to move the camera itself.
MOVES_THE_CAMERA = re.compile(r"(move|raise|bring) the camera|film from|camera (a little )?higher|onto a shelf")


@pytest.mark.parametrize("camera_change", [FRONT_DIAGONAL, SHELF_BEHIND, CLOSER, BEHIND_PLACE])
def test_each_camera_change_becomes_the_persons(camera_change):
    said = session_words(f"camera in line with the body: depth only; {camera_change}")
    assert not MOVES_THE_CAMERA.search(said) and said.startswith("camera in line with the body: depth only; on hands")


def _camera_moves_in_source(folder: Path) -> list[tuple[str, int, str]]:
    """(file, line, text) of every string in the modules under ``folder`` (docstrings left out) that asks to move the
    camera (`MOVES_THE_CAMERA`)."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        found += [(path.name, node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                  and MOVES_THE_CAMERA.search(node.value)]
    return found


def test_every_camera_change_the_circles_can_say_has_the_persons_words_in_a_session():
    """A text in the circles analysis that asks to move the camera must be said as the person's inside a session: a new
    one without its `IN_SESSION` words would ask a person in the middle of a session to move the camera (the circles
    near the counter's smallest once said "bring the camera nearer" there)."""
    import hipvision.core.circles as circles

    texts = _camera_moves_in_source(Path(circles.__file__).parent)
    assert len(texts) >= 8                                                      # the scan finds the known ones
    unmapped = [(f, line, text) for f, line, text in texts
                if f != "in_session.py" and MOVES_THE_CAMERA.search(session_words(text))]
    assert not unmapped
    assert all(not MOVES_THE_CAMERA.search(person) for person in IN_SESSION.values())


def test_a_far_low_result_keeps_its_counts_and_level_and_says_turn_and_come_closer():
    result = analyze_circles(see(sk.timeline([circling(12, heading_deg=90)], fps=FPS), "front", seed=2))
    low = Confidence.of([Reason("the hips' motion toward the camera was faint", FRONT_DIAGONAL),
                         Reason("the person spans only 27% of the frame", CLOSER, ": ")])
    result.confidence = low
    moved = in_session(result)
    assert (moved.clockwise, moved.counterclockwise, moved.confidence.level) == (result.clockwise,
                                                                               result.counterclockwise, "low")
    assert moved.confidence.changes[0] == TURN_TO_DIAGONAL and "come closer to the camera" in moved.confidence.changes[1]
    assert not any(MOVES_THE_CAMERA.search(c) for c in moved.confidence.changes)
    assert result.confidence.changes == (FRONT_DIAGONAL, CLOSER)               # the result itself is not changed


def test_a_session_filmed_from_behind_the_hips_does_not_ask_to_move_the_camera():
    """Circles with the hips toward a camera in front of the chair: on its own, the result would say "film from higher
    up behind you (a shelf …)"; in the session every warning, reason and change says how to turn instead."""
    joints = sk.timeline([seated_effort(8, 25, 20), circling(20, heading_deg=180), seated_effort(8, 35, 30)], fps=FPS)
    seq = see(joints, "front", seed=2)
    d = analyze_session(seq).to_dict()
    phase = next(p for p in d["phases"] if p["kind"] == "quadruped")
    texts = [*phase["result"]["warnings"], *phase["what_to_change"], *phase["confidence_reasons"],
             phase["result"]["start_position"]["message"]]
    assert any("turn so that the camera sees you" in t for t in texts)
    assert not [t for t in texts if MOVES_THE_CAMERA.search(t)]
    alone = analyze_circles(seq.slice(phase_rows(d, seq)[0], phase_rows(d, seq)[1]))
    assert any(MOVES_THE_CAMERA.search(w) for w in alone.warnings)          # what it says outside a session


def phase_rows(d: dict, seq) -> tuple[int, int]:
    phase = next(p for p in d["phases"] if p["kind"] == "quadruped")
    t = seq.timestamps_s
    return int((t < phase["start_s"]).sum()), int((t < phase["end_s"]).sum())
