"""Real MediaPipe on the rendered hip-circle samples filmed from behind the person (issue 13): about 45° behind
(counted exactly, by the file and the live path) and straight behind (not counted right yet: it must say so)."""

import json
from pathlib import Path

import pytest

from circles_cases import check_shown
from hipvision.cli import main
from hipvision.core.posture import QUADRUPED, segment_postures

SAMPLES = Path(__file__).parents[1] / "samples"


def _truth(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())["circles"]


def _counts(result: dict) -> tuple[int, int]:
    return result["clockwise"], result["counterclockwise"]


def _file_result(name: str, tmp_path: Path) -> dict:
    out = tmp_path / f"{name}.json"
    assert main(["circles", str(SAMPLES / f"{name}.mp4"), "--json", str(out)]) == 0
    return json.loads(out.read_text())


def _live_result(name: str, tmp_path: Path) -> dict:
    out = tmp_path / f"{name}.live.json"
    assert main(["circles", "--camera", str(SAMPLES / f"{name}.mp4"), "--no-window", "--json", str(out)]) == 0
    return json.loads(out.read_text())


@pytest.mark.slow
@pytest.mark.parametrize("run", [_file_result, _live_result], ids=["file", "live"])
def test_45_degrees_behind_counts_and_directions_are_exact(run, tmp_path):
    """By the file and by the live path (the video fed as a camera: its `shown` timeline ends at the saved counts)."""
    truth = _truth("hip_circles_oblique_back")
    result = run("hip_circles_oblique_back", tmp_path)
    assert _counts(result) == (truth["clockwise"], truth["counterclockwise"])
    assert [r["direction"] for r in result["reps"]] == [r["direction"] for r in truth["reps"]]
    if run is _live_result:  # the screen ends at the saved counts
        assert {k: result["shown"][-1][k] for k in ("clockwise", "counterclockwise")} == \
            {k: result[k] for k in ("clockwise", "counterclockwise")}


@pytest.mark.slow
def test_45_degrees_behind_live_never_shows_more_than_it_saves(tmp_path):
    result = _live_result("hip_circles_oblique_back", tmp_path)
    check_shown(result["shown"], {k: result[k] for k in ("clockwise", "counterclockwise")}, result["reps"])


@pytest.mark.slow
def test_straight_behind_is_on_all_fours_and_a_wrong_count_is_low_with_the_camera_advice(tmp_path, model_path):
    """Straight behind, the posture was not even recognised before (0% of the frames); the count is still
    not right (issue 13), so it must never be "high", and it says where to put the camera."""
    from hipvision.pose import poses_from_input

    seq = poses_from_input(SAMPLES / "hip_circles_behind.mp4", model=model_path, progress=False)
    phases = segment_postures(seq)
    on_all_fours = sum(p.duration_s for p in phases if p.kind == QUADRUPED)
    assert on_all_fours >= 0.8 * seq.timestamps_s[-1]
    truth = _truth("hip_circles_behind")
    result = _file_result("hip_circles_behind", tmp_path)
    assert result["valid_fraction"] >= 0.5  # recognised on hands and knees by the circles analysis too
    if _counts(result) != (truth["clockwise"], truth["counterclockwise"]):
        assert result["confidence"] == "low"
        assert any("45°" in r for r in result["confidence_reasons"]), result["confidence_reasons"]
        for s in result["sets"]:
            known = truth[s["direction"]]
            assert s["count"] == known or s["confidence"] == "low", s


@pytest.mark.slow
def test_straight_behind_live_shows_what_it_saves(tmp_path):
    result = _live_result("hip_circles_behind", tmp_path)
    check_shown(result["shown"], {k: result[k] for k in ("clockwise", "counterclockwise")}, result["reps"])
    truth = _truth("hip_circles_behind")
    assert _counts(result) == (truth["clockwise"], truth["counterclockwise"]) or result["confidence"] == "low"
