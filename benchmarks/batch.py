"""Batch throughput: recordings per hour by number of worker processes.

    python benchmarks/batch.py [INPUTS...] [--workers 1,2] [--repeat 1]

Without INPUTS it runs the bundled samples (``samples/*.mp4``: 4 recordings, 2,443 frames,
122 s of video). Each run is a whole ``hipvision batch`` (`hipvision.batch.run_batch`, local
engine, no report) into a fresh folder, timed from the start to the last table row: pool start,
model loading, decoding, the pose model and the analyses; CPU seconds are this process's and its
workers' (user + system), and "CPUs busy" is their ratio to the wall time. With ``--repeat`` the worker counts
are interleaved and the fastest run of each counts (shared machines are noisy); the load average
is printed so the figures can be judged. The default of ``--workers`` comes from this table
(`hipvision.batch.engines.default_workers`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hipvision.batch import BatchOptions, expand_inputs, run_batch  # noqa: E402
from hipvision.batch.engines import cpu_count  # noqa: E402


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and its finished worker processes so far."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_batch(inputs: list[str], workers: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one batch over ``inputs`` with ``workers`` processes
    (fails if a recording fails)."""
    recordings = expand_inputs(inputs)
    with tempfile.TemporaryDirectory(prefix="hv-batch-bench-") as out:
        cpu, start = _cpu_s(), time.perf_counter()
        summary = run_batch(recordings, BatchOptions(out_dir=Path(out), workers=workers))
        seconds, cpu = time.perf_counter() - start, _cpu_s() - cpu
    if summary.failed:
        raise SystemExit(f"{summary.failed} recording(s) failed: " + "; ".join(
            f"{r.name}: {r.error}" for r in summary.rows if not r.ok))
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="*", default=[str(p) for p in sorted((ROOT / "samples").glob("*.mp4"))])
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker count (interleaved; fastest counts)")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    n = len(expand_inputs(args.inputs))
    print(f"{n} recordings, {cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.1f}")
    best: dict[int, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for w in counts:
            seconds, cpu = time_batch(args.inputs, w)
            best[w] = min(best.get(w, (seconds, cpu)), (seconds, cpu))
            print(f"  workers {w}: {seconds:.1f} s, CPU {cpu:.1f} s (load {os.getloadavg()[0]:.1f})", flush=True)
    base = best[counts[0]][0]
    print(f"\n| workers | seconds | CPU seconds | CPUs busy | recordings per hour | speed-up vs {counts[0]} |")
    print("|---:|---:|---:|---:|---:|---:|")
    for w in counts:
        seconds, cpu = best[w]
        print(f"| {w} | {seconds:.1f} | {cpu:.1f} | {cpu / seconds:.2f} | {n / seconds * 3600:.0f} | "
              f"{base / seconds:.2f} |")


if __name__ == "__main__":
    main()
