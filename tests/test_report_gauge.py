"""The report's session card brackets the 95% range of the "before" marker as it does the "after" one."""

import copy
import json
import re
from pathlib import Path

from hipvision.report import render_report

FIXTURES = Path(__file__).parent / "fixtures"


def _with_uncertainty(before_unc: float, after_unc: float) -> dict:
    result = copy.deepcopy(json.loads((FIXTURES / "session.json").read_text()))
    seated = [p for p in result["phases"] if p["kind"] == "seated" and p["status"] == "analysed"]
    for phase, unc in ((seated[0], before_unc), (seated[-1], after_unc)):
        for side in ("left", "right"):
            phase["result"][side]["uncertainty_deg"] = unc
    return result


def _brackets(html: str) -> list[tuple[str, float, float]]:
    """(title, left x, right x) of every range bracket drawn on a gauge."""
    return [(title, float(x0), float(x1)) for x0, x1, title in
            re.findall(r'<path d="M ([\d.]+) \d+ v -?4 H ([\d.]+) v -?4"[^>]*><title>([^<]*)</title>', html)]


def test_the_before_marker_has_its_range_bracket_like_the_after_marker():
    html = render_report(_with_uncertainty(3.0, 4.0))
    card = html[:html.index("Timeline") if "Timeline" in html else len(html)]
    titles = [t for t, _, _ in _brackets(card)]
    assert titles.count("before: 95% range 31.5° ± 3.0°") == 1 and titles.count("95% range 37.5° ± 4.0°") == 1
    assert "before: 95% range 27.0° ± 3.0°" in titles and "95% range 31.5° ± 4.0°" in titles
    widths = {t: x1 - x0 for t, x0, x1 in _brackets(card)}
    # both brackets on one scale: 296 px span 60°, so ± 3° is 29.6 px wide and ± 4° is 39.5 px
    assert abs(widths["before: 95% range 31.5° ± 3.0°"] - 29.6) < 0.2
    assert abs(widths["95% range 37.5° ± 4.0°"] - 39.5) < 0.2


def test_no_before_bracket_without_its_uncertainty():
    html = render_report(json.loads((FIXTURES / "session.json").read_text()))
    assert not any(t.startswith("before:") for t, _, _ in _brackets(html))
