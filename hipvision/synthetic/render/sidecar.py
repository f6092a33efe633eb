"""The ground-truth sidecar written next to every rendered video, and helpers to read it (numpy only).

Format (``kind: "synth_truth"``, ``schema_version: 1``) is described in samples/README.md.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from hipvision.io.files import read_json
from hipvision.synthetic.render.script import Quadruped, Seated, Tracks, segment_starts

KIND = "synth_truth"
SCHEMA_VERSION = 1
#: Joints whose projected pixel positions are stored per frame.
TRUTH_JOINTS = ("hip.L", "hip.R", "knee.L", "knee.R", "ankle.L", "ankle.R", "shoulder.L", "shoulder.R",
                "wrist.L", "wrist.R")


def _num(values: np.ndarray, ndigits: int = 2) -> list:
    return [None if not math.isfinite(v) else round(float(v), ndigits) for v in np.asarray(values, float)]


def phase_kind(segment) -> str:
    """Session phase kind of a segment: seated, quadruped or other."""
    if isinstance(segment, Seated):
        return "seated"
    if isinstance(segment, Quadruped):
        return "quadruped"
    return "other"


def phases(segments, efforts: list[dict], circles: list[dict]) -> list[dict]:
    """One entry per segment: kind, start/end on the video clock, and its truth.

    Seated phases carry ``held_deg`` per leg (the largest held angle of that leg's
    efforts in the phase, null without one); quadruped phases their circle counts.
    """
    starts = segment_starts(segments)
    out = []
    for i, seg in enumerate(segments):
        entry = {"kind": phase_kind(seg), "segment_kind": seg.kind, "start_s": round(float(starts[i]), 3),
                 "end_s": round(float(starts[i + 1]), 3), "heading_deg": round(float(seg.heading_deg), 2)}
        if isinstance(seg, Seated):
            entry["held_deg"] = {leg: max((e["held_deg"] for e in efforts if e["segment"] == i and e["leg"] == leg),
                                          default=None) for leg in ("left", "right")}
            entry["efforts"] = sum(1 for e in efforts if e["segment"] == i)
        elif isinstance(seg, Quadruped):
            mine = [c for c in circles if c["segment"] == i]
            entry["circles"] = {d: sum(1 for c in mine if c["direction"] == d) for d in ("clockwise", "counterclockwise")}
        out.append(entry)
    return out


def change_deg(phase_list: list[dict]) -> dict | None:
    """Held IR of the last seated phase minus the first, per leg (None with fewer than 2 seated phases)."""
    seated = [p for p in phase_list if p["kind"] == "seated"]
    if len(seated) < 2:
        return None
    out = {}
    for leg in ("left", "right"):
        a, b = seated[0]["held_deg"][leg], seated[-1]["held_deg"][leg]
        out[leg] = None if a is None or b is None else round(b - a, 2)
    return out


def build_sidecar(*, spec: dict, video_file: str, tracks: Tracks, segments, efforts: list[dict],
                  circles: list[dict], camera: dict, body: dict, joints_px: dict[str, np.ndarray],
                  command: str, software: str) -> dict:
    """The sidecar dictionary for one video (JSON-able)."""
    phase_list = phases(segments, efforts, circles)
    counts = {d: sum(1 for c in circles if c["direction"] == d) for d in ("clockwise", "counterclockwise")}
    n = len(tracks.t_s)
    return {
        "kind": KIND, "schema_version": SCHEMA_VERSION,
        "generator": {"software": software, "command": command, "scene": spec["scene"], "seed": spec["seed"],
                      "spec": spec},
        "video": {"file": video_file, "fps": spec["fps"], "frame_count": n, "width": spec["width"],
                  "height": spec["height"], "duration_s": round(n / spec["fps"], 3), "codec": "mp4v"},
        "conventions": {
            "ir_deg": "hip internal rotation, + = foot moves laterally (IR), - = external rotation",
            "pelvis_cm": "hip-midpoint offset from the neutral quadruped spot in the body's horizontal frame: "
                         "forward = toward the head, right = the person's right",
            "clockwise": "forward -> person's right -> back -> left, seen from above with the head at 12 o'clock",
            "left_right": "the person's own sides",
            "joints_px": "pixel (x right, y down) projections of joint centres",
        },
        "camera": camera,
        "body": body,
        "phases": phase_list,
        "change_deg": change_deg(phase_list),
        "rotation": {"efforts": efforts},
        "circles": {"total": len(circles), **counts, "reps": circles},
        "frames": {
            "t_s": _num(tracks.t_s, 4),
            "phase": [phase_kind(segments[i]) for i in tracks.segment],
            "segment": [int(i) for i in tracks.segment],
            "ir_left_deg": _num(tracks.ir_left_deg),
            "ir_right_deg": _num(tracks.ir_right_deg),
            "pelvis_forward_cm": _num(tracks.forward_cm),
            "pelvis_right_cm": _num(tracks.right_cm),
            "rep": [int(r) if r > 0 else None for r in tracks.rep],
            "joints_px": {name: [[round(float(x), 1), round(float(y), 1)] for x, y in joints_px[name]]
                          for name in TRUTH_JOINTS if name in joints_px},
        },
    }


def load_sidecar(path: str | Path) -> dict:
    """Read a sidecar; raises ValueError if it is not one this code understands."""
    data = read_json(path)
    if data.get("kind") != KIND or data.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{path} is not a hipvision synth sidecar (kind {KIND}, schema {SCHEMA_VERSION})")
    return data


def overlap_s(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Length of the overlap of two time intervals, seconds (0 if disjoint)."""
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def match_intervals(truth: list[dict], measured: list[dict], *, window=None) -> list[tuple[dict, dict | None]]:
    """Pair each true item with the unused measured item whose [start_s, end_s] overlaps it most.

    ``window(item)`` gives the true item's time window (default: its start_s/end_s).
    A measured item is used at most once. Returns (truth, measured or None) pairs in truth order.
    """
    window = window or (lambda t: (t["start_s"], t["end_s"]))
    used: set[int] = set()
    pairs = []
    for t in truth:
        w = window(t)
        best, best_ov = None, 0.0
        for k, m in enumerate(measured):
            if k in used:
                continue
            ov = overlap_s(w, (m["start_s"], m["end_s"]))
            if ov > best_ov:
                best, best_ov = k, ov
        if best is not None:
            used.add(best)
        pairs.append((t, measured[best] if best is not None else None))
    return pairs


def match_efforts(truth: list[dict], measured: list[dict], *, leg: str) -> list[tuple[dict, dict | None]]:
    """Pair the true efforts of ``leg`` with measured efforts of that leg by time overlap.

    The true window is the whole motion (move_start_s..move_end_s) when known, so a
    measured hold that starts a little early or late still pairs.
    """
    mine = [e for e in truth if e["leg"] == leg]
    return match_intervals(mine, measured, window=lambda t: (t.get("move_start_s", t["start_s"]),
                                                             t.get("move_end_s", t["end_s"])))


__all__ = ["KIND", "SCHEMA_VERSION", "TRUTH_JOINTS", "build_sidecar", "load_sidecar", "match_efforts",
           "match_intervals", "overlap_s",
           "phases", "change_deg", "phase_kind"]
