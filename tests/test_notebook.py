"""The walkthrough notebook: committed executed, and re-executed on the bundled samples, it prints the known answers.

The notebook's last cell prints, as JSON, every value it compared with a sample's sidecar (``checks``). These tests
read that JSON (from the committed copy, and from a fresh run) and hold it against the sidecars themselves, so a
notebook that runs but shows wrong numbers, or reads the wrong field of a sidecar, fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"
SAMPLES = ROOT / "samples"
MAX_NOTEBOOK_BYTES = 1_500_000
#: The API each step must call (the notebook walks the whole public surface).
API_CALLS = ("poses_from_input(", "save_sequence(", "analyze_rotation(", "RotationSettings(", "analyze_circles(",
             "CirclesSettings(", "analyze_session(", "write_json_atomic(", "write_csv_atomic(", "annotate_video(",
             "write_report(", "save_result(", "load_history(", "write_progress_plot(")


def _sidecar(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def notebook_checks(nb: dict) -> dict:
    """The JSON the last code cell printed."""
    last = _code_cells(nb)[-1]
    printed = "".join(_text(o.get("text", "")) for o in last.get("outputs", []) if o.get("name") == "stdout")
    assert printed.strip(), "the notebook's last cell printed nothing"
    return json.loads(printed)


def assert_known_answers(checks: dict) -> None:
    """``checks`` against the sidecars: within 3° for IR (README's target), exact for counts and frames."""
    for name in ("seated_ir", "session"):
        poses = checks["poses"][name]
        assert poses["frames"] == _sidecar(name)["video"]["frame_count"]
        assert poses["detection_rate"] >= 0.99
    assert checks["npz_identical"] is True

    true_efforts = _sidecar("seated_ir")["rotation"]["efforts"]
    measured = checks["rotation_efforts"]
    assert [m["leg"] for m in measured] == [e["leg"] for e in true_efforts]
    for m, e in zip(measured, true_efforts):
        assert abs(m["held_deg"] - e["held_deg"]) <= 3.0, (m, e)
        assert 0 < m["uncertainty_deg"] < 10
    best = {side: max(e["held_deg"] for e in true_efforts if e["leg"] == side) for side in ("left", "right")}
    for side, true in best.items():
        assert abs(checks["rotation_held"][side] - true) <= 3.0
    assert checks["rotation_classes"] == {"left": "target", "right": "limited"}  # 50.4° and 25.4°, far from a mark
    first_left, best_left = checks["strict_left_efforts"]  # a 3 s hold: the 1.7 s one is not held
    assert first_left is None and abs(best_left - best["left"]) <= 3.0

    session = _sidecar("session")
    true_circles = next(p["circles"] for p in session["phases"] if p["kind"] == "quadruped")
    circles = checks["circles"]
    assert (circles["clockwise"], circles["counterclockwise"]) == (true_circles["clockwise"],
                                                                   true_circles["counterclockwise"]) == (3, 3)
    assert circles["set_counts"] == true_circles
    assert circles["complete_3"] is True
    assert circles["confidence"] in ("high", "low")
    assert (circles["confidence_reasons"] > 0) == (circles["confidence"] == "low")

    phases = checks["session"]["phases"]
    assert [p[0] for p in phases] == [p["kind"] for p in session["phases"]]
    for (_, start, end, status), true in zip(phases, session["phases"]):
        assert abs(start - true["start_s"]) <= 1.0 and abs(end - true["end_s"]) <= 1.0
        assert status == ("skipped" if true["kind"] == "other" else "analysed")
    seated = [p["held_deg"] for p in session["phases"] if p["kind"] == "seated"]
    for got, true in zip(checks["session"]["seated_held_deg"], seated, strict=True):
        assert abs(got[0] - true["left"]) <= 3.0 and abs(got[1] - true["right"]) <= 3.0
    for side in ("left", "right"):
        assert abs(checks["session"]["change_deg"][side] - session["change_deg"][side]) <= 3.0

    assert checks["files"]["csv_rows"] == checks["poses"]["seated_ir"]["frames"]
    assert checks["files"]["json_left_held_deg"] == checks["rotation_held"]["left"]
    assert checks["annotated_frames"] == checks["poses"]["seated_ir"]["frames"]
    assert checks["report_bytes"] > 10_000
    before, after = checks["session"]["seated_held_deg"][0], checks["session"]["seated_held_deg"][-1]
    assert checks["history"] == [
        ["rotation", checks["rotation_held"]["left"], checks["rotation_held"]["right"], None, None, None],
        ["session", *before, *after, true_circles["clockwise"] + true_circles["counterclockwise"]]]


def test_committed_notebook_is_executed_and_small():
    """Every code cell of the committed copy ran (in order, without error) and has outputs; images are downscaled."""
    nb = json.loads(NOTEBOOK.read_text())
    cells = _code_cells(nb)
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        assert cell["outputs"], f"no output: {_text(cell['source'])[:80]!r}"
        assert not [o for o in cell["outputs"] if o["output_type"] == "error" or o.get("name") == "stderr"]
    images = [o for c in cells for o in c["outputs"] if {"image/png", "image/jpeg"} & set(o.get("data", {}))]
    assert len(images) >= 4  # IR plot, pelvis path, annotated frame, progress plot
    assert NOTEBOOK.stat().st_size < MAX_NOTEBOOK_BYTES
    source = "".join(_text(c["source"]) for c in cells)
    assert [call for call in API_CALLS if call not in source] == []


def test_committed_notebook_shows_the_known_answers():
    assert_known_answers(notebook_checks(json.loads(NOTEBOOK.read_text())))


def test_known_answer_checks_can_fail():
    """The checks catch a wrong number: a swapped leg, an IR 4° off, a missed circle, a lost phase."""
    good = notebook_checks(json.loads(NOTEBOOK.read_text()))

    def broken(change) -> dict:
        bad = json.loads(json.dumps(good))
        change(bad)
        return bad

    for change in (lambda c: c["rotation_efforts"].reverse(),
                   lambda c: c["rotation_efforts"][1].update(held_deg=c["rotation_efforts"][1]["held_deg"] + 4),
                   lambda c: c["rotation_held"].update(left=c["rotation_held"]["right"]),
                   lambda c: c["circles"].update(clockwise=2),
                   lambda c: c["session"]["phases"].pop(),
                   lambda c: c["session"]["change_deg"].update(right=-12.4),
                   lambda c: c["history"].pop()):
        with pytest.raises(AssertionError):
            assert_known_answers(broken(change))


@pytest.mark.slow
def test_walkthrough_notebook_executes_with_the_known_answers(model_path, tmp_path, monkeypatch):
    """Run top to bottom on the samples (outputs to a temporary folder); the printed values are the known answers,
    and the user's history is not touched."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    out, home = tmp_path / "out", tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HIPVISION_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("HIPVISION_HOME", str(home))  # where a `--save` would go: must stay empty
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    assert_known_answers(notebook_checks(nb))
    assert {p.name for p in out.iterdir()} >= {"session_poses.npz", "seated_ir.json", "seated_ir.csv", "session.json",
                                               "seated_ir_annotated.mp4", "session_report.html", "progress.png"}
    assert list(home.iterdir()) == []
