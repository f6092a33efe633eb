"""Where the recordings are analysed: in this process, in a local process pool, or on Ray.

Every engine takes the jobs and yields an `Outcome` for each as it finishes (any order).
Closing the iterator early (Ctrl-C in the caller) stops the work still running: the
pool's processes are terminated, Ray's tasks cancelled.

* ``local`` with 1 worker runs in this process; with N > 1, N processes (spawned, so no
  MediaPipe state is inherited), each running one pose model at a time. They ignore SIGINT:
  Ctrl-C is the batch's to handle. A worker that dies (a crash in native code) takes the jobs
  in flight with it: they are run again one at a time, and one that kills its worker when
  alone is reported as failed.
* ``ray``: one task per recording, one CPU each, on the cluster at ``address`` or on a local
  Ray started here with ``workers`` CPUs (when Ray is not already initialised). A task whose
  worker dies is retried once by Ray, then reported as failed.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from hipvision.batch.runner import Job, Outcome, analyse, one_line
from hipvision.errors import InputError

ENGINES = ("local", "ray")
#: What a worker dying does to the one recording it was running alone.
CRASHED = "the worker process died while analysing it (a crash in native code, or out of memory)"


def cpu_count() -> int:
    """CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    """Worker processes by default: one per two CPUs (1 on a 2-CPU machine).

    One worker already keeps more than one CPU busy (MediaPipe's graph runs on two threads of
    its own, decoding on a third); on the project's 2-CPU machine one worker analysed more
    recordings per hour than two in every paired run of ``benchmarks/batch.py`` (docs/batch.md).
    """
    return max(1, cpu_count() // 2)


def _failed(job: Job, error: str) -> Outcome:
    return Outcome(job.recording.name, job.recording.kind, None, None, 0.0, error)


def inline_outcomes(jobs: Sequence[Job]) -> Iterator[Outcome]:
    """Each job in turn, in this process."""
    for job in jobs:
        yield analyse(job)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_ignore_sigint)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: queued jobs cancelled, running ones killed."""
    if hasattr(pool, "terminate_workers"):  # Python 3.14+
        pool.terminate_workers()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public handle before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.terminate()
    for proc in processes:
        proc.join(timeout=5)


def pool_outcomes(jobs: Sequence[Job], workers: int) -> Iterator[Outcome]:
    """The jobs on ``workers`` local processes, at most ``workers`` in flight."""
    queue: deque[Job] = deque(jobs)
    suspects: deque[Job] = deque()  # in flight when a worker died: run again one at a time
    running: dict[Future, Job] = {}
    alone = False
    pool = _new_pool(workers)
    finished = False
    try:
        while queue or suspects or running:
            if suspects and not running:
                job = suspects.popleft()
                running[pool.submit(analyse, job)] = job
                alone = True
            while not suspects and queue and len(running) < workers:
                job = queue.popleft()
                running[pool.submit(analyse, job)] = job
                alone = False
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            lost = []
            for future in done:
                job = running.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    lost.append(job)
                    continue
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                    outcome = _failed(job, one_line(exc))
                yield outcome
            if lost:
                lost += list(running.values())
                running.clear()
                _stop(pool)
                pool = _new_pool(workers)
                if alone:
                    yield _failed(lost[0], CRASHED)
                else:
                    suspects.extend(lost)
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


def ray_outcomes(jobs: Sequence[Job], *, address: str | None, workers: int) -> Iterator[Outcome]:
    """The jobs as Ray tasks (one CPU each) on the cluster at ``address``, or on a local Ray with
    ``workers`` CPUs; a Ray already initialised in this process is used as it is."""
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray needs Ray: pip install 'hipvision[ray]'") from None
    import logging

    started = not ray.is_initialized()
    if started:
        try:
            if address:
                ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, logging_level=logging.ERROR,
                         log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise InputError(f"cannot start or reach Ray{' at ' + address if address else ''}: "
                             f"{' '.join(str(exc).split())}") from None
    task = ray.remote(num_cpus=1, max_retries=1)(analyse)
    pending = {task.remote(job): job for job in jobs}
    try:
        while pending:
            (ref,), _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(ref)
            try:
                outcome = ray.get(ref)
            except ray.exceptions.RayError as exc:
                outcome = _failed(job, one_line(exc))
            yield outcome
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        if started:
            ray.shutdown()


def outcomes(jobs: Sequence[Job], *, engine: str = "local", workers: int = 1,
             address: str | None = None) -> Iterator[Outcome]:
    """The `Outcome` of each job from ``engine`` (`ENGINES`), as they finish."""
    if engine == "ray":
        return ray_outcomes(jobs, address=address, workers=workers)
    if engine != "local":
        raise InputError(f"--engine must be one of: {', '.join(ENGINES)}")
    if address:
        raise InputError("--address is for --engine ray")
    if workers <= 1 or len(jobs) <= 1:
        return inline_outcomes(jobs)
    return pool_outcomes(jobs, min(workers, len(jobs)))
