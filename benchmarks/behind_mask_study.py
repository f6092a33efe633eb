"""Study (mask13): can the pose model's segmentation mask count hip circles filmed straight from behind?

Not part of the package: everything here is a prototype around `hipvision.core.circles` (monkeypatched for
the run, restored after). See docs/circles-accuracy.md, "The segmentation mask from behind: a study (mask13)".

    python benchmarks/behind_mask_study.py cost samples/hip_circles.mp4
    python benchmarks/behind_mask_study.py counts --widths /tmp/mask13/segw CACHE [CACHE ...]
    python benchmarks/behind_mask_study.py counts --placements behind --min-across 0.005 CACHE ...  # stress

``cost``: the pose model's frames/s with and without ``output_segmentation_masks`` (VIDEO mode, 2 poses, as
`hipvision.pose.landmarker`), paired frame by frame in one loop, and the cost of the width measurement.

``counts``: for every ``circles-*``, ``rocking-*`` and ``still-*`` video in the caches (``<stem>.mp4``, its truth
sidecar ``<stem>.json`` and poses ``<stem>.full.poses.npz``, as `benchmarks/accuracy.py` renders them), the
counts with the flow growth (as shipped) and with the mask's hip-row width standing in for the image growth
where the camera is in line (`confidence.camera_view`), under several in-line gates. Mask widths are measured
once per video and kept in ``--widths`` (``<cache name>-<stem>.npz``).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import math
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from hipvision.core.circles import analyze as A
from hipvision.core.circles import depth as D
from hipvision.core.circles.confidence import camera_view
from hipvision.core.circles.result import CirclesSettings
from hipvision.io.files import load_sequence

#: Mask threshold and the hip-row band (± this share of the thigh's image length around MediaPipe's mid-hip y).
MASK_ON = 0.5
BAND_THIGHS = 0.15


# -- the mask measurement ---------------------------------------------------------------------------------------
def hip_row_width(mask: np.ndarray, landmarks, h: int, w: int) -> float:
    """Median width (pixels) of the mask (> `MASK_ON`) over the rows within ± `BAND_THIGHS` thigh lengths of the
    mid-hip row (MediaPipe landmarks 23/24 hips, 25/26 knees, normalised image coordinates)."""
    hy = (landmarks[23].y + landmarks[24].y) / 2 * h
    ky = (landmarks[25].y + landmarks[26].y) / 2 * h
    thigh = max(8.0, abs(ky - hy))
    y0, y1 = int(max(0, hy - BAND_THIGHS * thigh)), int(min(h, hy + BAND_THIGHS * thigh) + 1)
    band = mask[y0:y1] > MASK_ON
    return float(np.median(band.sum(axis=1))) if band.size else math.nan


def _landmarker(masks: bool, num_poses: int):
    from mediapipe.tasks.python import BaseOptions, vision

    from hipvision.pose import model_path

    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model_path("full"))),
                                        running_mode=vision.RunningMode.VIDEO, num_poses=num_poses,
                                        output_segmentation_masks=masks)
    return vision.PoseLandmarker.create_from_options(opts)


def _frames(video: Path):
    import cv2
    import mediapipe as mp

    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 15.0
    i = 0
    while True:
        ok, im = cap.read()
        if not ok:
            break
        yield int(round(i * 1000 / fps)), mp.Image(image_format=mp.ImageFormat.SRGB, data=im[..., ::-1].copy())
        i += 1
    cap.release()


def mask_widths(video: Path, *, num_poses: int = 1) -> np.ndarray:
    """(T,) hip-row mask width per frame, pixels (NaN where nobody or no mask): the first pose's mask."""
    out = []
    with _landmarker(True, num_poses) as lm:
        for ms, image in _frames(video):
            r = lm.detect_for_video(image, ms)
            if not r.pose_landmarks or not r.segmentation_masks:
                out.append(math.nan)
                continue
            m = r.segmentation_masks[0].numpy_view()
            m = m[..., 0] if m.ndim == 3 else m
            out.append(hip_row_width(m, r.pose_landmarks[0], *m.shape))
    return np.array(out, float)


def cached_widths(video: Path, store: Path) -> np.ndarray:
    """`mask_widths` of ``video``, kept in ``store`` as ``<cache folder>-<stem>.npz``."""
    path = store / f"{video.parent.name}-{video.stem}.npz"
    if path.is_file():
        return np.load(path)["W"].astype(float)
    store.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    w = mask_widths(video)
    np.savez(path, W=w, src=str(video))
    print(f"  (mask widths of {video}: {len(w)} frames in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return w


def cost(video: Path) -> None:
    """Frames/s of the pose model with and without masks, paired per frame, and of the width measurement."""
    took = collections.Counter()
    n = 0
    with _landmarker(False, 2) as plain, _landmarker(True, 2) as masked:
        for ms, image in _frames(video):
            t0 = time.perf_counter()
            plain.detect_for_video(image, ms)
            t1 = time.perf_counter()
            r = masked.detect_for_video(image, ms)
            t2 = time.perf_counter()
            if r.pose_landmarks and r.segmentation_masks:
                m = r.segmentation_masks[0].numpy_view()
                m = m[..., 0] if m.ndim == 3 else m
                hip_row_width(m, r.pose_landmarks[0], *m.shape)
            t3 = time.perf_counter()
            took["plain"] += t1 - t0
            took["masked"] += t2 - t1
            took["width"] += t3 - t2
            n += 1
    print(f"{video}: {n} frames")
    print(f"  pose model without masks  {n / took['plain']:6.1f} frames/s  ({1000 * took['plain'] / n:.1f} ms/frame)")
    print(f"  pose model with masks     {n / took['masked']:6.1f} frames/s  ({1000 * took['masked'] / n:.1f} ms/frame)")
    print(f"  width measurement         {1000 * took['width'] / n:6.2f} ms/frame")
    print(f"  ratio with/without (time) {took['masked'] / took['plain']:.2f}; "
          f"with width {(took['masked'] + took['width']) / took['plain']:.2f}")


# -- the prototype: mask growth in line, gates ------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One way to run the analysis: ``mask`` uses the mask growth in in-line frames (else the flow growth);
    ``min_phase_deg`` the in-line windows' `image_loop` out-of-step gate (None: as shipped); ``partial``: the
    in-line windows' image depth has its parts in step with the across motion and with its size removed
    (least squares on a, |a|) before the loop is fitted."""

    name: str
    mask: bool = False
    min_phase_deg: float | None = None
    partial: bool = False
    min_loop: float | None = None
    min_cycles: int | None = None
    window_s: float | None = None  # depth windows this long for a video mostly (> half its frames) in line


VARIANTS = (
    Variant("shipped (flow)"),
    Variant("mask, gates as shipped", mask=True),
    Variant("mask, in-line phase >= 15", mask=True, min_phase_deg=15.0),
    Variant("mask, in-line phase >= 0", mask=True, min_phase_deg=0.0),
    Variant("mask minus in-step (a,|a|)", mask=True, partial=True),
    Variant("[4] + loop >= 0.6, 1 cycle", mask=True, partial=True, min_loop=0.6, min_cycles=1),
    Variant("[4] + no loopiness gate, 1 cycle", mask=True, partial=True, min_loop=0.0, min_cycles=1),
    Variant("[5] + 6 s windows in line", mask=True, partial=True, min_loop=0.6, min_cycles=1, window_s=6.0),
)


class _Terms(tuple):
    """`loop_terms` tuple that remembers whether its window was in line."""

    in_line: bool = False


def _in_line(az: float) -> bool:
    return camera_view(float(az)) == "in line"


@contextlib.contextmanager
def patched(variant: Variant, mask_growth: np.ndarray | None):
    """Patch `analyze.image_approach_m` and `depth.image_loop_terms` / `depth.image_loop` for ``variant``."""
    orig_approach, orig_terms, orig_loop = A.image_approach_m, D.image_loop_terms, D.image_loop
    state = {}

    def approach(seq, valid, torso_m):
        if variant.mask and mask_growth is not None:
            path = A.body_path(seq)
            in_line = np.array([_in_line(a) if np.isfinite(a) else False for a in path.az])
            flow = seq.hip_growth if seq.hip_growth is not None else np.full(len(in_line), np.nan)
            seq = replace(seq, hip_growth=np.where(in_line, mask_growth[:len(in_line)], flow))
        return orig_approach(seq, valid, torso_m)

    def terms(t_s, dev_m, approach_m, az, torso_m, *, settings=D.DepthSettings(), open_end=False):
        in_line = variant.mask and mask_growth is not None and _in_line(az)
        if in_line and variant.partial:
            approach_m = _minus_in_step(t_s, dev_m, approach_m, az)
        out = orig_terms(t_s, dev_m, approach_m, az, torso_m, settings=settings, open_end=open_end)
        if out is None:
            return None
        out = _Terms(out)
        out.in_line = in_line
        return out

    def loop(t, settings, *, agreeing=None):
        if t is not None and getattr(t, "in_line", False):
            if variant.min_phase_deg is not None:
                settings = replace(settings, image_min_phase_deg=variant.min_phase_deg)
            if variant.min_loop is not None:
                settings = replace(settings, min_loop=variant.min_loop)
            if variant.min_cycles is not None:
                settings = replace(settings, image_min_cycles=variant.min_cycles)
        ok = orig_loop(t, settings, agreeing=agreeing)
        if t is not None and getattr(t, "in_line", False):  # each window's terms are judged up to twice
            seen = state.setdefault("judged", {})  # (for its image loop and for the rebuild): once here
            seen[id(t)] = (ok or seen.get(id(t), (False, t))[0], t)
            state["windows"] = list(seen.values())
        return ok

    A.image_approach_m, D.image_loop_terms, D.image_loop = approach, terms, loop
    try:
        yield state
    finally:
        A.image_approach_m, D.image_loop_terms, D.image_loop = orig_approach, orig_terms, orig_loop


def _minus_in_step(t_s, dev_m, approach_m, az):
    """``approach_m`` less its least-squares fit on the across motion and its size (a, |a|, 1): the part of
    the width that follows the side-to-side shift itself, either way."""
    ok = np.isfinite(approach_m) & np.all(np.isfinite(dev_m), axis=1)
    if ok.sum() < 20:
        return approach_m
    across, _ = D.depth_axes(az)
    a = dev_m @ across
    a = a - np.nanmean(a[ok])
    x = np.stack([a, np.abs(a), np.ones_like(a)], axis=1)
    coef, *_ = np.linalg.lstsq(x[ok], approach_m[ok], rcond=None)
    out = np.asarray(approach_m, float).copy()
    out[ok] = approach_m[ok] - x[ok] @ coef
    return out


def growth_of_widths(w: np.ndarray) -> np.ndarray:
    """(T,) frame-to-frame change of log(width) (NaN at the first frame and where unknown)."""
    lw = np.log(np.where(w > 0, w, np.nan))
    g = np.full(len(w), np.nan)
    g[1:] = np.diff(lw)
    return g


def wanted(truth: dict) -> tuple[int, int]:
    """(clockwise, counterclockwise) circles in the video's script."""
    c = collections.Counter()
    for seg in truth["generator"]["spec"]["segments"]:
        for s in seg.get("circle_sets", []) or []:
            c[s["direction"]] += s["count"]
    return c["clockwise"], c["counterclockwise"]


def window_directions(seq, growth: np.ndarray, truth: dict) -> collections.Counter:
    """(true direction, sign of γ of the mask's `image_loop_terms`) over the in-line windows whose span holds
    circles of one direction only (variant "mask minus in-step", whatever the gates)."""
    reps = truth["circles"]["reps"]
    seen = collections.Counter()
    with patched(Variant("directions", mask=True, partial=True), growth):
        inner = D.image_loop_terms

        def judged(t_s, *args, **kw):
            out = inner(t_s, *args, **kw)
            if out is not None and out.in_line:
                dirs = {r["direction"][:3] for r in reps if r["start_s"] < t_s[-1] and r["end_s"] > t_s[0]}
                if len(dirs) == 1:
                    seen[(dirs.pop(), int(np.sign(out[1])))] += 1
            return out

        D.image_loop_terms = judged
        try:
            A.track_offline(seq)
        finally:
            D.image_loop_terms = inner
    return seen


def videos(caches: list[Path]):
    for cache in caches:
        for mp4 in sorted(cache.glob("*.mp4")):
            if not mp4.stem.split("-")[0] in ("circles", "rocking", "still"):
                continue
            if not (mp4.with_suffix(".json").is_file() and (cache / f"{mp4.stem}.full.poses.npz").is_file()):
                continue
            yield mp4


def counts(caches: list[Path], store: Path, placements: set[str] | None, min_across: float | None = None) -> None:
    """Print per video and per placement the counts of every `VARIANTS` entry (``min_across``: the depth windows'
    across-motion gate, `DepthSettings.min_across_torso`, for every variant: a stress test of the negatives)."""
    base = CirclesSettings()
    if min_across is not None:
        base = replace(base, depth=replace(base.depth, min_across_torso=min_across))
    rows = []
    for mp4 in videos(caches):
        truth = json.loads(mp4.with_suffix(".json").read_text())
        spec = truth["generator"]["spec"]
        cond = spec["camera"]["condition"]
        if placements and cond not in placements:
            continue
        seq = load_sequence(mp4.parent / f"{mp4.stem}.full.poses.npz")
        path = A.body_path(seq)
        views = collections.Counter(camera_view(float(a)) for a in path.az[path.valid] if np.isfinite(a))
        in_line_share = views["in line"] / max(1, sum(views.values()))
        growth = growth_of_widths(cached_widths(mp4, store)) if in_line_share > 0 else None
        want = wanted(truth)
        res = []
        for v in VARIANTS:
            settings = base
            if v.window_s is not None and growth is not None and in_line_share > 0.5:
                settings = replace(settings, depth=replace(settings.depth, window_s=v.window_s))
            with patched(v, growth) as st:
                r = A.analyze_circles(seq, settings).to_dict()
            passed = sum(ok for ok, _ in st.get("windows", []))
            res.append((r["clockwise"], r["counterclockwise"], r["confidence"], passed, len(st.get("windows", []))))
        rows.append((cond, mp4.parent.name, mp4.stem.split("-")[0], spec["seed"], want, in_line_share, res))
        if growth is not None:
            print("  in-line windows holding one direction, (truth, sign of the mask loop's quarter turn): "
                  + str(dict(sorted(window_directions(seq, growth, truth).items()))))
        print(f"{cond:13s} {mp4.parent.name:14s} {mp4.stem.split('-')[0]:8s} want {want[0]}+{want[1]}  in line "
              f"{in_line_share:4.2f}  " + "  ".join(f"{c}+{cc} {conf[:3]} ({p}/{n})" for c, cc, conf, p, n in res),
              flush=True)
    print()
    print("variants: " + "; ".join(f"[{k}] {v.name}" for k, v in enumerate(VARIANTS)))
    print("per placement (circles videos): exact / videos, wrong & high; negatives: false circles, high")
    by = collections.defaultdict(list)
    for row in rows:
        by[(row[0], row[2] != "circles")].append(row)
    for (cond, neg), rs in sorted(by.items()):
        cells = []
        for k in range(len(VARIANTS)):
            if neg:
                false = sum(r[6][k][0] + r[6][k][1] for r in rs)
                cells.append(f"[{k}] {false} circles, {sum(r[6][k][2] == 'high' and r[6][k][0] + r[6][k][1] > 0 for r in rs)} high")
            else:
                exact = sum((r[6][k][0], r[6][k][1]) == r[4] for r in rs)
                wrong_high = sum((r[6][k][0], r[6][k][1]) != r[4] and r[6][k][2] == "high" for r in rs)
                cells.append(f"[{k}] {exact}/{len(rs)} {wrong_high}")
        print(f"{cond:13s} {'negative' if neg else 'circles':8s} " + "  ".join(cells))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cost")
    c.add_argument("video", type=Path)
    k = sub.add_parser("counts")
    k.add_argument("caches", type=Path, nargs="+")
    k.add_argument("--widths", type=Path, default=Path("/tmp/mask13/segw"))
    k.add_argument("--placements", default="", help="comma-separated camera conditions (default: all)")
    k.add_argument("--min-across", type=float, default=None, help="across-motion gate for every variant (torso)")
    a = p.parse_args(argv)
    if a.cmd == "cost":
        cost(a.video)
    else:
        counts(a.caches, a.widths, set(filter(None, a.placements.split(","))) or None, a.min_across)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
