"""History database: round trip, summaries, concurrent writers, damaged files, schema versions, plot."""

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hipvision.errors import InputError, OutputError
from hipvision.io import history
from hipvision.io.history import db_path, load_history, save_result, summarize
from hipvision.report.plots import write_progress_plot

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def test_save_and_load_round_trip_with_summaries(tmp_path):
    day = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone.utc)
    ids = [save_result("Alex", fixture(k), home=tmp_path, recorded_at=day + dt.timedelta(days=i))
           for i, k in enumerate(("rotation", "circles", "session"))]
    save_result("Sam", fixture("rotation"), home=tmp_path, recorded_at=day)
    assert len(set(ids)) == 3
    rows = load_history("Alex", home=tmp_path, with_results=True)
    assert [r["kind"] for r in rows] == ["rotation", "circles", "session"]
    rot, circ, sess = rows
    assert (rot["left_deg"], rot["right_deg"], rot["circles_total"]) == (38.2, 35.1, None)
    assert circ["circles_total"] == 9 and circ["circle_radius_cm"] == pytest.approx(8.9)
    assert (sess["left_deg"], sess["left_after_deg"], sess["right_deg"], sess["right_after_deg"]) == (31.5, 37.5, 27.0, 31.5)
    assert sess["circles_total"] == 10
    assert rows[0]["recorded_at"] == day and rows[0]["result"] == fixture("rotation")
    assert [r["subject"] for r in load_history(home=tmp_path)] == ["Alex", "Sam", "Alex", "Alex"]  # by date
    assert len(load_history("Alex", home=tmp_path, kind="session")) == 1


def test_database_settings(tmp_path):
    save_result("Alex", fixture("rotation"), home=tmp_path)
    con = sqlite3.connect(db_path(tmp_path))
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    con.close()


def test_home_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HIPVISION_HOME", str(tmp_path / "hv"))
    save_result("Alex", fixture("rotation"))
    assert (tmp_path / "hv" / "history.sqlite3").is_file()
    assert len(load_history("Alex")) == 1


def test_no_database_yet_means_no_rows(tmp_path):
    assert load_history(home=tmp_path / "nothing") == []
    assert not (tmp_path / "nothing").exists()  # reading never creates


@pytest.mark.parametrize("bad", [{"kind": "banana"}, []])
def test_bad_input_is_refused(tmp_path, bad):
    with pytest.raises(InputError):
        save_result("Alex", bad, home=tmp_path)
    with pytest.raises(InputError, match="subject"):
        save_result("  ", fixture("rotation"), home=tmp_path)


WRITER = textwrap.dedent("""
    import json, sys
    from hipvision.io.history import save_result
    home, who, n, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    result = json.load(open(path))
    for i in range(n):
        save_result(who, result, home=home)
""")


def test_concurrent_writers_do_not_lose_or_corrupt_rows(tmp_path):
    writers, each = 4, 50
    cmd = [sys.executable, "-c", WRITER, str(tmp_path), "", str(each), str(FIXTURES / "rotation.json")]
    procs = [subprocess.Popen(cmd[:4] + [f"w{k}"] + cmd[5:], cwd=Path(__file__).parents[1],
                              stderr=subprocess.PIPE, text=True) for k in range(writers)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, errors
    rows = load_history(home=tmp_path)
    assert len(rows) == writers * each
    assert {r["subject"] for r in rows} == {f"w{k}" for k in range(writers)}
    con = sqlite3.connect(db_path(tmp_path))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


class _BusyAtFirst:
    """A connection whose first ``busy`` statements answer "database is locked" at once, as SQLite does to one
    of two processes switching a new database to WAL together (its busy timeout does not wait there)."""

    def __init__(self, con: sqlite3.Connection, busy: int) -> None:
        self.con, self.busy = con, busy

    def execute(self, sql, *args):
        if self.busy > 0:
            self.busy -= 1
            raise sqlite3.OperationalError("database is locked")
        return self.con.execute(sql, *args)


def test_a_database_locked_at_once_while_opening_is_retried(tmp_path):
    path = db_path(tmp_path)
    con = sqlite3.connect(path, isolation_level=None)
    history._prepare(_BusyAtFirst(con, busy=3), path, OutputError)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == history.DB_SCHEMA_VERSION
    con.close()


def test_a_database_that_stays_locked_says_how_long_it_waited(tmp_path, monkeypatch):
    monkeypatch.setattr(history, "BUSY_TIMEOUT_S", 0.3)
    path = db_path(tmp_path)
    con = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(OutputError, match=r"stayed busy for 0 s \(database is locked\); try again"):
        history._prepare(_BusyAtFirst(con, busy=10**6), path, OutputError)
    con.close()


@pytest.mark.parametrize("content", [b"this is not a database at all" * 40, b"SQLite format 3\x00" + b"\xff" * 2000])
def test_a_damaged_database_is_reported_and_left_untouched(tmp_path, content):
    path = db_path(tmp_path)
    path.write_bytes(content)
    with pytest.raises(OutputError, match="damaged.*left untouched"):
        save_result("Alex", fixture("rotation"), home=tmp_path)
    with pytest.raises(InputError, match="damaged"):
        load_history(home=tmp_path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite3"]


def test_foreign_and_newer_databases_are_refused(tmp_path):
    path = db_path(tmp_path)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(OutputError, match="not a hipvision history"):
        save_result("Alex", fixture("rotation"), home=tmp_path)
    path.unlink()
    save_result("Alex", fixture("rotation"), home=tmp_path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 7")
    con.close()
    with pytest.raises(InputError, match="schema version 7, newer"):
        load_history(home=tmp_path)


def test_summaries_of_partial_results():
    assert summarize({"kind": "rotation", "left": {"held_deg": None}, "right": None})["left_deg"] is None
    one_seated = {"kind": "session", "phases": [
        {"kind": "seated", "status": "analysed", "result": {"left": {"held_deg": 30.0}, "right": {"held_deg": 20.0}}},
        {"kind": "seated", "status": "poorly_seen", "result": {"left": {"held_deg": 50.0}}},
    ]}
    s = summarize(one_seated)
    assert (s["left_deg"], s["right_deg"], s["left_after_deg"], s["circles_total"]) == (30.0, 20.0, None, None)
    # a leg whose larger effort may have been missed ("unconfirmed"): its held value is a lower bound, not kept
    lower_bound = {"kind": "rotation", "right": {"held_deg": 35.0, "uncertainty_deg": 4.0, "status": "measured"},
                   "left": {"held_deg": 20.0, "uncertainty_deg": 4.0, "status": "measured", "class": "unconfirmed",
                            "hold_not_measured": {"start_s": 3.5, "end_s": 5.0, "reason": "moving"}}}
    s = summarize(lower_bound)
    assert (s["left_deg"], s["left_uncertainty_deg"], s["right_deg"]) == (None, None, 35.0)


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_progress_plot(tmp_path, suffix, magic):
    start = dt.datetime(2025, 1, 6, 8, 0).astimezone()
    for week in range(5):
        s = fixture("session")
        s["phases"][0]["result"]["left"]["held_deg"] = 28 + week
        save_result("Alex", s, home=tmp_path, recorded_at=start + dt.timedelta(weeks=week))
    out = write_progress_plot(load_history("Alex", home=tmp_path), tmp_path / f"progress{suffix}", title="Alex")
    assert out.read_bytes().startswith(magic) and out.stat().st_size > 5000
    with pytest.raises(OutputError, match="png"):
        write_progress_plot(load_history("Alex", home=tmp_path), tmp_path / "progress.txt")
    with pytest.raises(InputError, match="nothing to plot"):
        write_progress_plot([], tmp_path / "empty.png")


def same_day_history(tmp_path) -> list[dict]:
    """An IR test, circles and a session saved minutes apart on one day (what a seconds axis made unreadable)."""
    start = dt.datetime(2025, 3, 1, 9, 30).astimezone()
    for minutes, kind in ((0, "rotation"), (4, "circles"), (9, "session")):
        save_result("Alex", fixture(kind), home=tmp_path, recorded_at=start + dt.timedelta(minutes=minutes, seconds=7))
    save_result("Alex", fixture("rotation"), home=tmp_path, recorded_at=start + dt.timedelta(days=6))
    return load_history("Alex", home=tmp_path)


def test_progress_plot_labels_results_by_date_time_and_kind_and_links_before_after(tmp_path):
    from hipvision.report.plots import progress_figure

    fig = progress_figure(same_day_history(tmp_path))
    ir_axis, radius_axis = fig.axes[:2]
    labels = [t.get_text() for t in radius_axis.get_xticklabels()]
    assert labels == ["01 Mar 2025\n09:30\nIR test", "01 Mar 2025\n09:34\ncircles", "01 Mar 2025\n09:39\nsession",
                      "07 Mar 2025\nIR test"]
    assert radius_axis.xaxis.get_offset_text().get_text() == ""  # no offset label, no seconds
    arrows = [a for a in ir_axis.texts if getattr(a, "arrow_patch", None) is not None]
    assert len(arrows) == 2  # the session's before → after, one per leg
    (x0, y0), (x1, y1) = arrows[0].xyann, arrows[0].xy
    assert (y0, y1) == (31.5, 37.5) and x0 == 2 and 2 < x1 < 2.5  # left leg, in the session's slot


def test_history_table_has_time_and_source_and_fits_80_columns(tmp_path, monkeypatch):
    import io

    from rich.console import Console

    import hipvision.commands.history as history_cmd

    buffer = io.StringIO()
    monkeypatch.setattr(history_cmd, "console", Console(file=buffer, width=80, color_system=None))
    history_cmd.print_table(same_day_history(tmp_path))
    text = buffer.getvalue()
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    for when in ("01 Mar 2025 09:30", "01 Mar 2025 09:34", "01 Mar 2025 09:39", "07 Mar 2025 09:30"):
        assert when in text
    assert "source" in text and Path(fixture("session")["source"]).name in text
    assert "31.5→37.5" in text and "27.0→31.5" in text


def _with_uncertainty(result: dict, values: dict) -> dict:
    """``result`` with ``uncertainty_deg`` set per (seated phase index, side), as results have had since issue 14."""
    seated = [result] if result["kind"] == "rotation" else [
        p["result"] for p in result["phases"] if p["kind"] == "seated" and p["status"] == "analysed"]
    for (index, side), value in values.items():
        seated[index][side]["uncertainty_deg"] = value
    return result


def test_history_lists_each_number_with_its_confidence(tmp_path, monkeypatch):
    """Table, CSV and plot carry each held IR's ± and mark a circle count of low confidence (the count a
    person would otherwise take at face value)."""
    import io

    from rich.console import Console

    import hipvision.commands.history as history_cmd
    from hipvision.report.plots import progress_figure

    day = dt.datetime(2025, 3, 1, 9, 30).astimezone()
    save_result("Alex", _with_uncertainty(fixture("rotation"), {(0, "left"): 2.6, (0, "right"): 4.4}),
                home=tmp_path, recorded_at=day)
    save_result("Alex", fixture("circles"), home=tmp_path, recorded_at=day + dt.timedelta(days=1))  # low
    session = _with_uncertainty(fixture("session"), {(0, "left"): 3.0, (1, "left"): 2.2, (1, "right"): 5.1})
    save_result("Alex", session, home=tmp_path, recorded_at=day + dt.timedelta(days=2))  # its circles: high
    rot, circ, sess = rows = load_history("Alex", home=tmp_path)
    assert (rot["left_uncertainty_deg"], rot["right_uncertainty_deg"]) == (2.6, 4.4)
    assert (circ["circles_confidence"], sess["circles_confidence"], rot["circles_confidence"]) == ("low", "high", None)
    assert (sess["left_uncertainty_deg"], sess["left_after_uncertainty_deg"]) == (3.0, 2.2)
    assert (sess["right_uncertainty_deg"], sess["right_after_uncertainty_deg"]) == (None, 5.1)

    buffer = io.StringIO()
    monkeypatch.setattr(history_cmd, "console", Console(file=buffer, width=80, color_system=None))
    history_cmd.print_table(rows)
    text = buffer.getvalue()
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    assert "38±3" in text and "35±4" in text  # 38.2 ± 2.6, 35.1 ± 4.4
    assert "32±3→38±2" in text and "27.0→32±5" in text  # a session: before → after, each with what it has
    assert "9?" in text and "? = circle count of low confidence" in text
    assert " 10?" not in text  # the session's circles are of high confidence

    fig = progress_figure(rows)
    ir_axis = fig.axes[0]
    bars = [c for c in ir_axis.containers if hasattr(c, "has_yerr") and c.has_yerr]
    spans = sorted(round(float(seg[1][1] - seg[0][1]) / 2, 2) for c in bars for coll in c.lines[2]
                   for seg in coll.get_segments())
    assert spans == [2.2, 2.6, 3.0, 4.4, 5.1]  # one error bar per value that has an uncertainty, its half-width
