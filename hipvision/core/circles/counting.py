"""Counting hip circles: a streaming counter shared by the offline and the live analysis.

The counter is fed one sample at a time: the pelvis position and a moving
centre in the body's horizontal frame ([forward, right], metres), the torso
length (metres) and whether the person is in a valid quadruped posture. It
unwraps the angle of the pelvis around the centre (0° = forward, +90° = the
person's right), so the phase **increases when the circle is clockwise**
(forward → right → back → left, seen from above with the head at 12 o'clock).

Rules (all distances in torso lengths, so they scale with the person):

* Angle only accumulates while the pelvis is farther than ``gate_enter`` from
  the centre (hysteresis: it stops below ``gate_exit``). Passing through the
  centre (rocking along a line) adds nothing; a short dip below the gate keeps
  the angle if it turned less than ``max_dip_jump_deg`` meanwhile (more: the
  path went through the centre, and the run ends there), and a
  turn faster than ``max_turn_rate_deg_s`` (the path passing close to the
  centre, or the centre jumping) is not counted.
* A *run* is a stretch of motion in one direction. Its direction is decided
  after ``direction_deg`` of sweep (the first circle starts where the turning
  began: the phase advancing at least ``min_turn_rate_deg_s``); it ends when the phase comes back
  ``reversal_deg`` from its furthest point (a change of direction: the next run
  starts at that furthest point), after ``max_pause_s`` inside the gate, or
  after ``max_gap_s`` without a valid posture.
* A rep is a 360° sweep of the run (a run's last circle ends where the turning
  stopped, at ``min_turn_rate_deg_s``). The last rep of a run counts if it reached
  ``360 - completion_tolerance_deg``; otherwise, if it reached
  ``partial_min_deg``, it is reported as a partial circle.
* Set edges (when the radius of the circles being made is known from a first pass, ``ref_radius_m``; see
  `edges`): the gate rises to ``gate_*_of_circle`` of that radius, so the still start position and
  the moves onto and off the circle do not turn the phase; a dip into the gate longer than
  ``max_pause_in_circle_s`` ends the set; a set's first circle starts where the pelvis is
  ``edge_of_circle`` of the radius out, its last ends where it last was and was still turning (over
  ``edge_window_s``), and after a reversal the other way's first circle starts where that turning began.
* When a direction's turning ends (circle radius known), a last sweep neither counted nor reported (under
  ``centre_max_leftover_deg``) is split evenly between its start and end: its circles move on by half of it
  (the moves into and out of a set turn the phase alike; only the spans move, not the count).
* A run's last circle (closed at the run's furthest point) must last at least ``last_min_share`` of the
  median of the run's earlier circles (two or more): a lead-out bent into an arc is not a circle.
* A rep must last ``min_rep_s``–``max_rep_s``, enclose an equal-area radius of
  at least ``min_radius`` and have a roundness (minor/major axis) of at least
  ``min_roundness``; otherwise it is rejected (not counted, not partial).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hipvision.core.circles.quality import loop_roundness, polygon_moments

CLOCKWISE = 1
COUNTERCLOCKWISE = -1
DIRECTION_NAMES = {CLOCKWISE: "clockwise", COUNTERCLOCKWISE: "counterclockwise"}


@dataclass(frozen=True)
class CounterSettings:
    """Thresholds of `CircleCounter` (fractions of torso length, degrees, seconds)."""

    gate_enter: float = 0.035
    gate_exit: float = 0.025
    gate_enter_of_circle: float = 0.45  # with a known circle radius (``ref_radius_m``): the gate is also at
    gate_exit_of_circle: float = 0.35  # least these fractions of it (the still start position, and the move
    # from it onto the circle and back, stay inside: they are not part of a circle)
    min_radius: float = 0.04
    min_roundness: float = 0.25
    direction_deg: float = 60.0
    min_turn_rate_deg_s: float = 20.0
    rate_window_s: float = 1.0
    reversal_deg: float = 90.0
    completion_tolerance_deg: float = 45.0
    edge_window_s: float = 0.3  # a run's last circle ends where, over this window, the phase last advanced
    edge_rate_fraction: float = 0.4  # ... at this fraction of the circle's mean rate (and min_turn_rate_deg_s)
    edge_of_circle: float = 0.45  # ... and (circle radius known) where the pelvis was last this far out on the
    # circle; a run's first circle starts where it first is
    settle_deg: float = 8.0  # a run's last circle ends where it first came this close to its furthest point
    partial_min_deg: float = 210.0  # a straight stroke past the centre (rocking) sweeps just under 180°, and
    # jitter took noisy synthetic rocks to 180-192° (issue 13, fourth pass): a partial circle must turn past that
    unclosed_min_deg: float = 180.0  # a run's last sweep, under ``partial_min_deg``, that turned at least this much
    # right after a counted circle the same way is kept as `CircleCounter.unclosed` (not counted, not a partial):
    # a set's last circle the path did not close (confidence, not the count; held-out seed 9517: 205°, shelf)
    centre_max_leftover_deg: float = 180.0  # a direction's last sweep, not counted nor reported, under this: split
    # evenly between the set's start and end (`CircleCounter._centre_circles`)
    max_dip_jump_deg: float = 90.0
    max_turn_rate_deg_s: float = 1080.0
    min_rep_s: float = 1.0
    max_rep_s: float = 30.0
    last_min_share: float = 0.6  # a run's last circle taking under this share of the median time of its earlier
    # circles (two or more) is rejected (`CircleCounter._hurried`): rendered far side-on (seed 10163) a set's
    # lead-out, rebuilt into an arc, closed a 1.7 s "circle" after five of 3.1-3.5 s
    max_pause_s: float = 1.0
    max_pause_in_circle_s: float = 0.25  # with a known circle radius: the pelvis back in the middle of the
    # circle for longer than this has left the circle (the end of a set), whatever it does next
    max_gap_s: float = 0.5


@dataclass(frozen=True)
class RepSpan:
    """One counted circle: sample indices ``[start_index, end_index]`` (inclusive)."""

    direction: int  # CLOCKWISE (+1) or COUNTERCLOCKWISE (-1)
    start_index: int
    end_index: int
    start_s: float
    end_s: float
    sweep_deg: float

    @property
    def direction_name(self) -> str:
        return DIRECTION_NAMES[self.direction]


@dataclass(frozen=True)
class PartialSpan(RepSpan):
    """An incomplete circle at the end of a run; ``fraction`` of a full turn (0..1)."""

    @property
    def fraction(self) -> float:
        return self.sweep_deg / 360.0


def _wrap_deg(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0


class CircleCounter:
    """Streaming circle counter: call `update` for every sample in time order, then `finish`.

    Attributes:
        reps: counted circles (`RepSpan`), in order.
        partials: incomplete circles at the end of runs (`PartialSpan`).
        rejected: 360° sweeps that failed the size/roundness/duration checks; rejected_spans: those sweeps.
        unclosed: a run's last sweep that turned ``unclosed_min_deg`` to ``partial_min_deg`` right after a circle
            counted in the same run (`PartialSpan`): neither counted nor a partial, for the confidence.
    """

    def __init__(self, settings: CounterSettings = CounterSettings()):
        self.settings = settings
        self.reps: list[RepSpan] = []
        self.partials: list[PartialSpan] = []
        self.rejected = 0
        self.rejected_spans: list[RepSpan] = []
        self.unclosed: list[PartialSpan] = []
        self.open_reps = 0
        self._as_counted: dict[int, RepSpan] = {}  # index in ``reps`` -> its span before `_centre_circles`
        self._ref_radius = 0.0  # the latest ``ref_radius_m`` (0 when unknown)
        self._reset_run()
        self._active = False
        self._ref = 0.0
        self._phase = 0.0
        self._inactive_since = -math.inf
        self._last_valid_t = -math.inf

    # ------------------------------------------------------------ state for displays
    @property
    def direction(self) -> int:
        """Direction of the current run: +1 clockwise, -1 counter-clockwise, 0 none yet."""
        return self._dir

    @property
    def progress(self) -> float:
        """Fraction (0..1) of the current circle done, in the run's direction."""
        if not self._in_run or self._dir == 0:
            return 0.0
        return float(np.clip(self._dir * (self._phase - self._rep_phase) / 360.0, 0.0, 1.0))

    @property
    def as_counted(self) -> list[RepSpan]:
        """``reps`` with the spans the counter counted them in, before a set's leftover sweep was split between
        its entry and exit (`_centre_circles`, which moves only the reported times): where the turning was
        counted, for the checks of turning that no circle took in (`confidence.assess`)."""
        return [self._as_counted.get(i, r) for i, r in enumerate(self.reps)]

    @property
    def count(self) -> dict[str, int]:
        out = {name: 0 for name in DIRECTION_NAMES.values()}
        for r in self.reps:
            out[r.direction_name] += 1
        return out

    # ------------------------------------------------------------ feeding
    def update(self, index: int, t_s: float, xy_m: np.ndarray, centre_m: np.ndarray, torso_m: float,
               valid: bool, ref_radius_m: float = math.nan) -> None:
        """Feed one sample.

        Args:
            index: sample (frame) index, used in the reported spans.
            t_s: time, seconds (strictly increasing).
            xy_m: (2,) pelvis [forward, right], metres.
            centre_m: (2,) the moving centre of the path, same frame.
            torso_m: torso length, metres (scales every distance threshold).
            valid: the person is in a usable quadruped posture.
            ref_radius_m: radius of the circles being made around this time, metres, when known (a
                first pass, see `edges`): the gate then rises to ``gate_*_of_circle`` of it.
        """
        s = self.settings
        d = np.asarray(xy_m, float) - np.asarray(centre_m, float)
        if not valid or not np.all(np.isfinite(d)) or not (torso_m > 0):
            if t_s - self._last_valid_t > s.max_gap_s:
                if self._in_run:
                    self._end_run()
                self._active = False
            return
        if self._in_run and t_s - self._last_valid_t > s.max_gap_s:
            self._end_run()
        self._last_t, self._last_valid_t = self._last_valid_t, t_s
        r = float(np.hypot(d[0], d[1]))
        ang = math.degrees(math.atan2(d[1], d[0]))
        self._ref_radius = ref_radius_m if ref_radius_m > 0 else 0.0
        gate_enter, gate_exit, max_pause = s.gate_enter * torso_m, s.gate_exit * torso_m, s.max_pause_s
        if ref_radius_m > 0:
            gate_enter = max(gate_enter, s.gate_enter_of_circle * ref_radius_m)
            gate_exit = max(gate_exit, s.gate_exit_of_circle * ref_radius_m)
            max_pause = s.max_pause_in_circle_s
        if self._active:
            if r < gate_exit:
                self._active = False
                self._inactive_since = t_s
            else:
                step = _wrap_deg(ang - self._ref)
                if abs(step) <= s.max_turn_rate_deg_s * (t_s - self._last_t):
                    self._phase += step
                self._ref = ang
        elif r >= gate_enter:
            if self._in_run and t_s - self._inactive_since <= max_pause:
                jump = _wrap_deg(ang - self._ref)
                if abs(jump) <= s.max_dip_jump_deg:
                    self._phase += jump
                else:  # went through the centre: whatever this is, it is not the same circle
                    self._end_run()
            self._active = True
            self._ref = ang
            if not self._in_run:
                self._start_run()
        elif self._in_run and t_s - self._inactive_since > max_pause:
            self._end_run()
        if self._in_run:
            self._buf.append((index, t_s, float(xy_m[0]), float(xy_m[1]), self._phase, r))
            if self._dir != 0:
                self._run.append((index, t_s, self._phase))
            self._step(torso_m)

    def finish(self, *, open_end: bool = False) -> None:
        """End the current run (the last circle becomes a rep or a partial); ``open_reps``: how many reps
        that added (a circle still in progress when the data ended, past ``360 - completion_tolerance_deg``).

        ``open_end``: the recording goes on after the data (a live analysis of the frames so far): the set under
        way is not re-timed (`_centre_circles`): its last sweep is the circle under way, not the set's exit."""
        before = len(self.reps)
        if self._in_run:
            self._end_run(centre=not open_end)
        self.open_reps = len(self.reps) - before

    # ------------------------------------------------------------ runs
    def _reset_run(self) -> None:
        self._in_run = False
        self._dir = 0
        self._buf: list[tuple] = []  # (index, t_s, forward, right, phase_deg, radius) since the rep start
        self._rep_phase = 0.0
        self._ext = 0.0  # furthest progress (deg) of the current rep
        self._ext_pos = 0
        self._lo = (math.inf, 0)  # lowest / highest phase before the direction is known, and where
        self._hi = (-math.inf, 0)
        self._torso = math.nan
        self._last_loop: tuple[int, list[tuple]] = (0, [])  # the run's latest full circle: direction, samples
        self._run: list[tuple] = []  # (index, t_s, phase_deg) of every sample since the direction was fixed
        self._run_first = 0  # index in ``reps`` of this direction's first circle
        self._turned = 0.0  # what the latest closed sweep turned, degrees, up to where the turning stopped

    def _start_run(self) -> None:
        self._reset_run()
        self._in_run = True

    def _step(self, torso_m: float) -> None:
        s = self.settings
        self._torso = torso_m
        buf = self._buf
        if self._dir == 0:
            n = len(buf) - 1
            if self._phase < self._lo[0]:
                self._lo = (self._phase, n)
            if self._phase > self._hi[0]:
                self._hi = (self._phase, n)
            if self._phase - self._lo[0] >= s.direction_deg:
                self._commit(CLOCKWISE, self._lo[1])
            elif self._hi[0] - self._phase >= s.direction_deg:
                self._commit(COUNTERCLOCKWISE, self._hi[1])
            else:
                return
        prog = self._dir * (self._phase - self._rep_phase)
        if prog > self._ext:
            self._ext, self._ext_pos = prog, len(buf) - 1
        if self._ext - prog >= s.reversal_deg:
            self._close_last()
            # the other way now: its first circle starts where that turning began, as a new run's does
            # (not at the old extreme, before a hold in the start position or a sit-back)
            self._commit(-self._dir, 0)
            buf = self._buf
            for k, b in enumerate(buf):
                p = self._dir * (b[4] - self._rep_phase)
                if p > self._ext:
                    self._ext, self._ext_pos = p, k
        elif prog >= 360.0:
            self._close(len(buf) - 1, 360.0)
            self._rep_phase += self._dir * 360.0
            self._ext, self._ext_pos = prog - 360.0, 0

    def _turning_edge(self, k: int) -> int:
        """Walk back from buffer position ``k`` while the phase did NOT advance (in the run's direction) over
        the ``edge_window_s`` ending there at ``min_turn_rate_deg_s`` and ``edge_rate_fraction`` of the circle's
        own mean rate up to ``k``; where turning was last seen (not a slow drift back into the start position)."""
        s, buf = self.settings, self._buf
        span = buf[k][1] - buf[0][1]
        mean_rate = self._dir * (buf[k][4] - buf[0][4]) / span if span > 0 else 0.0
        rate = max(s.min_turn_rate_deg_s, s.edge_rate_fraction * mean_rate)
        while k > 0:
            j = k
            while j > 0 and buf[k][1] - buf[j][1] < s.edge_window_s:
                j -= 1
            dt = buf[k][1] - buf[j][1]
            if dt > 0 and self._dir * (buf[k][4] - buf[j][4]) >= rate * dt:
                return k
            k -= 1
        return k

    def _first_reach(self, k: int, progress_deg: float) -> int:
        """The first buffer position up to ``k`` whose progress in the current rep reached ``progress_deg``."""
        for j in range(k + 1):
            if self._dir * (self._buf[j][4] - self._rep_phase) >= progress_deg:
                return j
        return k

    def _commit(self, direction: int, start_pos: int) -> None:
        """Fix the run's direction; its first circle starts where the turning began: walking back from
        now while the phase kept advancing at ``min_turn_rate_deg_s`` (over ``rate_window_s``, or what
        there is of it), but not before the extreme at ``start_pos`` nor (circle radius known) before the
        pelvis is ``edge_of_circle`` of it out."""
        s, buf = self.settings, self._buf
        k = len(buf) - 1
        while k > start_pos:
            j = k - 1
            while j > start_pos and buf[k][1] - buf[j][1] < s.rate_window_s:
                j -= 1
            if direction * (buf[k][4] - buf[j][4]) < s.min_turn_rate_deg_s * (buf[k][1] - buf[j][1]):
                break
            k -= 1
        while k < len(buf) - 1 and buf[k][5] < s.edge_of_circle * self._ref_radius:
            k += 1  # still on the way out of the start position: the circle starts where it is reached
        self._dir = direction
        del buf[:k]
        self._rep_phase = buf[0][4]
        self._ext, self._ext_pos = 0.0, 0
        self._run = [(b[0], b[1], b[4]) for b in buf]
        self._run_first = len(self.reps)

    def _close(self, end_pos: int, sweep_deg: float, *, at_extreme: bool = False) -> None:
        """Close the current rep at buffer position ``end_pos`` and keep the rest for the next.

        ``at_extreme``: the rep ends at the furthest point of a run; it then ends where the
        turning stopped (not after a still hold there).
        """
        s = self.settings
        if at_extreme:  # not after a still hold or a slow drift at the end
            end_pos = self._first_reach(end_pos, sweep_deg - s.settle_deg)
        closed_at = end_pos
        while end_pos > 0 and self._buf[end_pos][5] < s.edge_of_circle * self._ref_radius:
            end_pos -= 1  # back near the start position already: the circle ended before
        if at_extreme or end_pos != closed_at:  # where the turning stopped
            end_pos = self._turning_edge(end_pos)
        seg = self._buf[:end_pos + 1]
        self._turned = self._dir * (seg[-1][4] - seg[0][4])  # up to where the turning stopped
        if sweep_deg >= 360.0 - s.completion_tolerance_deg:
            span = RepSpan(self._dir, seg[0][0], seg[-1][0], seg[0][1], seg[-1][1], float(sweep_deg))
            if self._acceptable(seg) and not (at_extreme and self._hurried(span)):
                self.reps.append(span)
            else:
                self.rejected += 1
                self.rejected_spans.append(span)
            if sweep_deg >= 360.0:
                self._last_loop = (self._dir, seg)
        elif sweep_deg >= s.partial_min_deg and self._arc_like(seg, sweep_deg):
            self.partials.append(PartialSpan(self._dir, seg[0][0], seg[-1][0], seg[0][1], seg[-1][1],
                                             float(sweep_deg)))
        elif (sweep_deg >= s.unclosed_min_deg and self.reps and self.reps[-1].direction == self._dir
              and self.reps[-1].end_index == seg[0][0] and self._arc_like(seg, sweep_deg)):
            self.unclosed.append(PartialSpan(self._dir, seg[0][0], seg[-1][0], seg[0][1], seg[-1][1],
                                             float(sweep_deg)))
        del self._buf[:end_pos]

    def _hurried(self, span: RepSpan) -> bool:
        """Whether ``span``, a run's last circle (closed at the run's furthest point), took under
        ``last_min_share`` of the median time of the run's earlier circles (at least two): the move off the
        circle back to the start position, or into the other way's first circle, bent into an arc that turned on
        from a circle that had closed (where the depth was rebuilt from the across motion, a straight move turns
        the phase), not a circle of its own."""
        earlier = [r.end_s - r.start_s for r in self.reps[self._run_first:]]
        if len(earlier) < 2:
            return False
        return span.end_s - span.start_s < self.settings.last_min_share * float(np.median(earlier))

    def _acceptable(self, seg: list[tuple]) -> bool:
        """Duration, size and roundness of a circle; one whose samples turn less than 360° (a run's last) is
        judged round with the previous full circle's samples over the turn it misses (a flat loop without its
        tip is rounder than the loop)."""
        s = self.settings
        duration = seg[-1][1] - seg[0][1]
        if not (s.min_rep_s <= duration <= s.max_rep_s) or len(seg) < 5:
            return False
        xy = np.array([(b[2], b[3]) for b in seg])
        area, _, _ = polygon_moments(xy)
        radius = math.sqrt(abs(area) / math.pi)
        direction, last = self._last_loop
        turned = self._dir * (seg[-1][4] - seg[0][4])
        missed = [(b[2], b[3]) for b in last if direction == self._dir and 0.0 < self._dir * (seg[0][4] - b[4])
                  < 360.0 - turned]
        loop = np.concatenate([np.reshape(missed, (-1, 2)), xy])
        return radius >= s.min_radius * self._torso and loop_roundness(loop) >= s.min_roundness

    def _arc_like(self, seg: list[tuple], sweep_deg: float) -> bool:
        """A partial circle must be as far from the centre as a circle must be big, take at least its share
        of ``min_rep_s``, and sweep its angle away from the centre (not while passing close to it, as when
        rocking)."""
        if seg[-1][1] - seg[0][1] < sweep_deg / 360.0 * self.settings.min_rep_s:
            return False
        r = np.array([b[5] for b in seg])
        if np.median(r) < self.settings.min_radius * self._torso:
            return False
        dphi = np.radians(self._dir * np.diff([b[4] for b in seg]))
        swept = float(np.sum(0.5 * r[1:] ** 2 * dphi))  # area swept around the centre, in the run's direction
        return swept >= 0.5 * 0.5 * math.radians(sweep_deg) * float(np.mean(r ** 2))

    def _close_last(self, *, centre: bool = True) -> None:
        """Close the last sweep of this direction (at its furthest point); if it was neither counted nor reported
        (and ``centre``), centre this direction's circles in the whole sweep (`_centre_circles`)."""
        before = (len(self.reps), len(self.partials), len(self.unclosed))
        self._close(self._ext_pos, self._ext, at_extreme=True)
        if centre and (len(self.reps), len(self.partials), len(self.unclosed)) == before:
            self._centre_circles(self._turned)

    def _centre_circles(self, leftover_deg: float) -> None:
        """Move this direction's counted circles ``leftover_deg / 2`` on in their phase (``leftover_deg``: what the
        last sweep turned after them up to where the turning stopped, not a slow drift after it; when under
        ``centre_max_leftover_deg``): the turn that is not a circle is split evenly between the
        set's start and its end. Why: a set is entered and left by straight moves (out of the start position onto
        the circle, back to it), which turn the phase alike at both ends where the path's centre is off their line
        or the depth is rebuilt from the across motion (a straight move then bulges into an arc turning the set's
        way, up to about 90°); counted from the start, every boundary inherited the entry's turn (rendered, side-on:
        all 0.4-0.6 s early). Only with the circle radius known (the second pass, as the other set-edge rules: the
        first pass's spans place the centre and radius the second one counts with) and only the reported spans move:
        which circles count was decided before."""
        reps = self.reps[self._run_first:]
        if not reps or not self._ref_radius > 0.0 or not 0.0 < leftover_deg < self.settings.centre_max_leftover_deg:
            return
        if any(b.start_index != a.end_index for a, b in zip(reps, reps[1:])):
            return  # a rejected sweep between them: they are not whole turns on from the first
        run = self._run
        k = next((j for j, b in enumerate(run) if b[0] == reps[0].start_index), None)
        if k is None:
            return
        pos, target = [], run[k][2] + self._dir * leftover_deg / 2.0
        for _ in range(len(reps) + 1):
            while k < len(run) - 1 and self._dir * (run[k][2] - target) < 0.0:
                k += 1
            pos.append(run[k])
            target += self._dir * 360.0
        for i, r in enumerate(reps):
            self._as_counted.setdefault(self._run_first + i, r)
            self.reps[self._run_first + i] = RepSpan(r.direction, pos[i][0], pos[i + 1][0], pos[i][1], pos[i + 1][1],
                                                     r.sweep_deg)

    def _end_run(self, *, centre: bool = True) -> None:
        if self._dir != 0 and self._buf:
            self._close_last(centre=centre)
        self._reset_run()
        self._active = False
