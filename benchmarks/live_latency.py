"""Live latency: a sample video played as a camera at its real rate through `run_live`.

    python benchmarks/live_latency.py [VIDEO] [--seconds S] [--model PATH]

A reader thread decodes VIDEO (default `samples/hip_circles.mp4`) and hands each
frame over at its own time in the video, as a camera would (a live source: a
queue of 2 frames, the oldest dropped when the loop is busy, as
`hipvision.io.sources` does for cameras). The live circles view runs headless
(`run_live(..., window=False)`, mirrored, overlays drawn) and records a
`hipvision.live.loop.FrameTiming` per frame. Per shown frame:

* **total**: from the frame's arrival to its overlay being shown;
* **pose**: the tracker's time on it;
* **wait**: in the source's queue before the loop took it; **draw**: analysis,
  overlays and showing;
* **added**: total minus pose (wait + draw); the issue's goal is at most one
  frame period.

It prints their median and 95th percentile (ms and frame periods), the frames
dropped by the source, the largest queue depth seen, and whether the latency
grows (median of the last third against the first third): a growing queue would
make it grow. The load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hipvision.io.sources import _LIVE_QUEUE_FRAMES, Frame, FrameSource  # noqa: E402
from hipvision.live.circles import CirclesLive  # noqa: E402
from hipvision.live.loop import FrameTiming, run_live  # noqa: E402
from hipvision.pose import PoseTracker  # noqa: E402



class PacedSource(FrameSource):
    """A video file handed over at its real rate, like a camera: ``arrival[index]`` is when each frame
    became available (`time.perf_counter()` seconds); ``dropped`` counts frames the loop never took."""

    is_live = True

    def __init__(self, path: Path, seconds: float, queue_frames: int) -> None:
        cap = cv2.VideoCapture(str(path))
        self.fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        self.frame_size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self.description = f"{path.name} at its real rate"
        self._cap, self._limit = cap, int(round(seconds * self.fps))
        self._queue: queue.Queue = queue.Queue(queue_frames)
        self._stop = threading.Event()
        self.arrival: dict[int, float] = {}
        self.dropped = 0
        self.max_depth = 0

    def _play(self) -> None:
        start = time.perf_counter()
        for index in range(self._limit):
            ok, image = self._cap.read()
            if not ok or self._stop.is_set():
                break
            delay = start + index / self.fps - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            self.arrival[index] = time.perf_counter()
            while True:
                try:
                    self._queue.put_nowait(Frame(index, index / self.fps, image))
                    break
                except queue.Full:  # the loop is busy: the newest frame wins
                    try:
                        self._queue.get_nowait()
                        self.dropped += 1
                    except queue.Empty:
                        pass
            self.max_depth = max(self.max_depth, self._queue.qsize())
        self._queue.put(None)

    def __iter__(self) -> Iterator[Frame]:
        threading.Thread(target=self._play, name="paced-reader", daemon=True).start()
        while (frame := self._queue.get()) is not None:
            yield frame

    def close(self) -> None:
        self._stop.set()


def _summary(name: str, values_s: np.ndarray, period_s: float) -> str:
    med, p95 = np.median(values_s), np.percentile(values_s, 95)
    return (f"{name:6s} median {1000 * med:6.1f} ms ({med / period_s:4.2f} frames), "
            f"95th percentile {1000 * p95:6.1f} ms ({p95 / period_s:4.2f} frames)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=ROOT / "samples" / "hip_circles.mp4")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of the video to play (default 20)")
    parser.add_argument("--model", type=Path, default=None, help="pose model (default: the provisioned 'full')")
    parser.add_argument("--queue", type=int, default=_LIVE_QUEUE_FRAMES,
                        help=f"frames the source queues (default {_LIVE_QUEUE_FRAMES}, as hipvision's camera source)")
    args = parser.parse_args(argv)
    timings: deque[FrameTiming] = deque(maxlen=100_000)
    with PoseTracker(args.model) as tracker:
        tracker.process(Frame(0, 0.0, np.zeros((64, 64, 3), np.uint8)))  # warm the model up before the clock runs
    import scipy.optimize  # noqa: F401 - the analyses' filters and fits: the live commands load them while the model loads
    import scipy.signal  # noqa: F401
    with PoseTracker(args.model) as tracker:
        source = PacedSource(args.video, args.seconds, args.queue)
        analyzer = CirclesLive(source=source.description, model=tracker.model_name, frame_size=source.frame_size,
                               fps=source.fps)
        run_live(source, tracker, analyzer, window=False, mirror=True, timings=timings)
    period = 1.0 / source.fps
    rows = [t for t in timings if t.index in source.arrival]
    total = np.array([t.shown - source.arrival[t.index] for t in rows])
    wait = np.array([t.got - source.arrival[t.index] for t in rows])
    pose = np.array([t.posed - t.got for t in rows])
    draw = np.array([t.shown - t.posed for t in rows])
    added = total - pose
    third = max(1, len(total) // 3)
    print(f"{args.video.name}: {source.fps:g} fps played for {args.seconds:g} s; {len(rows)} frames shown, "
          f"{source.dropped} dropped by the source (busy loop), largest queue {source.max_depth} of {args.queue}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, values in (("total", total), ("wait", wait), ("pose", pose), ("draw", draw), ("added", added)):
        print("  " + _summary(name, values, period))
    first, last = np.median(total[:third]), np.median(total[-third:])
    print(f"  latency first third {1000 * first:.1f} ms, last third {1000 * last:.1f} ms: "
          f"{'GROWS (a queue builds up)' if last > first + period else 'does not grow (no queue builds up)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
