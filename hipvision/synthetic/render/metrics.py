"""Agreement statistics for measured vs true values, and the per-condition tables of
benchmarks/accuracy.py (numpy only; nothing here renders or runs a pose model)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np


def icc_a1(truth: np.ndarray, measured: np.ndarray) -> float:
    """ICC(2,1): two-way random effects, absolute agreement, single measurement (Shrout & Fleiss).

    Args:
        truth, measured: (n,) paired values (n >= 2). NaN pairs are dropped.

    Returns:
        The ICC (≤ 1; 1 = perfect agreement), NaN with fewer than 2 pairs or no spread.
    """
    y = np.column_stack([np.asarray(truth, float), np.asarray(measured, float)])
    y = y[np.isfinite(y).all(axis=1)]
    n, k = y.shape
    if n < 2:
        return math.nan
    grand = y.mean()
    ss_rows = k * np.sum((y.mean(axis=1) - grand) ** 2)
    ss_cols = n * np.sum((y.mean(axis=0) - grand) ** 2)
    ss_err = np.sum((y - grand) ** 2) - ss_rows - ss_cols
    ms_r, ms_c, ms_e = ss_rows / (n - 1), ss_cols / (k - 1), ss_err / ((n - 1) * (k - 1))
    denom = ms_r + (k - 1) * ms_e + k * (ms_c - ms_e) / n
    return float((ms_r - ms_e) / denom) if denom > 0 else math.nan


def agreement(truth, measured) -> dict:
    """MAE, bias (measured − truth), 95% limits of agreement (Bland–Altman), worst |error| and ICC(2,1).

    NaN pairs are dropped; ``n`` counts the pairs used.
    """
    t, m = np.asarray(truth, float), np.asarray(measured, float)
    ok = np.isfinite(t) & np.isfinite(m)
    d = m[ok] - t[ok]
    n = int(ok.sum())
    if n == 0:
        return {"n": 0, "mae": math.nan, "bias": math.nan, "loa_low": math.nan, "loa_high": math.nan,
                "worst": math.nan, "icc": math.nan}
    sd = float(np.std(d, ddof=1)) if n > 1 else math.nan
    bias = float(d.mean())
    return {"n": n, "mae": float(np.abs(d).mean()), "bias": bias, "loa_low": bias - 1.96 * sd,
            "loa_high": bias + 1.96 * sd, "worst": float(np.abs(d).max()), "icc": icc_a1(t[ok], m[ok])}


def coverage(truth, measured, half_width) -> dict:
    """How often the truth lies inside ``measured ± half_width`` (a 95% interval should cover ≥ 90%).

    Args:
        truth, measured, half_width: (n,) values (half-widths ≥ 0, same unit). Pairs with a NaN
            truth or measurement are dropped; a NaN half-width counts as not covering.

    Returns:
        ``n`` pairs used, ``rate`` (share covered, NaN if n = 0) and ``median_half_width`` (of the finite ones).
    """
    t, m, u = (np.asarray(v, float) for v in (truth, measured, half_width))
    ok = np.isfinite(t) & np.isfinite(m)
    t, m, u = t[ok], m[ok], u[ok]
    inside = np.isfinite(u) & (np.abs(m - t) <= u + 1e-9)   # closed interval; 22.0 − 18.4 is 3.6000000000000014
    return {"n": int(ok.sum()), "rate": float(inside.mean()) if len(t) else math.nan,
            "median_half_width": float(np.median(u[np.isfinite(u)])) if np.isfinite(u).any() else math.nan}


def grouped(rows: Iterable, key: Callable[[object], str], *, overall: str = "all") -> dict[str, list]:
    """Rows by ``key(row)`` in order of first appearance, then every row under ``overall``."""
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(key(r), []).append(r)
    return {**out, overall: [r for rs in out.values() for r in rs]}


# --------------------------------------------------------------------------- seated IR


@dataclass(frozen=True)
class SeatedLeg:
    """One leg of one seated video: truth and measurement (degrees, + = internal rotation).

    ``truth_deg``: the best true internal-rotation effort of the leg (0.0 for a resting leg, one with
    no internal-rotation effort). ``held_deg`` / ``uncertainty_deg``: the result's, NaN when absent;
    ``status``: the result's leg status ("measured", "no effort", "not held", "not seen").
    """

    condition: str
    video: str
    leg: str
    truth_deg: float
    resting: bool
    held_deg: float
    uncertainty_deg: float
    status: str

    @property
    def no_effort_ok(self) -> bool:
        """A resting leg reported as "no effort"."""
        return self.resting and self.status == "no effort"


def _num(v) -> float:
    return math.nan if v is None else float(v)


def leg_rows(true_efforts: Sequence[dict], result: dict, *, condition: str, video: str) -> list[SeatedLeg]:
    """Both legs of a video from its true efforts (sidecar ``rotation.efforts``) and its rotation JSON."""
    rows = []
    for leg in ("left", "right"):
        inward = [e["held_deg"] for e in true_efforts if e["leg"] == leg and e["held_deg"] > 0]
        got = result.get(leg) or {}
        rows.append(SeatedLeg(condition, video, leg, max(inward) if inward else 0.0, not inward,
                              _num(got.get("held_deg")), _num(got.get("uncertainty_deg")), str(got.get("status"))))
    return rows


def seated_metrics(legs: Sequence[SeatedLeg]) -> dict:
    """Agreement of held vs true (all legs with a held value, resting legs at truth 0), coverage of the
    uncertainty (legs that rotated and were "measured"), resting legs read "no effort", missed legs."""
    moved = [r for r in legs if not r.resting]
    measured = [r for r in moved if r.status == "measured"]
    resting = [r for r in legs if r.resting]
    return {"legs": len(legs), "moved": len(moved), "missed": len(moved) - len(measured),
            **agreement([r.truth_deg for r in legs], [r.held_deg for r in legs]),
            "coverage": coverage([r.truth_deg for r in measured], [r.held_deg for r in measured],
                                 [r.uncertainty_deg for r in measured]),
            "resting": len(resting), "no_effort_ok": sum(r.no_effort_ok for r in resting)}


def _f(v: float, nd: int = 1, *, signed: bool = False) -> str:
    if v is None or not np.isfinite(v):
        return "—"
    return f"{v:+.{nd}f}" if signed else f"{v:.{nd}f}"


def _pct(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.0%}"


def _table(columns: Sequence[str], rows: Iterable, key: Callable, measure: Callable, cells: Callable) -> tuple[str, dict]:
    """Markdown table with one row per group of ``rows`` (by ``key``, then "all"): the group's name and
    ``cells(metrics, group)``, where metrics = ``measure(name, group)``; returns (text, metrics by group)."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    out = {}
    for name, group in grouped(rows, key).items():
        m = out[name] = measure(name, group)
        lines.append("| " + " | ".join([f"**{name}**" if name == "all" else name, *cells(m, group)]) + " |")
    return "\n".join(lines), out


def seated_table(legs: Sequence[SeatedLeg], efforts: dict[str, Sequence[int]] | None = None) -> tuple[str, dict]:
    """Markdown table of `seated_metrics` per condition and overall, and the metrics by condition.

    ``efforts``: condition → (true efforts, found, extra measured) from effort matching (optional).
    """
    efforts = dict(efforts or {})
    efforts["all"] = [sum(v[i] for v in efforts.values()) for i in range(3)] if efforts else [0, 0, 0]

    def measure(cond: str, rows: list) -> dict:
        n_true, found, extra = efforts.get(cond, (0, 0, 0))
        return {**seated_metrics(rows), "efforts": {"true": n_true, "found": found, "extra": extra}}

    def cells(m: dict, _rows: list) -> list[str]:
        cov, e = m["coverage"], m["efforts"]
        return [f"{m['moved']} / {m['resting']}", _f(m["mae"]), _f(m["bias"], signed=True),
                f"{_f(m['loa_low'], signed=True)} … {_f(m['loa_high'], signed=True)}", _f(m["worst"]),
                f"{_pct(cov['rate'])} ({cov['n']})", _f(cov["median_half_width"]), f"{m['no_effort_ok']}/{m['resting']}",
                str(m["missed"]), f"{e['found']}/{e['true']}", str(e["extra"])]

    return _table(("condition", "legs (rotated / resting)", "MAE °", "bias °", "95% LoA °", "worst °", "coverage",
                   "median ± °", "resting → \"no effort\"", "rotated legs missed", "efforts found", "extra efforts"),
                  legs, lambda r: r.condition, measure, cells)


# --------------------------------------------------------------------------- hip circles


class CountedVideo:
    """Counts verdicts of a rendered video's record with ``truth`` and ``measured`` (clockwise, counterclockwise),
    ``order_ok`` and ``confidence`` fields (`CircleVideo`, `SessionVideo`)."""

    @property
    def counts_ok(self) -> bool:
        return tuple(self.measured) == tuple(self.truth)

    @property
    def exact(self) -> bool:
        """Counts per direction right and every counted rep turning the true way in the true order."""
        return self.counts_ok and self.order_ok

    @property
    def wrong_and_high(self) -> bool:
        """Counts wrong yet the result claims "high" confidence (must never happen)."""
        return not self.counts_ok and self.confidence == "high"


@dataclass(frozen=True)
class CircleVideo(CountedVideo):
    """One circles (or, with ``negative``, rocking) video: counts (clockwise, counterclockwise) true and
    measured, whether the measured reps turn the true way in the true order, the result's confidence,
    per matched rep its direction agreement, start/end errors (measured − true, seconds) and
    (true, measured) radius in cm, and per radius whether the result marked that circle's size an estimate
    (`CircleRep.size_estimated`; empty: none was); ``start_ok``: the result's start position (`StartPosition.ok`:
    True "good", False told to move, None not judged or not read). Every rendered person starts neutral (hips over
    the knees, shoulders 2 cm ahead of the hands), so False is a false flag."""

    condition: str
    video: str
    negative: bool
    truth: tuple[int, int]
    measured: tuple[int, int]
    order_ok: bool
    confidence: str
    directions_ok: tuple[bool, ...] = ()
    edge_errors_s: tuple[float, ...] = ()
    radii_cm: tuple[tuple[float, float], ...] = ()
    radii_estimated: tuple[bool, ...] = ()
    start_ok: bool | None = None


def circles_metrics(videos: Sequence[CircleVideo]) -> dict:
    """Exact and count-match rates (circle videos), direction accuracy of matched reps, wrong-and-high and
    low-confidence results (all videos), false circles on negatives, rep edge errors, radius error of
    "high" results where the size was measured, not estimated (relative, median and share within 15%; issue 13
    goal 5), how many sizes of "high" results were estimates, and of the (neutral) start positions how many were
    judged and how many of those told to move."""
    pos = [v for v in videos if not v.negative]
    neg = [v for v in videos if v.negative]
    dirs = [ok for v in pos for ok in v.directions_ok]
    edges = np.abs(np.array([e for v in pos for e in v.edge_errors_s], float))
    high = [(r, k < len(v.radii_estimated) and v.radii_estimated[k])
            for v in pos if v.confidence == "high" for k, r in enumerate(v.radii_cm)]
    radii = np.array([r for r, estimated in high if not estimated], float).reshape(-1, 2)
    rel = np.abs(radii[:, 1] - radii[:, 0]) / radii[:, 0] if len(radii) else np.array([])
    mean = lambda xs: float(np.mean(xs)) if len(xs) else math.nan
    return {"videos": len(pos), "exact": sum(v.exact for v in pos), "exact_rate": mean([v.exact for v in pos]),
            "count_match_rate": mean([v.counts_ok for v in pos]), "direction_accuracy": mean(dirs),
            "wrong_and_high": sum(v.wrong_and_high for v in videos),
            "low_confidence": sum(v.confidence != "high" for v in videos),
            "negatives": len(neg), "false_circles": int(sum(sum(v.measured) for v in neg)),
            "edge_median_s": float(np.median(edges)) if len(edges) else math.nan,
            "edge_max_s": float(edges.max()) if len(edges) else math.nan,
            "edge_within_0_3s": mean(edges <= 0.3),
            "radius_reps_high": len(rel), "radius_median_rel_error": float(np.median(rel)) if len(rel) else math.nan,
            "radius_within_15pct": mean(rel <= 0.15),
            "radius_reps_estimated_high": sum(estimated for _, estimated in high),
            "start_judged": sum(v.start_ok is not None for v in pos),
            "start_told_to_move": sum(v.start_ok is False for v in pos)}


def circles_table(videos: Sequence[CircleVideo]) -> tuple[str, dict]:
    """Markdown table of `circles_metrics` per placement and overall, and the metrics by placement."""
    def cells(m: dict, rows: list) -> list[str]:
        return [str(m["videos"]), f"{m['exact']}/{m['videos']}", _pct(m["direction_accuracy"]), str(m["wrong_and_high"]),
                f"{m['low_confidence']}/{len(rows)}", f"{m['false_circles']} ({m['negatives']})",
                f"{_f(m['edge_median_s'], 2)} / {_f(m['edge_max_s'], 2)}", _pct(m["edge_within_0_3s"]),
                f"{_pct(m['radius_median_rel_error'])} ({m['radius_reps_high']})", _pct(m["radius_within_15pct"]),
                str(m["radius_reps_estimated_high"]), f"{m['start_told_to_move']}/{m['start_judged']}"]

    return _table(("placement", "videos", "exact", "direction", "wrong & high", "low confidence",
                   "false circles (negatives)", "rep edge error s (median / max)", "edges ≤ 0.3 s",
                   "radius error, high & measured (median)", "radius within 15%", "sizes estimated, high",
                   "neutral start told to move / judged"),
                  videos, lambda v: v.condition, lambda _name, rows: circles_metrics(rows), cells)


# --------------------------------------------------------------------------- whole sessions


@dataclass(frozen=True)
class SessionVideo(CountedVideo):
    """One rendered session (seated test → circles → seated test, one camera in front of the chair), reported under
    the placement of the camera relative to the person on all fours.

    ``circles_found``: a phase on hands and knees was analysed; ``truth``/``measured``: circles (clockwise,
    counterclockwise) over every such phase; ``order_ok``: the counted circles turn the true way in the true order;
    ``confidence``: "high" only when every analysed circles phase is; ``credited``: the result credits the IR change
    to the circles (`hipvision.core.session.circles_credit`); ``change_true``/``change_measured``/``change_pm``: per
    leg the IR change (last seated minus first, degrees), measured (None: not reported) and its 95% ± (None: none)."""

    condition: str
    video: str
    circles_found: bool
    truth: tuple[int, int]
    measured: tuple[int, int]
    order_ok: bool
    confidence: str
    credited: bool
    change_true: tuple[float, ...] = ()
    change_measured: tuple[float | None, ...] = ()
    change_pm: tuple[float | None, ...] = ()

    @property
    def credited_wrong(self) -> bool:
        """The IR change credited to circles that were not counted right (must never happen)."""
        return self.credited and not self.exact


def sessions_metrics(videos: Sequence[SessionVideo]) -> dict:
    """Circles phases found, exact counts, wrong-and-high, IR changes credited to the circles (and of those to a
    wrong count), and the IR change per leg: reported, error (MAE, worst) and the truth inside change ± its 95%."""
    mean = lambda xs: float(np.mean(xs)) if len(xs) else math.nan
    legs = [(t, m, pm) for v in videos for t, m, pm in zip(v.change_true, v.change_measured, v.change_pm)]
    reported = [(t, m, pm) for t, m, pm in legs if m is not None]
    err = np.abs(np.array([m - t for t, m, _ in reported], float))
    inside = [pm is not None and abs(m - t) <= pm for t, m, pm in reported]
    return {"videos": len(videos), "circles_found": sum(v.circles_found for v in videos),
            "exact": sum(v.exact for v in videos), "wrong_and_high": sum(v.wrong_and_high for v in videos),
            "high": sum(v.confidence == "high" for v in videos), "credited": sum(v.credited for v in videos),
            "credited_wrong": sum(v.credited_wrong for v in videos), "legs": len(legs), "legs_reported": len(reported),
            "change_mae": mean(err), "change_worst": float(err.max()) if len(err) else math.nan,
            "change_inside": sum(inside)}


def sessions_table(videos: Sequence[SessionVideo]) -> tuple[str, dict]:
    """Markdown table of `sessions_metrics` per placement of the camera around the person on all fours, and
    overall, and the metrics by placement."""
    def cells(m: dict, _rows: list) -> list[str]:
        n = m["videos"]
        return [str(n), f"{m['circles_found']}/{n}", f"{m['exact']}/{n}", str(m["high"]), str(m["wrong_and_high"]),
                f"{m['credited']} ({m['credited_wrong']})", f"{m['legs_reported']}/{m['legs']}",
                f"{_f(m['change_mae'])} / {_f(m['change_worst'])}", f"{m['change_inside']}/{m['legs_reported']}"]

    return _table(("circles placement", "sessions", "circles phase found", "circles exact", "high", "wrong & high",
                   "IR change credited to the circles (of them wrong)", "leg changes reported",
                   "change error ° (MAE / worst)", "truth inside change ±"),
                  videos, lambda v: v.condition, lambda _name, rows: sessions_metrics(rows), cells)
