"""A circle's size that is an estimate (`CircleRep.size_estimated`) is shown as one: "≈" and a note in the
terminal table and the report, a grey "(estimate)" size bar on the annotated video and the live view
(issue 13, goal 5)."""

import numpy as np
import pytest

from hipvision.core.circles import analyze_circles
from hipvision.core.circles.result import ESTIMATE_MARK, ESTIMATE_NOTE
from hipvision.synthetic.quadruped import Circles, Hold, pelvis_script, render_quadruped


@pytest.fixture(scope="module")
def results():
    """The same 10 cm circles side-on with MediaPipe's squashed depth (estimated) and at 45° (measured)."""
    script = pelvis_script([Hold(1.5), Circles(3, 0.10, True, 4.0), Hold(1.5)])
    return {view: analyze_circles(render_quadruped(script, view=view, seed=11, depth_motion_gain=gain)).to_dict()
            for view, gain in (("side", 0.3), ("45", 1.0))}


@pytest.mark.parametrize("view, shown", [("side", True), ("45", False)])
def test_the_terminal_marks_estimated_sizes(results, view, shown, capsys):
    from hipvision.commands.circles import print_summary

    print_summary(results[view])
    out = " ".join(capsys.readouterr().out.split())
    rows = [line for line in out.split(" cw ")[1:]]
    assert len(rows) == 3 and all((ESTIMATE_MARK in row.split("°")[0]) is shown for row in rows)
    assert (" ".join(ESTIMATE_NOTE.split()) in out) is shown


@pytest.mark.parametrize("view, shown", [("side", True), ("45", False)])
def test_the_report_marks_estimated_sizes(results, view, shown):
    from hipvision.report import render_report

    html = render_report(results[view])
    assert (ESTIMATE_NOTE in html) is shown
    assert (f"<b>{ESTIMATE_MARK}" in html) is shown


@pytest.mark.parametrize("estimate", [True, False])
def test_the_size_bar_of_an_estimate_is_grey_and_says_so(estimate, monkeypatch):
    from hipvision.draw import circles as dc

    said = []
    real_put_text = dc.draw.put_text
    monkeypatch.setattr(dc.draw, "put_text", lambda image, text, *a, **k: (said.append(text),
                                                                           real_put_text(image, text, *a, **k)))
    image = np.zeros((120, 400, 3), np.uint8)
    dc.draw_size_gauge(image, (0, 0, 400, 120), 25.0, label="last circle", estimate=estimate)
    lit = (image[:, 40:150].max(axis=2) > 100).all(axis=1)  # rows of the bar filled before the "small" tick
    assert lit.any()
    filled = image[int(np.median(np.flatnonzero(lit))), 40:150]
    grey = np.ptp(filled, axis=1).max() <= 2 and filled.max() > 100
    green = (filled[:, 1] > 150).all() and (filled[:, 0] < 120).all()
    assert (grey, green) == (estimate, not estimate)
    assert said == [f"last circle {ESTIMATE_MARK}25% (estimate)" if estimate else "last circle 25% of torso"]
