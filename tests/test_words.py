"""What is on screen must be true: warnings apart from notes, what next, nothing said twice, the circles
report explaining its own measures (terminal at 80 columns, and the HTML report)."""

import io
import json
import re
from html import unescape
from pathlib import Path

import pytest
from rich.console import Console

import hipvision.commands.circles as circles_cmd
import hipvision.commands.rotation as rotation_cmd
import hipvision.commands.session as session_cmd
from hipvision.core.circles.quality import VerdictThresholds
from hipvision.draw.circles import draw_size_gauge
from hipvision.report import render_report

FIXTURES = Path(__file__).parent / "fixtures"
WARNING = "person small in the picture (shank 60 px): both legs less certain; move the camera to 1.5-2.5 m"
INFO = "camera tilted 4°, corrected"
STEPS = ["Left leg 38.2° ± 3.0°, good enough: do the hip circles, 5 each way, to work toward 45°.",
         "Right leg 28.0° ± 3.0°, limited: do the quadruped hip circles, 5 each way, then re-test (same camera, "
         "same set-up)."]


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def rendered(module, result: dict, monkeypatch) -> str:
    buffer = io.StringIO()
    monkeypatch.setattr(module, "console", Console(file=buffer, width=80, color_system=None))
    module.print_summary(result)
    return buffer.getvalue()


def flat(text: str) -> str:
    """The text with box edges and line breaks taken out, whitespace collapsed."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def sections(text: str) -> tuple[str, str, str]:
    """(the WARNINGS box, the notes, what next) of a summary."""
    box = "\n".join(line for line in text.splitlines() if line.startswith(("╭", "│", "╰")))
    notes = text.split("notes:")[1].split("what next:")[0] if "notes:" in text else ""
    steps = text.split("what next:")[1] if "what next:" in text else ""
    return box, notes, steps


def test_rotation_summary_boxes_the_warnings_and_keeps_notes_and_next_steps_apart(monkeypatch):
    d = dict(fixture("rotation"), warnings=[WARNING], info=[INFO], next_steps=STEPS)
    text = rendered(rotation_cmd, d, monkeypatch)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80, text
    box, notes, steps = sections(text)
    assert "WARNINGS" in box and WARNING in flat(box) and INFO not in flat(box)
    assert INFO in flat(notes) and WARNING not in flat(notes)
    assert flat(steps) == f"1. {STEPS[0]} 2. {STEPS[1]}"
    for line in (WARNING, INFO, *STEPS):
        assert flat(text).count(line) == 1


def test_no_warnings_no_box(monkeypatch):
    text = rendered(rotation_cmd, dict(fixture("rotation"), warnings=[], info=[INFO]), monkeypatch)
    assert "WARNINGS" not in text and "notes:" in text and "what next:" not in text


def test_circles_summary_says_the_start_position_once(monkeypatch):
    d = fixture("circles")
    d["start_position"] = dict(d["start_position"], ok=False, message="bring the hips back over the knees (9 cm off)")
    d.update(warnings=["camera at the side: ...; film from about 45° for best results"],
             info=["the pose model saw motion toward and away from the camera about 7 times smaller than across"],
             next_steps=["Finish the set of circles: 1 more counter-clockwise."])
    text = rendered(circles_cmd, d, monkeypatch)
    assert flat(text).count("bring the hips back over the knees") == 1
    box, notes, steps = sections(text)
    assert "film from about 45°" in flat(box) and "7 times smaller" in flat(notes)
    assert flat(steps) == "1. Finish the set of circles: 1 more counter-clockwise."
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80, text


def test_session_summary_gives_each_change_with_its_uncertainty_and_verdict(monkeypatch):
    d = fixture("session")
    d.update(change_deg={"left": 2.0, "right": 6.0}, change_uncertainty_deg={"left": 4.7, "right": 4.7},
             info=["phase 2 (seated, 11.8–13.2 s) is shorter than 3 s and was not analysed."])
    d["phases"][2]["result"]["info"] = ["depth rebuilt"]
    text = rendered(session_cmd, d, monkeypatch)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80, text
    assert re.search(r"left\s+\+2\.0° ± 4\.7°\s+no clear change", text), text
    assert re.search(r"right\s+\+6\.0° ± 4\.7°\s+gained", text), text
    box, notes, _ = sections(text)
    assert "phase 3 (circles): The camera saw the right side" in flat(box)  # the phase's warning, named
    assert "phase 3 (circles): depth rebuilt" in flat(notes) and "shorter than 3 s" in flat(notes)


# ---------------------------------------------------------------- the report

def section(html: str, key: str) -> str:
    """Visible text of the ``data-key`` section (empty when absent)."""
    m = re.search(rf'<section[^>]*data-key="{key}".*?</section>', html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", m.group(0))).split()) if m else ""


def test_report_shows_warnings_notes_and_next_steps_apart():
    d = dict(fixture("circles"), warnings=["camera at the side: film from about 45°"], info=["depth rebuilt"],
             next_steps=["Finish the set of circles: 1 more counter-clockwise."])
    html = render_report(d)
    assert "camera at the side" in section(html, "warnings") and "depth rebuilt" not in section(html, "warnings")
    assert "depth rebuilt" in section(html, "notes")
    assert section(html, "next-steps") == "What next Finish the set of circles: 1 more counter-clockwise."


def test_the_circles_report_explains_the_circles_not_the_rotation():
    html = render_report(fixture("circles"))
    howto = section(html, "circles-howto")
    marks = draw_size_gauge.__kwdefaults__
    assert f"two ticks are at {marks['small_pct']:.0f}% and {marks['big_pct']:.0f}%" in howto
    th = VerdictThresholds()
    assert f"Below {th.min_radius_pct_torso:.0f}% the cue is “make the circle bigger”" in howto
    assert f"Below {th.min_roundness:.2f} the cue is “make it rounder”" in howto
    for term in ("% of torso", "Roundness", "Spine motion", "Sit back", "Time (tempo)", "Confidence"):
        assert term in howto
    assert "angle of the shank" not in html                 # the rotation's text stays with the rotation
    assert "angle of the shank" in render_report(fixture("rotation"))
    assert not section(render_report(fixture("rotation")), "circles-howto")


@pytest.mark.parametrize("change, verdict", [(2.0, "no clear change (+2.0°, within ± 4.7°)"),
                                             (6.0, "gained 6.0° ± 4.7°")])
def test_the_session_headline_weighs_the_change_against_its_uncertainty(change, verdict):
    d = fixture("session")
    seated = [p for p in d["phases"] if p["kind"] == "seated"]
    for p in seated:
        p["result"]["left"]["uncertainty_deg"] = p["result"]["right"]["uncertainty_deg"] = 4.7 / 2 ** 0.5
    d["change_deg"] = {"left": change, "right": None}
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", render_report(d))).split())
    assert f"The left hip {verdict} of internal rotation" in text


def test_rotation_summary_says_the_left_right_difference_once(monkeypatch):
    """The asymmetry line carries the difference (in the warning colour); the box does not repeat it."""
    from hipvision.core.rotation.result import ASYMMETRY_WARNING

    warning = f"{ASYMMETRY_WARNING} 25° (left higher)"
    d = dict(fixture("rotation"), asymmetry_deg=25.5, asymmetry_uncertainty_deg=4.6, asymmetry="left higher",
             warnings=[warning, WARNING], info=[], next_steps=[])
    text = rendered(rotation_cmd, d, monkeypatch)
    box, _, _ = sections(text)
    assert WARNING in flat(box) and ASYMMETRY_WARNING not in flat(text)
    assert flat(text).count("left higher") == 1 and "asymmetry: 25.5° ± 4.6° (left higher)" in flat(text)
