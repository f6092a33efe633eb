"""Many recordings at once: ``hipvision batch``, resumable, on local processes or on Ray.

    from pathlib import Path
    from hipvision.batch import BatchOptions, expand_inputs, run_batch

    recordings = expand_inputs(["clinic/week1/", "manifest.csv"])
    summary = run_batch(recordings, BatchOptions(out_dir=Path("out/batch"), report=True))
    print(summary.failed, "failed; table:", summary.tables[0])

Each recording gets the JSON (and HTML report) its single command writes, and a row in one
summary table; a rerun skips what is done (see `hipvision.batch.driver`). Engines:
`hipvision.batch.engines`. This package never imports the CLI: progress comes back through
the ``on_start`` / ``on_row`` callbacks of `run_batch`.
"""

from hipvision.batch.driver import BatchOptions, BatchSummary, run_batch
from hipvision.batch.inputs import KINDS, Recording, expand_inputs
from hipvision.batch.kind import detect_kind
from hipvision.batch.table import COLUMNS, BatchRow

__all__ = ["BatchOptions", "BatchRow", "BatchSummary", "COLUMNS", "KINDS", "Recording", "detect_kind",
           "expand_inputs", "run_batch"]
