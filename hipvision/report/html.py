"""Self-contained HTML reports for rotation, circles and session results.

    from hipvision.report import write_report
    write_report(result_dict, "report.html", video="clip.mp4", poses=seq)

One HTML file that opens without a network: inline CSS, figures as inline SVG
(matplotlib), key frames as base64 JPEGs. The page is a Jinja2 template
(``hipvision/report/templates/report.html.j2`` and its partials) filled from a plain
"view" dict built here; this module holds no HTML.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, Undefined, select_autoescape
from markupsafe import Markup

from hipvision.errors import InputError
from hipvision.io.files import write_text_atomic
from hipvision.report.key_frames import KeyFrameRequest, PoseDetector, key_frames
from hipvision.report.plots import COLORS, angle_plot_svg, path_plot_svg, rep_color
from hipvision.landmarks import SIDES
from hipvision.sequence import PoseSequence
from hipvision.core.advice import Change
from hipvision.core.circles import CirclesSettings
from hipvision.core.circles.confidence import merged_reasons
from hipvision.core.circles.result import ESTIMATE_MARK, ESTIMATE_NOTE
from hipvision.core.session import circles_credit, compared_legs, compared_pair, phase_confidence
from hipvision.draw.circles import draw_size_gauge

if TYPE_CHECKING:
    from hipvision.io.frame_store import FrameStore

KINDS = ("rotation", "circles", "session")
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v"}
_TEMPLATES = Path(__file__).with_name("templates")


def _missing(value) -> bool:
    return value is None or isinstance(value, Undefined)


def _deg(value, digits: int = 1) -> str:
    return "—" if _missing(value) else f"{float(value):.{digits}f}°"


def _signed(value, unit: str = "°") -> str:
    return "—" if _missing(value) else f"{float(value):+.1f}{unit}"


def _num(value, digits: int = 1, unit: str = "") -> str:
    return "—" if _missing(value) else f"{float(value):.{digits}f}{unit}"


def _pct(value) -> str:
    return "—" if _missing(value) else f"{100 * float(value):.0f}%"


def _held(value, uncertainty=None, status=None) -> str:
    """A held angle with its 95% half-width, "38.0° ± 2.1°" (`held_text`)."""
    from hipvision.core.rotation.uncertainty import held_text

    return held_text(None if _missing(value) else float(value),
                     None if _missing(uncertainty) else float(uncertainty),
                     None if _missing(status) else str(status), missing="—")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(deg=_deg, signed=_signed, num=_num, pct=_pct, held=_held)
    env.globals.update(colors=COLORS)
    # Results from other versions may lack a field: a missing value renders as "—", never as an error.
    return env


# ---------------------------------------------------------------- key frames

def _peak_time(result: dict, side: str) -> float | None:
    """Time (s) of the highest angle of ``side`` inside the effort that gave its held value."""
    leg = result.get(side) or {}
    efforts = [e for e in leg.get("efforts") or [] if e.get("held_deg") is not None]
    if not efforts:
        return None
    best = max(efforts, key=lambda e: e["held_deg"])
    series = result.get("series") or {}
    t = np.array(series.get("t_s") or [], float)
    y = np.array([np.nan if v is None else v for v in series.get(f"{side}_deg") or []], float)
    if t.size and t.size == y.size:
        inside = (t >= best["start_s"]) & (t <= best["end_s"]) & np.isfinite(y)
        if inside.any():
            return float(t[inside][np.argmax(y[inside])])
    return (best["start_s"] + best["end_s"]) / 2


def _rotation_requests(result: dict, label: str = ""):

    out = []
    for side in SIDES:
        t = _peak_time(result, side)
        leg = result.get(side) or {}
        if t is not None:
            held = _held(leg.get("held_deg"), leg.get("uncertainty_deg"), leg.get("status"))
            out.append(KeyFrameRequest(t, f"{label}{side.capitalize()} leg, held {held} (t = {t:.1f} s)", side,
                                       leg.get("class")))
    return out


def _circles_requests(result: dict):

    reps = [r for r in result.get("reps") or [] if r.get("start_s") is not None and r.get("end_s") is not None]
    if not reps:
        return []
    first = reps[0]
    mid = (first["start_s"] + first["end_s"]) / 2
    n = first.get("index", 1)
    return [KeyFrameRequest(first["start_s"], f"Start position, circle {n} (t = {first['start_s']:.1f} s)"),
            KeyFrameRequest(mid, f"Mid-circle, circle {n} (t = {mid:.1f} s)")]


# ---------------------------------------------------------------- views

def rotation_view(result: dict, fig_id: str) -> dict:
    """What the rotation partial shows, from a rotation result dict."""
    thr = result.get("thresholds_deg") or {"functional": 30, "target": 45}
    legs = []
    for side in SIDES:
        leg = result.get(side) or {}
        efforts = leg.get("efforts") or []
        legs.append({"side": side, "label": f"{side.capitalize()} leg", "held": leg.get("held_deg"),
                     "uncertainty": leg.get("uncertainty_deg"), "status": leg.get("status"),
                     "peak": leg.get("peak_deg"), "class": leg.get("class"), "valid": leg.get("valid_fraction"),
                     "efforts": efforts, "color": COLORS[side]})
    svg = angle_plot_svg(result, fig_id)
    return {"legs": legs, "asymmetry": result.get("asymmetry_deg"),
            "asymmetry_uncertainty": result.get("asymmetry_uncertainty_deg"),
            "asymmetry_verdict": result.get("asymmetry"), "valid": result.get("valid_fraction"),
            "thresholds": thr, "plot": Markup(svg) if svg else None, "frames": [],
            "warnings": list(result.get("warnings") or []), "info": list(result.get("info") or []),
            "next_steps": list(result.get("next_steps") or [])}


def circles_view(result: dict, fig_id: str) -> dict:
    """What the circles partial shows, from a circles result dict."""
    reps = [dict(r, color=rep_color(r.get("index", 0))) for r in result.get("reps") or []]
    radii = [r["radius_cm"] for r in reps if r.get("radius_cm") is not None]
    protocol = result.get("protocol") or {}
    target = protocol.get("target_per_direction")
    directions = []
    for name, label in (("clockwise", "Clockwise"), ("counterclockwise", "Counter-clockwise")):
        done = int(result.get(name) or 0)
        directions.append({"name": name, "label": label, "done": done, "target": target,
                           "fraction": min(done / target, 1.0) if target else None})
    sets = {st["direction"]: st for st in result.get("sets") or []
            if isinstance(st, dict) and isinstance(st.get("direction"), str)}
    for d in directions:
        st = sets.get(d["name"]) or {}
        d["confidence"] = st.get("confidence")
        d["confidence_reasons"] = merged_reasons(st.get("confidence_reasons") or [])   # each moment said once
    # a recording of another posture (seated, standing): no circle path, quality or start position to show
    other_posture = bool(result.get("posture_mismatch"))
    svg = None if other_posture else path_plot_svg(result, fig_id)
    return {"total": result.get("total"), "partial": result.get("partial"), "directions": directions,
            "other_posture": other_posture,
            "confidence": result.get("confidence"),
            "confidence_reasons": merged_reasons(result.get("confidence_reasons") or []),
            "what_to_change": list(result.get("what_to_change") or []),
            "verdicts": Counter(r.get("verdict") for r in reps if r.get("verdict")).most_common(),
            "median_radius": float(np.median(radii)) if radii else None, "reps": reps, "estimate_mark": ESTIMATE_MARK,
            "estimate_note": ESTIMATE_NOTE if any(r.get("size_estimated") for r in reps) else None,
            "partials": result.get("partials") or [], "protocol": protocol,
            "start_position": result.get("start_position"), "plot": Markup(svg) if svg else None, "frames": [],
            "warnings": list(result.get("warnings") or []), "info": list(result.get("info") or []),
            "next_steps": list(result.get("next_steps") or [])}


def circles_howto(settings: CirclesSettings = CirclesSettings()) -> dict:
    """The numbers the circles' "How to read it" explains, from where they are decided: the cues'
    thresholds (`VerdictThresholds`) and the two marks on the size bar of the live view and the
    annotated video (`hipvision.draw.circles.draw_size_gauge`)."""
    marks = draw_size_gauge.__kwdefaults__
    v = settings.verdicts
    return {"small_pct": marks["small_pct"], "big_pct": marks["big_pct"], "hi_pct": marks["hi_pct"],
            "min_radius_pct": v.min_radius_pct_torso, "min_roundness": v.min_roundness,
            "min_sit_back_ratio": v.min_sit_back_ratio, "max_spine_cm": v.max_spine_cm,
            "max_spine_ratio": v.max_spine_ratio, "min_duration_s": v.min_duration_s,
            "min_smoothness": v.min_smoothness, "per_direction": settings.target_per_direction,
            "start_tolerance_cm": settings.start_tolerance_cm}


_STATUS_TEXT = {"analysed": "analysed", "too_short": "too short to analyse", "poorly_seen": "poorly seen",
                "skipped": "not analysed", "low_confidence": "counted, low confidence"}
_KIND_TEXT = {"seated": "Seated", "quadruped": "Hip circles", "other": "Moving / other"}


def session_view(result: dict) -> dict:
    """What the session partial shows: timeline, before/after per leg and one section per phase."""
    phases = result.get("phases") or []
    total = max([float(p["end_s"]) for p in phases] + [float(result.get("duration_s") or 0), 1e-9])
    compared = {side: compared_pair(result, side) for side in SIDES}
    befores = {pair[0] for pair in compared.values() if pair}
    afters = {pair[1] for pair in compared.values() if pair}
    views = []
    for i, p in enumerate(phases):
        title = _KIND_TEXT.get(p["kind"], p["kind"])
        if p["kind"] == "seated" and (i in befores or i in afters):
            title = "Before: seated hip rotation" if i in befores else "After: seated hip rotation"
        elif p["kind"] == "seated":
            title = "Seated hip rotation"
        status = p["status"]
        if p["kind"] == "quadruped" and status == "analysed" and phase_confidence(status, p.get("result"))["confidence"] != "high":
            status = "low_confidence"  # counted, but not to be trusted: not shown as a plain "analysed"
        v = {"index": i + 1, "kind": p["kind"], "title": title, "status": status,
             "status_text": _STATUS_TEXT.get(status, status), "start": p["start_s"], "end": p["end_s"],
             "seen": p.get("seen_fraction"), "rotation": None, "circles": None,
             "left_pct": 100 * p["start_s"] / total, "width_pct": 100 * (p["end_s"] - p["start_s"]) / total}
        if p.get("result") and p["kind"] == "seated":
            v["rotation"] = rotation_view(p["result"], f"angle-{i + 1}")
        elif p.get("result") and p["kind"] == "quadruped":
            v["circles"] = circles_view(p["result"], f"path-{i + 1}")
        views.append(v)
    legs = []
    change = result.get("change_deg") or {}
    for side in SIDES:
        before, after = compared_legs(result, side)
        legs.append({"side": side, "label": f"{side.capitalize()} leg", "before": before.get("held_deg"),
                     "after": after.get("held_deg"), "change": change.get(side), "class": after.get("class"),
                     "before_class": before.get("class"), "color": COLORS[side],
                     "before_uncertainty": before.get("uncertainty_deg"),
                     "after_uncertainty": after.get("uncertainty_deg"),
                     "before_status": before.get("status"), "after_status": after.get("status")})
        verdict = _change(result, side, before, after)
        legs[-1].update(verdict=verdict, change_verdict=verdict.verdict,
                        change_uncertainty=verdict.uncertainty_deg if np.isfinite(verdict.uncertainty_deg) else None)
    circles = [v["circles"] for v in views if v["circles"]]
    credit = circles_credit(result)
    return {"phases": views, "legs": legs, "headline": _headline(legs, credit),
            "circles_low": credit[0] > 0 and credit[1] is not None,
            "has_change": any(leg["change"] is not None for leg in legs),
            "circles_total": sum(int(c["total"] or 0) for c in circles) if circles else None,
            "circles": circles[0] if len(circles) == 1 else None, "duration": total,
            "info": list(result.get("info") or []), "next_steps": list(result.get("next_steps") or [])}


def _change(result: dict, side: str, before: dict, after: dict) -> Change:
    """The IR change of ``side`` with the uncertainty the result gives (``change_uncertainty_deg``, as the
    terminal shows it), or for results without it, combined from the two measurements'."""
    change, given = (result.get("change_deg") or {}).get(side), result.get("change_uncertainty_deg") or {}
    if side in given:
        return Change(side, change, math.nan if given[side] is None else float(given[side]))
    return Change.of(side, change, before.get("uncertainty_deg"), after.get("uncertainty_deg"))


def _headline(legs: list[dict], credit: tuple[int, str | None]) -> str:
    """One plain sentence: what changed after the circles, each leg's change against its combined 95%
    uncertainty (`hipvision.core.advice.Change`: smaller is "no clear change"). ``credit``:
    `hipvision.core.session.circles_credit` (the change is put down to the circles only when they were
    counted with high confidence)."""
    parts = [f"the {leg['side']} hip {leg['verdict'].text}" for leg in legs if leg["verdict"].text is not None]
    if not parts:
        return "No before/after change: the recording needs a seated measurement before and after the circles."
    text = " and ".join(parts)
    total, why = credit
    after = (f"after {total} hip circle{'s' if total != 1 else ''}" if why is None
             else f"between the two measurements ({why})")
    return f"{text[0].upper()}{text[1:]} of internal rotation {after}."


# ---------------------------------------------------------------- render / write

def source_video_candidates(result: dict, base_dir: str | os.PathLike | None = None) -> list[Path]:
    """Where the result's source video may be, best first: ``source_video.relative_to_json`` from
    ``base_dir`` (the JSON's folder), ``source_video.path`` (absolute), then a ``source`` naming a video
    file, from ``base_dir`` and from the cwd. Empty when the result names no video (camera, live)."""
    folders = ([Path(base_dir)] if base_dir else []) + [Path(".")]
    video = result.get("source_video") if isinstance(result.get("source_video"), dict) else {}
    out = []
    if video.get("relative_to_json") and base_dir:
        out.append(Path(base_dir) / video["relative_to_json"])
    if video.get("path"):
        out.append(Path(video["path"]))
    source = str(result.get("source") or "")
    if source and Path(source).suffix.lower() in VIDEO_SUFFIXES:
        out += [folder / source for folder in folders]
    return out


def find_source_video(result: dict, base_dir: str | os.PathLike | None = None) -> Path | None:
    """The result's source video, if one of `source_video_candidates` exists, else None."""
    return next((path for path in source_video_candidates(result, base_dir) if path.is_file()), None)


def build_view(result: dict, *, video: str | os.PathLike | None = None, poses: PoseSequence | None = None,
               detect: "PoseDetector | None" = None, subject: str | None = None,
               frames: "FrameStore | None" = None) -> dict:
    """The template's context for ``result`` (a rotation, circles or session result dict)."""
    kind = result.get("kind") if isinstance(result, dict) else None
    if kind not in KINDS:
        raise InputError(f"cannot report on this JSON: 'kind' is {kind!r}, expected one of {', '.join(KINDS)}")
    view = {"kind": kind, "result": result, "subject": subject, "warnings": list(result.get("warnings") or []),
            "source": result.get("source") or "", "duration": result.get("duration_s"),
            "model": result.get("model") or "", "software": result.get("software") or {},
            "schema_version": result.get("schema_version"),
            "generated": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
            "rotation": None, "circles": None, "session": None, "notes": [],
            "info": list(result.get("info") or []) if kind != "rotation" else [],  # rotation: its set-up line
            "next_steps": list(result.get("next_steps") or []),
            "circles_howto": circles_howto() if kind in ("circles", "session") else None}
    video_path = Path(video) if video is not None else find_source_video(result)
    if kind == "rotation":
        view["rotation"] = rotation_view(result, "angle")
        targets = [(view["rotation"], _rotation_requests(result))]
    elif kind == "circles":
        view["circles"] = circles_view(result, "path")
        targets = [(view["circles"], _circles_requests(result))]
    else:
        view["session"] = session_view(result)
        targets = []
        for pv, p in zip(view["session"]["phases"], result.get("phases") or []):
            if pv["rotation"]:
                targets.append((pv["rotation"], _rotation_requests(p["result"], f"{pv['title'].split(':')[0]}: ")))
            elif pv["circles"]:
                targets.append((pv["circles"], _circles_requests(p["result"])))
    requests = [r for _, reqs in targets for r in reqs]
    if frames is not None or video_path:
        pictures, notes = key_frames(video_path, requests, poses=poses, detect=detect, store=frames)
    else:
        pictures, notes = [], []
    view["notes"] = notes
    by_time = {(f.time_s, f.caption): f for f in pictures}
    for target, reqs in targets:
        target["frames"] = [by_time[(r.time_s, r.caption)] for r in reqs if (r.time_s, r.caption) in by_time]
    return view


def render_report(result: dict, **kwargs) -> str:
    """The report for ``result`` as an HTML string (keyword arguments as `build_view`)."""
    return _environment().get_template("report.html.j2").render(**build_view(result, **kwargs))


def write_report(result: dict, out_path: str | os.PathLike, *, video: str | os.PathLike | None = None,
                 poses: PoseSequence | None = None, detect: "PoseDetector | None" = None,
                 subject: str | None = None, frames: "FrameStore | None" = None) -> Path:
    """Write the HTML report for ``result`` to ``out_path`` atomically; returns the path.

    Args:
        result: a rotation, circles or session result dict (as written to JSON).
        frames: the frames a live run kept (`hipvision.io.frame_store`), for key frames; they take
            the place of the video.
        video: the source video, for key frames; default: ``result["source"]`` if that file exists.
        poses: the analysed `PoseSequence`, for the skeleton on the key frames.
        detect: else, a pose model run on those few frames (`hipvision.pose.landmarks_of_images`,
            injected by the caller); without either the pictures have no skeleton.
        subject: the person's name, shown in the title.
    """
    html = render_report(result, video=video, poses=poses, detect=detect, subject=subject, frames=frames)
    return write_text_atomic(out_path, html)
