"""benchmarks/accuracy.py's scoring and plan, with known answers (no rendering, no pose model)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hipvision.synthetic.render.metrics import (
    CircleVideo,
    SeatedLeg,
    SessionVideo,
    agreement,
    circles_metrics,
    circles_table,
    coverage,
    grouped,
    leg_rows,
    seated_metrics,
    seated_table,
    sessions_metrics,
    sessions_table,
)
from hipvision.synthetic.render.randomize import QUADRUPED_CONDITIONS, SEATED_CONDITIONS

from benchmark_modules import load_benchmark


def _accuracy_module():
    return load_benchmark("accuracy")


# --------------------------------------------------------------------------- metric functions

def test_agreement_reports_the_worst_error():
    a = agreement([10.0, 20.0, 30.0, 40.0], [11.0, 17.0, 30.0, np.nan])
    assert a["n"] == 3 and a["worst"] == pytest.approx(3.0)
    assert a["mae"] == pytest.approx(4 / 3) and a["bias"] == pytest.approx(-2 / 3)
    assert math.isnan(agreement([], [])["worst"])


def test_coverage_counts_truth_inside_the_interval():
    # errors 0.5, 2, 3 (and one unmeasured pair dropped); half-widths 1, 2, 2.5 → the first two cover
    c = coverage([10, 20, 30, 40], [10.5, 22, 33, np.nan], [1.0, 2.0, 2.5, 9.0])
    assert c == {"n": 3, "rate": pytest.approx(2 / 3), "median_half_width": 2.0}
    # a missing half-width never covers, and is left out of the median
    c = coverage([10, 20], [10, 20], [np.nan, 1.0])
    assert c["rate"] == 0.5 and c["median_half_width"] == 1.0
    assert math.isnan(coverage([], [], [])["rate"])
    assert coverage([22.0], [18.4], [3.6])["rate"] == 1.0   # on the edge is inside (despite float rounding)


def test_grouped_keeps_first_appearance_order_and_adds_all():
    g = grouped(["b1", "a1", "b2"], key=lambda s: s[0])
    assert list(g) == ["b", "a", "all"]
    assert g["b"] == ["b1", "b2"] and g["all"] == ["b1", "b2", "a1"]


def _leg(cond, truth, held, unc, status, resting=False, leg="left"):
    return SeatedLeg(cond, f"v-{cond}", leg, truth, resting, held, unc, status)


def test_leg_rows_take_the_best_inward_effort_and_find_resting_legs():
    efforts = [{"leg": "left", "held_deg": 20.0}, {"leg": "left", "held_deg": 35.0},
               {"leg": "right", "held_deg": -12.0}]   # the right leg only rotated outward: it rests for IR
    result = {"left": {"held_deg": 36.1, "uncertainty_deg": 2.0, "status": "measured"},
              "right": {"held_deg": 0.0, "uncertainty_deg": None, "status": "no effort"}}
    left, right = leg_rows(efforts, result, condition="front", video="v")
    assert (left.truth_deg, left.resting, left.held_deg, left.uncertainty_deg) == (35.0, False, 36.1, 2.0)
    assert (right.truth_deg, right.resting, right.status) == (0.0, True, "no effort")
    assert math.isnan(right.uncertainty_deg) and right.no_effort_ok
    missed = leg_rows(efforts, {"left": {"held_deg": 0.0, "status": "no effort"}}, condition="front", video="v")[0]
    assert not missed.resting and not missed.no_effort_ok   # a leg that rotated, read "no effort": wrong


def test_seated_metrics_known_answers():
    legs = [_leg("front", 30.0, 31.0, 2.0, "measured"),          # error +1, covered
            _leg("front", 40.0, 37.0, 2.0, "measured"),          # error −3, not covered
            _leg("front", 20.0, math.nan, math.nan, "not held"),  # missed
            _leg("front", 0.0, 0.0, math.nan, "no effort", resting=True),
            _leg("front", 0.0, 2.0, 1.0, "measured", resting=True)]   # the top of the noise: wrong
    m = seated_metrics(legs)
    assert (m["legs"], m["moved"], m["missed"], m["resting"], m["no_effort_ok"]) == (5, 3, 1, 2, 1)
    assert m["n"] == 4 and m["mae"] == pytest.approx(6 / 4) and m["bias"] == pytest.approx(0.0)
    assert m["worst"] == 3.0
    assert m["coverage"]["n"] == 2 and m["coverage"]["rate"] == 0.5 and m["coverage"]["median_half_width"] == 2.0


def test_seated_table_has_a_row_per_condition_and_overall():
    legs = [_leg("front", 30.0, 31.0, 2.0, "measured"), _leg("floor", 30.0, 34.0, 2.0, "measured")]
    text, out = seated_table(legs, {"front": (2, 2, 0), "floor": (3, 1, 1)})
    assert list(out) == ["front", "floor", "all"]
    assert out["all"]["mae"] == 2.5 and out["all"]["worst"] == 4.0
    assert out["all"]["efforts"] == {"true": 5, "found": 3, "extra": 1}
    rows = text.splitlines()
    assert len(rows) == 2 + 3 and rows[-1].startswith("| **all** |") and "| 3/5 | 1 |" in rows[-1]


def _video(cond="side", truth=(3, 3), measured=(3, 3), confidence="high", negative=False, **kw):
    return CircleVideo(cond, f"v-{cond}", negative, truth, measured, kw.pop("order_ok", True), confidence, **kw)


def test_wrong_and_high_is_a_wrong_count_with_high_confidence():
    assert _video(measured=(3, 2), confidence="high").wrong_and_high
    assert not _video(measured=(3, 2), confidence="low").wrong_and_high
    assert not _video(confidence="high").wrong_and_high
    assert _video(truth=(0, 0), measured=(1, 0), negative=True).wrong_and_high   # circles on rocking, "high"
    swapped = _video(order_ok=False)   # right counts, the sets turning the wrong way round: not exact, not wrong-and-high
    assert swapped.counts_ok and not swapped.exact and not swapped.wrong_and_high


def test_circles_metrics_known_answers():
    videos = [
        _video("side", directions_ok=(True, True, True, False), edge_errors_s=(0.1, -0.2, 0.4, 0.0),
               radii_cm=((10.0, 9.0), (10.0, 12.0), (10.0, 5.0)),
               radii_estimated=(False, False, True)),  # exact, radius errors 10% and 20%, one size an estimate
        _video("side", measured=(2, 3), confidence="low", radii_cm=((10.0, 5.0),), start_ok=False),  # wrong, low:
        # radius not used; its neutral start told to move
        _video("side", truth=(0, 0), measured=(0, 1), confidence="low", negative=True, start_ok=True),  # not counted
    ]
    m = circles_metrics(videos)
    assert (m["videos"], m["exact"], m["wrong_and_high"], m["low_confidence"]) == (2, 1, 0, 2)
    assert m["count_match_rate"] == 0.5 and m["direction_accuracy"] == 0.75
    assert (m["negatives"], m["false_circles"]) == (1, 1)
    assert m["edge_median_s"] == pytest.approx(0.15) and m["edge_max_s"] == pytest.approx(0.4)
    assert m["edge_within_0_3s"] == 0.75
    assert m["radius_reps_high"] == 2 and m["radius_median_rel_error"] == pytest.approx(0.15)
    assert m["radius_within_15pct"] == 0.5 and m["radius_reps_estimated_high"] == 1
    assert (m["start_judged"], m["start_told_to_move"]) == (1, 1)  # the first: not judged (None)
    text, out = circles_table(videos)
    assert list(out) == ["side", "all"] and text.count("\n") == 3
    assert text.splitlines()[0].endswith("| neutral start told to move / judged |") and "| 1/1 |" in text


# --------------------------------------------------------------------------- the plan

def test_plan_covers_every_condition_and_both_yaw_signs():
    acc = _accuracy_module()
    items = acc.plan(seed=acc.BENCHMARK_SEED, per_condition=2, efforts=2, negatives=2)
    seated = [it for it in items if it.spec.scene == "seated_ir"]
    assert {it.condition for it in seated} == set(SEATED_CONDITIONS)
    assert {it.condition for it in items if it.spec.scene == "hip_circles"} == set(QUADRUPED_CONDITIONS)
    for cond in SEATED_CONDITIONS:
        signs = {np.sign(it.spec.camera.heading_deg) for it in seated if it.condition == cond}
        assert signs == {-1.0, 1.0}, cond
    assert all(it.spec.camera.condition == it.condition for it in items)
    assert len({it.stem for it in items}) == len(items)
    assert sum(it.spec.scene == "rocking" for it in items) == 2
    assert sum(it.spec.scene == "sitting_still" for it in items) == 2
    slopes = [it.spec.options["thigh_slope_deg"] for it in seated]
    assert min(slopes) >= acc.THIGH_SLOPE_DEG[0] and max(slopes) <= acc.THIGH_SLOPE_DEG[1] and len(set(slopes)) > 1


def test_heldout_set_differs_only_in_the_seed():
    acc = _accuracy_module()
    bench, held = acc.plan(seed=acc.BENCHMARK_SEED), acc.plan(seed=acc.HELDOUT_SEED)
    assert [(it.stem, it.condition, it.spec.options.keys()) for it in bench] == \
        [(it.stem, it.condition, it.spec.options.keys()) for it in held]
    # no held-out video is a benchmark video: the render seeds are hashed (`video_seed`), so none is shared
    assert not {it.spec.seed for it in bench} & {it.spec.seed for it in held}


def test_benchmark_scores_efforts_and_circles():
    """seated_rows / circle_row (per effort and per video; benchmarks/models.py uses them)."""
    acc = _accuracy_module()
    truth = {"rotation": {"efforts": [
        {"leg": "left", "start_s": 2.0, "end_s": 4.0, "move_start_s": 1.0, "move_end_s": 5.0, "held_deg": 40.0},
        {"leg": "right", "start_s": 7.0, "end_s": 9.0, "move_start_s": 6.0, "move_end_s": 10.0, "held_deg": 25.0}]},
        "circles": {"total": 2, "clockwise": 1, "counterclockwise": 1, "reps": [
            {"direction": "clockwise", "start_s": 1.0, "end_s": 4.0, "radius_cm": 8.0},
            {"direction": "counterclockwise", "start_s": 6.0, "end_s": 9.0, "radius_cm": 6.0}]}}
    rotation = {"left": {"efforts": [{"start_s": 2.2, "end_s": 3.9, "held_deg": 37.0},
                                     {"start_s": 12.0, "end_s": 14.0, "held_deg": 20.0}]},
                "right": {"efforts": []}}
    rows, extra = acc.seated_rows(truth, rotation)
    assert [(r["leg"], r["truth_deg"]) for r in rows] == [("left", 40.0), ("right", 25.0)]
    assert rows[0]["measured_deg"] == 37.0 and np.isnan(rows[1]["measured_deg"]) and extra == 1
    circles = {"total": 2, "clockwise": 2, "counterclockwise": 0, "reps": [
        {"direction": "clockwise", "start_s": 1.1, "end_s": 4.2, "radius_cm": 7.0},
        {"direction": "clockwise", "start_s": 6.1, "end_s": 9.0, "radius_cm": 6.5}]}
    row = acc.circle_row(truth, circles)
    assert row["exact"] is False and row["direction_ok"] == [True, False]
    assert row["radius"] == [(8.0, 7.0), (6.0, 6.5)]
    swapped = {"total": 2, "clockwise": 1, "counterclockwise": 1, "reps": [
        {"direction": "counterclockwise", "start_s": 1.1, "end_s": 4.2, "radius_cm": 7.0},
        {"direction": "clockwise", "start_s": 6.1, "end_s": 9.0, "radius_cm": 6.5}]}
    row = acc.circle_row(truth, swapped)  # right counts per direction, each set the wrong way round
    assert row["counts"] is True and row["exact"] is False
    assert acc.circle_row(truth, {**swapped, "reps": list(reversed(swapped["reps"]))})["exact"] is True


def test_circle_video_from_truth_and_result():
    acc = _accuracy_module()
    item = acc.Item("circles-side-0", type("S", (), {"scene": "hip_circles"})(), "side")
    truth = {"circles": {"clockwise": 1, "counterclockwise": 1, "reps": [
        {"direction": "clockwise", "start_s": 1.0, "end_s": 4.0, "radius_cm": 8.0},
        {"direction": "counterclockwise", "start_s": 6.0, "end_s": 9.0, "radius_cm": 6.0}]}}
    result = {"clockwise": 2, "counterclockwise": 0, "confidence": "high", "reps": [
        {"direction": "clockwise", "start_s": 1.1, "end_s": 4.2, "radius_cm": 7.0},
        {"direction": "clockwise", "start_s": 6.1, "end_s": 9.0, "radius_cm": 6.5, "size_estimated": True}]}
    v = acc.circle_video(item, truth, result)
    assert v.wrong_and_high and not v.exact and v.directions_ok == (True, False)
    assert v.edge_errors_s == pytest.approx((0.1, 0.2, 0.1, 0.0)) and v.radii_cm == ((8.0, 7.0), (6.0, 6.5))
    assert v.radii_estimated == (False, True)


def test_seated_video_counts_found_and_extra_efforts():
    acc = _accuracy_module()
    item = acc.Item("seated-front-0", type("S", (), {"scene": "seated_ir"})(), "front")
    truth = {"rotation": {"efforts": [
        {"leg": "left", "start_s": 2.0, "end_s": 4.0, "move_start_s": 1.0, "move_end_s": 5.0, "held_deg": 40.0},
        {"leg": "right", "start_s": 7.0, "end_s": 9.0, "move_start_s": 6.0, "move_end_s": 10.0, "held_deg": 25.0}]}}
    result = {"left": {"held_deg": 37.0, "uncertainty_deg": 2.0, "status": "measured",
                       "efforts": [{"start_s": 2.2, "end_s": 3.9, "held_deg": 37.0},
                                   {"start_s": 12.0, "end_s": 14.0, "held_deg": 20.0}]},
              "right": {"held_deg": None, "status": "not held", "efforts": []}}
    legs, n_true, found, extra = acc.seated_video(item, truth, result)
    assert (n_true, found, extra) == (2, 1, 1)
    assert [(r.leg, r.truth_deg, r.status) for r in legs] == [("left", 40.0, "measured"), ("right", 25.0, "not held")]


def test_outfits_include_long_trousers_dressed_like_the_shorts():
    from hipvision.synthetic.render.body import Outfit
    from hipvision.synthetic.render.randomize import TROUSERS_PROBABILITY, draw_outfit

    outfits = [draw_outfit(np.random.default_rng(seed)) for seed in range(400)]
    trousers = [o for o in outfits if o["lower_leg"] is not None]
    assert abs(len(trousers) / len(outfits) - TROUSERS_PROBABILITY) < 0.08
    assert all(o["lower_leg"] == o["shorts"] for o in trousers)
    assert Outfit(**outfits[0]).lower_leg == outfits[0]["lower_leg"]   # the sidecar's outfit dresses a body


def test_seated_conditions_reach_floor_and_overhead_cameras_and_both_yaw_sizes():
    pitch = {name: c["pitch"] for name, c in SEATED_CONDITIONS.items()}
    assert min(lo for lo, _ in pitch.values()) <= -12 and max(hi for _, hi in pitch.values()) >= 45
    headings = [c["heading"] for c in SEATED_CONDITIONS.values()]
    assert any(lo <= 10 <= hi for lo, hi in headings) and any(lo <= 25 <= hi for lo, hi in headings)
    assert max(hi for lo, hi in (c["roll"] for c in SEATED_CONDITIONS.values())) >= 8


def test_several_seeds_pool_into_one_table(tmp_path, monkeypatch):
    """`--seed A B` reads each seed's own cache (``{seed}`` in ``--cache``) and scores all their videos together:
    two circle videos per seed, exact in seed 1 and counted 0 + 0 in seed 2, give 2 of 4 exact."""
    acc = _accuracy_module()
    monkeypatch.setattr(acc, "rendered", lambda items, cache: [it for it in items if it.spec.scene == "hip_circles"][:2])
    monkeypatch.setattr(acc, "load_sidecar",
                        lambda path: {"circles": {"clockwise": 2, "counterclockwise": 2, "total": 4, "reps": []}})
    counted = {"1": (2, 2), "2": (0, 0)}
    monkeypatch.setattr(acc, "analyse", lambda stem, cache, kind, model: {
        "clockwise": counted[cache.name][0], "counterclockwise": counted[cache.name][1], "reps": [],
        "confidence": "low"})
    out = tmp_path / "pooled.json"
    assert acc.main(["--part", "circles", "--skip-missing", "--seed", "1", "2", "--cache", str(tmp_path / "{seed}"),
                     "--json", str(out)]) == 0
    from hipvision.io import read_json

    metrics = read_json(out)
    assert metrics["set"] == "pooled" and metrics["seed"] == [1, 2] and metrics["videos"] == 4
    assert metrics["circles"]["all"]["videos"] == 4 and metrics["circles"]["all"]["exact"] == 2


def test_another_frame_rate_and_size_film_the_same_people_rooms_cameras_and_motions():
    acc = _accuracy_module()
    parts = ("seated", "circles", "sessions")
    base, other = acc.plan(seed=7, parts=parts), acc.plan(seed=7, parts=parts, fps=30.0, size=(1280, 720))
    assert len(base) == len(other) > 40
    for a, b in zip(base, other):
        assert (b.spec.fps, b.spec.width, b.spec.height) == (30.0, 1280, 720)
        assert (a.stem, a.spec.seed, a.spec.body, a.spec.outfit, a.spec.room, a.spec.camera, a.spec.segments,
                a.spec.options) == (b.stem, b.spec.seed, b.spec.body, b.spec.outfit, b.spec.room, b.spec.camera,
                                    b.spec.segments, b.spec.options)
    assert {(it.spec.fps, it.spec.width, it.spec.height) for it in base} == {(15.0, 640, 480)}


@pytest.mark.parametrize("argv", [
    ["--size", "1280"], ["--size", "1279x720"], ["--size", "axb"]])
def test_a_frame_size_that_is_not_width_x_height_is_refused(argv):
    with pytest.raises(SystemExit) as exc:
        _accuracy_module().main(argv)
    assert exc.value.code == 2


@pytest.mark.parametrize("argv", [
    ["--seed", "1", "2", "--skip-missing"],                       # one default cache for two seeds
    ["--seed", "1", "2", "--cache", "/x/{seed}"],                 # pooling would render: not without --skip-missing
    ["--heldout", "--seed", "1"],
])
def test_pooling_arguments_that_cannot_work_are_refused(argv):
    with pytest.raises(SystemExit) as exc:
        _accuracy_module().main(argv)
    assert exc.value.code == 2


def test_neighbouring_base_seeds_share_no_video():
    """Base seeds a few apart (as consecutive held-out seeds are) render different videos: the render seeds
    are hashed, not offsets that one seed's search for a yaw sign could walk into the next seed's."""
    acc = _accuracy_module()
    seen: dict[tuple, int] = {}
    for base in range(10013, 10041, 2):
        for it in acc.plan(seed=base, per_condition=2, negatives=2):
            key = (it.spec.scene, it.spec.seed)
            assert key not in seen, (base, it.stem, seen.get(key))
            seen[key] = base
    assert acc.video_seed(10037, "seated_ir", "far", 0) != acc.video_seed(10039, "seated_ir", "far", 0)
    assert acc.video_seed(10037, "seated_ir", "far", 0) == acc.video_seed(10037, "seated_ir", "far", 0)


def test_pose_cache_older_than_its_video_is_extracted_again(tmp_path, monkeypatch):
    """A video rendered again (a new spec) must not be analysed with the poses of the video it replaced."""
    import os

    import hipvision.pose as pose_mod
    from hipvision.io import save_sequence

    acc = _accuracy_module()
    old = _tiny_sequence(5)
    new = _tiny_sequence(7)
    save_sequence(old, tmp_path / "v.full.poses.npz")
    (tmp_path / "v.mp4").write_bytes(b"video")
    os.utime(tmp_path / "v.full.poses.npz", (1_000, 1_000))
    os.utime(tmp_path / "v.mp4", (2_000, 2_000))
    monkeypatch.setattr(pose_mod, "poses_from_input", lambda *a, **k: new)
    assert len(acc.poses("v", tmp_path, "full").timestamps_s) == 7
    os.utime(tmp_path / "v.mp4", (500, 500))     # now older than the poses just saved: they are reused
    monkeypatch.setattr(pose_mod, "poses_from_input", lambda *a, **k: old)
    assert len(acc.poses("v", tmp_path, "full").timestamps_s) == 7


def _tiny_sequence(n: int):
    from hipvision.sequence import PoseSequence

    return PoseSequence(np.arange(n) / 15.0, np.full((n, 33, 3), 0.5), np.ones((n, 33)), np.ones((n, 33)),
                        np.zeros((n, 33, 3)), (640, 480), 15.0, model="full", hip_growth=np.zeros(n))


# --------------------------------------------------------------------------- whole sessions


def test_sessions_plan_turns_the_person_on_all_fours_to_every_placement():
    """One session per placement; the camera stays a seated "front" camera and the person's heading on all fours
    lies in the placement's range (either way round); the seated and circles parts are not in it."""
    acc = _accuracy_module()
    items = acc.plan(seed=acc.BENCHMARK_SEED, parts=("sessions",))
    assert [it.condition for it in items] == list(acc.SESSION_PLACEMENTS)
    for it in items:
        assert it.part == "sessions" and it.spec.scene == "session" and it.spec.camera.condition == "front"
        lo, hi = acc.SESSION_PLACEMENTS[it.condition]
        on_all_fours = [seg for seg in it.spec.segments if seg.kind == "quadruped"]
        assert len(on_all_fours) == 1 and lo <= abs(on_all_fours[0].heading_deg) <= hi, it.stem
    assert not [it for it in acc.plan(seed=acc.BENCHMARK_SEED) if it.part == "sessions"]


def test_session_scene_keeps_its_side_on_default():
    """Without ``circles_heading`` a session is drawn exactly as before the option (the bundled sample's spec)."""
    from hipvision.synthetic.render.scenes import make_spec

    old = make_spec("session", 3, options={"per_direction": 3, "efforts": 2})
    same = make_spec("session", 3, options={"per_direction": 3, "efforts": 2, "circles_heading": (75.0, 100.0)})
    assert [s.heading_deg for s in old.segments] == [s.heading_deg for s in same.segments]
    assert 75 <= abs(old.segments[2].heading_deg) <= 100


def _session_truth():
    return {"circles": {"clockwise": 2, "counterclockwise": 2, "reps": [
        {"direction": d} for d in ("clockwise", "clockwise", "counterclockwise", "counterclockwise")]},
        "change_deg": {"left": 10.0, "right": 5.0}}


def _session_result(counts=(2, 2), confidence="high", change=(11.0, 2.0), pm=(3.0, 2.0)):
    reps = [{"direction": "clockwise"}] * counts[0] + [{"direction": "counterclockwise"}] * counts[1]
    circles = {"clockwise": counts[0], "counterclockwise": counts[1], "total": sum(counts), "reps": reps,
               "confidence": confidence}
    return {"phases": [{"kind": "seated", "status": "analysed"},
                       {"kind": "quadruped", "status": "analysed", "confidence": confidence, "result": circles},
                       {"kind": "seated", "status": "analysed"}],
            "change_deg": {"left": change[0], "right": change[1]},
            "change_uncertainty_deg": {"left": pm[0], "right": pm[1]}}


def test_session_video_from_truth_and_result():
    acc = _accuracy_module()
    item = acc.Item("session-side-0", type("S", (), {"scene": "session"})(), "side")
    right = acc.session_video(item, _session_truth(), _session_result())
    assert right.exact and right.credited and not right.credited_wrong and not right.wrong_and_high
    assert right.change_true == (10.0, 5.0) and right.change_measured == (11.0, 2.0) and right.change_pm == (3.0, 2.0)
    wrong = acc.session_video(item, _session_truth(), _session_result(counts=(2, 1)))
    assert wrong.wrong_and_high and wrong.credited_wrong           # a wrong count credited: what must never happen
    low = acc.session_video(item, _session_truth(), _session_result(counts=(2, 1), confidence="low"))
    assert not low.credited and not low.wrong_and_high
    none = acc.session_video(item, _session_truth(), {"phases": [], "change_deg": {"left": None, "right": None}})
    assert not none.circles_found and none.measured == (0, 0) and none.change_measured == (None, None)


def test_sessions_metrics_known_answers():
    v = lambda **k: SessionVideo(**{"condition": "side", "video": "v", "circles_found": True, "truth": (2, 2),
                                    "measured": (2, 2), "order_ok": True, "confidence": "high", "credited": True,
                                    "change_true": (10.0, 5.0), "change_measured": (11.0, 2.0),
                                    "change_pm": (3.0, 2.0), **k})
    videos = [v(), v(condition="behind", measured=(0, 0), confidence="low", credited=False, circles_found=False,
                 change_measured=(9.0, None), change_pm=(0.5, None))]
    m = sessions_metrics(videos)
    assert (m["videos"], m["circles_found"], m["exact"], m["high"], m["wrong_and_high"]) == (2, 1, 1, 1, 0)
    assert (m["credited"], m["credited_wrong"], m["legs"], m["legs_reported"]) == (1, 0, 4, 3)
    assert m["change_mae"] == pytest.approx((1 + 3 + 1) / 3) and m["change_worst"] == 3.0
    assert m["change_inside"] == 1                                  # 1 inside ± 3; 3 outside ± 2; 1 outside ± 0.5
    text, out = sessions_table(videos)
    assert list(out) == ["side", "behind", "all"] and "| **all** | 2 | 1/2 | 1/2 |" in text
