"""Accuracy of hipvision on rendered people with known answers, per camera condition and pose model.

Generates (or reuses, from a cache folder) a seeded set of rendered videos — seated IR efforts
under every seated camera condition, hip circles under every quadruped condition, and negatives
(rocking on all fours, sitting still) — runs the pipeline (pose model → analysis) and prints
markdown tables:

* seated IR per condition and overall, one row per leg that rotated: MAE, bias, 95% limits of
  agreement, worst error of the held angle, coverage of ``uncertainty_deg`` (truth inside
  held ± uncertainty) and its median; resting legs read "no effort"; efforts found / extra;
* circles per placement and overall: exact counts and directions, direction accuracy,
  wrong-and-high (a "high"-confidence result with wrong counts; must be 0), low-confidence
  results, rep edge error (start/end vs truth), radius error where confidence is high and the size was
  measured (not marked an estimate), how many sizes were estimates, and how many of the rendered people's
  neutral start positions were judged and told to move (a false flag);
* negatives: false circles (rocking) and false efforts (sitting still);
* whole sessions (``--part sessions``: seated test → circles → seated test in one recording, the camera in front
  of the chair at seated height, the person on all fours turned to each placement: side-on, 45° in front, 45°
  behind, straight behind, straight in front of the head) per placement: the circles phase found, its counts
  exact, its confidence, wrong-and-high, the IR change credited to the circles (and of those to a wrong count:
  must be 0), and the IR change per leg against the truth (error, truth inside change ± its 95%).

Two sets differ only in their base seed: the benchmark set (``--seed``, default 100) and the
held-out set (``--heldout``: seed 9101, own cache folder). Analyse the held-out set only once the
analysis settings are fixed, and report it separately.

Rendering needs the ``synth`` extra (torch, anny, pyrender); with a complete cache it does not.
Videos and pose files (one .npz per pose model) in the cache are reused; the analyses run afresh.

    python benchmarks/accuracy.py --part seated --model full
    python benchmarks/accuracy.py --heldout --model full --json out/heldout.json

Several seeds pool into one table (each its own cache: ``{seed}`` in ``--cache``), e.g. every held-out seed
already analysed once, re-analysed with today's code:

    python benchmarks/accuracy.py --part circles --skip-missing --seed 9731 9847 9953 --cache /data/heldout/{seed}
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hipvision.io import write_json_atomic
from hipvision.synthetic.render.metrics import (
    CircleVideo,
    SeatedLeg,
    SessionVideo,
    circles_table,
    leg_rows,
    seated_table,
    sessions_table,
)
from hipvision.synthetic.render.randomize import QUADRUPED_CONDITIONS, SEATED_CONDITIONS
from hipvision.synthetic.render.scenes import make_spec
from hipvision.synthetic.render.sidecar import (
    load_sidecar,
    match_efforts,
    match_intervals,
)

BENCHMARK_SEED = 100
HELDOUT_SEED = 9101   # odd: the yaw and roll signs of every condition flip relative to the benchmark set
#: Seat heights: thigh slope drawn per seated video, degrees (+ = knees below the hips).
THIGH_SLOPE_DEG = (-2.0, 12.0)
#: Whole sessions (``--part sessions``): where the camera, left in front of the chair, ends up relative to the person
#: on all fours → the person's heading range on all fours (degrees; 0 = head toward the camera, 180 = hips toward
#: it; drawn either way round): the quadruped conditions' ranges of the same names, except straight behind from 165°
#: (168° there).
SESSION_PLACEMENTS: dict[str, tuple[float, float]] = {
    "side": (80.0, 100.0), "oblique_front": (35.0, 55.0), "oblique_back": (125.0, 145.0),
    "behind": (165.0, 180.0), "front": (0.0, 15.0),
}


@dataclass(frozen=True)
class Item:
    """One video of the set: file stem, its spec, and the condition it is reported under."""

    stem: str
    spec: object
    condition: str

    @property
    def part(self) -> str:
        """"seated" (a seated test or sitting still), "circles" (on all fours) or "sessions" (both in one recording),
        as ``--part`` names them."""
        if self.spec.scene == "session":
            return "sessions"
        return "seated" if self.spec.scene in ("seated_ir", "sitting_still") else "circles"


def video_seed(base_seed: int, *keys: str | int) -> int:
    """The render seed of one video of the set with base seed ``base_seed``: a hash of the base seed and
    ``keys`` (scene, condition name, video number, try), 31 bits.

    Hashed so that no two base seeds share a video. Until 2026-12-06 the seeds were ``base + 1000 × c + 20 × j
    + k`` (and +50 000 / +150 000 for the negatives): neighbouring base seeds met in about one video in four
    (10039 shared 6 of its 20 seated videos with 10037; 10023 two circles videos with 10021), so a "held-out"
    seed was not all new (docs/rotation-accuracy.md, "Held-out seeds that were not all new").
    """
    ints = [zlib.crc32(k.encode()) if isinstance(k, str) else int(k) for k in keys]
    return int(np.random.SeedSequence([int(base_seed), *ints]).generate_state(1)[0] >> 1)


def _signed_spec(scene: str, base_seed: int, keys: tuple, sign: float, *, film: dict, condition: str,
                 options: dict):
    """The spec of the first try (`video_seed` of ``keys`` and the try) whose camera heading has ``sign``
    (so that both yaw directions occur; deterministic); ``film``: `make_spec`'s fps, width and height."""
    spec = None
    for k in range(16):
        spec = make_spec(scene, video_seed(base_seed, *keys, k), **film, condition=condition, options=options)
        if np.sign(spec.camera.heading_deg) == sign:
            break
    return spec


def plan(*, seed: int, per_condition: int = 2, efforts: int = 2, circles_per_condition: int = 1,
         per_direction: tuple[int, int] = (2, 3), negatives: int = 2, fps: float = 15.0,
         parts: tuple[str, ...] = ("seated", "circles"), sessions_per_placement: int = 1,
         size: tuple[int, int] = (640, 480)) -> list[Item]:
    """Every video of the set with base seed ``seed`` (the benchmark and held-out sets differ only in it).

    Video ``j`` of the ``c``-th condition is turned to the sign (−1)^(c + j + seed), so each condition
    sees both yaw directions with ``per_condition`` ≥ 2, and the held-out seed (odd) flips them.
    ``negatives``: that many rocking videos (quadruped conditions in turn) with ``circles`` and
    that many sitting-still videos (seated conditions in turn) with ``seated``. With ``sessions``,
    ``sessions_per_placement`` whole sessions per `SESSION_PLACEMENTS` entry (the camera's seated condition "front",
    two efforts per seated phase, 2 or 3 circles each way). Each video's own render seed is `video_seed` of the base
    seed, its scene, condition and number: the frame rate ``fps`` and the frame ``size`` (width, height pixels; the
    person fills the same share of it) change how the same people, rooms, cameras and motions are filmed, not them.
    """
    out: list[Item] = []
    film = {"fps": fps, "width": size[0], "height": size[1]}   # how every video is filmed, not what it films
    if "seated" in parts:
        for c, cond in enumerate(SEATED_CONDITIONS):
            for j in range(per_condition):
                slope = float(np.random.default_rng([video_seed(seed, "seated_ir", cond, j), 14])
                              .uniform(*THIGH_SLOPE_DEG))
                spec = _signed_spec("seated_ir", seed, ("seated_ir", cond, j), (-1.0) ** (c + j + seed),
                                    film=film, condition=cond,
                                    options={"efforts": efforts, "thigh_slope_deg": round(slope, 1)})
                out.append(Item(f"seated-{cond}-{j}", spec, cond))
        for i in range(negatives):
            cond = list(SEATED_CONDITIONS)[i % len(SEATED_CONDITIONS)]
            spec = make_spec("sitting_still", video_seed(seed, "sitting_still", cond, i), **film, condition=cond,
                             options={"duration_s": 8.0})
            out.append(Item(f"still-{cond}-{i}", spec, cond))
    if "circles" in parts:
        lo, hi = per_direction
        for c, cond in enumerate(QUADRUPED_CONDITIONS):
            for j in range(circles_per_condition):
                per = lo + (c + j) % (hi - lo + 1)
                spec = _signed_spec("hip_circles", seed, ("hip_circles", cond, j), (-1.0) ** (c + j + seed),
                                    film=film, condition=cond, options={"per_direction": per})
                out.append(Item(f"circles-{cond}-{j}", spec, cond))
        for i in range(negatives):
            cond = list(QUADRUPED_CONDITIONS)[i % len(QUADRUPED_CONDITIONS)]
            spec = make_spec("rocking", video_seed(seed, "rocking", cond, i), **film, condition=cond,
                             options={"duration_s": 10.0})
            out.append(Item(f"rocking-{cond}-{i}", spec, cond))
    if "sessions" in parts:
        lo, hi = per_direction
        for c, (placement, heading) in enumerate(SESSION_PLACEMENTS.items()):
            for j in range(sessions_per_placement):
                spec = make_spec("session", video_seed(seed, "session", placement, j), **film, condition="front",
                                 options={"per_direction": lo + (c + j) % (hi - lo + 1), "efforts": 2,
                                          "circles_heading": heading})
                out.append(Item(f"session-{placement}-{j}", spec, placement))
    return out


def rendered(items: list[Item], cache: Path) -> list[Item]:
    """The items whose video and sidecar are in ``cache`` for exactly their spec."""
    from hipvision.synthetic.render.generate import is_done

    return [it for it in items if is_done(cache / f"{it.stem}.mp4", cache / f"{it.stem}.json", it.spec)]


def ensure_rendered(items: list[Item], cache: Path, rig_cache: Path | None) -> None:
    """Render what is missing (resumable; needs the synth extra only when something is missing)."""
    done = {it.stem for it in rendered(items, cache)}
    todo = [it for it in items if it.stem not in done]
    if not todo:
        return
    from hipvision.synthetic.render.generate import render_spec

    for k, it in enumerate(todo, 1):
        t0 = time.perf_counter()
        side = render_spec(it.spec, cache / f"{it.stem}.mp4", rig_cache=rig_cache, command="benchmarks/accuracy.py")
        print(f"rendered {k}/{len(todo)} {it.stem}: {side['video']['frame_count']} frames in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)


def poses(stem: str, cache: Path, model: str):
    """The `PoseSequence` of a video with ``model``: cached as ``<stem>.<model>.poses.npz`` (extracted again
    if cached without `PoseSequence.hip_growth`, or older than the video: a video rendered again for a new spec)."""
    from hipvision.io import load_sequence, save_sequence

    path, video = cache / f"{stem}.{model}.poses.npz", cache / f"{stem}.mp4"
    fresh = path.is_file() and not (video.is_file() and video.stat().st_mtime > path.stat().st_mtime)
    seq = load_sequence(path) if fresh else None
    if seq is None or seq.hip_growth is None:
        from hipvision.pose import poses_from_input

        t0 = time.perf_counter()
        seq = poses_from_input(cache / f"{stem}.mp4", model=model, progress=None)
        save_sequence(seq, path)
        took = time.perf_counter() - t0
        print(f"extracted {stem} with {model}: {len(seq.timestamps_s)} frames in {took:.0f} s "
              f"({len(seq.timestamps_s) / max(took, 1e-9):.1f} frames/s)", flush=True)
    return seq


def analyse(stem: str, cache: Path, kind: str, model: str) -> dict:
    """The analysis result of a video's poses (`poses`).

    The result is recomputed every run (the analysis is fast and may have changed) and written next
    to the video (``<stem>.<model>.rotation.json`` / ``.circles.json``) for inspection.
    """
    seq = poses(stem, cache, model)
    if kind == "rotation":
        from hipvision.core.rotation import analyze_rotation

        result = analyze_rotation(seq).to_dict()
    elif kind == "session":
        from hipvision.core.session import analyze_session

        result = analyze_session(seq).to_dict()
    else:
        from hipvision.core.circles import analyze_circles

        result = analyze_circles(seq).to_dict()
    write_json_atomic(cache / f"{stem}.{model}.{kind}.json", result)
    return result


def seated_rows(truth: dict, result: dict) -> tuple[list[dict], int]:
    """(Also used by benchmarks/models.py.) One row per true effort (truth, measured held angle or NaN if missed), and the number
    of measured efforts that match no true one (false detections)."""
    rows = []
    for leg in ("left", "right"):
        measured = (result.get(leg) or {}).get("efforts") or []
        for t, m in match_efforts(truth["rotation"]["efforts"], measured, leg=leg):
            held = m.get("held_deg") if m else None
            rows.append({"leg": leg, "truth_deg": t["held_deg"], "measured_deg": math.nan if held is None else held})
    n_measured = sum(len((result.get(leg) or {}).get("efforts") or []) for leg in ("left", "right"))
    return rows, n_measured - sum(1 for r in rows if np.isfinite(r["measured_deg"]))


def circle_row(truth: dict, result: dict) -> dict:
    """Counts, direction agreement and radius errors of one circles video."""
    t_reps, m_reps = truth["circles"]["reps"], result.get("reps") or []
    pairs = match_intervals(t_reps, m_reps)
    matched = [(t, m) for t, m in pairs if m is not None]
    counts = (result.get("clockwise") == truth["circles"]["clockwise"]
              and result.get("counterclockwise") == truth["circles"]["counterclockwise"])
    # exact: the counts per direction, in the true order of directions (a video counted the wrong way
    # round still gives the right counts when both sets are equal)
    exact = counts and [m.get("direction") for m in m_reps] == [t["direction"] for t in t_reps]
    return {"exact": bool(exact), "counts": bool(counts), "truth_total": truth["circles"]["total"],
            "measured_total": result.get("total"),
            "direction_ok": [t["direction"] == m.get("direction") for t, m in matched],
            "radius": [(t["radius_cm"], m.get("radius_cm")) for t, m in matched if m.get("radius_cm") is not None],
            "matched": len(matched)}


def seated_video(item: Item, truth: dict, result: dict) -> tuple[list[SeatedLeg], int, int, int]:
    """Per-leg rows of one seated video, and its efforts: (legs, true efforts, found, extra measured)."""
    legs = leg_rows(truth["rotation"]["efforts"], result, condition=item.condition, video=item.stem)
    rows, extra = seated_rows(truth, result)
    return legs, len(rows), sum(1 for r in rows if np.isfinite(r["measured_deg"])), extra


def circle_video(item: Item, truth: dict, result: dict) -> CircleVideo:
    """Counts, confidence, rep edges and radii of one circles (or rocking) video."""
    t_reps, m_reps = truth["circles"]["reps"], result.get("reps") or []
    matched = [(t, m) for t, m in match_intervals(t_reps, m_reps) if m is not None]
    return CircleVideo(
        condition=item.condition, video=item.stem, negative=item.spec.scene == "rocking",
        truth=(truth["circles"]["clockwise"], truth["circles"]["counterclockwise"]),
        measured=(int(result.get("clockwise") or 0), int(result.get("counterclockwise") or 0)),
        order_ok=[m.get("direction") for m in m_reps] == [t["direction"] for t in t_reps],
        confidence=str(result.get("confidence") or "unknown"),
        directions_ok=tuple(t["direction"] == m.get("direction") for t, m in matched),
        edge_errors_s=tuple(e for t, m in matched for e in (m["start_s"] - t["start_s"], m["end_s"] - t["end_s"])),
        radii_cm=tuple((t["radius_cm"], m["radius_cm"]) for t, m in matched if m.get("radius_cm") is not None),
        radii_estimated=tuple(bool(m.get("size_estimated")) for t, m in matched if m.get("radius_cm") is not None),
        start_ok=(result.get("start_position") or {}).get("ok"))


def session_video(item: Item, truth: dict, result: dict) -> SessionVideo:
    """The circles phase (every phase on hands and knees, pooled), its confidence and credit, and the IR change
    per leg of one rendered session against its truth."""
    from hipvision.core.session import circles_credit

    phases = [p for p in result.get("phases") or [] if p.get("kind") == "quadruped" and p.get("status") == "analysed"]
    reps = [r for p in phases for r in (p.get("result") or {}).get("reps") or []]
    measured = tuple(sum(int((p.get("result") or {}).get(d) or 0) for p in phases)
                     for d in ("clockwise", "counterclockwise"))
    high = bool(phases) and all(p.get("confidence") == "high" for p in phases)
    sides = ("left", "right")
    change, pm = result.get("change_deg") or {}, result.get("change_uncertainty_deg") or {}
    return SessionVideo(
        condition=item.condition, video=item.stem, circles_found=bool(phases),
        truth=(truth["circles"]["clockwise"], truth["circles"]["counterclockwise"]), measured=measured,
        order_ok=[r.get("direction") for r in reps] == [t["direction"] for t in truth["circles"]["reps"]],
        confidence="high" if high else "low", credited=circles_credit(result)[1] is None,
        change_true=tuple(float(truth["change_deg"][s]) for s in sides),
        change_measured=tuple(change.get(s) for s in sides), change_pm=tuple(pm.get(s) for s in sides))


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def _frame_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` → (1280, 720); argparse's type for ``--size``."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    if w < 64 or h < 64 or w % 2 or h % 2:
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be even and at least 64 pixels")
    return w, h


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", default=None,
                   help="folder for videos, sidecars, pose files and results (default .cache/accuracy-<seed>); "
                        "with several seeds it must contain {seed}")
    p.add_argument("--heldout", action="store_true", help=f"the held-out set (base seed {HELDOUT_SEED})")
    p.add_argument("--seed", type=int, nargs="+", default=None,
                   help=f"base seed of the set (default {BENCHMARK_SEED}); several: their videos pooled in one table")
    p.add_argument("--part", choices=("all", "seated", "circles", "sessions"), default="all",
                   help="which part to run (all: seated and circles; sessions only when named)")
    p.add_argument("--sessions-per-placement", type=int, default=1,
                   help="whole sessions per placement of the camera around the person on all fours")
    p.add_argument("--per-condition", type=int, default=2, help="seated IR videos per seated camera condition")
    p.add_argument("--efforts", type=int, default=2, help="IR efforts per seated video")
    p.add_argument("--circles-per-condition", type=int, default=1, help="circle videos per quadruped condition")
    p.add_argument("--negatives", type=int, default=2, help="rocking and sitting-still videos (each)")
    p.add_argument("--fps", type=float, default=15.0, help="frame rate of the rendered videos")
    p.add_argument("--size", type=_frame_size, default=(640, 480), metavar="WxH",
                   help="frame size of the rendered videos, e.g. 1280x720 (default 640x480; the person fills the "
                        "same share of the frame)")
    p.add_argument("--model", default=None,
                   help="pose model: lite, full or heavy (or a .task path); default: as the commands read a file, "
                        "heavy for the seated test and full for the circles")
    p.add_argument("--rig-cache", type=Path, default=None, help="folder for cached body rigs")
    p.add_argument("--render-only", action="store_true", help="render the set and stop")
    p.add_argument("--skip-missing", action="store_true",
                   help="render nothing: use only the videos already in the cache (says how many are missing)")
    p.add_argument("--extract-only", action="store_true", help="render and extract poses; analyse nothing")
    p.add_argument("--json", type=Path, default=None, help="also write the metrics here")
    args = p.parse_args(argv)
    if args.heldout and args.seed is not None and args.seed != [HELDOUT_SEED]:
        p.error("--heldout and --seed name different sets")
    seeds = [HELDOUT_SEED] if args.heldout else (args.seed or [BENCHMARK_SEED])
    if len(seeds) > 1 and (args.cache is None or "{seed}" not in args.cache):
        p.error("with several seeds, --cache must contain {seed} (one cache folder per seed)")
    if len(seeds) > 1 and not (args.skip_missing or args.render_only or args.extract_only):
        p.error("several seeds are pooled from their caches: add --skip-missing (or render each seed on its own)")
    name = ("held-out" if seeds == [HELDOUT_SEED] else "benchmark" if seeds == [BENCHMARK_SEED]
            else "custom" if len(seeds) == 1 else "pooled")
    parts = ("seated", "circles") if args.part == "all" else (args.part,)
    from hipvision.pose.models import DEFAULT_MODEL, SEATED_FILE_MODEL

    part_model = {"seated": args.model or SEATED_FILE_MODEL, "circles": args.model or DEFAULT_MODEL,
                  "sessions": args.model or DEFAULT_MODEL}
    model = " / ".join(dict.fromkeys(part_model[p] for p in parts))     # as printed and written
    legs: list[SeatedLeg] = []
    efforts: dict[str, list[int]] = {}
    circles: list[CircleVideo] = []
    sessions: list[SessionVideo] = []
    videos = 0
    for seed in seeds:
        cache = (ROOT / ".cache" / f"accuracy-{seed}" if args.cache is None
                 else Path(args.cache.replace("{seed}", str(seed))))
        cache.mkdir(parents=True, exist_ok=True)
        items = plan(seed=seed, per_condition=args.per_condition, efforts=args.efforts,
                     circles_per_condition=args.circles_per_condition, negatives=args.negatives, fps=args.fps,
                     parts=parts, sessions_per_placement=args.sessions_per_placement, size=args.size)
        print(f"set: {name} (base seed {seed}), {len(items)} videos at {args.fps:g} fps, "
              f"{args.size[0]}x{args.size[1]}, pose model {model}, "
              f"cache {cache}", flush=True)
        if args.skip_missing:
            have = rendered(items, cache)
            print(f"--skip-missing: {len(items) - len(have)} of {len(items)} videos not rendered yet, left out",
                  flush=True)
            items = have
        else:
            ensure_rendered(items, cache, args.rig_cache)
        if args.render_only:
            continue
        if args.extract_only:   # no analysis either: the held-out set's results are not to be seen early
            for it in items:
                poses(it.stem, cache, part_model[it.part])
            print("poses extracted; nothing analysed (--extract-only)")
            continue
        videos += len(items)
        for it in items:
            truth = load_sidecar(cache / f"{it.stem}.json")
            if it.part == "seated":
                result = analyse(it.stem, cache, "rotation", part_model["seated"])
                rows, n_true, n_found, n_extra = seated_video(it, truth, result)
                legs.extend(rows)
                acc = efforts.setdefault(it.condition, [0, 0, 0])
                acc[0] += n_true
                acc[1] += n_found
                acc[2] += n_extra
            elif it.part == "sessions":
                sessions.append(session_video(it, truth, analyse(it.stem, cache, "session", part_model["sessions"])))
            else:
                circles.append(circle_video(it, truth, analyse(it.stem, cache, "circles", part_model["circles"])))
    if args.render_only or args.extract_only:
        return 0
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    seed_text = f"base seed {seeds[0]}" if len(seeds) == 1 else f"base seeds {', '.join(map(str, seeds))}"
    print(f"\n{name} set, {seed_text}, pose model {model}, {when}, load average {load_average()}")
    metrics: dict = {"set": name, "seed": seeds[0] if len(seeds) == 1 else seeds, "model": model, "fps": args.fps,
                     "size": list(args.size),
                     "videos": videos, "date": when}
    if legs:
        text, metrics["seated"] = seated_table(legs, efforts)
        print("\n" + text)
    if circles:
        text, metrics["circles"] = circles_table(circles)
        print("\n" + text)
    if sessions:
        text, metrics["sessions"] = sessions_table(sessions)
        print("\n" + text)
    if args.json:
        write_json_atomic(args.json, metrics)
    return 0


if __name__ == "__main__":
    sys.exit(main())
