"""The work on one recording, as a worker does it: poses → kind → analysis → report text.

`analyse` never raises for a bad recording: the error comes back as one line in the
`Outcome`, so one broken file never stops a batch. It writes no files either: the result
and the report travel back to the process that runs the batch, which writes them (a
worker on another machine of a cluster need not see the output folder).
"""

from __future__ import annotations

import time
from pathlib import Path
from collections.abc import Callable
from dataclasses import dataclass

from hipvision.batch.inputs import Recording
from hipvision.errors import HipvisionError
from hipvision.sequence import PoseSequence

#: Longest error text kept in a table row.
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class Job:
    """What a worker needs for one recording.

    Attributes:
        recording: the input, its name, subject and kind (None: from the posture).
        model: pose model path or name; None = the provisioned default of the machine that runs it.
        seated_model: pose model path or name for a video found to be a seated test, which is then read again
            with it, as `hipvision rotation FILE` reads it (`hipvision.pose.models.SEATED_FILE_MODEL`);
            None = ``model`` for every kind (a model was asked for).
        report: also render the HTML report.
        min_phase_s: shortest seated or circles phase analysed in a session, and the shortest phase
            that tells the kind, seconds.
    """

    recording: Recording
    model: str | None = None
    seated_model: str | None = None
    report: bool = False
    min_phase_s: float = 3.0


@dataclass(frozen=True)
class Outcome:
    """What came of one `Job`.

    Attributes:
        name: the recording's name.
        kind: the analysis run (None if it failed before the kind was known).
        result: the result JSON dict, exactly as the single command writes it (None on failure).
        report_html: the HTML report when asked (None otherwise or on failure).
        seconds: wall time the worker spent on it.
        error: one line saying why it failed, None if it did not.
    """

    name: str
    kind: str | None
    result: dict | None
    report_html: str | None
    seconds: float
    error: str | None = None


def _command_input(job: Job) -> str:
    """How the commands a wrong-posture result names take this recording: its local path (a URL: "VIDEO", since
    the single commands read local files)."""
    from hipvision.core.posture_check import RECORDING, file_input

    return RECORDING if job.recording.is_url else file_input(job.recording.source)


def _rotation(seq: PoseSequence, job: Job) -> dict:
    from hipvision.core.rotation import analyze_rotation

    return analyze_rotation(seq, command_input=_command_input(job)).to_dict()


def _circles(seq: PoseSequence, job: Job) -> dict:
    from hipvision.core.circles import analyze_circles

    return analyze_circles(seq, command_input=_command_input(job)).to_dict()


def _session(seq: PoseSequence, job: Job) -> dict:
    from hipvision.core.session import analyze_session

    return analyze_session(seq, min_phase_s=job.min_phase_s).to_dict()


#: Kind → the analysis its single command runs (`hipvision rotation|circles|session`, default settings).
ANALYSES: dict[str, Callable[[PoseSequence, Job], dict]] = {
    "rotation": _rotation, "circles": _circles, "session": _session}


def one_line(exc: BaseException) -> str:
    """An exception as one line for a table cell: the message of errors meant for users,
    the exception's type and message otherwise; at most `MAX_ERROR_CHARS`."""
    text = str(exc) if isinstance(exc, HipvisionError) else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split()) or type(exc).__name__
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS - 1] + "…"


def analyse(job: Job) -> Outcome:
    """Poses of ``job``'s recording (a ``.npz`` is loaded, a video or URL runs the pose model),
    its kind, the analysis, and the report when asked. Errors come back in the `Outcome`;
    only KeyboardInterrupt and other non-`Exception`s propagate."""
    from hipvision.batch.kind import detect_kind
    from hipvision.io.files import add_source_video, known_source_video
    from hipvision.pose import poses_from_input

    rec = job.recording
    start = time.perf_counter()
    kind = rec.kind
    try:
        reread = not rec.is_poses and job.seated_model is not None and job.seated_model != job.model
        first = job.seated_model if reread and kind == "rotation" else job.model
        seq = poses_from_input(rec.source, model=first, progress=False)
        kind = kind or detect_kind(seq, min_phase_s=job.min_phase_s)
        if reread and kind == "rotation" and first != job.seated_model:   # as `hipvision rotation FILE` reads it
            seq = poses_from_input(rec.source, model=job.seated_model, progress=False)
        given = None if rec.is_poses else Path(rec.source) if Path(str(rec.source)).is_file() else None
        result = add_source_video(ANALYSES[kind](seq, job), known_source_video(given, seq))
        html = None
        if job.report:
            from hipvision.report import render_report

            video = None if rec.is_poses else rec.source
            html = render_report(result, video=video, poses=seq, subject=rec.subject)
    except Exception as exc:  # noqa: BLE001 - a failed recording is a table row, never the end of the batch
        return Outcome(rec.name, kind, None, None, time.perf_counter() - start, one_line(exc))
    return Outcome(rec.name, kind, result, html, time.perf_counter() - start)
