"""`benchmarks/live_saved.py`'s count of the times the live view showed more than it saved, against the truth."""

import json

from benchmark_modules import load_benchmark

live_saved = load_benchmark("live_saved")


def _shown(*counts):
    return [{"t_s": float(i), "clockwise": cw, "counterclockwise": ccw} for i, (cw, ccw) in enumerate(counts)]


def test_rises_above_saved_are_split_by_the_truth():
    """Saved 1 + 0, truly 2 + 0: the rise to 2 was a true circle the saved analysis lost, the rise to 3 an extra
    one; a count that steps back and rises again counts again; rises within the saved count are not counted."""
    shown = _shown((0, 0), (1, 0), (2, 0), (3, 0), (2, 0), (3, 0), (3, 1))
    up = live_saved.rises(shown, {"clockwise": 1, "counterclockwise": 1}, {"clockwise": 2, "counterclockwise": 1})
    assert up == {"above_saved": 3, "within_truth": 1, "above_truth": 2}


def test_without_a_truth_only_the_rises_above_saved_are_counted():
    up = live_saved.rises(_shown((0, 0), (1, 0), (2, 0)), {"clockwise": 1, "counterclockwise": 0}, None)
    assert up == {"above_saved": 1, "within_truth": None, "above_truth": None}


def test_the_truth_is_read_from_the_render_sidecar_next_to_the_poses(tmp_path):
    (tmp_path / "circles-side-0.json").write_text(json.dumps({"circles": {"clockwise": 3, "counterclockwise": 2}}))
    assert live_saved.sidecar_truth(tmp_path / "circles-side-0.full.poses.npz") == {"clockwise": 3,
                                                                                    "counterclockwise": 2}
    assert live_saved.sidecar_truth(tmp_path / "other.npz") is None
