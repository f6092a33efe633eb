"""`hipvision batch` prints a table of what each recording was and its numbers, not only the path of batch.csv."""

from hipvision.batch.table import BatchRow
from hipvision.commands import batch as batch_cmd
from hipvision.commands.common import console


def _printed(rows, width: int = 100) -> str:
    old = console.width
    console.width = width
    try:
        with console.capture() as cap:
            batch_cmd.print_batch_table(rows)
    finally:
        console.width = old
    return cap.get()


def test_one_line_per_recording_with_its_numbers_uncertainty_confidence_and_failure():
    rows = [BatchRow("seated_ir", "a", kind="rotation", left_held_deg=50.4, left_uncertainty_deg=3.6,
                     right_held_deg=24.9, right_uncertainty_deg=3.5, warnings="left/right difference of 25°"),
            BatchRow("circles_a", "b", kind="circles", circles_total=10, circles_confidence="low"),
            BatchRow("sess", "c", kind="session", left_held_deg=25.0, left_uncertainty_deg=3.0, left_after_deg=38.6,
                     left_after_uncertainty_deg=3.5, left_change_deg=13.6, left_change_uncertainty_deg=4.6),
            BatchRow("broken", "d", status="failed", error="broken.npz is not a hipvision pose file\nmore")]
    lines = _printed(rows).splitlines()
    line = {name: next(x for x in lines if x.lstrip().startswith(name)) for name in ("seated_ir", "circles_a", "sess",
                                                                                     "broken")}
    assert "rotation" in line["seated_ir"] and "50±4" in line["seated_ir"] and "25±4" in line["seated_ir"]
    assert "circles" in line["circles_a"] and "10?" in line["circles_a"]
    assert "25±3→39±4" in line["sess"] and "+14±5 ?" in line["sess"]
    assert "failed: broken.npz" in line["broken"]
    assert sum("broken" in x for x in lines) == 1   # the failure on one line
    narrow = _printed(rows, 80).splitlines()
    assert max(map(len, narrow)) <= 80 and any("25±3→39±4" in x for x in narrow)


def test_the_end_of_a_batch_prints_the_table_then_the_csv_path(tmp_path):
    class Summary:
        rows = [BatchRow("seated_ir", "a", kind="rotation", left_held_deg=50.4, left_uncertainty_deg=3.6)]
        failed, skipped, tables = 0, 0, [tmp_path / "batch.csv"]

    with console.capture() as cap:
        batch_cmd._print_end(Summary())
    text = cap.get()
    assert text.index("50±4") < text.index("batch.csv")
