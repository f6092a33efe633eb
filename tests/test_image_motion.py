"""Hip-region looming (`hipvision.pose.image_motion`): known scale changes of textured frames, the
per-frame meter, and ``hip_growth`` through FramePose → SequenceBuilder → PoseSequence → .npz."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from hipvision.io import load_sequence, save_sequence
from hipvision.landmarks import NUM_LANDMARKS, Landmark as L
from hipvision.pose import FramePose, PoseTracker, SequenceBuilder, extract
from hipvision.pose import landmarker
from hipvision.pose.image_motion import HipGrowthMeter, _Region, hip_region, region_growth
from hipvision.pose.landmarker import GATE_HOLD_FRAMES
from hipvision.sequence import PoseSequence
from hipvision.io.sources import Frame, open_source
from textured_frames import CENTRE, SIZE, hip_landmarks, texture, warp, zoomed_sample_frames

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


# ------------------------------------------------------------------------------ region_growth

@pytest.mark.parametrize("half", [40.0, 110.0])  # 110: a 330 px box, shrunk to MAX_BOX_PX before the flow
@pytest.mark.parametrize("scale", [1.02, 0.98, 1.01])
def test_scaling_about_the_centre_gives_the_scale_change(scale, half):
    image = texture()
    growth = region_growth(image, warp(image, scale), CENTRE, half)
    assert growth == pytest.approx(scale - 1, abs=0.004)


@pytest.mark.parametrize("shift", [(3.0, 0.0), (0.0, -3.0), (2.0, 2.5)])
def test_translation_is_not_growth(shift):
    image = texture()
    assert abs(region_growth(image, warp(image, 1.0, shift=shift), CENTRE, 40.0)) < 0.003


@pytest.mark.parametrize("scale", [1.02, 0.98])
def test_scaling_about_a_point_outside_the_box_still_gives_the_scale(scale):
    """About a point ~170 px away the box also slides by ~3 px; the offset terms take that."""
    image = texture()
    about = (CENTRE[0] + 150.0, CENTRE[1] - 80.0)  # outside the 4 * 40 px box
    growth = region_growth(image, warp(image, scale, about=about), CENTRE, 40.0)
    assert growth == pytest.approx(scale - 1, abs=0.004)


def test_no_change_is_zero_and_unmeasurable_is_nan():
    image = texture()
    # the flow at the box's edge is not exactly 0 even for identical frames: 2e-6 here, against 1e-3 to 1e-2 for motion
    assert region_growth(image, image.copy(), CENTRE, 40.0) == pytest.approx(0.0, abs=1e-5)
    assert math.isnan(region_growth(image, image, CENTRE, 4.0))  # 9x9 = 81 pixels < 100
    assert math.isnan(region_growth(image, image, (-60.0, 100.0), 40.0))  # square outside the frame
    assert math.isnan(region_growth(image, image, (math.nan, 100.0), 40.0))
    assert math.isnan(region_growth(image, image[:-1], CENTRE, 40.0))  # frames of different sizes


def test_square_clipped_at_the_frame_edge_still_measures():
    image = texture()
    corner = (10.0, 12.0)  # the square keeps 51 x 53 of its 81 x 81 pixels
    assert region_growth(image, warp(image, 1.02, about=corner), corner, 40.0) == pytest.approx(0.02, abs=0.004)


@pytest.mark.parametrize("centre, half", [(CENTRE, 40.0), ((10.0, 12.0), 40.0), (CENTRE, 110.0)])
def test_growth_is_the_least_squares_affine_fit_over_the_square(centre, half):
    """Any flow (here random): the growth is (a0 + b1) / 2 of a plain least-squares fit of u and v over
    the fitted square's pixels (the module docstring's step 3), clipped at the edge or shrunk alike."""
    region = _Region.around(centre, half, (SIZE[1], SIZE[0]))
    x0, y0, x1, y1 = region.box
    fx0, fy0, fx1, fy1 = region.fit
    patch = region.patch(texture())
    flow = np.random.default_rng(5).normal(0.0, 1.0, (*patch.shape, 2)).astype(np.float32)
    # each flow pixel's centre in frame pixels; the fit is in the (shrunk) flow's pixels
    xs = x0 + (np.arange(patch.shape[1]) + 0.5) * (x1 - x0) / patch.shape[1] - 0.5
    ys = y0 + (np.arange(patch.shape[0]) + 0.5) * (y1 - y0) / patch.shape[0] - 0.5
    gx, gy = np.meshgrid(xs, ys)
    inside = (gx >= fx0 - 0.5) & (gx < fx1 - 0.5) & (gy >= fy0 - 0.5) & (gy < fy1 - 0.5)
    design = np.column_stack([(gx[inside] - centre[0]) * region.shrink, (gy[inside] - centre[1]) * region.shrink,
                              np.ones(inside.sum())])
    coef, *_ = np.linalg.lstsq(design, flow[inside].astype(float), rcond=None)
    assert region.growth(patch, patch, lambda a, b: flow) == pytest.approx(0.5 * (coef[0, 0] + coef[1, 1]), abs=1e-12)

# ------------------------------------------------------------------------------ HipGrowthMeter

def test_hip_region_from_landmarks():
    centre, half = hip_region(hip_landmarks(CENTRE, 100.0), SIZE)
    np.testing.assert_allclose(centre, CENTRE, atol=1e-9)
    assert half == pytest.approx(45.0)
    assert hip_region(hip_landmarks(CENTRE, 10.0), SIZE)[1] == 12.0  # never below 12 px
    assert hip_region(None, SIZE) is None
    assert hip_region(np.full((NUM_LANDMARKS, 3), np.nan), SIZE) is None


def test_meter_on_frames_growing_one_percent_per_frame():
    base = texture()
    meter = HipGrowthMeter()
    values = []
    for i in range(8):
        scale = 1.01 ** i
        bgr = cv2.cvtColor(warp(base, scale), cv2.COLOR_GRAY2BGR)
        values.append(meter.update(bgr, hip_landmarks(CENTRE, 90.0 * scale)))
    assert math.isnan(values[0])
    np.testing.assert_allclose(values[1:], 0.01, atol=0.003)


def test_meter_nan_around_a_frame_without_a_person_and_after_reset():
    base = texture()
    frames = [cv2.cvtColor(warp(base, 0.99 ** i), cv2.COLOR_GRAY2BGR) for i in range(7)]
    lms = [hip_landmarks(CENTRE, 90.0 * 0.99 ** i) for i in range(7)]
    lms[3] = None                                   # nobody in frame 3
    lms[5] = np.full((NUM_LANDMARKS, 3), np.nan)    # nor in frame 5 (a FramePose.missing row)
    meter = HipGrowthMeter()
    values = [meter.update(f, lm) for f, lm in zip(frames, lms)]
    nan = [math.isnan(v) for v in values]
    assert nan == [True, False, False, True, True, True, True]
    np.testing.assert_allclose([values[1], values[2]], -0.01, atol=0.003)
    meter.update(frames[0], lms[0])
    meter.reset()
    assert math.isnan(meter.update(frames[1], lms[1]))


def test_meter_rgb_and_bgr_frames_agree():
    """The meter must turn the colour frame into grey with the right channel order."""
    rng = np.random.default_rng(5)
    colour = cv2.GaussianBlur((rng.random((SIZE[1], SIZE[0], 3)) * 255).astype(np.uint8), (0, 0), 2.0)
    colour[..., 0] //= 4  # channels differ, so swapping them changes the grey image
    frames = [warp(colour, s) for s in (1.0, 1.02)]
    bgr_meter, rgb_meter = HipGrowthMeter(), HipGrowthMeter()
    for f in frames:
        bgr = bgr_meter.update(f, hip_landmarks(CENTRE, 90.0))
        rgb = rgb_meter.update(f[..., ::-1].copy(), hip_landmarks(CENTRE, 90.0), rgb=True)
    assert bgr == pytest.approx(rgb, abs=1e-9) and bgr == pytest.approx(0.02, abs=0.004)


def test_a_frame_not_kept_costs_nothing_and_gives_nan_next():
    """``advance(keep=False)`` (the tracker's "not on all fours"): the next growth is NaN, the one after is measured."""
    base = texture()
    frames = [cv2.cvtColor(warp(base, 1.01 ** i), cv2.COLOR_GRAY2BGR) for i in range(4)]
    lms = [hip_landmarks(CENTRE, 90.0 * 1.01 ** i) for i in range(4)]
    meter = HipGrowthMeter()
    assert meter.advance(frames[0], lms[0], keep=False) and not meter.armed
    assert math.isnan(meter.measure(frames[1]))
    assert meter.advance(frames[1], lms[1]) and meter.armed
    assert meter.measure(frames[2]) == pytest.approx(0.01, abs=0.003)


# ---------------------------------------------------------------- FramePose → PoseSequence → npz

def _poses(growth):
    return [FramePose(0.1 * i, hip_landmarks(CENTRE, 90.0), np.ones(NUM_LANDMARKS), np.ones(NUM_LANDMARKS),
                      np.zeros((NUM_LANDMARKS, 3)), hip_growth=g) for i, g in enumerate(growth)]


def test_frame_pose_defaults_to_unknown_growth():
    assert math.isnan(FramePose.missing(0.0).hip_growth)
    pose = FramePose(0.0, np.zeros((33, 3)), np.zeros(33), np.zeros(33), np.zeros((33, 3)))
    assert math.isnan(pose.hip_growth)


def test_builder_carries_hip_growth_into_the_sequence():
    builder = SequenceBuilder(fps=10, frame_size=SIZE, source="s", model="m")
    for pose in _poses([math.nan, 0.01, -0.02]):
        builder.append(pose)
    builder.append(FramePose.missing(0.3))
    seq = builder.build()
    np.testing.assert_array_equal(seq.hip_growth, [math.nan, 0.01, -0.02, math.nan])
    assert seq.slice(1, 3).hip_growth.tolist() == [0.01, -0.02]
    assert SequenceBuilder(fps=10, frame_size=SIZE, source="s", model="m").build().hip_growth.shape == (0,)


def test_extract_collects_the_trackers_hip_growth():
    class FakeTracker:
        model_name = "fake"

        def __init__(self):
            self.growth = iter([math.nan, 0.03, 0.0])

        def process(self, frame):
            return dataclasses.replace(_poses([0.0])[0], timestamp_s=frame.timestamp_s, hip_growth=next(self.growth))

    class FakeSource:
        fps, frame_size, description, frame_count, is_live = 10.0, SIZE, "fake", 3, False

        def __iter__(self):
            return iter(Frame(i, i / 10, np.zeros((SIZE[1], SIZE[0], 3), np.uint8)) for i in range(3))

    seq = extract(FakeSource(), FakeTracker(), progress=False)
    np.testing.assert_array_equal(seq.hip_growth, [math.nan, 0.03, 0.0])


def _sequence(n=5, hip_growth=None):
    seq = PoseSequence.empty(n, fps=10, frame_size=SIZE)
    return seq if hip_growth is None else dataclasses.replace(seq, hip_growth=np.asarray(hip_growth, float))


def test_sequence_validates_hip_growth_shape():
    assert _sequence().hip_growth is None and _sequence().slice(1, 3).hip_growth is None
    with pytest.raises(ValueError, match="hip_growth"):
        _sequence(5, [0.0] * 4)
    with pytest.raises(ValueError, match="hip_growth"):
        _sequence(5, np.zeros((5, 1)))


def test_npz_round_trip_keeps_hip_growth(tmp_path):
    growth = [math.nan, 0.0125, -0.004, math.nan, 0.5]
    back = load_sequence(save_sequence(_sequence(5, growth), tmp_path / "p.npz"))
    np.testing.assert_allclose(back.hip_growth, growth, atol=1e-7)  # float32 on disk
    assert back.hip_growth.dtype == float
    assert load_sequence(save_sequence(_sequence(5), tmp_path / "none.npz")).hip_growth is None


def test_npz_written_before_hip_growth_existed_loads_with_none(tmp_path):
    """The layout `save_sequence` wrote before this field: no ``hip_growth`` entry."""
    seq = _sequence(4)
    meta = {"schema_version": 1, "frame_size": list(SIZE), "fps": 10.0, "source": "old", "model": "m", "meta": {}}
    path = tmp_path / "old.npz"
    np.savez_compressed(path, timestamps_s=seq.timestamps_s, image=seq.image.astype(np.float32),
                        visibility=seq.visibility.astype(np.float32), presence=seq.presence.astype(np.float32),
                        world=seq.world.astype(np.float32), meta=np.array(json.dumps(meta)))
    back = load_sequence(path)
    assert back.hip_growth is None and len(back) == 4 and back.source == "old"


# ------------------------------------------------------------------------ real MediaPipe (slow)

def _zoomed_sample_frames(scales):
    return zoomed_sample_frames(SAMPLES / "hip_circles.mp4", scales)


@pytest.mark.slow
@pytest.mark.parametrize("step", [1.01, 0.99, 1.0])
def test_tracker_measures_a_zoom_of_the_rendered_person(model_path, step):
    """A rendered person zoomed by ``step`` per frame, through the real tracker (BGR frames).

    The rendered hips, shirt and wall are smooth, with little texture for the flow, so the fit reads
    low (about half of ``step - 1``, measured 0.0047-0.0059 for 1 %); the sign, steadiness and the
    zero of still frames are what must hold.
    """
    frames = _zoomed_sample_frames([step ** i for i in range(10)])
    with PoseTracker(model_path) as tracker:
        poses = [tracker.process(Frame(i, i / 20, f)) for i, f in enumerate(frames)]
    assert all(p.detected for p in poses)
    growth = np.array([p.hip_growth for p in poses])
    assert math.isnan(growth[0]) and np.isfinite(growth[1:]).all()
    if step == 1.0:
        assert np.abs(growth[1:]).max() < 1e-3
    else:
        ratio = growth[1:] / (step - 1)
        assert 0.3 < np.median(ratio) < 1.2 and ratio.min() > 0.2 and np.ptp(ratio) < 0.4


@pytest.mark.slow
def test_tracker_growth_is_nan_around_a_frame_without_anyone(model_path):
    person = _zoomed_sample_frames([1.0, 1.01, 1.0201, 1.0303])
    blank = np.full_like(person[0], 128)
    frames = [person[0], blank, person[1], person[2], person[3]]
    with PoseTracker(model_path) as tracker:
        poses = [tracker.process(Frame(i, i / 20, f)) for i, f in enumerate(frames)]
    assert [p.detected for p in poses] == [True, False, True, True, True]
    growth = [p.hip_growth for p in poses]
    assert all(math.isnan(g) for g in growth[:3]) and growth[3] > 0 and growth[4] > 0


@pytest.mark.slow
def test_extract_of_the_sample_has_hip_growth(model_path, monkeypatch):
    """On all fours throughout: the growth on every frame after the first, while the all-fours gate is asked
    only once in `GATE_HOLD_FRAMES` frames."""
    asked = []
    gate = landmarker.frame_is_quadruped
    monkeypatch.setattr(landmarker, "frame_is_quadruped", lambda *a, **kw: asked.append(1) or gate(*a, **kw))
    with open_source(SAMPLES / "hip_circles.mp4") as source, PoseTracker(model_path) as tracker:
        seq = extract(source, tracker, progress=False, max_frames=40)
    assert seq.hip_growth.shape == (40,) and math.isnan(seq.hip_growth[0]) and seq.detected.all()
    assert np.isfinite(seq.hip_growth[1:]).all()
    assert len(asked) == math.ceil(40 / GATE_HOLD_FRAMES)
    assert np.nanmax(np.abs(seq.hip_growth)) < 0.1  # a person circling the hips at 20 fps: a few % at most


@pytest.mark.slow
def test_tracker_leaves_the_growth_unknown_when_not_on_all_fours(model_path):
    """Standing (the rocking sample): no frame is on all fours, so no flow is computed and the growth is NaN."""
    cap = cv2.VideoCapture(str(SAMPLES / "standing_rocking.mp4"))
    frames = [cap.read()[1] for _ in range(10)]
    cap.release()
    with PoseTracker(model_path) as tracker:
        poses = [tracker.process(Frame(i, i / 20, f)) for i, f in enumerate(frames)]
    assert all(p.detected for p in poses)
    assert all(math.isnan(p.hip_growth) for p in poses)
