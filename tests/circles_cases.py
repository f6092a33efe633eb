"""Scripted quadruped sequences with known answers, shared by the circles tests."""

import dataclasses
import zlib
from functools import lru_cache

import numpy as np

from hipvision.landmarks import Landmark as L
from hipvision.synthetic.quadruped import (Circles, Fidget, Hold, PelvisScript, Rock, StandUp, pelvis_script,
                                           render_quadruped)

CW, CCW = True, False
NOISY = {"noise_px": 3.0, "world_noise_m": 0.008, "depth_noise_m": 0.025}
DROPS = {"dropout_fraction": 0.15, "burst_dropouts": 3}

#: name → (script segments, render options). Each starts and ends still in the start position.
COUNT_CASES = {
    "1 cw r10 4s": ([Hold(1.5), Circles(1, 0.10, CW, 4.0), Hold(1.5)], {}),
    "2 ccw r6 3s": ([Hold(1.5), Circles(2, 0.06, CCW, 3.0), Hold(1.5)], {}),
    "3 cw r5 5s": ([Hold(1.5), Circles(3, 0.05, CW, 5.0), Hold(1.5)], {}),
    "4 cw r3 4s": ([Hold(1.5), Circles(4, 0.03, CW, 4.0), Hold(1.5)], {}),
    "5 cw r8 2s": ([Hold(1.5), Circles(5, 0.08, CW, 2.0), Hold(1.5)], {}),
    "7 ccw r15 6s": ([Hold(1.5), Circles(7, 0.15, CCW, 6.0), Hold(1.5)], {}),
    "3 ccw r20 8s": ([Hold(1.5), Circles(3, 0.20, CCW, 8.0), Hold(1.5)], {}),
    "10 ccw r12 2.5s": ([Hold(1.5), Circles(10, 0.12, CCW, 2.5), Hold(1.5)], {}),
    "5+5 r10 4s": ([Hold(1.5), Circles(5, 0.10, CW, 4.0), Hold(2.0), Circles(5, 0.10, CCW, 4.0), Hold(1.5)], {}),
    "5+5 pauses": ([Hold(1.5), Circles(5, 0.08, CW, 3.0, pauses=((1.5, 2.0), (3.25, 1.5))), Hold(2.0),
                    Circles(5, 0.08, CCW, 3.0, pauses=((2.4, 2.5),)), Hold(1.5)], {}),
    "6 cw speed 2→8s": ([Hold(1.5), Circles(6, 0.10, CW, (2.0, 8.0)), Hold(1.5)], {}),
    "5 ccw speed 7→3s": ([Hold(1.5), Circles(5, 0.09, CCW, (7.0, 3.0)), Hold(1.5)], {}),
    "4 cw ellipse fwd-back": ([Hold(1.5), Circles(4, 0.08, CW, 4.0, minor_ratio=0.5), Hold(1.5)], {}),
    "4 ccw ellipse sideways": ([Hold(1.5), Circles(4, 0.08, CCW, 4.0, minor_ratio=0.5, major_axis_deg=90),
                                Hold(1.5)], {}),
    "5 cw sitting back": ([Hold(1.5), Circles(5, 0.10, CW, 4.0, centre_back_m=0.04), Hold(1.5)], {}),
    "5+5 noisy": ([Hold(1.5), Circles(5, 0.08, CW, 4.0), Hold(2.0), Circles(5, 0.08, CCW, 4.0), Hold(1.5)], NOISY),
    "5+5 dropouts": ([Hold(1.5), Circles(5, 0.08, CW, 3.0), Hold(2.0), Circles(5, 0.08, CCW, 3.0), Hold(1.5)],
                     DROPS),
    "3 cw then 2 ccw": ([Hold(1.5), Circles(3, 0.10, CW, 3.5, return_to_centre=False),
                         Circles(2, 0.10, CCW, 3.5), Hold(1.5)], {}),
    "3.6 cw: partial at the end": ([Hold(1.5), Circles(3.6, 0.10, CW, 4.0), Hold(1.5)], {}),
    "5 cw, stand up, 5 ccw": ([Hold(1.5), Circles(5, 0.09, CW, 3.0), Hold(1.0), StandUp(7.0), Hold(1.5),
                               Circles(5, 0.09, CCW, 3.0), Hold(1.5)], {}),
}

#: Movements that are not circles: zero reps, zero partials.
ZERO_CASES = {
    "still hold": ([Hold(20.0)], {}),
    "still hold noisy": ([Hold(20.0)], NOISY),
    "fidgets": ([Hold(1.0), Fidget(20.0, 0.01, seed=3), Hold(1.0)], {}),
    "rocking fwd-back": ([Hold(1.5), Rock(6, 0.08, 3.0, axis_deg=0), Hold(1.5)], {}),
    "rocking side to side": ([Hold(1.5), Rock(6, 0.06, 2.5, axis_deg=90), Hold(1.5)], {}),
    "rocking diagonal noisy": ([Hold(1.5), Rock(6, 0.10, 3.0, axis_deg=45), Hold(1.5)], NOISY),
    "stand up and back": ([Hold(2.0), StandUp(8.0), Hold(3.0)], {}),
}

VIEWS = ("side", "45", "behind")


@lru_cache(maxsize=None)
def scripted(name: str) -> PelvisScript:
    segments, _ = {**COUNT_CASES, **ZERO_CASES}[name]
    return pelvis_script(segments)


@lru_cache(maxsize=None)
def filmed(name: str, view: str):
    """(script, PoseSequence) for a named case seen from ``view`` (seeded by the name)."""
    _, options = {**COUNT_CASES, **ZERO_CASES}[name]
    script = scripted(name)
    return script, render_quadruped(script, view=view, seed=zlib.crc32(f"{name}/{view}".encode()) % 10_000,
                                    **options)


def assert_live_reps_are_real(live, saved, *, max_missed: int) -> None:
    """Every circle counted live is one the saved analysis found (same direction, its middle within
    that circle's time span), at most ``max_missed`` per direction are missing, none is extra."""
    for rep in live.reps:
        mid = (rep.start_s + rep.end_s) / 2
        assert any(s.direction == rep.direction and s.start_s - 0.5 <= mid <= s.end_s + 0.5 for s in saved.reps)
    for d in ("clockwise", "counterclockwise"):
        assert getattr(saved, d) - max_missed <= getattr(live, d) <= getattr(saved, d)
    got = [r.direction for r in live.reps]
    assert got == sorted(got)  # all clockwise ones come first, as in the script
def assert_never_over(shown: list[dict], saved: dict[str, int]) -> None:
    """Assert a live run's ``shown`` counts never exceed the saved ones, direction by direction."""
    assert all(e[k] <= v for e in shown for k, v in saved.items()), (shown, saved)


def check_shown(shown: list[dict], saved: dict[str, int], reps: list[dict]) -> list[float]:
    """Assert a live run's ``shown`` timeline ends at the saved counts and never exceeds them; returns, per
    saved circle, how long after its end (s) the view first showed it."""
    assert shown, "no shown timeline"
    assert {k: shown[-1][k] for k in saved} == saved
    assert_never_over(shown, saved)
    delays = []
    for direction in saved:
        ends = [r["end_s"] for r in reps if r["direction"] == direction]
        for n, end in enumerate(ends, start=1):
            first = next(e["t_s"] for e in shown if e[direction] >= n)
            delays.append(first - end)
    return delays


#: A set whose next one follows without a pause is judged this long after its last circle closed, seconds of
#: frame time (a circle reversed straight into the other way is seen closed only once the path has turned back:
#: 1.17 s measured on "3 cw then 2 ccw" at 45°).
SET_END_S = 1.5


def replay_live(seq, on_frame=None):
    """The live circles view (`CirclesLive`) fed ``seq`` one frame at a time, as `run_live` feeds it a camera's,
    its re-analyses on frame time (`FrameTimePool`: each ready at the next frame, a machine that keeps up).
    ``on_frame(view)`` is called after each frame. Returns (the ``shown`` timeline before the saved result was
    made, the saved `CirclesResult`)."""
    import numpy as np

    from hipvision.live.circles import CirclesLive
    from hipvision.live.circles_recount import FrameTimePool
    from hipvision.pose import FramePose

    pool = FrameTimePool()
    view = CirclesLive(source="replay", frame_size=seq.frame_size, fps=seq.fps, recount_pool=lambda: pool)
    growth = seq.hip_growth if seq.hip_growth is not None else np.full(len(seq), np.nan)
    for i, t in enumerate(seq.timestamps_s):
        pool.now_s = float(t)
        view.update(FramePose(float(t), seq.image[i], seq.visibility[i], seq.presence[i], seq.world[i],
                              hip_growth=float(growth[i])))
        if on_frame is not None:
            on_frame(view)
    shown = list(view.shown)
    return shown, view.saved_result()


def assert_live_equals_saved(shown: list[dict], saved) -> list[float]:
    """Live = saved on a replay (`replay_live`): the counts shown at the last frame are the saved ones, at the
    start of each set's first circle they are the saved circles of the sets before, and they never exceed the
    saved ones (a next set that follows without a pause: `SET_END_S` after the set's last circle closed).
    Returns, per saved circle (clockwise ones first), how long after its end the view first
    showed it, seconds of frame time."""
    counts = {"clockwise": saved.clockwise, "counterclockwise": saved.counterclockwise}
    assert {k: shown[-1][k] for k in counts} == counts, (shown[-1], counts)
    assert_never_over(shown, counts)
    so_far = dict.fromkeys(counts, 0)
    for prev, rep in zip(saved.reps, saved.reps[1:]):
        so_far[prev.direction] += 1
        if rep.direction != prev.direction:  # a new set: the one before is shown whole, and no more
            at = max(rep.start_s, prev.end_s + SET_END_S)
            on_screen = [e for e in shown if e["t_s"] <= at][-1]
            assert {k: on_screen[k] for k in counts} == so_far, (at, on_screen, so_far)
    return check_shown(shown, counts, [{"direction": r.direction, "end_s": r.end_s} for r in saved.reps])


def seen_from_the_floor_behind(seq, frames=slice(None)):
    """``seq`` (on all fours, seen from behind by a camera below the hips) as the pose model drew it on rendered
    people in ``frames`` (dev seeds 5010, 5011, 6203): the shoulders, hidden behind the hips, put 80% of the way down
    to the knees in the image and 0.29 m below / 0.21 m beyond the hips in its world (the torso then reads 130-170°
    from up), and the wrists unseen."""
    image, world, vis = seq.image.copy(), seq.world.copy(), seq.visibility.copy()
    for hip, knee, shoulder in ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_SHOULDER),
                                (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_SHOULDER)):
        image[frames, shoulder, 1] = image[frames, hip, 1] + 0.8 * (image[frames, knee, 1] - image[frames, hip, 1])
        image[frames, shoulder, 0] = image[frames, hip, 0]
        world[frames, shoulder] = world[frames, hip] + np.array([0.0, 0.29, 0.21])
    for wrist in (L.LEFT_WRIST, L.RIGHT_WRIST):
        vis[frames, wrist] = 0.02
    return dataclasses.replace(seq, image=image, world=world, visibility=vis)
