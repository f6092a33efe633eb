"""Figures for the HTML report and the progress plot (matplotlib, no pyplot, no global state).

Every figure is built on a fresh `matplotlib.figure.Figure` inside an
``rc_context``, so nothing leaks into other users of matplotlib. SVG figures keep
their text as text (selectable, searchable) and get ids unique to the figure, so
several can be inlined in one HTML page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

#: Colours shared with the HTML (CSS variables) and the video overlay (`hipvision.draw`).
COLORS = {
    "left": "#32aaf0", "right": "#e65ac8",
    "limited": "#f05028", "functional": "#ffb400", "target": "#3cc85a", "borderline": "#8e7cc3",
    "ink": "#1d2433", "muted": "#6b7588", "grid": "#e6e9ef",
}
#: Rep colours: `hipvision.draw.PALETTE` (BGR there) as RGB hex, indexed by rep number like the video trail.
REP_COLORS = ("#28a0e6", "#fabe3c", "#50c878", "#dc64c8", "#f06e50",
              "#3cc8c8", "#ff7896", "#c8dc3c", "#8c78f0", "#faaaaa")
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
    """IR angle of each leg over time, with the 30°/45° lines and each leg's held value over its effort.

    ``rotation``: a rotation result dict (series in seconds and degrees). None if it has no series.
    """
    series = rotation.get("series") or {}
    t = _floats(series.get("t_s"))
    if t.size == 0:
        return None
    thr = rotation.get("thresholds_deg") or {}
    functional, target = float(thr.get("functional", 30)), float(thr.get("target", 45))
    with rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in))
        ax = fig.add_subplot()
        top = target + 15
        for side in ("left", "right"):
            y = _floats(series.get(f"{side}_deg"))
            if y.size != t.size:
                continue
            if np.isfinite(y).any():
                top = max(top, float(np.nanmax(y)) + 5)
            ax.plot(t, y, color=COLORS[side], lw=1.6, label=f"{side.capitalize()} leg")
            leg = rotation.get(side) or {}
            for effort in leg.get("efforts") or []:
                held = effort.get("held_deg")
                if held is None:
                    continue
                a, b = effort["start_s"], effort["end_s"]
                ax.plot([a, b], [held, held], color=COLORS[side], lw=3.2, alpha=0.9, solid_capstyle="butt")
                ax.annotate(f"held {held:.1f}°", ((a + b) / 2, held), xytext=(0, 6), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8.5, color=COLORS["ink"], weight="bold")
        _zones(ax, functional_deg=functional, target_deg=target, top_deg=top)
        lows = [np.nanmin(y) for y in (_floats(series.get(f"{s}_deg")) for s in ("left", "right"))
                if y.size and np.isfinite(y).any()]
        bottom = min([-5.0] + [float(v) - 3 for v in lows])
        ax.set_ylim(bottom, top)
        ax.set_xlim(t[0], t[-1])
        ax.set_xlabel("time (s)")
        ax.set_ylabel("internal rotation (°)")
        ax.legend(loc="upper left", frameon=False, ncols=2, fontsize=8.5)
        return figure_svg(fig, fig_id)


def _arrow_along(ax, x: np.ndarray, y: np.ndarray, color: str) -> None:
    ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if ok.size < 6:
        return
    i, j = ok[ok.size // 3], ok[ok.size // 3 + 2]
    ax.annotate("", xy=(x[j], y[j]), xytext=(x[i], y[i]),
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.4, "mutation_scale": 13})


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
            count = 0
            for idx in sorted(set(rep_of[rep_of > 0])):
                if direction.get(int(idx)) != name:
                    continue
                m = rep_of == idx
                col = rep_color(idx)
                ax.plot(right[m], fwd[m], color=col, lw=1.8, zorder=2)
                _arrow_along(ax, right[m], fwd[m], col)
                k = np.flatnonzero(m & np.isfinite(fwd))
                if k.size:
                    ax.annotate(str(idx), (right[k[0]], fwd[k[0]]), fontsize=8, color=col, weight="bold",
                                xytext=(3, 3), textcoords="offset points")
                count += 1
            ax.set_title(f"{title} · {count}", fontsize=10, color=COLORS["ink"], loc="left")
            ax.set_aspect("equal")
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.axhline(0, color=COLORS["muted"], lw=0.6)
            ax.axvline(0, color=COLORS["muted"], lw=0.6)
            ax.set_xlabel("← left · right → (cm)")
        axes[0].set_ylabel("← back · forward (head) → (cm)")
        return figure_svg(fig, fig_id)


def progress_figure(rows: Sequence[dict], *, title: str = "") -> Figure | None:
    """Progress over dates: held IR per leg (before → after for sessions) and circle size.

    ``rows``: dicts with "recorded_at" (datetime), "left_deg", "right_deg", "left_after_deg",
    "right_after_deg" (degrees or None) and "circle_radius_cm" (cm or None). None if nothing to plot.
    """
    if not rows:
        return None
    dates = [r["recorded_at"] for r in rows]
    has_circles = any(r.get("circle_radius_cm") is not None for r in rows)
    with rc_context({**_RC, "svg.fonttype": "path"}):
        fig = Figure(figsize=(8.0, 5.0 if has_circles else 3.4), layout="constrained")
        axes = fig.subplots(2 if has_circles else 1, 1, sharex=True, squeeze=False,
                            height_ratios=[2.2, 1] if has_circles else [1])[:, 0]
        ax = axes[0]
        for side in ("left", "right"):
            for key, style, label in ((f"{side}_deg", "-o", "before / single"), (f"{side}_after_deg", "--s", "after circles")):
                y = _floats([r.get(key) for r in rows])
                if np.isfinite(y).any():
                    ok = np.isfinite(y)
                    ax.plot([d for d, k in zip(dates, ok) if k], y[ok], style, color=COLORS[side], lw=1.5, ms=4,
                            label=f"{side.capitalize()} · {label}")
        _zones(ax, functional_deg=30, target_deg=45, top_deg=60)
        ax.set_ylim(0, 60)
        ax.set_ylabel("held IR (°)")
        ax.legend(loc="upper left", frameon=False, fontsize=8, ncols=2)
        if title:
            ax.set_title(title, loc="left", fontsize=11)
        if has_circles:
            y = _floats([r.get("circle_radius_cm") for r in rows])
            ok = np.isfinite(y)
            axes[1].plot([d for d, k in zip(dates, ok) if k], y[ok], "-o", color="#7a5af0", lw=1.5, ms=4)
            axes[1].set_ylabel("circle radius (cm)")
            axes[1].set_ylim(bottom=0)
        locator = AutoDateLocator(minticks=3, maxticks=8)
        axes[-1].xaxis.set_major_locator(locator)
        axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))
        return fig
