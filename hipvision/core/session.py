"""A whole routine in one recording: seated IR → quadruped hip circles → seated IR.

`analyze_session` splits a `PoseSequence` into posture phases
(`hipvision.core.posture`), runs the rotation analysis on each seated phase and
the circles analysis on each quadruped phase, and reports the change in held IR
per leg between the seated test before the circles and the one after them (`compared_phases`).

Phase status (never guessed):

* ``"analysed"``: long enough and well seen; ``result`` holds the phase's typed rotation or circles result.
* ``"too_short"``: shorter than ``min_phase_s``; not analysed.
* ``"poorly_seen"``: the body was classifiable in fewer than ``min_seen_fraction`` of the
  frames, or (seated) the shank angle was valid in too few frames; ``result`` is kept when
  the analysis ran, so the report can show why.
* ``"skipped"``: neither seated nor on all fours (standing, moving between positions).

A phase the posture classifier calls neither, long and well seen enough, is also given to the seated analysis: when
its seated test measured the legs in at least ``min_seen_fraction`` of the frames, it is a seated phase after all
(`seated_after_all`; a camera well above the knees), and ``info`` says so. When it measured fewer, the phase is split
at the seated test's own runs (seated, standing and seated again merged into one phase from above): each run long
enough and measured in ``min_seen_fraction`` of its frames is a seated phase, what lies between stays "other".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from hipvision.core.advice import Change, session_next_steps
from hipvision.core.circles import CirclesSettings, analyze_circles
from hipvision.core.circles.advice import SET_DONE
from hipvision.core.circles.confidence import Confidence, Reason
from hipvision.core.circles.in_session import in_session
from hipvision.core.filtering import debounce, finite_runs
from hipvision.core.posture import OTHER, QUADRUPED, SEATED, PosturePhase, segment_postures
from hipvision.core.rotation import RotationSettings, analyze_rotation
from hipvision.core.rotation.status import STATUSES
from hipvision.core.schema import result_header
from hipvision.landmarks import SIDES
from hipvision.sequence import PoseSequence

class PhaseResult(Protocol):
    """What a phase's analysis returns: a typed result that writes its own JSON."""

    def to_dict(self) -> dict: ...


#: An analysis of one phase: a sub-sequence in, a typed result out (`RotationResult`, `CirclesResult`).
Analyzer = Callable[[PoseSequence], PhaseResult]


def default_analyzers(rotation: RotationSettings = RotationSettings(),
                      circles: CirclesSettings = CirclesSettings()) -> dict[str, Analyzer]:
    """Posture → the analysis run on phases of that posture, with these settings (the circles' advice as a session
    gives it: `in_session`, the camera stays for the re-test)."""
    return {SEATED: lambda seq: analyze_rotation(seq, rotation),
            QUADRUPED: lambda seq: in_session(analyze_circles(seq, circles))}


@dataclass(frozen=True)
class SessionPhase:
    """One phase of a session; times in seconds from the start of the source."""

    kind: str
    start_s: float
    end_s: float
    status: str
    result: PhaseResult | None
    seen_fraction: float
    start_index: int
    stop_index: int

    def to_dict(self) -> dict:
        result = None if self.result is None else self.result.to_dict()
        out = {"kind": self.kind, "start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3),
               "status": self.status, "seen_fraction": round(self.seen_fraction, 3), "result": result}
        if self.kind == QUADRUPED:
            out.update(phase_confidence(self.status, result))
        return out


#: Why a circles phase has no confidence of its own, by its status (`phase_confidence`).
_NOT_COUNTED = {"too_short": Reason("the phase on hands and knees was too short to count circles in"),
                "poorly_seen": Reason("the body was seen too poorly on hands and knees", "more of it in view", ": "),
                "analysed": Reason("this result carries no confidence (made by an older hipvision)",
                                   "re-run the analysis", ": ")}


def phase_confidence(status: str, result: dict | None) -> dict:
    """``confidence``, ``confidence_reasons`` and ``what_to_change`` of a circles phase: its result's, or "low"
    when it was not analysed (see `hipvision.core.circles.confidence`)."""
    if status == "analysed" and result and "confidence" in result:
        return {"confidence": result["confidence"], "confidence_reasons": list(result.get("confidence_reasons") or []),
                "what_to_change": list(result.get("what_to_change") or [])}
    return Confidence.of([_NOT_COUNTED.get(status, Reason("the circles were not analysed"))]).to_dict()


def circles_credit(result: dict) -> tuple[int, str | None]:
    """Circles done between the seated measurements of a session result dict, and why the IR change must
    not be credited to them (None when it may: at least one circle, every circles phase "high")."""
    phases = [p for p in result.get("phases") or [] if p.get("kind") == QUADRUPED and p.get("status") == "analysed"]
    total = sum(int((p.get("result") or {}).get("total") or 0) for p in phases)
    if not phases:
        return 0, "no hip-circle phase (on hands and knees) could be analysed"
    if total == 0:
        return 0, "no hip circles were counted"
    if any(phase_confidence(p["status"], p.get("result"))["confidence"] != "high" for p in phases):
        return total, "the hip circles were counted with low confidence, see the circles phase"
    return total, None


@dataclass(frozen=True)
class SessionResult:
    """Phases in time order and the IR change per leg (degrees, after the circles minus before, between the phases
    `compared_phases` picks; None if unknown).

    ``header["warnings"]``: what cost accuracy or needs action; ``info``: context (phases too short to
    analyse); each phase's result keeps its own warnings and information.
    """

    phases: list[SessionPhase]
    change_deg: dict[str, float | None]
    header: dict = field(default_factory=dict)
    info: tuple[str, ...] = ()

    @property
    def warnings(self) -> list[str]:
        return self.header.get("warnings", [])

    @property
    def compared_phases(self) -> dict[str, tuple[int, int] | None]:
        """Per leg, the indices into ``phases`` of the seated phases the change compares (`compared_phases`)."""
        return compared_phases(_legs_measured(self.phases))

    @property
    def changes(self) -> dict[str, Change]:
        """The IR change per leg with its combined 95% uncertainty (rounded to 0.1° like the change, so the
        verdict is the one the shown numbers give) and verdict (`advice.Change`)."""
        pairs = self.compared_phases
        out = {}
        for side in SIDES:
            pair = pairs[side]
            unc = [_uncertainty(self.phases[i].result, side) for i in pair] if pair else [None, None]
            combined = Change.of(side, self.change_deg.get(side), *unc).uncertainty_deg
            out[side] = Change(side, self.change_deg.get(side), round(combined, 1) if math.isfinite(combined)
                               else combined)
        return out

    @property
    def next_steps(self) -> tuple[str, ...]:
        """What to do next (`advice.session_next_steps`): the change, the circles, the last seated result."""
        seated = [p for p in self.phases if p.kind == SEATED and p.status == "analysed"]
        circles = [s for p in self.phases if p.kind == QUADRUPED and p.status == "analysed"
                   for s in getattr(p.result, "next_steps", ()) if s != SET_DONE]
        after = tuple(getattr(seated[-1].result, "next_steps", ())) if seated else ()
        credited = circles_credit(self.to_dict(steps=False))[1] is None
        return session_next_steps(list(self.changes.values()), credited=credited, after=after,
                                  circles=tuple(dict.fromkeys(circles)))

    def to_dict(self, *, steps: bool = True) -> dict:
        changes = self.changes
        out = {**self.header, "info": list(self.info), "phases": [p.to_dict() for p in self.phases],
               "change_deg": dict(self.change_deg),
               "compared_phases": {side: (list(pair) if pair else None) for side, pair in self.compared_phases.items()},
               "change_uncertainty_deg": {side: (c.uncertainty_deg if math.isfinite(c.uncertainty_deg) else None)
                                          for side, c in changes.items()},
               "change_verdict": {side: c.verdict for side, c in changes.items()}}
        if steps:
            out["next_steps"] = list(self.next_steps)
        return out


def _uncertainty(result: PhaseResult | None, side: str) -> float | None:
    """95% half-width of the held IR of ``side`` of a seated phase's result, degrees, or None."""
    leg = getattr(result, "leg", None)
    value = getattr(leg(side), "uncertainty_deg", None) if leg is not None else None
    return float(value) if value is not None and math.isfinite(value) else None


def held_deg(result: PhaseResult | None, side: str) -> float | None:
    """Held IR of ``side`` ("left"/"right") of a seated phase's result, degrees, or None (missing, NaN, or a
    leg whose status is not "measured": a leg that did not rotate reads 0° but was not measured; or one not
    measured where a larger effort may have been, whose held angle is only a lower bound)."""
    leg = getattr(result, "leg", None)
    if leg is None:
        return None
    got = leg(side)
    if getattr(got, "status", STATUSES[0]) != STATUSES[0] or getattr(got, "unmeasured", None) is not None:
        return None
    value = float(got.held_deg)
    return value if math.isfinite(value) else None


def compared_phases(phases: Sequence[tuple[str, str, Mapping[str, float | None]]]
                    ) -> dict[str, tuple[int, int] | None]:
    """Per leg, ``(before, after)``: the indices into a session's phases of the two seated measurements its IR change
    compares, or None without two. ``phases``: per phase in time order, its kind, status and each leg's held IR
    where it was measured (`held_deg`: None where not).

    The test before the circles is the analysed seated phases before the first phase on hands and knees that is not
    "too_short"; the re-test, those after the last such phase. Before is the test's phase with the leg's largest held
    IR, after the re-test's (as one analysis of the test's frames would hold the best effort); their first and last
    phase when the leg was measured in none of them, so that the leg's status is still shown. A seated test the
    posture classifier split into pieces, one leg measured in each (rendered sessions: a leg's effort read as "other"
    for 2.9 s; a person resting between two legs' efforts read so for 2 s at 1280 × 720), thus still gives each leg
    its change where `bridged` could not join the pieces. Without a phase on hands and knees between them: the first
    and the last analysed seated phase."""
    seated = [i for i, (kind, status, _) in enumerate(phases) if kind == SEATED and status == "analysed"]
    if len(seated) < 2:
        return {side: None for side in SIDES}
    circles = [i for i, (kind, status, _) in enumerate(phases) if kind == QUADRUPED and status != "too_short"]
    before = [i for i in seated if circles and i < circles[0]]
    after = [i for i in seated if circles and i > circles[-1]]
    if not before or not after:
        before, after = seated[:1], seated[-1:]

    def best(test: list[int], side: str, default: int) -> int:
        measured = [i for i in test if phases[i][2].get(side) is not None]
        return max(measured, key=lambda i: phases[i][2][side]) if measured else default

    return {side: (best(before, side, before[0]), best(after, side, after[-1])) for side in SIDES}


def _legs_measured(phases: list[SessionPhase]) -> list[tuple[str, str, dict[str, float | None]]]:
    """`compared_phases`'s input from typed phases."""
    return [(p.kind, p.status, {side: held_deg(p.result, side) if p.kind == SEATED else None for side in SIDES})
            for p in phases]


def ir_change(phases: list[SessionPhase]) -> dict[str, float | None]:
    """Held IR after the circles minus before, per leg, degrees, between the phases `compared_phases` picks
    (None when either is unknown)."""
    out: dict[str, float | None] = {}
    for side, pair in compared_phases(_legs_measured(phases)).items():
        first = held_deg(phases[pair[0]].result, side) if pair else None
        last = held_deg(phases[pair[1]].result, side) if pair else None
        out[side] = None if first is None or last is None else round(last - first, 1)
    return out


def compared_pair(result: dict, side: str) -> tuple[int, int] | None:
    """The indices into a session result dict's ``phases`` that its change of ``side`` compares: its
    ``compared_phases`` (`compared_phases`), or, in results written before it, its first and last analysed seated
    phases; None without two."""
    if "compared_phases" in result:
        pair = (result.get("compared_phases") or {}).get(side)
        return (int(pair[0]), int(pair[1])) if pair else None
    seated = [i for i, p in enumerate(result.get("phases") or [])
              if p.get("kind") == SEATED and p.get("status") == "analysed"]
    return (seated[0], seated[-1]) if len(seated) >= 2 else None


def compared_legs(result: dict, side: str) -> tuple[dict, dict]:
    """The before and after leg dicts of ``side`` in a session result dict (`compared_pair`; ``{}`` when missing);
    with fewer than two seated measurements, the first analysed seated phase's leg as before."""
    phases = result.get("phases") or []
    leg = lambda i: (phases[i].get("result") or {}).get(side) or {}  # noqa: E731
    pair = compared_pair(result, side)
    if pair:
        return leg(pair[0]), leg(pair[1])
    first = next((i for i, p in enumerate(phases) if p.get("kind") == SEATED and p.get("status") == "analysed"), None)
    return (leg(first) if first is not None else {}), {}


def seated_after_all(seq: PoseSequence, phase: PosturePhase, rows: slice | None = None, *, min_phase_s: float = 3.0,
                     min_seen_fraction: float = 0.6, min_run_s: float = 1.0,
                     analyze: Analyzer = analyze_rotation) -> tuple[tuple[PosturePhase, PhaseResult | None], ...]:
    """A ``phase`` the posture classifier called "other" or "quadruped", split into the seated phases the seated
    test finds in it after all and what is left: ``((piece, result or None), ...)`` tiling the phase in time order,
    ``result`` the seated analysis (``analyze``) of a piece that is seated. ``((phase, None),)`` when none is.

    The whole phase (its frames ``rows``, default all), at least ``min_phase_s`` long and seen in
    ``min_seen_fraction`` of its frames, is seated when its seated test measured the legs in at least
    ``min_seen_fraction`` of them. Else an "other" phase is split at the seated test's own runs: the frames in which
    it measured a leg, gaps up to ``min_run_s`` bridged, each run at least ``min_phase_s`` long, analysed on its own
    and seated by the same test; the pieces between keep the phase's kind and no result.

    The seated test is the better witness: from 30° and more above the knees, with the pose model's depth, the
    classifier reads a seated thigh as hanging, or the person as on hands and knees (a rendered session filmed from
    31° above: both seated phases "other", no before/after change; seated videos from 40-48° above: 89-97% of the
    frames "on hands and knees"); from 35° above with half the depth, synthetic seated, standing and seated stretches
    merge into one "other" phase. The seated test follows the fitted camera height and rejects standing and
    hands-and-knees frames (not one frame measured on 71 rendered hands-and-knees and rocking videos)."""
    alone = ((phase, None),)
    if phase.kind not in (OTHER, QUADRUPED) or phase.duration_s < min_phase_s or phase.seen_fraction < min_seen_fraction:
        return alone
    rows = slice(phase.start_index, phase.stop_index) if rows is None else rows
    result = analyze(seq.slice(rows.start, rows.stop))
    if _seated_share(result) >= min_seen_fraction:
        return ((phase, result),)
    measured = getattr(result, "measured", None)
    if phase.kind != OTHER or measured is None:
        return alone
    t_all = seq.timestamps_s
    runs = finite_runs(debounce(t_all[rows.start:rows.stop], measured, min_on_s=min_phase_s, max_fill_s=min_run_s))
    pieces: list[tuple[PosturePhase, PhaseResult | None]] = []
    at = phase.start_index
    for a, b in ((rows.start + a, rows.start + b) for a, b in runs):
        run_result = analyze(seq.slice(a, b))
        if _seated_share(run_result) < min_seen_fraction:
            continue
        # what is left between a run and the phase's edge (its trimmed frames) or the run before, when shorter
        # than ``min_run_s``, goes with the run
        begin = at if t_all[a] - t_all[at] < min_run_s else a
        if begin > at:
            pieces.append((_piece(seq, phase.kind, at, begin), None))
        end = phase.stop_index if t_all[phase.stop_index - 1] - t_all[b - 1] < min_run_s else b
        pieces.append((_piece(seq, SEATED, begin, end, end_s=phase.end_s if end == phase.stop_index else None),
                       run_result))
        at = end
    if not pieces:
        return alone
    if at < phase.stop_index:
        pieces.append((_piece(seq, phase.kind, at, phase.stop_index, end_s=phase.end_s), None))
    return tuple(pieces)


def _seated_share(result: PhaseResult) -> float:
    """The share of frames in which a seated analysis measured a leg (-inf when it cannot say)."""
    valid = getattr(result, "valid_fraction", None)
    return -math.inf if valid is None else float(valid)


def _piece(seq: PoseSequence, kind: str, start: int, stop: int, *, end_s: float | None = None) -> PosturePhase:
    """Frames ``start:stop`` of ``seq`` as a phase of ``kind``; it ends where the next begins (or at ``end_s``)."""
    end = float(seq.timestamps_s[stop]) if end_s is None else end_s
    return PosturePhase(kind, start, stop, float(seq.timestamps_s[start]), end,
                        float(seq.detected[start:stop].mean()))


def bridged(seq: PoseSequence, found: list[PosturePhase], *, min_seen_fraction: float = 0.6,
            analyze: Analyzer = analyze_rotation) -> list[PosturePhase]:
    """``found`` (phases in time order) with every "other" run next to a seated phase in which the seated test
    (``analyze``) measured the legs in at least ``min_seen_fraction`` of the frames taken as seated, and each run of
    consecutive seated phases merged into one (its ``seen_fraction`` the frame-weighted mean).

    The posture classifier can lose a seated person while a leg is turned out (rendered sessions filmed from in front
    of the chair: a left leg turned 34° out read "other" for 2.9 s; on another body each leg's effort read "other",
    0-5.7 s and 7.3-10.7 s): the test came apart into pieces none of which held both legs' efforts, and no change was
    reported. `seated_after_all` would make such a run a seated phase of its own, still one piece of the test. The
    seated test is the witness, as there: it rejects standing and kneeling frames, so the moves between the tests and
    a stand between two tests stay "other", and the tests stay two."""
    seated = [p.kind == SEATED for p in found]
    asked: set[int] = set()
    grew = True
    while grew:  # runs next to a seated phase, or to a run taken as seated, each asked once
        grew = False
        for k, p in enumerate(found):
            if p.kind != OTHER or k in asked or not any(0 <= j < len(found) and seated[j] for j in (k - 1, k + 1)):
                continue
            asked.add(k)
            if _seated_share(analyze(seq.slice(p.start_index, p.stop_index))) >= min_seen_fraction:
                seated[k] = grew = True
    out: list[PosturePhase] = []
    run: list[PosturePhase] = []
    for k, p in enumerate([*found, None]):
        if p is not None and seated[k]:
            run.append(p)
            continue
        if run:
            frames = [q.stop_index - q.start_index for q in run]
            seen = sum(q.seen_fraction * n for q, n in zip(run, frames)) / max(1, sum(frames))
            out.append(run[0] if len(run) == 1 and run[0].kind == SEATED else
                       PosturePhase(SEATED, run[0].start_index, run[-1].stop_index, run[0].start_s, run[-1].end_s,
                                    float(seen)))
            run = []
        if p is not None:
            out.append(p)
    return out


def _found_kind(found: list[PosturePhase], piece: PosturePhase) -> str:
    """The kind the posture classifier gave the frames of ``piece`` (a phase of ``found`` or a part of one)."""
    return next(p.kind for p in found if p.start_index <= piece.start_index < p.stop_index)


def _describe(k: int, kind: str, start_s: float, end_s: float) -> str:
    return f"phase {k + 1} ({kind}, {start_s:.1f}–{end_s:.1f} s)"


def analyze_session(
    seq: PoseSequence,
    *,
    min_phase_s: float = 3.0,
    min_seen_fraction: float = 0.6,
    min_run_s: float = 1.0,
    edge_trim_s: float = 0.5,
    rotation: RotationSettings = RotationSettings(),
    circles: CirclesSettings = CirclesSettings(),
    analyzers: Mapping[str, Analyzer] | None = None,
) -> SessionResult:
    """Analyse a recording that may contain several seated and quadruped phases.

    Args:
        seq: the whole recording.
        min_phase_s: seated or quadruped phases shorter than this (seconds) are "too_short".
        min_seen_fraction: 0..1; phases with a smaller share of classifiable frames (or, seated,
            of frames with a valid shank angle) are "poorly_seen".
        min_run_s: posture runs shorter than this (seconds) are absorbed by their neighbours.
        edge_trim_s: seconds left out of a phase's analysis at each boundary with another
            phase (the end of the movement into or out of the position); the phase's
            reported times are not changed.
        rotation, circles: the settings of the seated and the circles analyses.
        analyzers: posture → analysis; default `default_analyzers(rotation, circles)` (rotation for
            "seated", circles for "quadruped"); pass your own to stub them.

    Returns:
        A `SessionResult`; ``to_dict()`` gives the session JSON (docs/outputs.md).
    """
    run = dict(default_analyzers(rotation, circles) if analyzers is None else analyzers)
    warnings: list[str] = []
    info: list[str] = []
    phases: list[SessionPhase] = []
    found = segment_postures(seq, min_run_s=min_run_s)
    if SEATED in run:  # a seated test the classifier lost for a while is one test (`bridged`)
        found = bridged(seq, found, min_seen_fraction=min_seen_fraction, analyze=run[SEATED])
    trim = int(round(edge_trim_s * seq.fps))
    pieces: list[tuple[PosturePhase, PhaseResult | None, slice]] = []
    for k, p in enumerate(found):
        start = p.start_index + (trim if k > 0 else 0)
        stop = max(p.stop_index - (trim if k < len(found) - 1 else 0), start + 1)
        split = ((p, None),) if SEATED not in run else seated_after_all(
            seq, p, slice(start, stop), min_phase_s=min_phase_s, min_seen_fraction=min_seen_fraction,
            min_run_s=min_run_s, analyze=run[SEATED])
        pieces += [(q, result, slice(start, stop)) for q, result in split]
    for k, (p, result, rows) in enumerate(pieces):
        start, stop = rows.start, rows.stop
        kind = p.kind
        if result is not None:
            kind = SEATED
            seen_as = "read as on hands and knees" if _found_kind(found, p) == QUADRUPED else "not recognised"
            info.append(f"{_describe(k, SEATED, p.start_s, p.end_s)}: {seen_as} from the body's posture "
                        f"(a camera well above the knees?), but the seated test measured the legs in "
                        f"{result.valid_fraction:.0%} of its frames: analysed as seated.")
        name = _describe(k, kind, p.start_s, p.end_s)
        if result is not None:
            status = "analysed"
        elif kind == OTHER or kind not in run:
            status = "skipped"
        elif p.duration_s < min_phase_s:
            status = "too_short"
            info.append(f"{name} is shorter than {min_phase_s:g} s and was not analysed.")
        elif p.seen_fraction < min_seen_fraction:
            status = "poorly_seen"
            warnings.append(f"{name}: the body was seen in only {p.seen_fraction:.0%} of the frames; not analysed.")
        else:
            result = run[kind](seq.slice(start, stop))
            status = "analysed"
            valid = getattr(result, "valid_fraction", None)
            if kind == SEATED and valid is not None and valid < min_seen_fraction:
                status = "poorly_seen"
                warnings.append(f"{name}: the shank angles were valid in only {valid:.0%} of the frames; "
                                "not used for the before/after change.")
        phases.append(SessionPhase(kind, p.start_s, p.end_s, status, result, p.seen_fraction,
                                   p.start_index, p.stop_index))
    analysed_seated = [p for p in phases if p.kind == SEATED and p.status == "analysed"]
    if len(analysed_seated) < 2:
        warnings.append(f"{len(analysed_seated)} seated phase(s) could be analysed; the before/after change "
                        "needs two (measure seated, do the circles, measure seated again).")
    if not any(p.kind == QUADRUPED and p.status == "analysed" for p in phases):
        warnings.append("No hip-circle phase (on hands and knees) could be analysed.")
    return SessionResult(phases, ir_change(phases), result_header("session", model=seq.model, source=seq.source,
                                                               duration_s=seq.duration_s, warnings=warnings),
                         tuple(info))
