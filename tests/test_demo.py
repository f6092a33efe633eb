"""`hipvision demo`: the README's main job, end to end on the bundled session sample, against its known answer."""

import json
from pathlib import Path

import pytest

from hipvision.cli import main

SAMPLES = Path(__file__).parents[1] / "samples"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, model_path):
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out)]) == 0
    return out, json.loads((out / "session.json").read_text())


@pytest.mark.slow
def test_demo_writes_every_output(demo_run):
    out, _ = demo_run
    for name in ("session.json", "session.csv", "report.html"):
        assert (out / name).stat().st_size > 0, name
    html = (out / "report.html").read_text()
    assert "<html" in html and "http://" not in html.replace("http://www.w3.org", "")


@pytest.mark.slow
def test_demo_finds_the_three_phases_and_the_circles(demo_run):
    _, result = demo_run
    truth = json.loads((SAMPLES / "session.json").read_text())
    kinds = [p["kind"] for p in result["phases"] if p["kind"] != "other"]
    assert kinds == ["seated", "quadruped", "seated"]
    circles = next(p["result"] for p in result["phases"] if p["kind"] == "quadruped")
    assert (circles["clockwise"], circles["counterclockwise"]) == (
        truth["circles"]["clockwise"], truth["circles"]["counterclockwise"])


@pytest.mark.slow
def test_demo_ir_change_matches_the_known_answer(demo_run):
    _, result = demo_run
    truth = json.loads((SAMPLES / "session.json").read_text())["change_deg"]
    for side in ("left", "right"):
        assert result["change_deg"][side] == pytest.approx(truth[side], abs=3.0), side
