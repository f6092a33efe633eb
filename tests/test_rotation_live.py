"""The live rotation analyzer in the real live loop, fed synthetic poses (fake source and tracker)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from hipvision.pose import FramePose
from hipvision.io.sources import Frame
from hipvision.live import run_live
from hipvision.live.rotation import RotationLive
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints

FPS = 30.0
W, H = 640, 360


# The real frame and pose types: the loop is fed exactly what the pose adapter produces.
FakeFrame = Frame
FakePose = FramePose


class FakeSource:
    description, fps, frame_size, is_live = "fake", FPS, (W, H), False

    def __init__(self, n: int) -> None:
        self.frame_count = n

    def __iter__(self):
        for i in range(self.frame_count):
            yield FakeFrame(i, i / FPS, np.full((H, W, 3), 80, np.uint8))


class FakeTracker:
    """Returns the synthetic sequence's landmarks for each frame, checking frames come unmirrored and in order."""

    model_name = "synthetic"

    def __init__(self, seq) -> None:
        self.seq = seq
        self.seen: list[int] = []

    def process(self, frame: FakeFrame) -> FakePose:
        self.seen.append(frame.index)
        i = frame.index
        s = self.seq
        return FakePose(s.timestamps_s[i], s.image[i], s.visibility[i], s.presence[i], s.world[i])


def _seq(seconds: float, left, right):
    t = np.arange(int(seconds * FPS)) / FPS
    body = SeatedBody()
    cam = PinholeCamera.looking_at(body.knee_centre(), distance_m=2.0, pitch_deg=10, roll_deg=-4, width=W, height=H)
    return sequence_from_joints(seated_joints(left(t), right(t), body=body), cam, fps=FPS, noise_px=1.0, seed=5)


def test_whole_run_measured_without_keys():
    seq = _seq(6, lambda t: effort_profile(t, [(1.0, 38.0, 2.0)]), lambda t: effort_profile(t, [(2.0, 22.0, 2.0)]))
    analyzer = RotationLive(frame_size=(W, H))
    d = run_live(FakeSource(len(seq)), FakeTracker(seq), analyzer, window=False)
    assert d["kind"] == "rotation" and d["mode"] == "live" and "trials" not in d
    assert d["left"]["held_deg"] == pytest.approx(38.0, abs=1.0) and d["left"]["class"] == "functional"
    assert d["right"]["held_deg"] == pytest.approx(22.0, abs=1.0) and d["right"]["class"] == "limited"
    assert len(d["series"]["t_s"]) == len(seq)


def test_space_runs_separate_trials_and_r_resets():
    # trial 1 (1-5 s) holds the left foot at 37°, trial 2 (6 s-end) at 52°
    seq = _seq(11, lambda t: effort_profile(t, [(1.5, 37.0, 2.0), (6.5, 52.0, 2.0)]), np.zeros_like)
    analyzer = RotationLive(frame_size=(W, H))
    d = run_live(FakeSource(len(seq)), FakeTracker(seq), analyzer, window=False,
                 scripted_keys=[(1.0, " "), (5.5, " "), (6.0, " ")])
    assert [tr["index"] for tr in d["trials"]] == [1, 2]
    first, second = d["trials"]
    assert first["left"]["held_deg"] == pytest.approx(37.0, abs=1.0) and first["left"]["class"] == "functional"
    assert second["left"]["held_deg"] == pytest.approx(52.0, abs=1.0) and second["left"]["class"] == "target"
    assert first["right"]["status"] == "no effort" and first["right"]["held_deg"] == 0.0
    assert 0.9 <= first["start_s"] <= 1.2 and 5.4 <= first["end_s"] <= 5.6
    assert d["left"]["held_deg"] == second["left"]["held_deg"]  # the JSON is the current trial's
    analyzer.on_key("r")
    after = analyzer.result()
    assert "trials" not in after and after["series"]["t_s"] == []


def test_stopped_trial_is_what_q_saves_and_recording_has_every_frame(tmp_path):
    seq = _seq(6, lambda t: effort_profile(t, [(1.0, 35.0, 2.0)]), lambda t: effort_profile(t, [(1.0, 20.0, 2.0)]))
    analyzer = RotationLive(frame_size=(W, H), mirror=True)
    out = tmp_path / "live.avi"
    d = run_live(FakeSource(len(seq)), FakeTracker(seq), analyzer, window=False, record=out,
                 scripted_keys=[(0.5, " "), (4.5, " ")])
    assert len(d["trials"]) == 1 and d["series"]["t_s"][-1] <= 4.6
    assert d["right"]["held_deg"] == pytest.approx(20.0, abs=1.0)
    cap = cv2.VideoCapture(str(out))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, img = cap.read()
    cap.release()
    assert n == len(seq) and ok and img.std() > 5  # overlays drawn on a flat grey frame


@pytest.mark.slow
def test_cli_live_on_a_video_played_as_camera_without_a_person(tmp_path, capsys, model_path):
    from hipvision.cli import main

    video = tmp_path / "empty.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (W, H))
    for _ in range(20):
        writer.write(np.full((H, W, 3), 120, np.uint8))
    writer.release()
    out = tmp_path / "live.json"
    assert main(["rotation", "--camera", str(video), "--no-window", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert "no valid seated frames" in d["warnings"] and d["left"]["held_deg"] is None


def test_the_terminal_line_and_the_cue_carry_the_held_value_with_its_uncertainty():
    """The live terminal line shows "held 38° ± 3°", the same numbers the gauges and the JSON hold."""
    import re

    seq = _seq(6, lambda t: effort_profile(t, [(1.0, 38.0, 2.0)]), np.zeros_like)
    analyzer = RotationLive(frame_size=(W, H))
    d = run_live(FakeSource(len(seq)), FakeTracker(seq), analyzer, window=False)
    line = analyzer.status_text()
    m = re.search(r"left now -?\d+° held (\d+)° ± (\d+)°", line)
    assert m, line
    assert int(m[1]) == round(analyzer.held_shown_deg[0]) and int(m[2]) == round(analyzer.held_shown_uncertainty_deg[0])
    assert float(m[1]) == pytest.approx(d["left"]["held_deg"], abs=1.0)
    assert float(m[2]) == pytest.approx(d["left"]["uncertainty_deg"], abs=1.0)
    assert "right now" in line and "held --" in line   # the resting leg shows no best value
