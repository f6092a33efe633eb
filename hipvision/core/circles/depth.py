"""Motion toward or away from the camera, which a single-camera pose model under-reports.

MediaPipe's world landmarks follow motion across the image closely, but motion
along the camera's line of sight (depth) can come out several times too small
and partly mixed with the across motion: on a rendered person circling side-on,
the side-to-side (depth) part was about 10 times too small, so each circle
looked like a line and none was counted.

The pelvis's deviations from the centre of its path ([forward, right], metres)
are split into the component across the view, ``a`` (reliable), and the depth
component, ``b``. Over a window, ``b`` is fitted as ``α·a + γ·ȧ``: for a loop
the ``γ`` term, a quarter turn out of step with ``a``, carries the circling
(its sign is the direction); ``α`` is in-step leakage. ``β = -γ·ω`` with
``ω = rms(ȧ)/rms(a)`` is the loop's depth/across amplitude ratio. When the
window holds a clear loop (``loopiness`` ≥ ``min_loop``: the area swept around
the centre keeps one sign, in each of at least ``min_cycles`` cycles) whose depth part is much smaller than its across part
(``min_ratio ≤ |β| < max_ratio``, and at least a few millimetres: weaker quarter-turn
parts were seen in rocking), depth is taken as under-reported and ``b`` becomes
mostly ``γ·ȧ / |β|`` (the circle the across motion implies, as deep as it is wide)
plus a share of the measured remainder (see `depth_fit`). A line
(rocking) has no quarter-turn part and is left alone; so are circles whose depth
part looks normal (``|β| ≥ max_ratio``), including real ellipses up to that ratio.

Two more sources of depth, offline: from an oblique camera the depth scale that makes
the path symmetric about the body's axes (`symmetric_depth_scale`); and, where the
world depth is faint (side-on), how much the image around the hips grows as they come
closer (`_image_rebuild`, from `PoseSequence.hip_growth`), which takes the loop's presence
and direction from the frames themselves instead of the pose model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from hipvision.core.filtering import lowpass_zero_phase


@dataclass(frozen=True)
class DepthSettings:
    """When and how much to stretch the depth component (see the module docstring)."""

    window_s: float = 10.0
    step_s: float = 1.0
    max_ratio: float = 0.25
    min_ratio: float = 0.05  # a smaller quarter-turn part is leakage (seen when rocking), not a circle
    min_loop: float = 0.8
    min_cycles: int = 1  # full cycles in the window, each turning the same way (2 missed single circles and
    # slow 4.5 s ones: a 10 s window rarely holds two; the rebuild still needs ``min_windows`` windows in a row)
    oblique_min_cycles: int = 2  # ... for an oblique view's depth scale, which no second window confirms (with
    # 1, one window at the start of a noisy diagonal rock seen at 45° stretched the whole rock into circles)
    max_stretch: float = 12.0
    residual_share: float = 0.3  # offline: share of the fit's residual kept (scaled) in the corrected depth
    rate_smoothing_s: float = 0.15  # live: smoothing of the across speed
    min_across_torso: float = 0.03  # rms across motion, torso lengths: smaller is not a circle anyway
    min_quarter_torso: float = 0.0065  # rms of the quarter-turn depth part, torso lengths (~3 mm): weaker is noise
    min_fit_r2: float = 0.3
    fit_cutoff_hz: float = 1.0  # low-pass of the window before the fit
    min_windows: int = 2  # consecutive windows (step_s apart) that must agree before it applies (3 left a
    # rendered 2-circle set side-on unrebuilt: its clear-loop windows ran 2 long)
    image_min_windows: int = 3  # offline: ... when one of them took the loop from the image growth, which also
    # follows the across motion (forward-back rocking on a synthetic side view made 2 such windows in a row)
    hold_s: float = 10.0  # live: a correction found stays this long without confirmation
    extend_s: float = 5.0  # offline: it applies between the windows that found it, and this far beyond
    follow_fraction: float = 0.4  # offline: once confirmed, other windows whose own quarter-turn ratio is
    # at least this share of the confirmed one (same view) are stretched with their own fit
    follow_max_ratio: float = 0.5  # offline: ... and below this ratio (the view is known to under-report depth,
    # so a loop flatter than max_ratio allows for a first finding is taken as squashed too)
    follow_view_deg: float = 30.0  # offline: stretches seen within this angle of the confirmed view share it
    oblique_min_sin2az: float = 0.8  # offline: views at least this far from in line or side-on (|sin 2·az|;
    # 0.8 ≈ 27–63° off the head) get their depth scale from the path's symmetry (`symmetric_depth_scale`)
    oblique_max_stretch: float = 4.0  # ... stretched at most this much
    image_over_world_below: float = 0.15  # offline: windows whose world depth is fainter than this (quarter-turn
    # ratio, loop or not) take the loop's presence and direction from the image (`_image_rebuild`), when measured
    image_min_ratio: float = 0.05  # offline: ... if the image depth/across ratio is at least this
    image_min_cycles: int = 2  # offline: ... and it holds this many whole cycles turning one way
    image_min_phase_deg: float = 30.0  # offline: ... and its loop is at least this far out of step with the
    # across motion (90° = a pure quarter turn, as a circle's depth; rocking on a rendered video made the
    # image growth run 11-14° ahead of the across motion, a clean but false loop)
    image_agree_min_phase_deg: float = 15.0  # offline: ... but only this far out of step, and with
    image_agree_min_cycles: int = 1  # ... this many whole cycles, in a side-on or 45° window (`_agreement_counts`)
    # where the pose model's own depth found no loop but its faint quarter-turn part turns the image loop's way:
    # two independent signals agree (rendered side-on circles, near and far: the image loop 15-40° out of step,
    # the world's ratio 0.001-0.09; rocking 0-16°, and on the standing-rocking sample, 9-16°, the world's part
    # turned against the image; since 2026-12-06 also about 45° in front and behind: rendered 2-circle sets whose
    # image loop held one whole cycle a window, and 45° behind image loops 23-30° out of step, both sets agreeing)
    image_agree_min_loop: float = 0.5  # ... and loopiness at least this (``min_loop`` otherwise)
    image_agree_min_sin_az: float = 0.87  # ... side-on: |sin azimuth| at least this, within about 30° of side-on,
    # where the image growth follows the side-to-side motion; 45° views by ``oblique_min_sin2az``; not in line
    # with the body, where it does not (the live view of samples/hip_circles_behind.mp4 then showed 3 + 3 where
    # the recording's analysis saved 1 + 1)
    mirror_min_windows: int = 3  # offline: side-on windows where the pose model's depth found its own loop and the
    # image growth a loop too (loopiness at least ``min_loop``); when the image's turns the other way in most of
    # them (at least this many), the pose model's depth is mirrored in this view and its loops are turned round
    # (`_mirrored`)
    oblique_line_max_phase_deg: float = 20.0  # offline, about 45° (`oblique_view`): a window whose pose-model depth
    # found a loop of its own less than this far out of step with the across motion (nearly a line) while the image
    # growth's clean loop turns the other way is not rebuilt (`_line_against_image`)
    image_way_min_phase_deg: float = 30.0  # offline: side-on, a window whose depth was rebuilt (by the pose model's
    # loop or as a follower) takes its direction from the image growth's loop where that loop is clean (`image_way`:
    # loopiness at least ``min_loop``, a good fit, whole cycles all one way) and at least this far out of step with
    # the across motion, and turns the other way (`_image_way`). As far as a loop must be to count at all
    # (``image_min_phase_deg``): with 15°, a fresh far side-on render (seed 10153, from the person's left) lost a
    # circle, its image loop clean but 17-20° out of step and turning against the truth through both sets


def depth_axes(camera_azimuth_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """(across, depth) unit vectors in the body frame [forward, right] for a camera at this azimuth
    (0 = in front of the head, +90 = at the person's right; see `CircleTrack.camera_azimuth_deg`)."""
    az = np.radians(camera_azimuth_deg)
    depth = np.array([np.cos(az), np.sin(az)])
    return np.array([-depth[1], depth[0]]), depth


def loopiness(xy: np.ndarray) -> float:
    """|net area swept around the centroid| / total swept area (0 = line or noise, 1 = one-way loop)."""
    d = xy - xy.mean(axis=0)
    da = 0.5 * (d[:-1, 0] * d[1:, 1] - d[:-1, 1] * d[1:, 0])
    total = np.abs(da).sum()
    return float(abs(da.sum()) / total) if total > 0 else 0.0


def cycle_signs(xy: np.ndarray) -> np.ndarray:
    """Sign of the area swept in each full cycle of the first coordinate (cut at its upward zero
    crossings); +1 / -1 per cycle, empty if there is no full cycle."""
    d = xy - xy.mean(axis=0)
    ups = np.flatnonzero((d[:-1, 0] < 0) & (d[1:, 0] >= 0)) + 1
    da = 0.5 * (d[:-1, 0] * d[1:, 1] - d[:-1, 1] * d[1:, 0])
    return np.array([np.sign(da[a:b].sum()) for a, b in zip(ups[:-1], ups[1:])])


def turn_signs(xy: np.ndarray, *, min_radius: float = 0.2) -> np.ndarray:
    """+1 / -1 for each whole turn about the centroid: a turn ends where the angle swept has come 360° one way
    from its extreme since the last turn ended (or since the first point) (+1 = the way `cycle_signs` calls
    +1); empty if there is none.

    The angle is taken with each coordinate scaled to its rms about the centroid (a loop squashed in depth
    turns as evenly as a circle), and only between points at least ``min_radius`` from it in those units (a
    circle is at 1.41): the jitter of a pelvis held still near the centre swings the angle by half turns (on
    the squashed-depth set at 45°, analysed every 0.1 s from its first circle's close, 0 and 0.3 each lost
    that circle in one analysis, 0.2 in none). From the extreme, not from the first point: the hold before
    that set swung the angle 185° before its first circle began.

    For a window still open at its last frame (see `loop_terms`): `cycle_signs` needs two upward zero crossings,
    which the last frames make or break and which can fall up to a period after a loop has closed."""
    d = xy - xy.mean(axis=0)
    rms = np.sqrt(np.mean(d ** 2, axis=0))
    if not np.all(rms > 0):
        return np.array([])
    z = d / rms
    away = np.hypot(z[:, 0], z[:, 1]) >= min_radius
    step = np.diff(np.unwrap(np.arctan2(z[:, 1], z[:, 0]))) * (away[:-1] & away[1:])
    signs, low, high = [], 0.0, 0.0
    for angle in np.cumsum(step):
        low, high = min(low, angle), max(high, angle)
        if max(angle - low, high - angle) >= 2 * np.pi:
            signs.append(1.0 if angle - low >= 2 * np.pi else -1.0)
            low = high = angle
    return np.array(signs)


IDENTITY = np.array([0.0, 0.0, 1.0])  # depth coefficients that change nothing


def depth_fit(t_s: np.ndarray, dev_m: np.ndarray, camera_azimuth_deg: float, torso_m: float, *,
              settings: DepthSettings = DepthSettings(), live: bool = False,
              open_end: bool = False) -> tuple[np.ndarray, float]:
    """Coefficients ``(p_a, p_adot, p_b)`` of the corrected depth ``p_a·a + p_adot·ȧ + p_b·b``, and
    the depth/across ratio they assume (`IDENTITY` and 1.0 when the window shows no such loop).

    The corrected depth is the loop's quarter-turn part scaled to the across amplitude, plus
    ``residual_share`` of what the fit leaves (scaled the same way): mostly the circle the across
    motion implies, so that noise along the depth axis is not magnified while the person is still.
    That part carries the direction the window found, so ``live`` (where a correction is held
    past its window, maybe into circles the other way) uses the measured depth only, stretched.

    Args:
        t_s: (N,) seconds; dev_m: (N, 2) pelvis minus path centre [forward, right], metres.
        open_end: the window is still open at its last frame (see `loop_terms`).
    """
    terms = loop_terms(t_s, dev_m, camera_azimuth_deg, torso_m, settings=settings, open_end=open_end)
    return fit_of_terms(terms, torso_m, settings=settings, live=live)


def fit_of_terms(terms: tuple | None, torso_m: float, *, settings: DepthSettings = DepthSettings(),
                 live: bool = False) -> tuple[np.ndarray, float]:
    """`depth_fit` of a window whose `loop_terms` are ``terms`` (computed once, used for more than the fit)."""
    if terms is None:
        return IDENTITY.copy(), 1.0
    alpha, gamma, beta, *_ = terms
    if not (settings.min_ratio <= beta < settings.max_ratio and clear_loop(terms, torso_m, settings)):
        return IDENTITY.copy(), 1.0
    return _coefficients(alpha, gamma, beta, settings=settings, live=live), float(beta)


def clear_loop(terms: tuple, torso_m: float, settings: DepthSettings, *, min_cycles: int | None = None) -> bool:
    """Whether `loop_terms` show a clear loop, whatever its depth/across ratio: a good fit, a
    quarter-turn part above the noise, loopiness and at least ``min_cycles`` (default: the settings')
    cycles all turning one way."""
    _, _, _, r2, quarter, loop, signs = terms
    cycles = settings.min_cycles if min_cycles is None else min_cycles
    return bool(r2 >= settings.min_fit_r2 and quarter >= settings.min_quarter_torso * torso_m
                and loop >= settings.min_loop and len(signs) >= cycles
                and abs(signs.sum()) == len(signs))


def image_loop_terms(t_s: np.ndarray, dev_m: np.ndarray, approach_m: np.ndarray, camera_azimuth_deg: float,
                     torso_m: float, *, settings: DepthSettings = DepthSettings(),
                     open_end: bool = False) -> tuple | None:
    """`loop_terms` of the across motion against the image's evidence of depth (see `_image_rebuild`)."""
    ok = np.isfinite(approach_m) & np.all(np.isfinite(dev_m), axis=1) & np.isfinite(t_s)
    if ok.sum() < 20:
        return None
    t, f = t_s[ok], np.asarray(approach_m, float)[ok]
    f = f - np.polyval(np.polyfit(t - t.mean(), f, 1), t - t.mean())  # its slow drift
    across, depth = depth_axes(camera_azimuth_deg)
    return loop_terms(t, np.outer(dev_m[ok] @ across, across) + np.outer(f, depth), camera_azimuth_deg, torso_m,
                      settings=settings, open_end=open_end)


def _image_rebuild(image: tuple | None, world: tuple | None, settings: DepthSettings, *,
                   world_found: bool = False) -> tuple[np.ndarray, float]:
    """`depth_fit` with the evidence for the depth motion taken from the image, not the pose model.

    ``image``: `image_loop_terms` of the window (the across motion against how far the hips came toward the
    camera, from how much the image around them grew, `PoseSequence.hip_growth`); ``world``: its `loop_terms`
    from the pose model's depth. Only the presence and the direction of a loop are taken from the image: a
    window whose across motion and image depth make a clear loop (`image_loop`) is rebuilt as deep as wide,
    turning the image loop's way. Returns the coefficients and the world depth's own ratio (what the pose
    model saw; at least ``1 / max_stretch``, under ``max_ratio``), or `IDENTITY`, 1.0. ``world_found``: the
    world depth found a loop in this window itself (`depth_fit`); only where it did not does its agreement
    lower the image's gates (`image_loop`).
    """
    if not image_loop(image, settings, agreeing=None if world_found else world):
        return IDENTITY.copy(), 1.0
    ratio = float(np.clip(world[2] if world is not None else 0.0, 1.0 / settings.max_stretch,
                          np.nextafter(settings.max_ratio, 0)))
    return _as_deep_as_wide(image), ratio


def _turn_against(image: tuple, world: tuple) -> bool:
    """Whether the loops of two windows' `loop_terms` (the image's, the world's) turn opposite ways.

    Where the pose model's depth found a loop of its own (`fit_of_terms`), an image loop turning the other way
    does not replace it in that window: on the rendered dev and held-out sets of that pass, every window where the
    world's own loop and an image loop were both found turned the true way in the world's (the 4 that disagreed,
    all 45° behind the hips, seed 5901: the image growth turned against the truth through a whole set of 3
    counter-clockwise circles, counted 1 counter-clockwise and 1 clockwise; now 3). Side-on, where the image
    growth is the side-to-side motion, a view in which they disagree in most windows is another matter: the pose
    model's depth is mirrored there (`_mirrored`)."""
    return bool(np.sign(image[1]) != np.sign(world[1]))


def _line_against_image(image: tuple | None, world: tuple, camera_azimuth_deg: float, settings: DepthSettings) -> bool:
    """Whether, about 45° from the head or the tail (`oblique_view`), a window's pose-model loop (``world``, its
    `loop_terms`, a loop found by `fit_of_terms`) is nearly a line (under ``oblique_line_max_phase_deg`` out of step
    with the across motion) while the image growth's loop (``image``) is clean (loopiness ``min_loop``, fit
    ``min_fit_r2``) and turns the other way: a rock, not a circle.

    Rocking forward and back filmed about 45° in front (fresh seed 10117, 12 cm, camera 51° from the head and 21° down)
    made the pose model's depth a line with a small quarter-turn leak (9-15° out of step, loopiness 0.8-0.98), which
    the rebuild stretched 7-13 times into circles: 3 + 0 counted. The image's loop turned the other way in every one of
    those windows. On 17 rendered seeds (221 circles videos) the image's clean loop never turned against a pose-model
    loop found about 45° (241 windows, 10th percentile 18° out of step); side-on it did in 93 windows, the mirrored
    views (`_mirrored`). From 45° behind the image once turned against a right pose-model loop through a set (seed
    5901, `_turn_against`): the phase bound keeps such a loop, unless it is itself nearly a line."""
    if image is None or not oblique_view(camera_azimuth_deg, settings):
        return False
    return bool(image[5] >= settings.min_loop and image[3] >= settings.min_fit_r2 and _turn_against(image, world)
                and out_of_step_deg(world) < settings.oblique_line_max_phase_deg)


def _side_on(camera_azimuth_deg: float, settings: DepthSettings) -> bool:
    """Whether a camera at this azimuth is within about 30° of side-on (``image_agree_min_sin_az``), where the image
    growth follows the side-to-side motion."""
    return bool(abs(np.sin(np.radians(camera_azimuth_deg))) >= settings.image_agree_min_sin_az)


def oblique_view(camera_azimuth_deg: float, settings: DepthSettings) -> bool:
    """Whether a camera at this azimuth is about 45° from the head or the tail (``oblique_min_sin2az``: 27-63°
    off the body's line), where both halves of a circle move toward and away from the camera in part (False for
    an unknown, NaN, azimuth)."""
    return bool(abs(np.sin(np.radians(2.0 * camera_azimuth_deg))) >= settings.oblique_min_sin2az)


def _agreement_counts(camera_azimuth_deg: float, settings: DepthSettings, *, still_open: bool = False) -> bool:
    """Whether, in a window seen from here, the pose model's faint depth turning the image loop's way lowers the
    image's gates (`image_loop`'s ``agreeing``): side-on (`_side_on`) and about 45° in front or behind (`oblique_view`),
    not in line with the body, where the image growth is not the depth motion (the live view of
    samples/hip_circles_behind.mp4 showed 3 + 3 where the saved analysis had 1 + 1). At 45° only in a window
    closed before the last frame (not ``still_open``): in the live analysis of the frames so far, a window still
    open over a set's end and the next set's first turn carried the set's way into that turn (rendered 45° behind,
    3 + 3: a fourth counter-clockwise circle shown)."""
    return _side_on(camera_azimuth_deg, settings) or (oblique_view(camera_azimuth_deg, settings) and not still_open)


def _mirrored(against: list[bool], settings: DepthSettings) -> bool:
    """Whether the pose model's depth is mirrored in this view: in most of the side-on windows where its depth and
    the image growth both made a loop (``against``: per such window, whether they turned opposite ways), and in at
    least ``mirror_min_windows`` of them, the image's loop turned the other way.

    Side-on, the side-to-side half of each circle is motion toward and away from the camera. The image around the
    hips grows as they come closer, whatever the pose model makes of it; the pose model's depth is a guess that can
    come out mirrored. On 129 held-out rendered videos (seeds 9929-10007), the image growth's loop turned the true
    way in every side-on set (54 of 54: side, far side, camera on the floor); the pose model's turned against the
    truth in most windows of six of nine sets filmed from the floor beside the person (camera 3-8° below level), and
    in one from table height; it was trusted where both found a loop (`_turn_against`), and the directions came out
    reversed (3 + 3 counted 3 + 3 the wrong way round, or 2 + 3 for 3 + 3)."""
    return len(against) >= settings.mirror_min_windows and sum(against) > len(against) / 2


class _Window(NamedTuple):
    """One depth window of `depth_evidence`, with what its fits need (computed once)."""

    centre_s: float
    rows: np.ndarray  # the frames it holds
    azimuth_deg: float  # camera azimuth about the body, median over the window
    torso_m: float  # torso length, median over the window
    still_open: bool  # it holds the last frame of a recording that goes on (live)
    world: tuple | None  # the pose model's depth: `loop_terms`
    fit: tuple  # `fit_of_terms` of ``world``: (coefficients, quarter-turn ratio; 1.0 where nothing is rebuilt)
    image: tuple | None  # the image growth's depth, closed: `image_loop_terms` (None without image evidence)


def _faint_against_image(windows: list[_Window], settings: DepthSettings) -> bool:
    """Whether, side-on, the pose model's faint depth turned against the image growth's own clear loops: in the
    closed side-on windows (``windows``) where its depth found no loop of its own and the image found one
    by its own gates (`image_loop`), the faint quarter-turn part turned the other way in most, and in at least
    ``mirror_min_windows`` of them (`_mirrored`'s rule).

    The faint part's sign then says nothing in this view: a side-on window where it turns against the image loop
    no longer keeps the image to the out-of-step angle and whole cycles of a loop seen alone, but takes those of
    two agreeing signals (`image_loop`'s ``agreeing``), with the loopiness of a loop seen alone (``min_loop``;
    with the agreeing one's 0.5, a set filmed from the floor lost its last circle to the blend with the next set's
    windows, and the live view showed more than saved 3 more times on 51 side-on replays). On 17 rendered
    seeds (55 side-on videos with such windows), the image growth's loop turned the true way in all but 2 of 394
    of them; the faint part turned against it in every one of 17 videos (8 filmed from the floor beside the
    person), with it in every one of 28, and both ways in 10, in some against it through one set and with it
    through the next (so it is not turned round: its sign is left out). Where it turned against the image, a set
    whose image loop was clean but 15-30° out of step with the across motion was not rebuilt and lost its circles
    (far side-on, 3 + 3 counted 2 + 0)."""
    votes = [_turn_against(w.image, w.world) for w in windows
             if not w.still_open and _side_on(w.azimuth_deg, settings) and w.world is not None and w.world[1] != 0
             and w.fit[1] >= 1.0 and image_loop(w.image, settings)]
    return _mirrored(votes, settings)


def _turned_round(world: tuple) -> tuple:
    """A window's world `loop_terms` with its quarter-turn part turned the other way."""
    return (world[0], -world[1], *world[2:])


def out_of_step_deg(terms: tuple) -> float:
    """How far a window's loop (`loop_terms`) is out of step with the across motion, degrees: its quarter-turn
    part against its in-step part (90° = a pure quarter turn, as a circle's depth; 0° = a line)."""
    alpha, _, beta, *_ = terms
    return float(np.degrees(np.arctan2(beta, abs(alpha))))


def image_way(terms: tuple | None, settings: DepthSettings) -> bool:
    """Whether `image_loop_terms` show a loop clean enough to say which way it turns (not whether there was one):
    loopiness at least ``min_loop``, a good fit, at least one whole cycle and all turning one way, at least
    ``image_way_min_phase_deg`` out of step with the across motion."""
    if terms is None:
        return False
    _, _, _, r2, _, loop, signs = terms
    return bool(loop >= settings.min_loop and r2 >= settings.min_fit_r2 and len(signs) >= 1
                and abs(signs.sum()) == len(signs) and out_of_step_deg(terms) >= settings.image_way_min_phase_deg)


def _image_way(fits: list, images: dict, settings: DepthSettings) -> list:
    """``fits`` (window centre s, coefficients, ratio) with each side-on window's direction taken from the image
    growth (``images``: window centre -> (its `image_loop_terms` or None, azimuth)) where its loop there is clean
    (`image_way`) and turns the other way from the coefficients' (the sign of their quarter-turn term, as the
    loop's γ).

    Side-on, the side-to-side half of each circle is motion toward the camera, which makes the hips' image grow
    and shrink whatever the pose model reads (`_mirrored`). A rebuild that follows the view's confirmed under-reporting
    (`_followers`) took its direction from the pose model's own faint loop: on a far side-on render (fresh seed
    10013) that loop turned the same way through both sets, 3 clockwise and 3 counter-clockwise, while the image's
    turned the true way in each (loopiness 0.93-1.0, 29-76° out of step); the clockwise set, whose image loop fell
    under `image_loop`'s 30° in most windows and so confirmed nothing itself, was counted counter-clockwise.

    Side-on only. From 45° behind the image loop turned the true way through a set where the pose model's followed
    the first set's way (seeds 10013, 10017, 10019: three sets), but against the truth through whole sets elsewhere
    (seed 5901; fresh seed 10021, where the pose model's was right): taken off side-on as well, it turned those
    three round and broke the fresh one, so it was not kept."""
    out = []
    for c, p, ratio in fits:
        image, az = images.get(c, (None, np.nan))
        if _side_on(az, settings) and image_way(image, settings) and np.sign(image[1]) * np.sign(p[1]) < 0:
            p = -p
        out.append((c, p, ratio))
    return out


def image_loop(terms: tuple | None, settings: DepthSettings, *, agreeing: tuple | None = None) -> bool:
    """Whether `image_loop_terms` show a clear loop: ratio at least ``image_min_ratio``, at least
    ``image_min_phase_deg`` out of step with the across motion (its quarter-turn part against its
    in-step part: the image growth also follows the across motion itself), a good fit, at least
    ``image_min_cycles`` cycles all turning one way.

    ``agreeing``: the window's world `loop_terms` where the world found no loop itself; when its quarter-turn
    part turns the image loop's way, ``image_agree_min_phase_deg`` and ``image_agree_min_cycles`` apply instead
    (a far camera: the image growth's loop is weaker against its in-step part, the world's faint but right)."""
    if terms is None:
        return False
    _, gamma, beta, r2, _, loop, signs = terms
    min_phase, min_cycles, min_loop = settings.image_min_phase_deg, settings.image_min_cycles, settings.min_loop
    if agreeing is not None and np.sign(agreeing[1]) == np.sign(gamma) != 0:
        min_phase = min(min_phase, settings.image_agree_min_phase_deg)
        min_cycles = min(min_cycles, settings.image_agree_min_cycles)
        min_loop = min(min_loop, settings.image_agree_min_loop)
    return bool(beta >= settings.image_min_ratio and out_of_step_deg(terms) >= min_phase
                and r2 >= settings.min_fit_r2 and loop >= min_loop
                and len(signs) >= min_cycles and abs(signs.sum()) == len(signs))


def _as_deep_as_wide(terms: tuple) -> np.ndarray:
    """Coefficients of a depth that is the loop's quarter-turn part scaled to the across amplitude
    (``γ·ȧ / β``), turning the way the loop of ``terms`` does; the measured depth is dropped."""
    return np.array([0.0, terms[1] / terms[2], 0.0])


def loop_terms(t_s: np.ndarray, dev_m: np.ndarray, camera_azimuth_deg: float, torso_m: float, *,
               settings: DepthSettings = DepthSettings(), open_end: bool = False) -> tuple | None:
    """``(α, γ, |β|, r², rms quarter-turn part (m), loopiness, cycle signs)`` of a window's fit
    (see `depth_fit`), or None when it is too short or its across motion too small to judge.

    The cycles are those of the across motion (`cycle_signs`); ``open_end``: the window still open at the
    recording's last frame (the live analysis of the frames so far), whose cycles are its loop's whole turns
    (`turn_signs`): a turn counts as soon as it closes, not once the across motion has crossed zero upward
    twice. (The saved analysis keeps `cycle_signs`.)"""
    ok = np.all(np.isfinite(dev_m), axis=1) & np.isfinite(t_s)
    if ok.sum() < 20 or not np.isfinite(camera_azimuth_deg) or not torso_m > 0:
        return None
    t, dev = t_s[ok], dev_m[ok] - dev_m[ok].mean(axis=0)
    if np.ptp(t) < 2.0:
        return None
    if settings.fit_cutoff_hz:  # the fit looks at loops, not jitter (zero-phase: a past window)
        dev = lowpass_zero_phase(t, dev, cutoff_hz=settings.fit_cutoff_hz, order=2)
    across, depth = depth_axes(camera_azimuth_deg)
    a, b = dev @ across, dev @ depth
    if np.sqrt(np.mean(a ** 2)) < settings.min_across_torso * torso_m:
        return None
    a_dot = np.gradient(a, t)
    x = np.stack([a, a_dot], axis=1)
    (alpha, gamma), *_ = np.linalg.lstsq(x, b, rcond=None)
    r2 = 1.0 - np.sum((b - x @ np.array([alpha, gamma])) ** 2) / max(np.sum(b ** 2), 1e-18)
    omega = np.sqrt(np.mean(a_dot ** 2) / np.mean(a ** 2))
    loop = np.stack([a, b - alpha * a], axis=1)
    quarter = abs(gamma) * np.sqrt(np.mean(a_dot ** 2))  # rms of the quarter-turn part of b
    return float(alpha), float(gamma), float(abs(gamma * omega)), float(r2), float(quarter), loopiness(loop), \
        turn_signs(loop) if open_end else cycle_signs(loop)


def _coefficients(alpha: float, gamma: float, beta: float, *, settings: DepthSettings, live: bool) -> np.ndarray:
    scale = 1.0 / max(beta, 1.0 / settings.max_stretch)
    k = 1.0 if live else settings.residual_share
    # b' = (γ·ȧ + k·(b - α·a - γ·ȧ)) · scale
    return np.array([-k * alpha * scale, (1 - k) * gamma * scale, k * scale])


def apply_depth(dev_m: np.ndarray, across_rate_m_s: np.ndarray, camera_azimuth_deg: np.ndarray,
                coeffs: np.ndarray) -> np.ndarray:
    """(N, 2) deviations with the depth component replaced as `depth_fit` describes.

    Args:
        dev_m: (N, 2) pelvis minus path centre; across_rate_m_s: (N,) time derivative of its
            across-the-view component; camera_azimuth_deg: (N,); coeffs: (N, 3).
    """
    az = np.radians(np.asarray(camera_azimuth_deg, float))
    depth = np.stack([np.cos(az), np.sin(az)], axis=-1)
    across = np.stack([-depth[..., 1], depth[..., 0]], axis=-1)
    a, b = np.sum(dev_m * across, axis=-1), np.sum(dev_m * depth, axis=-1)
    c = np.asarray(coeffs, float)
    new_b = c[..., 0] * a + c[..., 1] * across_rate_m_s + c[..., 2] * b
    new_b = np.where(np.isfinite(new_b), new_b, b)
    return a[..., None] * across + new_b[..., None] * depth


def _confirmed(fits: list[tuple], min_windows: int, image_min_windows: int) -> list:
    """The fits ``(t, coefficients, ratio, azimuth, from the image)`` that found under-reported depth in at
    least ``min_windows`` consecutive windows (``image_min_windows`` when one of them took it from the image)."""
    out, run = [], []
    for fit in [*fits, (np.nan, IDENTITY, 1.0, np.nan, False)]:
        if fit[2] < 1.0:
            run.append(fit)
            continue
        if len(run) >= (max(min_windows, image_min_windows) if any(f[4] for f in run) else min_windows):
            out.extend(run)
        run = []
    return out


def _without_direction(coeffs: np.ndarray, ratio: float, settings: DepthSettings) -> np.ndarray:
    """Coefficients of a correction that carries no direction: the measured depth, its in-step part
    removed, stretched as ``coeffs`` stretches it (as live does; an image rebuild, which drops the measured
    depth, becomes the measured depth stretched by ``1 / ratio``)."""
    if coeffs[2] == 0:
        return np.array([0.0, 0.0, 1.0 / ratio])
    return np.array([coeffs[0], 0.0, coeffs[2]]) / settings.residual_share


def _followers(found: list, terms: list, beta: float, settings: DepthSettings, *, mirrored: bool = False) -> list:
    """``found`` plus the windows of a stretch that show a weaker but consistent loop (``beta``:
    the confirmed depth/across ratio of this view, from any stretch of the track).

    The under-reporting belongs to the view, so once confirmed it also holds for circles
    the other way, whose loop may be less clean (a wobblier path, fewer whole cycles in the window):
    a window counts when its own quarter-turn ratio is at least ``follow_fraction`` of the
    confirmed one (rocking and stillness show far less), below ``follow_max_ratio`` (a loop
    flatter than a first finding needs is squashed too once the view is known to squash: on a
    rendered 45° view one set showed ratio 0.3 and was counted 2 of 5 before) and its fit is good;
    it is stretched with its own fit (its own direction) and the confirmed ratio. As for confirmation, only runs of
    ``min_windows`` consecutive such windows turning the same way count. ``mirrored``: the pose model's depth is
    mirrored in this view (`_mirrored`), so each follower turns the other way from its own fit.
    """
    have = {f[0] for f in found}
    out, run = list(found), []

    def flush():
        if len(run) >= settings.min_windows:  # like confirmation: consecutive windows that agree
            out.extend((f[0], f[1], beta) for f in run)
        run.clear()

    for c, tr, torso, _ in terms:
        ok = c not in have and tr is not None
        if ok:
            alpha, gamma, b, r2, quarter, _, signs = tr
            ok = (settings.follow_fraction * beta <= b < settings.follow_max_ratio and r2 >= settings.min_fit_r2
                  and quarter >= settings.follow_fraction * settings.min_quarter_torso * torso
                  and abs(signs.sum()) == len(signs))
        if not ok or (run and np.sign(gamma) != np.sign(run[-1][2])):
            flush()
        if ok:
            p = _coefficients(alpha, gamma * beta / b, beta, settings=settings, live=False)
            run.append((c, -p if mirrored else p, gamma))
    flush()
    return sorted(out, key=lambda f: f[0])


def _segment_windows(t: np.ndarray, valid: np.ndarray, seg: np.ndarray, settings: DepthSettings):
    """The windows `depth_coefficients` fits: per tracked segment, its ``valid`` rows and a list of (centre
    s, rows) of the windows ``window_s`` wide centred every ``step_s`` from its first frame (at least 20 rows)."""
    for sid in np.unique(seg[valid]) if valid.any() else []:
        rows = np.flatnonzero((seg == sid) & valid)
        windows = [(c, rows[np.abs(t[rows] - c) <= settings.window_s / 2])
                   for c in np.arange(t[rows[0]], t[rows[-1]] + 1e-9, settings.step_s)]
        yield rows, [(c, w) for c, w in windows if len(w) >= 20]


def reads_image(world: tuple | None, torso_m: float, settings: DepthSettings) -> bool:
    """Whether `depth_coefficients` consults the image evidence in a window whose world `loop_terms` are
    ``world``: its world depth is faint (quarter-turn ratio under ``image_over_world_below``, loop or not),
    shows no `clear_loop`, or was too small to judge."""
    return world is None or world[2] < settings.image_over_world_below or not clear_loop(world, torso_m, settings)


def image_frames_read(t_s: np.ndarray, dev_m: np.ndarray, valid: np.ndarray, seg: np.ndarray,
                      camera_azimuth_deg: np.ndarray, torso_m: np.ndarray, *,
                      settings: DepthSettings = DepthSettings()) -> np.ndarray:
    """(T,) bool: the frames whose image evidence (``approach_m``) `depth_coefficients` can read, given the
    same arguments: every frame from the first to the last of each window that `reads_image`. Elsewhere the
    image evidence cannot change its coefficients and ratios (its ``image_loops`` read every window). The approach is a running sum of the hip growth, so a window
    reads the growth of these same frames (those before it only shift it, which the window's detrending
    removes), and of every one of them: a frame whose growth is unknown drops out of the window's fit.
    """
    t = np.asarray(t_s, float)
    read = np.zeros(len(t), bool)
    for _, windows in _segment_windows(t, valid, seg, settings):
        for _, w in windows:
            torso = float(np.nanmedian(torso_m[w]))
            world = loop_terms(t[w], dev_m[w], float(np.nanmedian(camera_azimuth_deg[w])), torso, settings=settings)
            if reads_image(world, torso, settings):
                read[w[0]:w[-1] + 1] = True
    return read


@dataclass(frozen=True)
class DepthEvidence:
    """What the depth windows of a whole track found (`depth_evidence`).

    ``coeffs``: (T, 3) `depth_fit` coefficients per frame; ``ratios``: (T,) the depth/across ratios they
    assume (1.0 where nothing was rebuilt); ``image_loops``: (start s, end s) of the windows whose image
    evidence shows a clear loop by `image_loop`'s own gates, whatever the world depth shows (see
    `image_loop_windows`; empty without image evidence); ``mirrored``: the pose model's depth was taken as
    mirrored in this view and its loops turned round (`_mirrored`), so the directions of its rebuilt frames rest
    on the image growth."""

    coeffs: np.ndarray
    ratios: np.ndarray
    image_loops: tuple[tuple[float, float], ...] = ()
    mirrored: bool = False


def depth_coefficients(t_s: np.ndarray, dev_m: np.ndarray, valid: np.ndarray, seg: np.ndarray,
                       camera_azimuth_deg: np.ndarray, torso_m: np.ndarray, *,
                       approach_m: np.ndarray | None = None, open_end: bool = False,
                       settings: DepthSettings = DepthSettings()) -> tuple[np.ndarray, np.ndarray]:
    """(T, 3) `depth_fit` coefficients and (T,) assumed depth ratios for a whole track (offline): the
    ``coeffs`` and ``ratios`` of `depth_evidence`."""
    found = depth_evidence(t_s, dev_m, valid, seg, camera_azimuth_deg, torso_m, approach_m=approach_m,
                           open_end=open_end, settings=settings)
    return found.coeffs, found.ratios


def depth_evidence(t_s: np.ndarray, dev_m: np.ndarray, valid: np.ndarray, seg: np.ndarray,
                   camera_azimuth_deg: np.ndarray, torso_m: np.ndarray, *,
                   approach_m: np.ndarray | None = None, open_end: bool = False,
                   settings: DepthSettings = DepthSettings()) -> DepthEvidence:
    """`DepthEvidence` of a whole track (offline): per frame the `depth_fit` coefficients and assumed depth
    ratios, and the windows whose image evidence shows a loop. Each window's world and image `loop_terms` are
    computed once and serve the fit, the image rebuild and the image loops.

    With ``approach_m`` ((T,) image evidence of motion toward the camera, see `_image_rebuild`), windows
    whose world depth is faint (quarter-turn ratio under ``image_over_world_below``, loop or not) or shows
    no `clear_loop` (from behind, the pose model's forward-back motion came out as large as the truth's but
    out of step with it, r² 0.1) take the loop from the image when it shows a clear one.

    Fitted on centred windows every ``step_s`` within each tracked segment; only runs of at least
    ``min_windows`` consecutive windows that found it count. The under-reporting
    belongs to the camera view, not to the movement, so the windows that found it are
    interpolated in time (windows without a clear loop between them, such as a pause, neither find
    nor cancel it) and extended ``extend_s`` beyond the first and last; past the last, without the
    direction it found (`_without_direction`): no window there confirmed it, and where the data ended
    soon after (the live view's analysis of the frames so far) the set's direction was carried over the
    sit-back into the next set's first turn, a circle the saved result did not have. Except offline where
    the tracked segment ends within ``extend_s`` of the last window that found it: nothing follows the set there
    (within that window's own reach, which found every cycle turning one way), and without the direction the
    set's last circle, which no later window holds whole, was lost (rendered: the last circle of the recording
    missed in 6 of 99 videos, side-on, from the floor, 45° in front).

    ``open_end``: the recording goes on after the last frame (the live analysis of the frames so far); the
    windows that hold the last frame are still open and count their cycles as whole turns (`turn_signs`, via
    `loop_terms`).
    """
    t = np.asarray(t_s, float)
    n = len(t)
    coeffs = np.tile(IDENTITY, (n, 1))
    ratios = np.ones(n)
    stretches, image_loops, against, images = [], [], [], {}
    segments = []  # per tracked segment: its rows and, per window, what the fits need (computed once)
    for rows, windows in _segment_windows(t, valid, seg, settings):
        seen = []
        for c, w in windows:
            az, torso = float(np.nanmedian(camera_azimuth_deg[w])), float(np.nanmedian(torso_m[w]))
            still_open = open_end and w[-1] == n - 1
            world = loop_terms(t[w], dev_m[w], az, torso, settings=settings, open_end=still_open)
            closed = None if approach_m is None else image_loop_terms(t[w], dev_m[w], approach_m[w], az, torso,
                                                                      settings=settings)
            seen.append(_Window(c, w, az, torso, still_open, world, fit_of_terms(world, torso, settings=settings),
                                closed))
        segments.append((rows, seen))
    faint_unsure = _faint_against_image([x for _, seen in segments for x in seen], settings)
    faint_gates = replace(settings, image_agree_min_loop=settings.min_loop)
    for rows, seen in segments:
        found, terms = [], []
        for c, w, az, torso, still_open, world, (p, ratio), closed in seen:
            from_image = False
            if approach_m is not None:
                if image_loop(closed, settings):
                    image_loops.append((float(t[w[0]]), float(t[w[-1]])))
                if ratio < 1.0 and _line_against_image(closed, world, az, settings):
                    p, ratio = IDENTITY.copy(), 1.0
            if approach_m is not None and reads_image(world, torso, settings):
                image = closed if not still_open else image_loop_terms(
                    t[w], dev_m[w], approach_m[w], az, torso, settings=settings, open_end=True)
                agreement = _agreement_counts(az, settings, still_open=still_open)
                agreeing, gates = world, settings
                if (faint_unsure and ratio >= 1.0 and _side_on(az, settings) and image is not None
                        and world is not None and _turn_against(image, world)):
                    # its sign says nothing here (`_faint_against_image`): the image loop as clean as one seen
                    # alone, but out of step and whole cycles as for two agreeing signals
                    agreeing, gates = _turned_round(world), faint_gates
                p_image, ratio_image = _image_rebuild(image, agreeing, gates,
                                                      world_found=ratio < 1.0 or not agreement)
                if ratio_image < 1.0 and not (ratio < 1.0 and _turn_against(image, world)):
                    p, ratio, from_image = p_image, ratio_image, True
            if ratio < 1.0 and not from_image and _side_on(az, settings) and closed is not None \
                    and closed[5] >= settings.min_loop:
                against.append(_turn_against(closed, world))
            found.append((c, p, ratio, az, from_image))
            terms.append((c, world, torso, az))
            images[c] = (closed, az)
        stretches.append((rows, found, terms))
    mirrored = _mirrored(against, settings)
    if mirrored:
        stretches = [(rows, [(c, -p if ratio < 1.0 and not from_image else p, ratio, az, from_image)
                             for c, p, ratio, az, from_image in found], terms) for rows, found, terms in stretches]
    stretches = [(rows, _confirmed(found, settings.min_windows, settings.image_min_windows), terms)
                 for rows, found, terms in stretches]
    confirmed = [f for _, found, _ in stretches for f in found]
    if not confirmed:
        return DepthEvidence(coeffs, ratios, tuple(image_loops), mirrored)
    # the under-reporting belongs to the view: stretches seen from about the same place share it
    beta = float(np.median([f[2] for f in confirmed]))
    view = np.exp(1j * np.radians([f[3] for f in confirmed])).mean()
    for rows, found, terms in stretches:
        same_view = [x for x in terms if abs(np.angle(np.exp(1j * np.radians(x[3])) / view, deg=True))
                     <= settings.follow_view_deg]
        found = _image_way(_followers([f[:3] for f in found], same_view, beta, settings, mirrored=mirrored),
                           images, settings)
        if not found:
            continue
        tc = np.array([f[0] for f in found])
        span = np.arange(rows[0], rows[-1] + 1)
        near = span[(t[span] >= tc[0] - settings.extend_s) & (t[span] <= tc[-1] + settings.extend_s)]
        table = np.array([f[1] for f in found])
        for k in range(3):
            coeffs[near, k] = np.interp(t[near], tc, table[:, k])
        if open_end or t[rows[-1]] - tc[-1] > settings.extend_s:  # something may follow the set: no direction
            coeffs[near[t[near] > tc[-1]]] = _without_direction(table[-1], found[-1][2], settings)
        ratios[near] = np.interp(t[near], tc, [f[2] for f in found])
    return DepthEvidence(coeffs, ratios, tuple(image_loops), mirrored)


def image_loop_windows(t_s: np.ndarray, dev_m: np.ndarray, valid: np.ndarray, seg: np.ndarray,
                       camera_azimuth_deg: np.ndarray, torso_m: np.ndarray, approach_m: np.ndarray | None, *,
                       settings: DepthSettings = DepthSettings()) -> list[tuple[float, float]]:
    """(start s, end s) of the windows (as `depth_coefficients` fits them) whose image evidence (``approach_m``,
    see `_image_rebuild`) shows a clear loop by `image_loop`'s own gates (no agreement needed), whatever the
    world depth shows; empty without image evidence.

    For the confidence, not the count: from behind the image growth's loop turned the true way in some
    rendered videos and against it in others (seed 5913: every window against the truth), so it cannot say
    which way the hips went, but a clean loop (69-89° out of step with the across motion, loopiness up to 1.0,
    ratio 1-3) says that they went round."""
    if approach_m is None:
        return []
    return list(depth_evidence(t_s, dev_m, valid, seg, camera_azimuth_deg, torso_m, approach_m=approach_m,
                               settings=settings).image_loops)
