"""Shared pieces of the rotation analysis: settings, per-frame measurement, result objects.

Both `analyze_rotation` (files) and `RotationTracker` (live) measure frames with
`measure` and end in `summarise`, so a frame gives the same angle in
both modes; only the filtering (and how often the camera view is refitted) differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hipvision.core.posture_check import PostureMismatch
from hipvision.core.rotation.advice import LegReading, next_steps, setup_advice
from hipvision.core.rotation.frame import Reason
from hipvision.core.rotation.status import UnmeasuredHold, leg_outcome, with_unmeasured
from hipvision.core.rotation.summary import (
    HOLD_PERCENTILE, THRESHOLDS_DEG, Effort, Held, class_of_lower_bound, class_with_uncertainty, classify,
)
from hipvision.core.rotation.uncertainty import (
    FrameEvidence, HoldEvidence, asymmetry_verdict, combined_uncertainty_deg, uncertainty_model_for,
)
from hipvision.core.rotation.view import MAX_PITCH_DEG, CameraView
from hipvision.core.schema import result_header
from hipvision.landmarks import SIDES

ESTIMATORS = ("image", "world")
#: How the warning about a clear left/right difference begins (the terminal shows it on the asymmetry line).
ASYMMETRY_WARNING = "left/right difference of"


@dataclass(frozen=True)
class RotationSettings:
    """Analysis parameters (units in the names)."""

    min_hold_s: float = 1.0          # an angle counts as held when sustained this long
    hold_percentile: float = HOLD_PERCENTILE  # the window's level = this percentile of it (50 = its median)
    estimator: str = "image"         # "image" (2D landmarks + camera view) or "world" (world landmarks)
    hfov_deg: float = 60.0           # assumed horizontal field of view of the camera
    fit_pitch_yaw: bool = True       # False: correct the camera roll only
    cutoff_hz: float = 2.0           # offline low-pass cut-off
    max_gap_s: float = 0.5           # gaps up to this long are bridged
    min_cutoff_hz: float = 0.7       # live One-Euro: cut-off when still
    beta: float = 0.03               # live One-Euro: cut-off increase per deg/s

    def __post_init__(self) -> None:
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {ESTIMATORS}, got {self.estimator!r}")
        if self.min_hold_s <= 0:
            raise ValueError("min_hold_s must be positive")


@dataclass(frozen=True)
class LegResult:
    """Summary for one leg (angles in degrees).

    ``status`` (`status.STATUSES`): "measured" (held = the best internal-rotation effort),
    "not held", "no effort" (held 0.0, no class) or "not seen". ``uncertainty_deg``: 95% half-width of
    the held angle (`uncertainty`), NaN unless measured. ``unmeasured`` (JSON ``hold_not_measured``): frames not
    measured where an effort may have been: for a leg "not held", next to an effort and with it lasting the hold
    time (`status.unmeasured_hold`); otherwise for the hold time or longer between measured frames
    (`status.unmeasured_interior`: a leg that would have been "no effort" is then "not seen", and a leg "measured"
    may have turned further there).
    """

    side: str
    held: Held
    peak_deg: float
    valid_fraction: float
    efforts: tuple[Effort, ...]
    status: str = "measured"
    uncertainty_deg: float = float("nan")
    evidence: HoldEvidence | None = field(default=None, repr=False)   # what the uncertainty came from
    unmeasured: UnmeasuredHold | None = None

    @property
    def held_deg(self) -> float:
        return self.held.deg

    @property
    def measured(self) -> bool:
        return self.status == "measured" and bool(np.isfinite(self.held.deg))

    @property
    def cls(self) -> str | None:
        """"limited", "functional" or "target" (`classify`) of a measured held angle, else None."""
        return classify(self.held.deg) if self.measured else None

    @property
    def confirmed(self) -> bool:
        """Measured, and measured wherever a larger effort could have been (no `unmeasured` run): its held angle
        is the leg's, not only a lower bound of it."""
        return self.measured and self.unmeasured is None

    @property
    def class_with_uncertainty(self) -> str | None:
        """`cls`, or "borderline (≈30°)" / "borderline (≈45°)" when held ± uncertainty straddles the mark; for a
        measured leg that was not measured where a larger effort may have been, "unconfirmed" unless even held −
        uncertainty reaches the target (`summary.class_of_lower_bound`)."""
        if not self.measured:
            return None
        if not self.confirmed:
            return class_of_lower_bound(self.held.deg, self.uncertainty_deg)
        return class_with_uncertainty(self.held.deg, self.uncertainty_deg)

    def to_dict(self) -> dict:
        fin = lambda v: round(float(v), 1) if np.isfinite(v) else None  # noqa: E731
        return {"held_deg": fin(self.held.deg), "uncertainty_deg": fin(self.uncertainty_deg), "status": self.status,
                "peak_deg": fin(self.peak_deg), "class": self.class_with_uncertainty,
                "valid_fraction": round(self.valid_fraction, 3),
                "held_window_s": [fin(self.held.start_s), fin(self.held.end_s)] if self.measured else None,
                "efforts": [e.to_dict() for e in self.efforts],
                **({"hold_not_measured": self.unmeasured.to_dict()} if self.unmeasured is not None else {})}



CSV_HEADER = ("t_s", "left_deg", "right_deg", "left_valid", "right_valid", "left_reason", "right_reason",
              "left_raw_deg", "right_raw_deg")
CSV_DOC = ("t_s: seconds from the start; left_deg/right_deg: filtered IR angle of the person's left/right hip, "
           "degrees, + = internal rotation (foot swung outward), empty when not valid; *_valid: 1/0; "
           "*_reason: ok, or why the frame was rejected (no_person, not_visible, out_of_frame, not_facing, "
           "not_seated, implausible, moving, stray); *_raw_deg: unfiltered per-frame angle, degrees.")


@dataclass(frozen=True, eq=False)
class RotationResult:
    """Everything measured on one recording. Arrays have T rows; columns are (left, right).

    Attributes:
        t_s: (T,) seconds. raw_deg: (T, 2) per-frame angle (NaN where invalid).
        angle_deg: (T, 2) filtered angle (NaN where the frame was invalid).
        reasons: (T, 2) `Reason` codes. view: the camera view used.
        knee_px: (T, 2, 2) knees the angles were measured from (anchored at rest, see
            `anchor`), pixels, (left, right); None when not kept. Draw shanks from these.
        posture: set when the person was mostly in another posture than seated (`posture_check`): the
            first warning and the only next step say which and what to do.
    """

    t_s: np.ndarray
    raw_deg: np.ndarray
    angle_deg: np.ndarray
    reasons: np.ndarray
    left: LegResult
    right: LegResult
    view: CameraView
    settings: RotationSettings
    warnings: tuple[str, ...]
    mode: str = "offline"
    source: str = ""
    model: str = ""
    knee_px: np.ndarray | None = None
    info: tuple[str, ...] = ()
    posture: PostureMismatch | None = None

    @property
    def measured(self) -> np.ndarray:
        """(T,) bool: at least one leg was measured in the frame."""
        return (self.reasons == int(Reason.OK)).any(axis=1)

    @property
    def valid_fraction(self) -> float:
        """Fraction of frames in which at least one leg was measured."""
        return float(self.measured.mean()) if len(self.t_s) else 0.0

    @property
    def asymmetry_deg(self) -> float:
        """|left − right| held angle, degrees; NaN unless both legs were measured, each wherever a larger effort
        could have been (`LegResult.confirmed`: otherwise the difference may be another)."""
        if not (self.left.confirmed and self.right.confirmed):
            return float("nan")
        return float(abs(self.left.held_deg - self.right.held_deg))

    @property
    def asymmetry_uncertainty_deg(self) -> float:
        """Combined 95% half-width of the left/right difference (root sum of squares), degrees."""
        return combined_uncertainty_deg(self.left.uncertainty_deg, self.right.uncertainty_deg)

    @property
    def asymmetry(self) -> str | None:
        """"left higher", "right higher", "no clear difference" (less than its uncertainty), or None."""
        if not np.isfinite(self.asymmetry_deg):
            return None
        return asymmetry_verdict(self.left.held_deg, self.left.uncertainty_deg, self.right.held_deg,
                                 self.right.uncertainty_deg)

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if len(self.t_s) > 1 else 0.0

    def leg(self, side: str) -> LegResult:
        return {"left": self.left, "right": self.right}[side]

    @property
    def next_steps(self) -> tuple[str, ...]:
        """What to do next, in plain words (`advice.next_steps`): measure again, or the training by class; for a
        recording in another posture, the command that analyses it."""
        if self.posture is not None:
            return (self.posture.next_step,)
        return next_steps([LegReading(g.side, g.status, g.held.deg, g.uncertainty_deg,
                                      None if g.unmeasured is None else g.unmeasured.why)
                           for g in (self.left, self.right)])

    def to_dict(self) -> dict:
        """The rotation JSON (see the interfaces brief); NaN values are None."""
        series = lambda a: [round(float(v), 2) if np.isfinite(v) else None for v in a]  # noqa: E731
        asym = self.asymmetry_deg
        v = self.view
        return {
            **result_header("rotation", model=self.model, source=self.source, duration_s=self.duration_s,
                            warnings=self.warnings),
            "info": list(self.info), "next_steps": list(self.next_steps), "mode": self.mode,
            "posture_mismatch": None if self.posture is None else self.posture.to_dict(),
            "valid_fraction": round(self.valid_fraction, 3),
            "left": self.left.to_dict(), "right": self.right.to_dict(),
            "asymmetry_deg": round(asym, 1) if np.isfinite(asym) else None,
            "asymmetry_uncertainty_deg": (round(self.asymmetry_uncertainty_deg, 1) if np.isfinite(asym)
                                          and np.isfinite(self.asymmetry_uncertainty_deg) else None),
            "asymmetry": self.asymmetry,
            "thresholds_deg": {k: int(t) for k, t in THRESHOLDS_DEG.items()},
            "min_hold_s": self.settings.min_hold_s, "estimator": self.settings.estimator,
            "camera": {"roll_deg": round(v.roll_deg, 1), "pitch_deg": round(v.pitch_deg, 1),
                       "yaw_deg": round(v.yaw_deg, 1), "estimated_from": v.source},
            "series": {"t_s": [round(float(t), 4) for t in self.t_s],
                       "left_deg": series(self.angle_deg[:, 0]), "right_deg": series(self.angle_deg[:, 1])},
        }

    def csv_rows(self) -> list[list]:
        """Rows for `CSV_HEADER` (one per frame)."""
        rows = []
        for i, t in enumerate(self.t_s):
            r = [Reason(int(c)) for c in self.reasons[i]]
            rows.append([float(t), float(self.angle_deg[i, 0]), float(self.angle_deg[i, 1]),
                         int(r[0] == Reason.OK), int(r[1] == Reason.OK), r[0].code, r[1].code,
                         float(self.raw_deg[i, 0]), float(self.raw_deg[i, 1])])
        return rows


def summarise(t: np.ndarray, raw: np.ndarray, filtered: np.ndarray, reasons: np.ndarray, view: CameraView,
               settings: RotationSettings, *, mode: str, source: str, model: str,
              knee_px: np.ndarray | None = None, evidence: FrameEvidence | None = None,
              height_hint_deg: float = float("nan"), posture: PostureMismatch | None = None) -> RotationResult:
    """Held/status/uncertainty/peak/efforts per leg from the (gap-filled) filtered series, warnings and information.

    ``evidence``: per-frame shank lengths and view corrections for the uncertainty (`uncertainty`).
    ``height_hint_deg``: how far above the knees the camera looked down from (`measure.height_hint_deg`, NaN =
    not known); beyond `view.MAX_PITCH_DEG` a warning says the camera is too high and how to place it.
    ``posture``: the person was mostly not seated (`posture_check.posture_mismatch`): its warning comes first and
    replaces the one on why most frames were rejected (it would name a wrong cause, such as "not visible").
    """
    legs = {}
    ok = reasons == int(Reason.OK)
    fit_failed = mode != "live" and _fit_failed(view, settings)
    constants = uncertainty_model_for(model)
    for k, side in enumerate(SIDES):
        x = filtered[:, k]
        out = leg_outcome(t, raw, filtered, k, view, hold_s=settings.min_hold_s, percentile=settings.hold_percentile,
                          evidence=evidence, fit_failed=fit_failed, uncertainty=constants)
        peak = float(np.nanmax(x)) if np.isfinite(x).any() else float("nan")
        out, unmeasured = with_unmeasured(out, t, reasons[:, k], hold_s=settings.min_hold_s, angle_deg=x)
        legs[side] = LegResult(side, out.held, peak, float(ok[:, k].mean()) if len(t) else 0.0, out.efforts,
                               out.status, out.uncertainty_deg, out.evidence, unmeasured)
    shown = np.where(ok, filtered, np.nan)
    warnings = _warnings(reasons, view, legs, settings, rejections=posture is None)
    if np.isfinite(height_hint_deg) and height_hint_deg > MAX_PITCH_DEG:
        warnings.insert(0, too_high_warning(height_hint_deg))
    info: list[str] = []
    if view.frames and ok.any():
        shank = np.nan
        if evidence is not None and np.isfinite(np.where(ok, evidence.shank_px, np.nan)).any():
            shank = float(np.nanmedian(np.where(ok, evidence.shank_px, np.nan)))
        setup_warnings, info = setup_advice(view, shank, away_leg_lower=constants.turn_away_deg > 0)
        warnings += setup_warnings
    if posture is not None:
        warnings.insert(0, posture.warning)
    return RotationResult(t, raw, shown, reasons, legs["left"], legs["right"], view, settings, tuple(warnings),
                          mode, source, model, knee_px, tuple(info), posture)


def _fit_failed(view: CameraView, settings: RotationSettings) -> bool:
    """The camera's pitch and yaw were to be fitted (``settings.fit_pitch_yaw``) but only its roll was."""
    return bool(view.frames) and view.source == "roll" and settings.fit_pitch_yaw


def too_high_warning(height_deg: float) -> str:
    """The warning for a camera more than `view.MAX_PITCH_DEG` above knee height (``height_deg``, degrees): from
    there a seated thigh drops in the picture like a standing person's, and the view cannot be fitted."""
    return (f"camera about {height_deg:.0f}° above knee height, too high to measure the legs (seen from above, "
            f"the thighs look like a standing person's); {PLACE_CAMERA}")


#: How the warning about a failed camera fit begins, and how it says to place the camera.
UNFITTED_WARNING = "camera height and side could not be estimated, only its tilt was corrected"
PLACE_CAMERA = "place the camera at knee height, 1.5-2.5 m straight in front of the knees"


def _unfitted_warning(legs: dict[str, LegResult]) -> str:
    """The failed-fit warning naming the measured legs (with their ± when known) and how to place the camera."""
    measured = [g for g in legs.values() if g.measured]
    if not measured:
        return f"{UNFITTED_WARNING}; {PLACE_CAMERA}"
    unc = [g.uncertainty_deg for g in measured if np.isfinite(g.uncertainty_deg)]
    who = "both legs" if len(measured) == 2 else f"the {measured[0].side} leg"
    by = f" (± {max(unc):.0f}°)" if unc else ""
    return f"{UNFITTED_WARNING}: {who} unsure{by}; {PLACE_CAMERA}"


def _warnings(reasons: np.ndarray, view: CameraView, legs: dict[str, LegResult], settings: RotationSettings, *,
              rejections: bool = True) -> list[str]:
    """The result's warnings; ``rejections`` False leaves out the one on why most frames were rejected."""
    out: list[str] = []
    n = len(reasons)
    ok = reasons == int(Reason.OK)
    if n == 0 or not ok.any():
        out.append("no valid seated frames")
    else:
        for k, side in enumerate(SIDES):
            frac = ok[:, k].mean()
            if frac < 0.6:
                out.append(f"{side} leg seen in only {100 * frac:.0f}% of frames")
            gap, status = legs[side].unmeasured, legs[side].status
            if status == "not held" and gap is not None:
                out.append(f"{side} leg: its hold was not measured ({gap.why}), so no {settings.min_hold_s:g} s hold "
                           f"was seen; {gap.change}")
            elif status == "not held":
                out.append(f"{side} leg: no effort held for {settings.min_hold_s:g} s")
            elif gap is not None:
                missed = ("where it may have turned" if status == "not seen"
                          else "where a larger effort would have been missed")
                out.append(f"{side} leg: not measured {missed} ({gap.why}); {gap.change}")
            elif status == "not seen":
                out.append(f"{side} leg: not measured for {settings.min_hold_s:g} s in a row")
    bad = reasons[~ok]
    bad = bad[bad != int(Reason.OK)]
    if rejections and n and bad.size > 0.2 * reasons.size:
        codes, counts = np.unique(bad, return_counts=True)
        worst = codes[np.argmax(counts)]
        out.append(f"many frames rejected, mostly: {Reason(int(worst)).code.replace('_', ' ')}")
    if ok.any() and _fit_failed(view, settings):
        out.append(_unfitted_warning(legs))
    left, right = legs["left"], legs["right"]
    if left.confirmed and right.confirmed:
        diff = left.held_deg - right.held_deg
        verdict = asymmetry_verdict(left.held_deg, left.uncertainty_deg, right.held_deg, right.uncertainty_deg)
        if abs(diff) >= 10 and verdict != "no clear difference":
            out.append(f"{ASYMMETRY_WARNING} {abs(diff):.0f}° ({verdict})")
    return out
