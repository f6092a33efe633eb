"""Live = saved, measured on the live path: poses replayed frame by frame through the live circles view.

    python benchmarks/live_saved.py [POSES.npz ...] [--synthetic] [--lag-ms-per-frame K ...] [--drop F ...]
                                    [--threads] [--paced VIDEO ...] [--detail]

Each sequence of poses (from `hipvision extract`, e.g. of the samples) is fed one `FramePose` at a time to
`hipvision.live.circles.CirclesLive` (a session's, `hipvision.live.session.SessionLive`, when the file name
starts with "session"), exactly as `run_live` does with a camera, and its ``shown`` timeline is compared
with the saved result (`saved_result()`, the file analysis of every frame):

* **set ends**: at the start of the next set's first circle (or the last frame, before the saved result
  is made), the shown counts equal the saved circles of the sets so far;
* **over**: times the shown count of a direction exceeded the saved count (must be 0); **back**: times a shown
  count went down (must be 0: the spoken count repeats when it goes up again); **ahead**: the longest a
  count was shown before the saved circle it stands for had ended, seconds (the analyses of the frames so
  far may place a circle's end a little earlier than the analysis of all of them);
* **delay**: from each saved circle's end to the shown count first reaching it, seconds of frame time
  (median, max);
* **rises above saved: within / above truth**, where a pose file has its render sidecar next to it
  (``STEM.json`` for ``STEM.full.poses.npz``, `benchmarks/accuracy.py`'s caches): of the times a shown count
  rose above the saved one, how many stayed within the true count (a true circle the analysis of all frames
  then lost) and how many went above it too (an extra circle); a last line sums every column.

The re-analyses run on frame time (`FrameTimePool`): by default each is ready at the next frame; with
``--lag-ms-per-frame K`` an analysis of n frames is ready K·n ms of frame time after it started (a loaded
machine; printed as ``cost``: what the analyses took here, ms per frame analysed). ``--drop F`` also replays
each case without a random fraction F of its frames (seeded; what a busy loop misses from a camera), with each
lag. ``--threads`` also runs the real worker thread with the frames fed as fast as they come (far faster than
a camera). ``--paced VIDEO ...``
plays videos as a camera at their real rate through the pose model and `run_live` (as
``benchmarks/live_latency.py``; frames the busy loop could not take are dropped, as from a camera), the
re-analyses on their worker thread: the whole live path, on wall-clock time. ``--synthetic``
adds the rendered squashed-depth set (5 + 5, seed 6) seen side-on, at 45° and from behind, and
`tests/fixtures/mediapipe_circles/hip_circles_side.npz`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from hipvision.core.circles.recount import DIRECTIONS  # noqa: E402
from hipvision.io import load_sequence  # noqa: E402
from hipvision.live.circles import CirclesLive  # noqa: E402
from hipvision.live.circles_recount import FrameTimePool  # noqa: E402
from hipvision.live.session import SessionLive  # noqa: E402
from hipvision.pose import FramePose  # noqa: E402
from hipvision.sequence import PoseSequence  # noqa: E402


def frame_poses(seq: PoseSequence):
    """The sequence's frames as the pose tracker hands them to a live view."""
    growth = seq.hip_growth if seq.hip_growth is not None else np.full(len(seq), np.nan)
    for i, t in enumerate(seq.timestamps_s):
        yield FramePose(float(t), seq.image[i], seq.visibility[i], seq.presence[i], seq.world[i],
                        hip_growth=float(growth[i]))


def dropped(seq: PoseSequence, fraction: float, seed: int = 3) -> PoseSequence:
    """``seq`` without a random ``fraction`` of its frames (seeded): the frames a busy live loop misses."""
    keep = np.flatnonzero(np.random.default_rng(seed).random(len(seq)) >= fraction)
    return dataclasses.replace(seq, timestamps_s=seq.timestamps_s[keep], image=seq.image[keep],
                               visibility=seq.visibility[keep], presence=seq.presence[keep], world=seq.world[keep],
                               hip_growth=None if seq.hip_growth is None else seq.hip_growth[keep])


def replay(seq: PoseSequence, *, session: bool = False, lag_ms_per_frame: float | None = None,
           threads: bool = False, drop: float = 0.0) -> dict:
    """Feed ``seq`` to a live view (without a random ``drop`` fraction of its frames); returns {shown, before
    (shown counts at the last frame, before the saved result), saved (counts), reps (the saved circles:
    direction, start_s, end_s), costs (frames, ms)}."""
    seq = dropped(seq, drop) if drop > 0 else seq
    pool = None if threads else FrameTimePool(
        None if lag_ms_per_frame is None else (lambda n: lag_ms_per_frame * n / 1000.0))
    make_pool = None if pool is None else (lambda: pool)
    if session:
        view = SessionLive(frame_size=seq.frame_size, fps=seq.fps, source="replay", recount_pool=make_pool)
    else:
        view = CirclesLive(source="replay", frame_size=seq.frame_size, fps=seq.fps, recount_pool=make_pool)
    for pose in frame_poses(seq):
        if pool is not None:
            pool.now_s = pose.timestamp_s
        view.update(pose)
    return _scored_run(view, session, len(view.shown))


def _scored_run(view, session: bool, n_live: int | None, dropped: int = 0) -> dict:
    """The run dict of a live view after its last frame (``n_live``: entries of ``shown`` before the saved
    result was made; None = work it out from the last frame's time)."""
    circles = view._circles if session else view
    costs = circles.recount.costs if circles is not None else []
    if session:
        data = view.result()
        shown = data["shown"]
        reps = [r for p in data["phases"] if p["kind"] == "quadruped" and p["status"] == "analysed" and p.get("result")
                for r in p["result"]["reps"]]
        saved = {k: sum(1 for r in reps if r["direction"] == k) for k in DIRECTIONS}
        end_s = float(data.get("duration_s") or 0.0)
    else:
        result = view.saved_result().to_dict()
        shown, reps = result["shown"], result["reps"]
        saved = {k: result[k] for k in DIRECTIONS}
        end_s = float(view._sequence().timestamps_s[-1])
    if n_live is None:  # the saved result adds an entry at the last frame when the counts differ
        n_live = len(shown) - 1 if len(shown) > 1 and shown[-1]["t_s"] >= end_s - 1e-3 else len(shown)
    live = shown[:n_live]
    before = {k: live[-1][k] for k in DIRECTIONS} if live else dict.fromkeys(DIRECTIONS, 0)
    return {"shown": shown, "live": live, "before": before, "saved": saved, "dropped": dropped,
            "reps": [{k: r[k] for k in ("direction", "start_s", "end_s")} for r in reps], "costs": costs}


def paced(video: Path) -> dict:
    """``video`` played as a camera at its real rate through the pose model and the live view (see the module);
    returns what `replay` returns."""
    from live_latency import PacedSource

    from hipvision.live.loop import run_live
    from hipvision.pose import PoseTracker

    import scipy.optimize  # noqa: F401 - loaded while the model loads, as the live commands do
    import scipy.signal  # noqa: F401
    with PoseTracker(None) as tracker:
        source = PacedSource(video, 1e6, 2)
        session = video.stem.startswith("session")
        view = (SessionLive(frame_size=source.frame_size, fps=source.fps, source="paced", model=tracker.model_name)
                if session else CirclesLive(source="paced", model=tracker.model_name, frame_size=source.frame_size,
                                            fps=source.fps))
        run_live(source, tracker, view, window=False, mirror=True)  # (ends by making the saved result)
    return _scored_run(view, session, None, dropped=source.dropped)


def shown_at(shown: list[dict], t_s: float) -> dict[str, int]:
    """The counts on screen at ``t_s`` (0 before the first entry)."""
    now = dict.fromkeys(DIRECTIONS, 0)
    for e in shown:
        if e["t_s"] > t_s:
            break
        now = {k: e[k] for k in DIRECTIONS}
    return now


def sets_of(reps: list[dict]) -> list[list[dict]]:
    """The saved circles grouped into sets: runs of one direction."""
    sets: list[list[dict]] = []
    for r in sorted(reps, key=lambda r: r["start_s"]):
        if sets and sets[-1][-1]["direction"] == r["direction"]:
            sets[-1].append(r)
        else:
            sets.append([r])
    return sets


def score(run: dict) -> dict:
    """Set ends right (n of m), over, back, ahead, delays (see the module)."""
    shown, reps, saved = run["live"], run["reps"], run["saved"]  # what was shown before the saved result
    sets = sets_of(reps)
    ends_ok, ends = 0, []
    so_far = dict.fromkeys(DIRECTIONS, 0)
    for k, s in enumerate(sets):
        for r in s:
            so_far[r["direction"]] += 1
        last = k == len(sets) - 1
        on_screen = run["before"] if last else shown_at(shown, sets[k + 1][0]["start_s"])
        ends.append(f"{on_screen['clockwise']}+{on_screen['counterclockwise']}")
        ends_ok += on_screen == so_far
    over = sum(any(e[k] > saved[k] for k in DIRECTIONS) for e in shown)
    back = sum(any(b[k] < a[k] for k in DIRECTIONS) for a, b in zip(shown, shown[1:]))
    ahead = 0.0  # the longest a count was shown before the saved circle it stands for ended, seconds
    for e in shown:
        for k in DIRECTIONS:
            ends_k = sorted(r["end_s"] for r in reps if r["direction"] == k)
            if 0 < e[k] <= len(ends_k):
                ahead = max(ahead, ends_k[e[k] - 1] - e["t_s"])
    delays = []
    for k in DIRECTIONS:
        ends_k = sorted(r["end_s"] for r in reps if r["direction"] == k)
        for n, end in enumerate(ends_k, start=1):
            first = next((e["t_s"] for e in shown if e[k] >= n), None)
            delays.append(np.inf if first is None else first - end)
    return {"sets": len(sets), "set_ends_ok": ends_ok, "set_ends_shown": ends, "over": over, "back": back,
            "ahead": ahead,
            "delay_median_s": float(np.median(delays)) if delays else float("nan"),
            "delay_max_s": float(np.max(delays)) if delays else float("nan"),
            "saved": f"{saved['clockwise']}+{saved['counterclockwise']}",
            "end": f"{run['before']['clockwise']}+{run['before']['counterclockwise']}"}


def rises(shown: list[dict], saved: dict, truth: dict | None) -> dict:
    """Times a shown count (``shown``: the live timeline, each entry's count per direction) rose above the ``saved``
    count of its direction: ``above_saved``; of those, ``within_truth`` / ``above_truth`` against the ``truth``
    counts (None: not known, both None)."""
    above_saved, within, above = 0, 0, 0
    prev = dict.fromkeys(DIRECTIONS, 0)
    for e in shown:
        for k in DIRECTIONS:
            if e[k] > prev[k] and e[k] > saved[k]:
                above_saved += 1
                if truth is not None:
                    within += e[k] <= truth[k]
                    above += e[k] > truth[k]
        prev = {k: e[k] for k in DIRECTIONS}
    known = truth is not None
    return {"above_saved": above_saved, "within_truth": within if known else None,
            "above_truth": above if known else None}


def sidecar_truth(poses: Path) -> dict | None:
    """The true circle counts of a rendered video's poses (``STEM.full.poses.npz`` → ``STEM.json``'s
    ``circles``), or None where there is no sidecar."""
    sidecar = poses.parent / (poses.name.split(".")[0] + ".json")
    if not sidecar.exists():
        return None
    circles = json.loads(sidecar.read_text()).get("circles") or {}
    return {k: int(circles.get(k, 0)) for k in DIRECTIONS} if circles else None


def synthetic_cases() -> dict[str, PoseSequence]:
    """The live-count xfail cases of the tests: the rendered squashed-depth 5 + 5 set (seed 6, depth motion
    0.1 of its size) side-on, at 45° and from behind, and MediaPipe's side-on landmarks of a rendered set."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_circles_depth import SET  # the set those tests render

    from hipvision.synthetic.quadruped import render_quadruped

    cases = {f"squashed depth, {v}": render_quadruped(SET, view=v, seed=6, depth_motion_gain=0.1)
             for v in ("side", "45", "behind")}
    cases["MediaPipe side-on fixture"] = load_sequence(ROOT / "tests" / "fixtures" / "mediapipe_circles"
                                                       / "hip_circles_side.npz")
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("poses", nargs="*", type=Path)
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--lag-ms-per-frame", type=float, nargs="*", default=[])
    parser.add_argument("--threads", action="store_true")
    parser.add_argument("--drop", type=float, nargs="*", default=[],
                        help="also replay without this fraction of the frames (random, seeded), with each lag")
    parser.add_argument("--paced", type=Path, nargs="*", default=[])
    parser.add_argument("--detail", action="store_true", help="also print each run's shown timeline and saved circles")
    args = parser.parse_args()
    stems = [p.stem for p in args.poses]  # the same name from two folders (two seeds' caches) keeps both
    names = {p: (f"{p.parent.name}/{p.stem}" if stems.count(p.stem) > 1 else p.stem) for p in args.poses}
    cases = {names[p]: load_sequence(p) for p in args.poses}
    truths = {names[p]: sidecar_truth(p) for p in args.poses}
    if args.synthetic:
        cases.update(synthetic_cases())
    modes: list[tuple[str, dict]] = [("next frame", {})]
    modes += [(f"{k:g} ms/frame", {"lag_ms_per_frame": k}) for k in args.lag_ms_per_frame]
    modes += [(f"{mode}, {100 * f:g}% of frames dropped", {**kw, "drop": f}) for f in args.drop for mode, kw in list(modes)]
    if args.threads:
        modes.append(("thread, flat out", {"threads": True}))
    runs = [(name, mode, lambda seq=seq, kw=kw, name=name: replay(
                seq, session=name.rsplit("/", 1)[-1].startswith("session"), **kw))
            for name, seq in cases.items() for mode, kw in modes]
    runs += [(video.stem, "camera at real rate, pose model", lambda video=video: paced(video)) for video in args.paced]
    details = []
    print("| video | analysis ready | saved | shown at end | set ends right | over saved | steps back "
          "| ahead of a circle (s) | delay median / max (s) | cost (ms per frame) "
          "| rises above saved: within / above truth |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    totals = {"ends_ok": 0, "sets": 0, "over": 0, "back": 0, "above_saved": 0, "within": 0, "above": 0}
    for name, mode, run_it in runs:
        run = run_it()
        s = score(run)
        cost = (np.median([ms / max(n, 1) for n, ms in run["costs"]]) if run["costs"] else float("nan"))
        if run["dropped"]:
            mode += f" ({run['dropped']} frames dropped)"
        details.append(f"{name}, {mode}:\n  shown {[(e['t_s'], e['clockwise'], e['counterclockwise']) for e in run['live']]}"
                       f"\n  saved {[(r['direction'][:3], round(r['end_s'], 2)) for r in run['reps']]}")
        up = rises(run["live"], run["saved"], truths.get(name))
        against = "—" if up["within_truth"] is None else f"{up['within_truth']} / {up['above_truth']}"
        print(f"| {name} | {mode} | {s['saved']} | {s['end']} | {s['set_ends_ok']} of {s['sets']} "
              f"({', '.join(s['set_ends_shown'])}) | {s['over']} | {s['back']} | {s['ahead']:.2f} | "
              f"{s['delay_median_s']:.2f} / {s['delay_max_s']:.2f} | {cost:.2f} | {up['above_saved']}: {against} |",
              flush=True)
        for key, value in (("ends_ok", s["set_ends_ok"]), ("sets", s["sets"]), ("over", s["over"]),
                           ("back", s["back"]), ("above_saved", up["above_saved"]),
                           ("within", up["within_truth"] or 0), ("above", up["above_truth"] or 0)):
            totals[key] += value
    print(f"| **all** ({len(runs)} runs) | | | | {totals['ends_ok']} of {totals['sets']} | {totals['over']} | "
          f"{totals['back']} | | | | {totals['above_saved']}: {totals['within']} / {totals['above']} |")
    if args.detail:
        print("\n".join(details))


if __name__ == "__main__":
    main()
