"""Running a batch: decide what is left to do, hand it to an engine, write what comes back.

Everything is written by this process, as each recording finishes: ``NAME.json`` (and
``NAME.html``), the history row (``save``), the state file and the summary table
(``batch.csv``, ``batch.parquet``), each atomically. So after Ctrl-C or a crash the output
folder holds every finished result and the table of what is done, and the same command
carries on where it stopped.

A recording is skipped when the state file says it was done from an input with the same
content hash by the same software with the same options, and its outputs are still there.
A recording that failed is skipped the same way (same input, same software: same error)
unless ``retry_failed``.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from hipvision.batch.engines import ENGINES, default_workers, outcomes
from hipvision.batch.inputs import Recording, parse_recorded_at
from hipvision.batch.runner import Job, Outcome, one_line
from hipvision.batch.state import BatchState, Entry, fingerprint
from hipvision.batch.table import BatchRow, parquet_available, row_for_result, write_csv, write_parquet
from hipvision.errors import HipvisionError, InputError, OutputError

TABLE_NAME = "batch"


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch.

    Attributes:
        out_dir: folder for the results, the table and the state file (created if missing).
        engine: ``local`` or ``ray``.
        workers: local processes (or the CPUs of a local Ray); default `default_workers`.
        address: Ray cluster address (``ray`` engine); None starts a local Ray.
        model: pose model path or name; None = the provisioned default.
        report: write ``NAME.html`` next to each ``NAME.json``.
        save: add each result to the history under its recording's subject.
        parquet: write ``batch.parquet`` next to ``batch.csv`` (needs pyarrow).
        min_phase_s: shortest analysed session phase and shortest phase telling the kind, seconds.
        retry_failed: run recordings that failed before again.
    """

    out_dir: Path
    engine: str = "local"
    workers: int | None = None
    address: str | None = None
    model: str | None = None
    report: bool = False
    save: bool = False
    parquet: bool = False
    min_phase_s: float = 3.0
    retry_failed: bool = False

    @property
    def table_paths(self) -> list[Path]:
        return [self.out_dir / f"{TABLE_NAME}.csv"] + ([self.out_dir / f"{TABLE_NAME}.parquet"] if self.parquet else [])


@dataclass(frozen=True)
class BatchSummary:
    """What a run did. ``rows``: every recording's row in input order (done before, done now, or
    failed); ``skipped``: how many were already done; ``ran``: how many were analysed now."""

    rows: tuple[BatchRow, ...]
    skipped: int
    ran: int
    tables: tuple[Path, ...]

    @property
    def failed(self) -> int:
        return sum(not r.ok for r in self.rows)


#: Progress callbacks: ``on_start(to_do, already_done)`` once, ``on_row(row)`` per recording finished.
OnStart = Callable[[int, int], None]
OnRow = Callable[[BatchRow], None]


def input_hash(rec: Recording) -> str:
    """sha256 of a local input's content (streamed); for a URL, of the URL text."""
    import hashlib

    from hipvision.pose.models import file_sha256

    if rec.is_url:
        return "url:" + hashlib.sha256(rec.source.encode("utf-8")).hexdigest()
    return file_sha256(rec.source)


def check_batch(recordings: Sequence[Recording], options: BatchOptions) -> None:
    """Fail before any work (one line) on a batch that cannot be run as asked."""
    if options.save:
        nameless = [r.name for r in recordings if not (r.subject or "").strip()]
        if nameless:
            raise InputError(f"--save needs a subject for every recording ({len(nameless)} have none, e.g. "
                             f"{nameless[0]}): give --subject NAME or a 'subject' column in a manifest")
    if options.parquet and not parquet_available():
        raise InputError("--parquet needs pyarrow: pip install 'hipvision[parquet]'")
    if options.engine not in ENGINES:
        raise InputError(f"--engine must be one of: {', '.join(ENGINES)}")
    if options.address and options.engine != "ray":
        raise InputError("--address is for --engine ray")
    if options.workers is not None and options.workers < 1:
        raise InputError("--workers must be at least 1")
    if options.out_dir.exists() and not options.out_dir.is_dir():
        raise InputError(f"--out {options.out_dir} is a file, not a folder")
    sources = {Path(r.source).resolve() for r in recordings if not r.is_url}
    for path in options.table_paths:
        if path.resolve() in sources:
            raise InputError(f"the table {path} would overwrite an input: choose another --out folder")


class _Batch:
    """One run over one output folder (see the module docstring)."""

    def __init__(self, recordings: Sequence[Recording], options: BatchOptions) -> None:
        self.recs = list(recordings)
        self.opt = options
        self.out = options.out_dir
        self.state = BatchState.load(self.out)
        self.rows: dict[str, BatchRow] = {}
        self.hashes: dict[str, str] = {}
        self.reused = 0  # recordings done by an earlier run

    def _fingerprint(self, rec: Recording) -> dict:
        return fingerprint(kind=rec.kind, model=self.opt.model, min_phase_s=self.opt.min_phase_s)

    def _reusable(self, rec: Recording, entry: Entry | None) -> bool:
        if entry is None or entry.sha256 != self.hashes[rec.name] or entry.fingerprint != self._fingerprint(rec):
            return False
        row = entry.row
        if not row.ok:
            return not self.opt.retry_failed
        wanted = [row.json] + ([row.report] if self.opt.report else [])
        return all(name and (self.out / name).is_file() for name in wanted)

    def _base_row(self, rec: Recording) -> BatchRow:
        return BatchRow(name=rec.name, input=rec.source, subject=rec.subject, kind=rec.kind,
                        recorded_at=rec.recorded_at, sha256=self.hashes.get(rec.name))

    def plan(self) -> list[Job]:
        """Hash the inputs; keep the rows of what is done; return the jobs left, longest input first."""
        todo = []
        for rec in self.recs:
            try:
                self.hashes[rec.name] = input_hash(rec)
            except OSError as exc:
                self.rows[rec.name] = replace(self._base_row(rec), status="failed",
                                              error=f"cannot read {rec.source}: {exc.strerror or exc}")
                continue
            entry = self.state.get(rec.name)
            if self._reusable(rec, entry):
                self.rows[rec.name] = self._saved_if_asked(rec, entry)
                self.reused += 1
            else:
                todo.append(Job(rec, model=self.opt.model, report=self.opt.report, min_phase_s=self.opt.min_phase_s))
        return sorted(todo, key=self._size, reverse=True)  # longest first: the pool ends together

    @staticmethod
    def _size(job: Job) -> int:
        try:
            return 0 if job.recording.is_url else Path(job.recording.source).stat().st_size
        except OSError:
            return 0

    def _saved_if_asked(self, rec: Recording, entry: Entry) -> BatchRow:
        """A done recording's row, with the subject and date given now; with ``save``, its result goes
        into the history if it is not there yet."""
        entry = replace(entry, row=replace(entry.row, input=rec.source, subject=rec.subject,
                                           recorded_at=rec.recorded_at))
        if not (self.opt.save and entry.row.ok and not entry.saved):
            return entry.row
        from hipvision.io.files import read_json

        row, saved = self._save(rec, read_json(self.out / entry.row.json), entry.row)
        self.state.put(rec.name, replace(entry, row=row, saved=saved))
        return row

    def _save(self, rec: Recording, result: dict, row: BatchRow) -> tuple[BatchRow, bool]:
        from hipvision.io.history import save_result

        try:
            save_result(rec.subject or "", result, recorded_at=parse_recorded_at(rec.recorded_at))
        except HipvisionError as exc:
            return replace(row, error=f"not saved to the history: {one_line(exc)}"), False
        return replace(row, error=None), True

    def finish(self, rec: Recording, outcome: Outcome) -> BatchRow:
        """Write what ``outcome`` brought (result, report, history), record it, return its row."""
        from hipvision.io.files import with_relative_video, write_json_atomic, write_text_atomic

        row = replace(self._base_row(rec), kind=outcome.kind, seconds=round(outcome.seconds, 2))
        saved = False
        if outcome.error is not None or outcome.result is None:
            row = replace(row, status="failed", error=outcome.error or "no result")
        else:
            try:
                write_json_atomic(self.out / f"{rec.name}.json",
                                  with_relative_video(outcome.result, self.out / f"{rec.name}.json"))
                row = replace(row_for_result(row, outcome.result), json=f"{rec.name}.json")
                if outcome.report_html is not None:
                    write_text_atomic(self.out / f"{rec.name}.html", outcome.report_html)
                    row = replace(row, report=f"{rec.name}.html")
            except HipvisionError as exc:
                row = replace(row, status="failed", error=one_line(exc))
            else:
                if self.opt.save:
                    row, saved = self._save(rec, outcome.result, row)
        self.state.put(rec.name, Entry(self.hashes[rec.name], self._fingerprint(rec), row, saved))
        self.rows[rec.name] = row
        self.write_tables()
        return row

    def done_rows(self) -> list[BatchRow]:
        return [self.rows[r.name] for r in self.recs if r.name in self.rows]

    def write_tables(self) -> None:
        rows = self.done_rows()
        write_csv(rows, self.opt.table_paths[0])
        if self.opt.parquet:
            write_parquet(rows, self.opt.table_paths[1])


@contextlib.contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block is done, then raise KeyboardInterrupt: a recording's
    files, state and table are written together or not at all. Only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
    if caught:
        raise KeyboardInterrupt


def _model_for_workers(jobs: Sequence[Job], options: BatchOptions) -> str | None:
    """The model the jobs should use: on the local engine provisioned here, once, before any worker
    starts (a path); on Ray what was asked (None: each node provisions its default, cached there)."""
    if options.engine == "ray" or all(job.recording.is_poses for job in jobs):
        return options.model
    from hipvision.pose import model_path

    return str(model_path(options.model))


def _seated_model_for_workers(jobs: Sequence[Job], options: BatchOptions,
                              on_note: Callable[[str], None] | None = None) -> str | None:
    """The model a video found to be a seated test is read again with, as `hipvision rotation FILE` would
    (`SEATED_FILE_MODEL`), provisioned here on the local engine (a path; the general model with ``on_note``
    told why when it cannot be had); None when a model was asked for or no job reads a video."""
    if options.model is not None or all(job.recording.is_poses for job in jobs):
        return None
    from hipvision.pose.models import SEATED_FILE_MODEL, resolve_preferred

    if options.engine == "ray":
        return SEATED_FILE_MODEL
    return str(resolve_preferred(SEATED_FILE_MODEL, on_fallback=on_note))


def run_batch(recordings: Sequence[Recording], options: BatchOptions, *, on_start: OnStart | None = None,
              on_row: OnRow | None = None, on_note: Callable[[str], None] | None = None) -> BatchSummary:
    """Analyse ``recordings`` (from `hipvision.batch.inputs.expand_inputs`) as ``options`` say.
    ``on_note`` gets a line when the seated test's pose model cannot be had and the general one is used.

    Raises:
        InputError: the batch cannot run as asked (checked before any work).
        OutputError: the output folder cannot be written.
        KeyboardInterrupt: after stopping the workers; everything finished is written.
    """
    check_batch(recordings, options)
    try:
        options.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {options.out_dir}: {exc.strerror or exc}") from None
    batch = _Batch(recordings, options)
    jobs = batch.plan()
    batch.write_tables()
    if on_start is not None:
        on_start(len(jobs), batch.reused)
    if jobs:
        model = _model_for_workers(jobs, options)
        seated = _seated_model_for_workers(jobs, options, on_note)
        jobs = [replace(job, model=model, seated_model=seated) for job in jobs]
        by_name = {r.name: r for r in batch.recs}
        workers = options.workers or default_workers()
        stream = outcomes(jobs, engine=options.engine, workers=workers, address=options.address)
        try:
            for outcome in stream:
                with _ctrl_c_after():
                    row = batch.finish(by_name[outcome.name], outcome)
                if on_row is not None:
                    on_row(row)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
    return BatchSummary(tuple(batch.done_rows()), batch.reused, len(jobs), tuple(options.table_paths))
