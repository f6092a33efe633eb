"""Rendered people with known answers (hipvision.synthetic.render).

The scripting, posing, sidecar and matching logic is numpy-only and tested on a
toy stick rig. Tests that render need the ``synth`` extra (torch, anny, pyrender)
and skip without it; CI does not install it.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest

from hipvision.core.circles.depth import depth_axes
from hipvision.synthetic.render import posing
from hipvision.synthetic.render.geometry import axis_angle, ir_rotation_sign, rotation_between, two_bone_ik, unit
from hipvision.synthetic.render.rig import Pose, Rig, forward_kinematics, posed_joints, skin, slerp
from hipvision.synthetic.render.scenes import SCENES, make_spec, truth_summary
from hipvision.synthetic.render.script import CircleSet, Effort, Hold, Quadruped, Seated, Standing, circle_truth, evaluate
from hipvision.synthetic.render.sidecar import build_sidecar, change_deg, load_sidecar, match_efforts, phases

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
HAS_EXTRA = all(importlib.util.find_spec(m) is not None for m in ("torch", "anny", "pyrender"))
needs_extra = pytest.mark.skipif(not HAS_EXTRA, reason="needs the 'synth' extra (torch, anny, pyrender): "
                                 "pip install 'hipvision[synth]'")


# --------------------------------------------------------------------------- a toy stick rig

def _toy_rig() -> Rig:
    """A stick figure with the bone names the posing code uses (standing, facing +Z, left at +X)."""
    bones: list[tuple[str, str | None, tuple[float, float, float]]] = [
        ("root", None, (0, 0.95, 0)), ("spine05", "root", (0, 0.95, 0)), ("spine04", "spine05", (0, 1.05, 0)),
        ("spine03", "spine04", (0, 1.15, 0)), ("spine02", "spine03", (0, 1.25, 0)), ("spine01", "spine02", (0, 1.35, 0)),
        ("neck01", "spine01", (0, 1.45, 0)), ("neck02", "neck01", (0, 1.50, 0)), ("neck03", "neck02", (0, 1.55, 0)),
        ("head", "neck03", (0, 1.60, 0)),
    ]
    for s, x in (("L", 1.0), ("R", -1.0)):
        bones += [
            (f"pelvis.{s}", "root", (0, 0.95, 0)), (f"upperleg01.{s}", f"pelvis.{s}", (0.09 * x, 0.92, 0)),
            (f"upperleg02.{s}", f"upperleg01.{s}", (0.095 * x, 0.72, 0)), (f"lowerleg01.{s}", f"upperleg02.{s}", (0.1 * x, 0.50, 0)),
            (f"lowerleg02.{s}", f"lowerleg01.{s}", (0.1 * x, 0.30, 0)), (f"foot.{s}", f"lowerleg02.{s}", (0.1 * x, 0.08, 0)),
            (f"toe3-1.{s}", f"foot.{s}", (0.11 * x, 0.02, 0.15)),
            (f"clavicle.{s}", "spine01", (0.03 * x, 1.40, 0)), (f"shoulder01.{s}", f"clavicle.{s}", (0.12 * x, 1.42, 0)),
            (f"upperarm01.{s}", f"shoulder01.{s}", (0.19 * x, 1.40, 0)), (f"upperarm02.{s}", f"upperarm01.{s}", (0.22 * x, 1.27, 0)),
            (f"lowerarm01.{s}", f"upperarm02.{s}", (0.25 * x, 1.12, 0.02)), (f"lowerarm02.{s}", f"lowerarm01.{s}", (0.27 * x, 1.00, 0.04)),
            (f"wrist.{s}", f"lowerarm02.{s}", (0.29 * x, 0.87, 0.06)), (f"finger2-1.{s}", f"wrist.{s}", (0.29 * x, 0.80, 0.09)),
            (f"finger3-1.{s}", f"wrist.{s}", (0.30 * x, 0.79, 0.075)), (f"finger5-1.{s}", f"wrist.{s}", (0.31 * x, 0.80, 0.04)),
            (f"eye.{s}", "head", (0.03 * x, 1.65, 0.08)),
        ]
    labels = tuple(b[0] for b in bones)
    parents = np.array([-1 if p is None else labels.index(p) for _, p, _ in bones])
    # Parents must come first: reorder by depth.
    order = sorted(range(len(bones)), key=lambda i: _depth(parents, i))
    labels = tuple(labels[i] for i in order)
    parents = np.array([-1 if bones[i][1] is None else labels.index(bones[i][1]) for i in order])
    heads = np.array([bones[i][2] for i in order], float)
    n = len(labels)
    return Rig(labels=labels, parents=parents, heads=heads, vertices=heads.copy(), weights=np.ones((n, 1)),
               indices=np.arange(n)[:, None], faces=np.zeros((0, 3), int))


def _depth(parents, i):
    d = 0
    while parents[i] >= 0:
        i, d = parents[i], d + 1
    return d


@pytest.fixture(scope="module")
def toy():
    return _toy_rig()


# --------------------------------------------------------------------------- geometry

def test_two_bone_ik_keeps_lengths_and_reaches():
    root, target = np.zeros(3), np.array([0.3, -0.4, 0.1])
    mid, end = two_bone_ik(root, target, 0.3, 0.28, pole=np.array([0, 0, -1.0]))
    assert np.allclose(end, target)
    assert np.linalg.norm(mid - root) == pytest.approx(0.3)
    assert np.linalg.norm(end - mid) == pytest.approx(0.28)
    assert mid[2] < 0  # bends toward the pole


def test_two_bone_ik_clamps_out_of_reach():
    mid, end = two_bone_ik(np.zeros(3), np.array([0, -2.0, 0]), 0.3, 0.3, pole=np.array([0, 0, -1.0]))
    assert np.linalg.norm(end) == pytest.approx(0.6 * 0.999)


@pytest.mark.parametrize("a,b", [((1, 0, 0), (0, 1, 0)), ((0, 0, 1), (0, 0, -1)), ((1, 2, 3), (1, 2, 3))])
def test_rotation_between(a, b):
    r = rotation_between(np.array(a, float), np.array(b, float))
    assert np.allclose(r @ unit(np.array(a, float)), unit(np.array(b, float)), atol=1e-9)
    assert np.allclose(r @ r.T, np.eye(3), atol=1e-9)


@pytest.mark.parametrize("side,lateral", [("left", (1, 0, 0)), ("right", (-1, 0, 0))])
def test_ir_sign_moves_foot_laterally(side, lateral):
    thigh, down, lat = np.array([0, 0, 1.0]), np.array([0, -1.0, 0]), np.array(lateral, float)
    s = ir_rotation_sign(thigh, down, lat)
    moved = axis_angle(thigh, s * np.radians(30)) @ down
    assert np.dot(moved, lat) == pytest.approx(np.sin(np.radians(30)))


def test_slerp_halfway():
    a, b = np.eye(3), axis_angle(np.array([0, 1.0, 0]), np.radians(80))
    assert np.allclose(slerp(a, b, 0.5), axis_angle(np.array([0, 1.0, 0]), np.radians(40)))


# --------------------------------------------------------------------------- rig and poses

def test_fk_rotation_moves_children_about_parent_head(toy):
    r = axis_angle(np.array([1.0, 0, 0]), np.radians(-90))  # thigh forward
    pose = Pose({"thigh.L": r}, toy.heads[0])
    heads, _ = forward_kinematics(toy, pose)
    hip, knee = heads[toy.bone("upperleg01.L")], heads[toy.bone("lowerleg01.L")]
    assert np.allclose(hip, toy.rest_joint("hip.L"))
    assert knee[2] > hip[2] + 0.4 and abs(knee[1] - hip[1]) < 0.02
    assert np.allclose(skin(toy, pose), heads)  # one vertex per bone head, weight 1


@pytest.mark.parametrize("ir_left,ir_right", [(0, 0), (30, 0), (0, 45), (-15, 20)])
def test_seated_ir_truth(toy, ir_left, ir_right):
    geom = posing.seated_geometry(toy)
    pose = posing.seated_pose(toy, geom, ir_left_deg=ir_left, ir_right_deg=ir_right)
    j = posed_joints(toy, pose)
    for s, ir, sign in (("L", ir_left, 1), ("R", ir_right, -1)):
        axis = unit(j[f"knee.{s}"] - j[f"hip.{s}"])
        shank = j[f"ankle.{s}"] - j[f"knee.{s}"]
        shank_perp = unit(shank - np.dot(shank, axis) * axis)
        down_perp = unit(np.array([0, -1.0, 0]) - np.dot([0, -1.0, 0], axis) * axis)
        angle = np.degrees(np.arccos(np.clip(np.dot(shank_perp, down_perp), -1, 1)))
        assert angle == pytest.approx(abs(ir), abs=0.5)
        lateral_shift = sign * (j[f"ankle.{s}"][0] - j[f"knee.{s}"][0])
        assert np.sign(round(lateral_shift, 3)) == np.sign(ir)  # + IR = foot lateral
    assert j["hip.L"][1] == pytest.approx(geom.hip_height_m, abs=0.02)


@pytest.mark.parametrize("fwd,right", [(0.0, 0.0), (0.08, 0.0), (0.0, 0.08), (-0.12, -0.05)])
def test_quadruped_offsets_and_planted_contacts(toy, fwd, right):
    geom = posing.quadruped_geometry(toy)
    j0 = posed_joints(toy, posing.quadruped_pose(toy, geom))
    j = posed_joints(toy, posing.quadruped_pose(toy, geom, forward_m=fwd, right_m=right))
    mid0, mid = (j0["hip.L"] + j0["hip.R"]) / 2, (j["hip.L"] + j["hip.R"]) / 2
    assert mid[2] - mid0[2] == pytest.approx(fwd, abs=1e-6)      # forward = +Z (toward the head)
    assert -(mid[0] - mid0[0]) == pytest.approx(right, abs=1e-6)  # the person's right = -X
    for s in "LR":
        assert np.allclose(j[f"knee.{s}"], j0[f"knee.{s}"], atol=0.01)
        assert np.allclose(j[f"wrist.{s}"], j0[f"wrist.{s}"], atol=0.03)
        assert np.linalg.norm(j[f"knee.{s}"] - j[f"hip.{s}"]) == pytest.approx(toy.length(f"hip.{s}", f"knee.{s}"))


def test_placement_heading_turns_facing(toy):
    pose = posing.Placement(90.0).apply(posing.standing_pose(toy, hip_height_m=0.9))
    j = posed_joints(toy, pose)
    assert j["toe.L"][0] > j["ankle.L"][0] + 0.1  # facing +X after a 90° heading
    assert j["hip.L"][2] < j["hip.R"][2]          # the left side turned toward -Z


# --------------------------------------------------------------------------- scripts

def test_effort_profile():
    e = Effort("left", 40.0, start_s=1.0, rise_s=1.0, hold_s=2.0, fall_s=1.0, tremor_deg=0.5)
    t = np.linspace(0, 6, 601)
    a = e.angle_at(t)
    assert np.all(a[t < 1.0] == 0) and np.all(a[t > 5.0] == 0)
    hold = (t >= e.hold_start_s) & (t <= e.hold_end_s)
    assert np.abs(a[hold] - 40).max() <= 0.5 + 1e-9
    assert a[hold].mean() == pytest.approx(40, abs=0.05)


@pytest.mark.parametrize("direction,sign", [("clockwise", -1), ("counterclockwise", 1)])
def test_circle_direction_and_area(direction, sign):
    cs = CircleSet(direction, 2, start_s=0.5, period_s=2.0, radius_forward_cm=10, radius_right_cm=6, lead_s=0.5)
    tr = evaluate([Quadruped(cs.end_s + 0.5, (cs,))], fps=200)
    one = tr.rep == 1
    x, y = tr.right_cm[one], tr.forward_cm[one]          # x = right, y = forward (head at 12 o'clock)
    area = 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    assert np.sign(area) == sign                          # clockwise seen from above = negative area
    assert abs(area) == pytest.approx(np.pi * 60, rel=0.02)
    quarter = np.argmin(np.abs(tr.t_s - (cs.circles_start_s + 0.5)))
    assert np.sign(tr.right_cm[quarter]) == -sign         # clockwise: forward → the person's right


def test_tracks_and_truth_agree():
    sets = (CircleSet("clockwise", 3, 1.0, 2.5), CircleSet("counterclockwise", 2, 12.0, 2.5))
    segs = [Seated(6.0, (Effort("right", 30, 1.0),)), Standing(1.0), Quadruped(20.0, sets, (Hold(10.0, 11.5),))]
    tr = evaluate(segs, fps=20)
    truth = circle_truth(segs)
    assert [c["direction"] for c in truth] == ["clockwise"] * 3 + ["counterclockwise"] * 2
    assert sorted(set(tr.rep[tr.rep > 0])) == [1, 2, 3, 4, 5]
    for c in truth:
        frames = tr.t_s[tr.rep == c["index"]]
        assert frames.min() >= c["start_s"] - 1e-6 and frames.max() < c["end_s"]
    assert np.isnan(tr.ir_left_deg[tr.segment == 2]).all() and np.isnan(tr.forward_cm[tr.segment == 0]).all()
    assert np.nanmax(tr.ir_right_deg) == pytest.approx(30, abs=1.0)


@pytest.mark.parametrize("scene", SCENES)
def test_specs_are_seeded_and_jsonable(scene):
    a, b, c = make_spec(scene, 4), make_spec(scene, 4), make_spec(scene, 5)
    assert a.to_dict() == b.to_dict()
    assert a.to_dict() != c.to_dict()
    json.dumps(a.to_dict())
    truth = truth_summary(a.segments)
    if scene == "hip_circles":
        assert truth["circle_counts"] == {"clockwise": 5, "counterclockwise": 5}
    if scene in ("standing", "sitting_still", "rocking", "standing_rocking"):
        assert truth["efforts"] == [] and truth["circles"] == []


def test_session_truth_has_larger_second_seated_phase():
    spec = make_spec("session", 3, options={"per_direction": 3, "efforts": 2})
    truth = truth_summary(spec.segments)
    ph = phases(spec.segments, truth["efforts"], truth["circles"])
    assert [p["kind"] for p in ph] == ["seated", "other", "quadruped", "other", "seated"]
    assert ph[2]["circles"] == {"clockwise": 3, "counterclockwise": 3}
    change = change_deg(ph)
    assert all(v is None or v > 0 for v in change.values())


# --------------------------------------------------------------------------- sidecar and matching

def test_sidecar_round_trip(tmp_path):
    from hipvision.io import write_json_atomic

    segs = [Seated(5.0, (Effort("left", 35.0, 1.0),))]
    tr = evaluate(segs, fps=10)
    truth = truth_summary(segs)
    spec = {"scene": "seated_ir", "seed": 0, "fps": 10, "width": 64, "height": 48}
    side = build_sidecar(spec=spec, video_file="x.mp4", tracks=tr, segments=segs, efforts=truth["efforts"],
                         circles=truth["circles"], camera={}, body={}, joints_px={"hip.L": np.zeros((len(tr.t_s), 2))},
                         command="test", software="t")
    write_json_atomic(tmp_path / "x.json", side)
    back = load_sidecar(tmp_path / "x.json")
    assert back["rotation"]["efforts"][0]["held_deg"] == 35.0
    assert len(back["frames"]["ir_left_deg"]) == back["video"]["frame_count"] == 50
    (tmp_path / "y.json").write_text(json.dumps({"kind": "rotation"}))
    with pytest.raises(ValueError):
        load_sidecar(tmp_path / "y.json")


MATCH_CASES = [
    # measured windows, expected matched held value per truth effort
    ([(2.0, 4.0, 30.0), (8.0, 10.0, 45.0)], [30.0, 45.0]),
    ([(8.5, 9.5, 45.0)], [None, 45.0]),
    ([(2.0, 9.0, 33.0)], [33.0, None]),      # one long detection can only pair once
    ([], [None, None]),
]


@pytest.mark.parametrize("measured,expected", MATCH_CASES)
def test_match_efforts_by_overlap(measured, expected):
    truth = [{"leg": "left", "start_s": 2.0, "end_s": 4.0, "move_start_s": 1.5, "move_end_s": 4.5, "held_deg": 30},
             {"leg": "left", "start_s": 8.0, "end_s": 10.0, "move_start_s": 7.5, "move_end_s": 10.5, "held_deg": 45},
             {"leg": "right", "start_s": 3.0, "end_s": 4.0, "held_deg": 20}]
    meas = [{"start_s": a, "end_s": b, "held_deg": h} for a, b, h in measured]
    pairs = match_efforts(truth, meas, leg="left")
    assert [None if m is None else m["held_deg"] for _, m in pairs] == expected


# --------------------------------------------------------------------------- bundled samples

def _sample_sidecars():
    return sorted(SAMPLES.glob("*.json")) if SAMPLES.is_dir() else []


@pytest.mark.parametrize("sidecar", _sample_sidecars(), ids=lambda p: p.stem)
def test_bundled_sample_matches_its_sidecar(sidecar):
    import cv2

    data = load_sidecar(sidecar)
    video = sidecar.with_suffix(".mp4")
    cap = cv2.VideoCapture(str(video))
    try:
        frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    finally:
        cap.release()
    assert frames == data["video"]["frame_count"]
    assert size == (data["video"]["width"], data["video"]["height"])
    reps = {r for r in data["frames"]["rep"] if r is not None}
    assert len(reps) == data["circles"]["total"]
    for e in data["rotation"]["efforts"]:
        i = int(round((e["start_s"] + e["end_s"]) / 2 * data["video"]["fps"]))
        assert data["frames"][f"ir_{e['leg']}_deg"][i] == pytest.approx(e["held_deg"], abs=1.5)


# --------------------------------------------------------------------------- rendering (needs the extra)

@needs_extra
def test_render_small_video(tmp_path):
    from hipvision.synthetic.render.generate import is_done, render_spec

    spec = make_spec("seated_ir", 1, fps=5, width=160, height=120, options={"efforts": 1})
    side = render_spec(spec, tmp_path / "v.mp4", rig_cache=os.environ.get("HIPVISION_SYNTH_CACHE"))
    assert (tmp_path / "v.mp4").stat().st_size > 0
    assert is_done(tmp_path / "v.mp4", tmp_path / "v.json", spec)
    px = np.array(side["frames"]["joints_px"]["hip.L"])
    assert np.all((px[:, 0] > 0) & (px[:, 0] < 160) & (px[:, 1] > 0) & (px[:, 1] < 120))


# --------------------------------------------------------------------------- metrics and the pose check

def test_agreement_known_values():
    from hipvision.synthetic.render.metrics import agreement, icc_a1

    t = np.array([10.0, 20, 30, 40, 50])
    a = agreement(t, t + 2.0)
    assert a["mae"] == pytest.approx(2.0) and a["bias"] == pytest.approx(2.0)
    assert a["loa_low"] == pytest.approx(2.0) and a["loa_high"] == pytest.approx(2.0)
    assert icc_a1(t, t) == pytest.approx(1.0)
    assert icc_a1(t, t + 2.0) < 1.0                      # absolute agreement penalises the offset
    noisy = agreement(t, t + np.array([1.0, -1, 1, -1, 0]))
    assert noisy["bias"] == pytest.approx(0.0) and noisy["loa_high"] == pytest.approx(1.96 * np.sqrt(1.0))
    assert agreement([1.0, 2.0], [np.nan, 2.0])["n"] == 1
    assert np.isnan(icc_a1(np.ones(4), np.ones(4)))   # no spread: undefined


@pytest.mark.parametrize("mirror,expected", [(False, 1.0), (True, 0.0)])
def test_check_sequence_left_right(mirror, expected):
    from hipvision.landmarks import MIRROR_PERMUTATION, Landmark
    from hipvision.synthetic.render.check import check_sequence

    n, w, h = 6, 640, 480
    joints = {f"{j}.{s}": np.tile([[320 + (40 if s == "L" else -40) + 5 * k, 100 + 60 * k]], (n, 1)).astype(float)
              for k, j in enumerate(("shoulder", "wrist", "hip", "knee", "ankle")) for s in "LR"}
    image = np.full((n, 33, 3), 0.5)
    for name, idx in (("hip", "HIP"), ("knee", "KNEE"), ("ankle", "ANKLE"), ("shoulder", "SHOULDER"), ("wrist", "WRIST")):
        for s, side in (("L", "LEFT"), ("R", "RIGHT")):
            image[:, Landmark[f"{side}_{idx}"], 0] = joints[f"{name}.{s}"][:, 0] / w
            image[:, Landmark[f"{side}_{idx}"], 1] = joints[f"{name}.{s}"][:, 1] / h
    if mirror:
        image = image[:, list(MIRROR_PERMUTATION)]
    image[0] = np.nan  # one frame without a person
    seq = _sequence_of(image, w, h)
    side = {"video": {"file": "x.mp4"}, "frames": {"t_s": list(range(n)), "phase": ["seated"] * n,
                                                   "joints_px": {k: v.tolist() for k, v in joints.items()}}}
    rep = check_sequence(seq, side)
    assert rep["detection_rate"] == pytest.approx(5 / 6, abs=1e-3)
    assert rep["lr_correct"] == expected
    assert rep["phases"]["seated"]["frames"] == n
    if not mirror:
        assert rep["leg_error_px"] == pytest.approx(0.0, abs=0.01)


def _sequence_of(image: np.ndarray, w: int, h: int):
    from hipvision.sequence import PoseSequence

    n = len(image)
    vis = np.where(np.isnan(image[:, :, 0]), 0.0, 1.0)
    return PoseSequence(np.arange(n) / 10.0, image, vis, vis.copy(), np.zeros((n, 33, 3)), (w, h), 10.0)


# --------------------------------------------------------------------------- real MediaPipe on the samples

@pytest.mark.slow
@pytest.mark.parametrize("name", ["seated_ir", "standing_rocking"])
def test_pose_model_sees_rendered_person(name, model_path):
    """The rendered bodies are seen as people, with the person's left labelled left."""
    from hipvision.synthetic.render.check import check_video

    video = SAMPLES / f"{name}.mp4"
    if not video.is_file():
        pytest.skip(f"{video} is not there")
    report = check_video(video, model=model_path)
    assert report["detection_rate"] >= 0.95
    assert report["lr_correct"] >= 0.95
    for phase in report["phases"].values():
        assert phase["detection_rate"] >= 0.9


# --------------------------------------------------------------------------- benchmark studies
# (benchmarks/accuracy.py's scoring and plan: tests/test_accuracy_benchmark.py)

def test_depth_study_measures_each_signal_against_the_truth():
    """benchmarks/circles_depth_study.py: a round true path, the world depth 10 times too small, and an image
    whose hips move down 0.2 px per px across as the pelvis comes closer: ratios 1, 0.1, 0.2, all one way."""
    from benchmark_modules import load_benchmark

    study = load_benchmark("circles_depth_study")
    t = np.arange(0, 10, 1 / 20)
    across, depth = depth_axes(90.0)
    a, b = 0.08 * np.cos(2 * np.pi * t / 2.5), 0.08 * np.sin(2 * np.pi * t / 2.5)
    true_dev = a[:, None] * across + b[:, None] * depth
    world = a[:, None] * across + 0.1 * b[:, None] * depth
    img = np.stack([300 * a, 300 * 0.2 * b], axis=1)  # x across, y down (toward the camera)
    tru, wor, ima = study.window_terms(t, true_dev, world, img, 90.0, 0.5)
    assert tru[1] == pytest.approx(1.0, abs=0.05) and wor[1] == pytest.approx(0.1, abs=0.01)
    assert ima[1] == pytest.approx(0.2, abs=0.02)
    assert np.sign(tru[0]) == np.sign(wor[0]) == np.sign(ima[0])
    img_up = img * [1, -1]  # the same move seen going up the picture: the other way round
    assert np.sign(study.window_terms(t, true_dev, world, img_up, 90.0, 0.5)[2][0]) == -np.sign(tru[0])
