"""The hip growth computed after the fact: while tracking a file, keep only the small boxes the flow needs.

`PoseTracker` measures the hip growth (`hipvision.pose.image_motion`) on frames after one on all fours. Live,
it computes the flow on a worker thread while the model runs on the frame (the live circles count reads the
growth within a second). For a file nobody reads the growth before the last frame, so `extract` has the tracker
hand each frame pair's two grey boxes (`GrowthPair`, at most 2 × 100 × 100 bytes) to a `LaterGrowth` instead, and
computes the flows after the loop, where they no longer share the cores with the model frame by frame, on two
threads (OpenCV's flow releases the GIL).

Memory: the boxes kept never exceed ``max_bytes`` (default `MAX_KEPT_BYTES`, 48 MB: about 2,400 frame pairs, two
minutes on all fours at 20 fps). When the next pair would pass it, the pairs kept so far are computed there and
then (the loop waits for them) and their boxes dropped: the same values, paid inside the loop. What stays per
measured frame is its row (int64) and its growth (float64): 16 bytes.
"""

from __future__ import annotations

import math
from array import array
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from hipvision.pose.image_motion import FlowFn, GrowthPair

#: Most bytes of grey boxes kept before they are computed in the loop (see the module docstring).
MAX_KEPT_BYTES = 48 * 2 ** 20
#: Threads the kept flows are computed on (the machine's two cores; the flow releases the GIL).
WORKERS = 2


class LaterGrowth:
    """Frame pairs whose growth is computed later (`add`), and the growths once computed (`results`).

    Args:
        flow: the dense flow to measure with (`HipGrowthMeter.flow`); None = `farneback_flow`.
        max_bytes: most bytes of boxes kept; past it the kept pairs are computed at once (same values).
        workers: threads for the flows.

    Attributes:
        flushes: how often the cap made the kept pairs be computed before `results`.
        peak_bytes: the most bytes of boxes kept at any time.
    """

    def __init__(self, flow: FlowFn | None = None, *, max_bytes: int = MAX_KEPT_BYTES, workers: int = WORKERS) -> None:
        self._flow = flow
        self.max_bytes = int(max_bytes)
        self._workers = max(1, int(workers))
        self._pending_rows: list[int] = []
        self._pending: list[GrowthPair] = []
        self._kept_bytes = 0
        self._rows = array("q")
        self._growth = array("d")
        self.flushes = 0
        self.peak_bytes = 0

    @property
    def kept_bytes(self) -> int:
        """Bytes of boxes kept now (pairs not yet computed)."""
        return self._kept_bytes

    def __len__(self) -> int:
        """Frame pairs added so far (computed or not)."""
        return len(self._rows) + len(self._pending)

    def add(self, row: int, pair: GrowthPair) -> None:
        """Keep ``pair``, the growth of the frame in row ``row`` (rows increasing); computes the kept pairs
        first if this one would pass ``max_bytes``."""
        if self._pending and self._kept_bytes + pair.nbytes > self.max_bytes:
            self.flushes += 1
            self._compute()
        self._pending_rows.append(int(row))
        self._pending.append(pair)
        self._kept_bytes += pair.nbytes
        self.peak_bytes = max(self.peak_bytes, self._kept_bytes)

    def results(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows (K,) int, growth (K,) float, dimensionless) of every pair added, computing those kept."""
        self._compute()
        return np.frombuffer(self._rows, dtype=np.int64).copy(), np.frombuffer(self._growth, dtype=float).copy()

    def fill(self, growth: np.ndarray) -> None:
        """Write the growths into ``growth`` (a frame-indexed (T,) array) at their rows; rows past its end (a
        frame processed but not kept, e.g. after Ctrl-C) are left out."""
        rows, values = self.results()
        inside = rows < len(growth)
        growth[rows[inside]] = values[inside]

    def _compute(self) -> None:
        if not self._pending:
            return
        pairs, flow = self._pending, self._flow
        if self._workers > 1 and len(pairs) > 1:
            with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="hip-growth-later") as pool:
                values = list(pool.map(lambda p: p.growth(flow), pairs))
        else:
            values = [p.growth(flow) for p in pairs]
        self._rows.extend(self._pending_rows)
        self._growth.extend(v if math.isfinite(v) else math.nan for v in values)
        self._pending_rows, self._pending, self._kept_bytes = [], [], 0
