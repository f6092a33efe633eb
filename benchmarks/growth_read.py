"""How much of the hip growth's flow the circles analysis reads, and what computing only that would save.

    python benchmarks/growth_read.py INPUT [INPUT ...] [--no-flows]

INPUT: a video (its poses are extracted first, as `hipvision circles` does) or a ``.npz`` from
``hipvision extract`` (its video is found from the path saved with it). For each, with the checkout's code:

* **pairs**: frame pairs whose growth was measured (the tracker's all-fours gate);
* **read**: those the offline analysis of the whole sequence can read (`growth_frames_read`: the depth windows
  whose world depth is faint or shows no clear loop); the others could be left NaN;
* **same**: whether the circles result and the session result (JSON) are unchanged with the growth of the other
  pairs set to NaN (they must be: see `tests/test_circles_growth_read.py`);
* **decide**: CPU ms of `growth_frames_read` (the analysis's first half: what deciding after the tracking loop costs);
* **flows all / read**: CPU ms of the flows of all pairs and of the read pairs among them, recomputed once from
  the video's frames (one thread, `time.thread_time`); ``--no-flows`` skips this.

The net saving of computing only the read pairs is ``flows all - flows read - decide``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hipvision.core.circles import analyze_circles  # noqa: E402
from hipvision.core.circles.analyze import growth_frames_read  # noqa: E402
from hipvision.core.session import analyze_session  # noqa: E402
from hipvision.io.sources import open_source  # noqa: E402
from hipvision.pose import poses_from_input  # noqa: E402
from hipvision.pose.image_motion import HipGrowthMeter  # noqa: E402
from hipvision.sequence import PoseSequence  # noqa: E402


def _results(seq: PoseSequence) -> str:
    data = {"circles": analyze_circles(seq).to_dict(), "session": analyze_session(seq).to_dict()}
    return json.dumps(data, sort_keys=True, default=str)


def flow_cpu_ms(video: Path, seq: PoseSequence, rows: np.ndarray) -> np.ndarray:
    """(len(rows),) CPU ms (this thread) of the growth of each pair ending at ``rows`` (increasing), from the
    video's frames and the sequence's landmarks (the box around the previous frame's hips, as the tracker cuts it)."""
    index, meter = {int(r): k for k, r in enumerate(rows)}, HipGrowthMeter()
    spent = np.zeros(len(rows))
    with open_source(video) as source:
        for i, frame in enumerate(source):
            if i >= len(seq):
                break
            pair = meter.pair(frame.image) if i in index else None
            if pair is not None:
                start = time.thread_time()
                pair.growth(meter.flow)
                spent[index[i]] = 1000 * (time.thread_time() - start)
            meter.advance(frame.image, seq.image[i] if seq.detected[i] else None)
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path, help="videos or .npz poses from hipvision extract")
    parser.add_argument("--no-flows", action="store_true", help="do not time the flows (no video needed)")
    args = parser.parse_args(argv)
    print(f"{'input':34s} {'frames':>6s} {'pairs':>5s} {'read':>5s} {'same':>5s} {'decide':>7s} "
          f"{'flows all':>9s} {'flows read':>10s}  (CPU ms)")
    for path in args.inputs:
        seq = poses_from_input(path)
        growth = seq.hip_growth if seq.hip_growth is not None else np.full(len(seq), np.nan)
        measured = np.isfinite(growth)
        growth_frames_read(seq)  # once before timing: imports, first calls
        start = time.process_time()
        read = growth_frames_read(seq)
        decide_ms = 1000 * (time.process_time() - start)
        same = _results(seq) == _results(dataclasses.replace(seq, hip_growth=np.where(read, growth, np.nan)))
        flows = "", ""
        video = Path(seq.meta.get("video_path", path))
        if not args.no_flows and video.suffix.lower() != ".npz" and video.is_file():
            spent = flow_cpu_ms(video, seq, np.flatnonzero(measured))  # one timing: the read ones are a subset
            flows = f"{spent.sum():.0f}", f"{spent[read[measured]].sum():.0f}"
        print(f"{path.name:34s} {len(seq):6d} {int(measured.sum()):5d} {int((measured & read).sum()):5d} "
              f"{str(same):>5s} {decide_ms:7.0f} {flows[0]:>9s} {flows[1]:>10s}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
