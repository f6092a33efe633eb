"""The typed circles result: settings, each counted circle, partial circles and the whole result (JSON at `to_dict`)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from hipvision.core.circles.advice import next_steps
from hipvision.core.circles.confidence import (NO_GROWTH_CHANGE, CircleSetSummary, Confidence, ConfidenceSettings,
                                               Reason)
from hipvision.core.circles.counting import CounterSettings
from hipvision.core.circles.depth import DepthSettings
from hipvision.core.circles.elevation import ElevationSettings
from hipvision.core.circles.quality import Protocol, StartPosition, VerdictThresholds
from hipvision.core.circles.trajectory import CircleTrack, PostureLimits
from hipvision.core.posture_check import PostureMismatch
from hipvision.core.schema import result_header


@dataclass(frozen=True)
class CirclesSettings:
    """Every tunable of the circles analysis (seconds, hertz; see the component classes)."""

    cutoff_hz: float = 1.5  # offline zero-phase low-pass of the landmarks
    live_min_cutoff_hz: float = 2.0  # live One-Euro filter
    live_beta: float = 0.0
    max_gap_s: float = 0.5  # longer gaps in tracking split the analysis
    centre_window_s: float = 8.0  # moving centre of the pelvis path (longer than the slowest circle)
    frame_window_s: float = 4.0  # averaging of the body frame (the supports are planted)
    min_posture_s: float = 0.5  # quadruped posture held at least this long to count as valid
    planted_span_s: float = 2.5  # window over which the hands and knees must stay put (about a circle long:
    # the model's knees–hands distance wobbles with the circling, seen obliquely; a real move of them persists)
    posture: PostureLimits = PostureLimits()
    counter: CounterSettings = CounterSettings()
    depth: DepthSettings = DepthSettings()
    elevation: ElevationSettings = ElevationSettings()  # offline: the pelvis path from the image, in the camera's frame, from a camera looking down in line
    verdicts: VerdictThresholds = VerdictThresholds()
    confidence: ConfidenceSettings = ConfidenceSettings()  # when a count is `high`, and the camera views it names
    target_per_direction: int = 5
    start_tolerance_cm: float = 12.0  # shoulders over hands, hips over knees: "off" beyond this. An 8 cm posture
    # tolerance plus what the pose model misreads of a neutral start: on 25 rendered seeds (true 0 and 2 cm) it read
    # the hips 5-8 cm ahead of the knees side-on, 10th-90th percentile -5 … +10 cm over the side-on and 45°-in-front
    # placements; an 8 cm limit told 55 of 225 neutral starts to move, 12 cm 3 (docs/circles-accuracy.md)


#: How a size that is an estimate (`CircleRep.size_estimated`) is marked wherever it is shown, and the note that
#: explains the mark.
ESTIMATE_MARK = "≈"
ESTIMATE_NOTE = ("size and roundness are estimates: from this camera the pose model did not measure half of each "
                 "circle (the motion toward and away from it)")


@dataclass(frozen=True)
class CircleRep:
    """One counted circle (units in the field names; see `rep_quality`)."""

    index: int
    direction: str
    start_s: float
    end_s: float
    duration_s: float
    radius_cm: float
    radius_pct_torso: float
    area_cm2: float
    roundness: float
    sit_back_cm: float
    peak_hip_flexion_deg: float
    spine_motion_cm: float
    smoothness: float  # SPARC of the pelvis speed: negative, closer to 0 = smoother
    verdict: str
    #: the radius, area and roundness are estimates: half of the circle was not measured from this camera
    #: (side-on or in line with the body, or the pose model's depth rebuilt or scaled back); the verdict then
    #: says nothing about roundness and judges the size from the motion across the view (`confidence.size_is_estimate`)
    size_estimated: bool = False

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CirclePartial:
    direction: str
    start_s: float
    end_s: float
    fraction: float  # of a full circle, 0..1

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class CirclesResult:
    """Result of `analyze_circles`; ``to_dict()`` is the circles JSON.

    ``posture``: set when the person was mostly in another posture than on hands and knees (seated, standing;
    `posture_check.posture_mismatch`, JSON ``posture_mismatch``, absent when not): the result is then low
    confidence for that reason alone, its first warning and only next step say which posture and which command
    analyses it (`with_posture`).
    """

    reps: list[CircleRep]
    partials: list[CirclePartial]
    protocol: Protocol
    start_position: StartPosition
    t_s: np.ndarray  # (T,) series: seconds
    pelvis_cm: np.ndarray  # (T, 2) [forward, right], NaN where not on hands and knees
    rep_of_frame: np.ndarray  # (T,) 1-based rep index, 0 outside reps
    valid_fraction: float
    torso_cm: float
    source: str = ""
    model: str = ""
    duration_s: float = 0.0
    live: bool = False
    warnings: list[str] = field(default_factory=list)  # what cost accuracy or needs action, each saying what to change
    info: list[str] = field(default_factory=list)  # what the analysis corrected for, context (not warnings)
    confidence: Confidence = Confidence()  # how far the counts can be trusted (`confidence`)
    sets: list[CircleSetSummary] = field(default_factory=list)  # per direction: count, span, confidence
    shown: list[dict] | None = None  # live: what the view showed, {t_s, clockwise, counterclockwise} per change
    open_reps: int = 0  # the last reps were still in progress when the data ended (not in JSON; see `recount`)
    unsure_reps: tuple[int, ...] = ()  # open end: indices of reps that hang on one gate crossing (not in JSON;
    # `analyze.gate_sensitive`, `recount`)
    held_reps: tuple[int, ...] = ()  # open end: the newest rep while it may be a set's lead-out (not in JSON;
    # `analyze.odd_newest`): the live recount does not show it yet
    track: CircleTrack | None = field(default=None, repr=False)  # per-frame detail (CSV, overlays); not in JSON
    posture: PostureMismatch | None = None  # recorded in another posture (see the class)

    @property
    def clockwise(self) -> int:
        return sum(r.direction == "clockwise" for r in self.reps)

    @property
    def counterclockwise(self) -> int:
        return sum(r.direction == "counterclockwise" for r in self.reps)

    @property
    def total(self) -> int:
        return len(self.reps)

    def confidence_at(self, t_s: float) -> Confidence | None:
        """The confidence of the counts on screen at ``t_s`` (seconds) of a video of the recording: that of the
        set (one direction) under way then, or of the last set that started before it; None before any set has
        started. With no circle or unfinished circle at all, the whole result's (its 0 is in doubt throughout)."""
        started = [s for s in self.sets if s.start_s is not None]
        if not started:
            return self.confidence
        before = [s for s in started if s.start_s <= t_s]
        return max(before, key=lambda s: s.start_s).confidence if before else None

    @property
    def next_steps(self) -> tuple[str, ...]:
        """What to do next, in plain words (`advice.next_steps`); for a recording in another posture, the command
        that analyses it."""
        if self.posture is not None:
            return (self.posture.next_step,)
        return next_steps(total=self.total, confidence=self.confidence.level, missing=self.protocol.missing,
                          verdicts=[r.verdict for r in self.reps],
                          target_per_direction=self.protocol.target_per_direction,
                          poses_only=self.confidence.changes == (NO_GROWTH_CHANGE,))

    def to_dict(self) -> dict:
        def col(x: np.ndarray) -> list:
            return [None if not np.isfinite(v) else round(float(v), 2) for v in x]

        return {
            **result_header("circles", model=self.model, source=self.source, duration_s=self.duration_s,
                            warnings=self.warnings),
            "info": list(self.info), "next_steps": list(self.next_steps),
            "mode": "live" if self.live else "offline",
            **self.confidence.to_dict(), "sets": [st.to_dict() for st in self.sets],
            **({"shown": list(self.shown)} if self.shown is not None else {}),
            "total": self.total, "clockwise": self.clockwise, "counterclockwise": self.counterclockwise,
            "partial": len(self.partials), "valid_fraction": round(self.valid_fraction, 3),
            "torso_cm": None if not np.isfinite(self.torso_cm) else round(self.torso_cm, 1),
            "reps": [_rounded(r.to_dict()) for r in self.reps],
            "partials": [_rounded(p.to_dict()) for p in self.partials],
            "protocol": self.protocol.to_dict(),
            "start_position": _rounded(self.start_position.to_dict()),
            "series": {"t_s": [round(float(v), 3) for v in self.t_s],
                       "forward_cm": col(self.pelvis_cm[:, 0]), "right_cm": col(self.pelvis_cm[:, 1]),
                       "rep": [int(k) if k else None for k in self.rep_of_frame]},
            **({"posture_mismatch": self.posture.to_dict()} if self.posture is not None else {}),
        }


#: How the warning that few frames were on hands and knees begins (`summary`); a posture mismatch says more.
FEW_ON_ALL_FOURS = "on hands and knees in only"
#: The warning when nothing was counted (`summary._warnings`): said better by a wrong posture's warning.
NO_CIRCLES = "no hip circles found"


def with_posture(result: CirclesResult, posture: PostureMismatch | None) -> CirclesResult:
    """``result`` saying that the recording was in ``posture.found`` (None: ``result`` itself): low confidence, as
    a whole and per set, for that reason alone (the analysis's own reasons name other causes, such as "camera a
    little higher"; what to do is the warning's and the next step's), its warning first, in place of the ones that
    say how few frames were on hands and knees and that no circles were found."""
    if posture is None:
        return result
    confidence = Confidence.of([Reason(posture.fact)])
    said_better = [w for w in result.warnings if w.startswith(FEW_ON_ALL_FOURS) or w == NO_CIRCLES]
    warnings = [posture.warning, *(w for w in result.warnings if w not in said_better)]
    return dataclasses.replace(result, posture=posture, warnings=warnings,
                               confidence=confidence,
                               sets=[dataclasses.replace(st, confidence=confidence) for st in result.sets])


def _rounded(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else round(v, 2) if isinstance(v, float)
                else v) for k, v in d.items()}


# ------------------------------------------------------------------ offline
