"""Figures for the HTML report and the progress plot (matplotlib, no pyplot, no global state).

Every figure is built on a fresh `matplotlib.figure.Figure` inside an
``rc_context``, so nothing leaks into other users of matplotlib. SVG figures keep
their text as text (selectable, searchable) and get ids unique to the figure, so
several can be inlined in one HTML page.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from collections.abc import Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from hipvision.draw.colors import CLASS_RGB, GRID_RGB, INK_RGB, MUTED_RGB, PALETTE_RGB, SIDE_RGB
from hipvision.errors import InputError, OutputError
from hipvision.io.files import atomic_path
from hipvision.io.history import FILE_MODE, history_home

#: Colours shared with the HTML (CSS variables) and the video overlay: `hipvision.draw.colors`, as hex.
COLORS = {
    **{side: SIDE_RGB[side].hex for side in ("left", "right")},
    **{cls: CLASS_RGB[cls].hex for cls in ("limited", "functional", "target", "borderline")},
    "ink": INK_RGB.hex, "muted": MUTED_RGB.hex, "grid": GRID_RGB.hex,
}
#: Rep colours, indexed by rep number like the video trail's.
REP_COLORS = tuple(c.hex for c in PALETTE_RGB)
_RC = {
    "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"], "font.size": 9.5,
    "axes.edgecolor": COLORS["muted"], "axes.labelcolor": COLORS["ink"], "axes.spines.top": False,
    "axes.spines.right": False, "xtick.color": COLORS["muted"], "ytick.color": COLORS["muted"],
    "axes.grid": True, "grid.color": COLORS["grid"], "grid.linewidth": 0.8, "svg.fonttype": "none",
}


def rep_color(index: int) -> str:
    """Hex colour of rep number ``index`` (same as the video overlay's trail colour)."""
    return REP_COLORS[int(index) % len(REP_COLORS)]


def _floats(values: Sequence | None) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in (values or [])], dtype=float)


def figure_svg(fig: Figure, fig_id: str) -> str:
    """``fig`` as an inline-ready ``<svg>`` element scaled to its container (no XML prolog)."""
    buf = io.StringIO()
    with rc_context({"svg.hashsalt": fig_id, "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.05, metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    # Let CSS size it: drop the fixed width/height (the viewBox keeps the aspect ratio).
    # Prefix every id (and its references) so several figures can share one HTML page.
    svg = re.sub(r'\sid="([^"]+)"', rf' id="{fig_id}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{fig_id}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{fig_id}-\1"', svg)
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return f'{head} role="img" aria-label="{fig_id}">{rest}'


def _zones(ax, *, functional_deg: float, target_deg: float, top_deg: float) -> None:
    ax.axhspan(-90, functional_deg, color=COLORS["limited"], alpha=0.06, lw=0)
    ax.axhspan(functional_deg, target_deg, color=COLORS["functional"], alpha=0.09, lw=0)
    ax.axhspan(target_deg, max(top_deg, target_deg + 5), color=COLORS["target"], alpha=0.08, lw=0)
    for value, name in ((functional_deg, "functional"), (target_deg, "target")):
        ax.axhline(value, color=COLORS[name], lw=1.2, ls=(0, (4, 3)))
        ax.annotate(f"{value:g}°", (1.0, value), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8.5, color=COLORS["muted"])


def angle_plot_svg(rotation: dict, fig_id: str, *, width_in: float = 8.6, height_in: float = 3.0) -> str | None:
    """`angle_figure` as inline SVG (None if the result has no series)."""
    with rc_context(_RC):
        fig = angle_figure(rotation, width_in=width_in, height_in=height_in)
        return None if fig is None else figure_svg(fig, fig_id)


def angle_figure(rotation: dict, *, width_in: float = 8.6, height_in: float = 3.0) -> Figure | None:
    """IR angle of each leg over time, with the 30°/45° lines and each leg's held value over its effort.

    ``rotation``: a rotation result dict (series in seconds and degrees). None if it has no series. Each held
    value is labelled with its 95% half-width where the effort has one ("held 38.0° ± 3.3°", `held_text`); the
    legend sits above the axes, and of two legs held at once at close values the lower label goes under its bar.
    """
    from hipvision.core.rotation.uncertainty import held_text  # as in `hipvision.report.html._held`

    series = rotation.get("series") or {}
    t = _floats(series.get("t_s"))
    if t.size == 0:
        return None
    thr = rotation.get("thresholds_deg") or {}
    functional, target = float(thr.get("functional", 30)), float(thr.get("target", 45))
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    ax = fig.add_subplot()
    top = target + 15
    efforts = {side: [e for e in ((rotation.get(side) or {}).get("efforts") or []) if e.get("held_deg") is not None]
               for side in ("left", "right")}
    for side in ("left", "right"):
        y = _floats(series.get(f"{side}_deg"))
        if y.size != t.size:
            continue
        if np.isfinite(y).any():
            top = max(top, float(np.nanmax(y)) + 5)
        ax.plot(t, y, color=COLORS[side], lw=1.6, label=f"{side.capitalize()} leg")
        other = efforts["right" if side == "left" else "left"]
        for effort in efforts[side]:
            held = effort["held_deg"]
            a, b = effort["start_s"], effort["end_s"]
            ax.plot([a, b], [held, held], color=COLORS[side], lw=3.2, alpha=0.9, solid_capstyle="butt")
            below = _label_below(effort, other, ties_below=side == "right")
            ax.annotate(f"held {held_text(held, effort.get('uncertainty_deg'))}", ((a + b) / 2, held),
                        xytext=(0, -6 if below else 6), textcoords="offset points", ha="center",
                        va="top" if below else "bottom", fontsize=8.5, color=COLORS["ink"], weight="bold")
    _zones(ax, functional_deg=functional, target_deg=target, top_deg=top)
    lows = [np.nanmin(y) for y in (_floats(series.get(f"{s}_deg")) for s in ("left", "right"))
            if y.size and np.isfinite(y).any()]
    bottom = min([-5.0] + [float(v) - 3 for v in lows])
    ax.set_ylim(bottom, top)
    if t[-1] > t[0]:  # a live run stopped after one frame has no time span
        ax.set_xlim(t[0], t[-1])
    ax.set_xlabel("time (s)")
    ax.set_ylabel("internal rotation (°)")
    fig.legend(loc="outside upper left", frameon=False, ncols=2, fontsize=8.5)  # never over a held label
    return fig


#: Two legs' held values closer than this (degrees) while both are held: the lower one's label goes under its bar.
LABEL_CLASH_DEG = 8.0


def _label_below(effort: dict, others: list[dict], *, ties_below: bool) -> bool:
    """Whether ``effort``'s "held" label goes under its bar: the other leg holds at the same time, higher by less
    than `LABEL_CLASH_DEG` (both labels above their bars would overlap), or level with it and ``ties_below``
    (one leg of the two, so that exactly one label moves)."""
    def lower(o: dict) -> bool:
        rise = o["held_deg"] - effort["held_deg"]
        return 0.0 < rise < LABEL_CLASH_DEG or (rise == 0.0 and ties_below)

    return any(min(effort["end_s"], o["end_s"]) > max(effort["start_s"], o["start_s"]) and lower(o) for o in others)


def _arrow_along(ax, x: np.ndarray, y: np.ndarray, color: str) -> None:
    ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if ok.size < 6:
        return
    i, j = ok[ok.size // 3], ok[ok.size // 3 + 2]
    ax.annotate("", xy=(x[j], y[j]), xytext=(x[i], y[i]),
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.4, "mutation_scale": 13})


_NUMBER_W_PT, _NUMBER_H_PT = 6.0, 9.0  # width of one digit and height of a circle number at 8 pt bold


def number_offsets_pt(anchors_pt: Sequence[tuple[float, float]], texts: Sequence[str], *,
                      gap_pt: float = 3.0) -> list[float]:
    """x offsets (points) that set each circle number ``texts[i]`` right of its start ``anchors_pt[i]``
    ((x, y) in points, y up) without covering an earlier one: circles of a set start where the last ended,
    so their numbers would stack; a number that would overlap moves right past the one in its way."""
    placed: list[tuple[float, float, float]] = []  # left, right, bottom of each number set so far
    offsets = []
    for (x, y), text in zip(anchors_pt, texts):
        width, dx = _NUMBER_W_PT * len(text), gap_pt
        while True:
            hit = [r for l, r, b in placed if abs(b - y) < _NUMBER_H_PT and l < x + dx + width and x + dx < r]
            if not hit:
                break
            dx = max(hit) - x + 2.5
        placed.append((x + dx, x + dx + width, y))
        offsets.append(dx)
    return offsets


def path_plot_svg(circles: dict, fig_id: str, *, height_in: float = 4.2) -> str | None:
    """Pelvis path seen from above (head at 12 o'clock), one panel per direction, each rep in its colour.

    Points outside any rep are drawn thin grey. None if the result has no series.
    """
    series = circles.get("series") or {}
    fwd, right = _floats(series.get("forward_cm")), _floats(series.get("right_cm"))
    rep_ids = series.get("rep") or []
    if fwd.size == 0 or fwd.size != right.size:
        return None
    rep_of = np.array([-1 if r is None else int(r) for r in rep_ids] if len(rep_ids) == fwd.size
                      else [-1] * fwd.size)
    direction = {r["index"]: r["direction"] for r in circles.get("reps") or []}
    lim = float(np.nanmax(np.abs(np.concatenate([fwd, right])))) * 1.12 if np.isfinite(fwd).any() else 10.0
    panels = [("clockwise", "Clockwise"), ("counterclockwise", "Counter-clockwise")]
    with rc_context(_RC):
        fig = Figure(figsize=(2 * height_in * 1.05, height_in))
        axes = fig.subplots(1, 2, sharex=True, sharey=True)
        between = np.where(rep_of > 0, np.nan, 1.0)  # points outside any rep, NaN elsewhere (breaks the line)
        for ax, (name, title) in zip(axes, panels):
            ax.plot(right * between, fwd * between, color="#c4c9d4", lw=0.8, zorder=1)
            ax.set_aspect("equal")
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.apply_aspect()  # the final box, so that data map to the points the numbers are placed in
            numbers, count = [], 0  # numbers: (text, where it starts in cm, colour)
            for idx in sorted(set(rep_of[rep_of > 0])):
                if direction.get(int(idx)) != name:
                    continue
                m = rep_of == idx
                col = rep_color(idx)
                ax.plot(right[m], fwd[m], color=col, lw=1.8, zorder=2)
                _arrow_along(ax, right[m], fwd[m], col)
                k = np.flatnonzero(m & np.isfinite(fwd))
                if k.size:
                    numbers.append((str(idx), (right[k[0]], fwd[k[0]]), col))
                count += 1
            to_pt = 72.0 / fig.dpi
            anchors = [tuple(to_pt * ax.transData.transform(at)) for _, at, _ in numbers]
            for (text, at, col), dx in zip(numbers, number_offsets_pt(anchors, [t for t, _, _ in numbers])):
                ax.annotate(text, at, fontsize=8, color=col, weight="bold", xytext=(dx, 3),
                            textcoords="offset points")
            ax.set_title(f"{title} · {count}", fontsize=10, color=COLORS["ink"], loc="left")
            ax.axhline(0, color=COLORS["muted"], lw=0.6)
            ax.axvline(0, color=COLORS["muted"], lw=0.6)
            ax.set_xlabel("← left · right → (cm)")
        axes[0].set_ylabel("← back · forward (head) → (cm)")
        return figure_svg(fig, fig_id)


#: How each kind of saved result is labelled and marked in the progress plot.
KIND_LABELS = {"rotation": "IR test", "circles": "circles", "session": "session"}
_KIND_MARKERS = {"rotation": "o", "session": "D", "circles": "^"}
_AFTER_DX = 0.22  # a session's "after" point sits this far right of its "before" (slots are 1 apart)


def progress_slot_labels(rows: Sequence[dict]) -> list[str]:
    """One x label per saved result: the date (and the time when that date has several), then the kind."""
    days = [r["recorded_at"].date() for r in rows]
    labels = []
    for r, day in zip(rows, days):
        when = f"{r['recorded_at']:%d %b %Y}" + (f"\n{r['recorded_at']:%H:%M}" if days.count(day) > 1 else "")
        labels.append(f"{when}\n{KIND_LABELS.get(r.get('kind'), r.get('kind') or '')}")
    return labels


def progress_figure(rows: Sequence[dict], *, title: str = "") -> Figure | None:
    """Progress over the saved results: held IR per leg and circle size, one slot per result in time order.

    ``rows``: dicts with "recorded_at" (datetime), "kind", "left_deg", "right_deg", "left_after_deg",
    "right_after_deg" (degrees or None), optionally their "…_uncertainty_deg" (95% half-widths, drawn as
    error bars), "circle_radius_cm" (cm or None) and "circles_confidence" (a "low" one is drawn hollow),
    oldest first. Each slot is
    labelled with its date (and time when the day has several results) and kind; a line per leg joins the
    "before"/single values, a session's "after the circles" value is linked to its "before" by an arrow.
    None if nothing to plot.
    """
    from matplotlib.lines import Line2D

    if not rows:
        return None
    x = np.arange(len(rows), dtype=float)
    kinds = np.array([r.get("kind") or "" for r in rows])
    has_circles = any(r.get("circle_radius_cm") is not None for r in rows)
    with rc_context({**_RC, "svg.fonttype": "path"}):
        fig = Figure(figsize=(max(6.5, min(12.0, 3.0 + 0.9 * len(rows))), 5.4 if has_circles else 3.9),
                     layout="constrained")
        axes = fig.subplots(2 if has_circles else 1, 1, sharex=True, squeeze=False,
                            height_ratios=[2.2, 1] if has_circles else [1])[:, 0]
        ax = axes[0]
        for side in ("left", "right"):
            before = _floats([r.get(f"{side}_deg") for r in rows])
            after = _floats([r.get(f"{side}_after_deg") for r in rows])
            ok = np.isfinite(before)
            ax.plot(x[ok], before[ok], "-", color=COLORS[side], lw=1.3, alpha=0.7)
            for when, dx, y in (("", 0.0, before), ("_after", _AFTER_DX, after)):  # each value's 95% uncertainty
                err = _floats([r.get(f"{side}{when}_uncertainty_deg") for r in rows])
                sel = np.isfinite(y) & np.isfinite(err)
                ax.errorbar(x[sel] + dx, y[sel], yerr=err[sel], fmt="none", ecolor=COLORS[side], elinewidth=1.0,
                            capsize=3, alpha=0.6)
            for kind, marker in _KIND_MARKERS.items():
                sel = ok & (kinds == kind)
                ax.plot(x[sel], before[sel], marker, color=COLORS[side], ms=6, ls="none")
            for i in np.flatnonzero(np.isfinite(after)):
                ax.plot(x[i] + _AFTER_DX, after[i], "s", color=COLORS[side], ms=6, mfc="white", mew=1.6)
                if ok[i]:
                    ax.annotate("", xy=(x[i] + _AFTER_DX, after[i]), xytext=(x[i], before[i]),
                                arrowprops={"arrowstyle": "-|>", "color": COLORS[side], "lw": 1.3,
                                            "shrinkA": 4, "shrinkB": 4})
        _zones(ax, functional_deg=30, target_deg=45, top_deg=60)
        ax.set_ylim(0, 60)
        ax.set_ylabel("held IR (°)")
        handles = [Line2D([], [], color=COLORS[side], lw=1.5, label=f"{side.capitalize()} hip") for side in ("left", "right")]
        handles += [Line2D([], [], color=COLORS["ink"], marker=_KIND_MARKERS[k], ls="none", ms=6, label=label)
                    for k, label in (("rotation", "IR test"), ("session", "session: before the circles"))
                    if (kinds == k).any()]
        if (kinds == "session").any():
            handles.append(Line2D([], [], color=COLORS["ink"], marker="s", mfc="white", ls="none", ms=6,
                                  label="→ after the circles"))
        if any(r.get(f"{side}{when}_uncertainty_deg") is not None for r in rows for side in ("left", "right")
               for when in ("", "_after")):
            handles.append(Line2D([], [], color=COLORS["ink"], marker="|", ls="none", ms=10, label="± 95% uncertainty"))
        fig.legend(handles=handles, loc="outside upper right", frameon=False, fontsize=8, ncols=min(3, len(handles)))
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontsize=11)
        if has_circles:
            y = _floats([r.get("circle_radius_cm") for r in rows])
            ok = np.isfinite(y)
            axes[1].plot(x[ok], y[ok], "-", color="#7a5af0", lw=1.3, alpha=0.7)
            low = np.array([r.get("circles_confidence") == "low" for r in rows])
            for kind, marker in _KIND_MARKERS.items():
                for unsure in (False, True):  # a count of low confidence: a hollow marker
                    sel = ok & (kinds == kind) & (low == unsure)
                    axes[1].plot(x[sel], y[sel], marker, color="#7a5af0", ms=6, ls="none",
                                 mfc="white" if unsure else "#7a5af0", mew=1.4)
            if (ok & low).any():
                first = _KIND_MARKERS.get(kinds[np.flatnonzero(ok & low)[0]], "o")
                axes[1].legend(handles=[Line2D([], [], color="#7a5af0", marker=first, mfc="white", ls="none", ms=6,
                                               label="hollow: a circle count of low confidence")],
                               loc="upper left", frameon=False, fontsize=8)
            axes[1].set_ylabel("circle radius (cm)")
            axes[1].set_ylim(0, max(5.0, 1.25 * float(np.nanmax(y))))
        step = int(np.ceil(len(rows) / 12))  # at most about a dozen labels
        axes[-1].set_xticks(x[::step], progress_slot_labels(rows)[::step], fontsize=8)
        axes[-1].set_xlim(-0.5, len(rows) - 0.5)
        for a in axes:
            a.grid(False, axis="x")
        return fig


def write_progress_plot(rows: list[dict], out_path: str | os.PathLike, *, title: str = "") -> Path:
    """Plot IR per leg and circle size over dates (`progress_figure`) to .png/.svg/.pdf, atomically."""
    out_path = Path(out_path)
    fmt = out_path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise OutputError(f"cannot write a plot as {out_path.name}: use a .png, .svg or .pdf file name")
    fig = progress_figure(rows, title=title)
    if fig is None:
        raise InputError("nothing to plot: no saved results match")
    private = out_path.resolve().parent == history_home().resolve()
    with atomic_path(out_path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=150)
        if private:  # a plot kept next to the database is as private as the database
            os.chmod(tmp, FILE_MODE)
    return out_path
