"""`hipvision circles` on .npz poses of scripted skeletons (no model needed), the annotated video,
and the live analyzer driven by `run_live` with a stand-in camera and tracker."""

import csv
import json
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from hipvision.cli import main as cli
from hipvision.io import save_sequence
from hipvision.synthetic.quadruped import Circles, Hold, pelvis_script, render_quadruped
from hipvision.io.video_out import VideoWriterAtomic

SCRIPT = pelvis_script([Hold(1.5), Circles(2, 0.10, True, 3.0), Hold(1.0), Circles(1.6, 0.10, False, 3.0),
                        Hold(1.0)])


@pytest.fixture(scope="module")
def seq():
    return render_quadruped(SCRIPT, view="45", seed=8)


@pytest.fixture()
def npz(seq, tmp_path):
    return save_sequence(seq, tmp_path / "poses.npz")


def _blank_video(path, n, size=(1280, 720), fps=30.0):
    with VideoWriterAtomic(path, fps=fps) as writer:
        for _ in range(n):
            writer.write(np.full((size[1], size[0], 3), 40, np.uint8))
    return path


def test_file_analysis_writes_json_and_csv(npz, tmp_path, capsys):
    out_json, out_csv = tmp_path / "c.json", tmp_path / "c.csv"
    assert cli(["circles", str(npz), "--json", str(out_json), "--csv", str(out_csv)]) == 0, capsys.readouterr().err
    d = json.loads(out_json.read_text())
    assert d["kind"] == "circles" and (d["clockwise"], d["counterclockwise"], d["partial"]) == (2, 1, 1)
    assert d["partials"][0]["direction"] == "counterclockwise"
    with open(out_csv, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(d["series"]["t_s"])
    assert list(rows[0]) == ["frame", "t_s", "valid", "forward_cm", "right_cm", "centre_forward_cm",
                             "centre_right_cm", "rep", "direction", "hip_flexion_deg", "shoulders_forward_cm",
                             "shoulders_right_cm"]
    in_reps = [r for r in rows if r["rep"]]
    assert {r["rep"] for r in in_reps} == {"1", "2", "3"}
    assert {r["direction"] for r in in_reps if r["rep"] == "3"} == {"counterclockwise"}
    radius = np.hypot(*np.array([[float(r["forward_cm"]) - float(r["centre_forward_cm"]),
                                  float(r["right_cm"]) - float(r["centre_right_cm"])] for r in in_reps]).T)
    assert np.median(radius) == pytest.approx(10.0, rel=0.15)
    out = capsys.readouterr().out
    assert "Hip circles: 3 (2 clockwise, 1 counter-clockwise)" in out and "3 more clockwise" in out


def test_annotated_video_from_npz_needs_the_source_video(npz, seq, tmp_path, capsys):
    assert cli(["circles", str(npz), "--annotate", str(tmp_path / "a.mp4")]) == 2
    assert "--video" in capsys.readouterr().err
    small = _blank_video(tmp_path / "small.mp4", 10, size=(320, 180))
    assert cli(["circles", str(npz), "--video", str(small), "--annotate", str(tmp_path / "a.mp4")]) == 2
    assert "give the video the .npz was extracted from" in capsys.readouterr().err
    video = _blank_video(tmp_path / "src.mp4", len(seq))
    out = tmp_path / "a.mp4"
    assert cli(["circles", str(npz), "--video", str(video), "--annotate", str(out)]) == 0, capsys.readouterr().err
    cap = cv2.VideoCapture(str(out))
    frames = []
    ok, img = cap.read()
    while ok:
        frames.append(img)
        ok, img = cap.read()
    cap.release()
    assert len(frames) == len(seq)
    late = frames[int(12.0 * 30)]  # in the third circle: counts, trail and top view were drawn
    assert (np.abs(late.astype(int) - 40) > 30).mean() > 0.02


@pytest.mark.parametrize("args, message", [
    ([], "give a VIDEO"),
    (["x.npz", "--camera", "0"], "give a VIDEO"),
    (["{npz}", "--record", "r.mp4"], "--record is for --camera"),
    (["--camera", "0", "--annotate", "a.mp4"], "--annotate is for files"),
    (["missing.npz"], "no such file"),
    (["{npz}", "--save"], "--subject"),
])
def test_usage_errors_are_one_line(args, message, npz, capsys):
    code = cli(["circles", *[a.format(npz=npz) for a in args]])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


# ---------------------------------------------------------------- live, with stand-ins for camera and model

class _Source:
    def __init__(self, seq, size=(320, 180)):
        self.seq, self.fps, self.is_live, self.frame_size = seq, seq.fps, False, size
        self.description = "test clip"

    def __iter__(self):
        w, h = self.frame_size
        for i, t in enumerate(self.seq.timestamps_s):
            yield SimpleNamespace(index=i, timestamp_s=float(t), image=np.full((h, w, 3), 40, np.uint8))

    def close(self):
        pass


class _Tracker:
    model_name = "synthetic"

    def __init__(self, seq):
        self.seq = seq

    def process(self, frame):
        i = frame.index
        return SimpleNamespace(timestamp_s=frame.timestamp_s, image=self.seq.image[i], world=self.seq.world[i],
                               visibility=self.seq.visibility[i], presence=self.seq.presence[i],
                               detected=bool(self.seq.detected[i]))


def test_live_analyzer_counts_like_the_file_analysis(seq, tmp_path):
    from hipvision.core.circles import analyze_circles
    from hipvision.live import run_live
    from hipvision.live.circles import CirclesLive

    record = tmp_path / "live.mp4"
    live = run_live(_Source(seq), _Tracker(seq), CirclesLive(source="test clip"), window=False, record=record)
    offline = analyze_circles(seq).to_dict()
    assert live["mode"] == "offline" and live["source"] == "test clip"  # the saved result: the file analysis
    assert [r["direction"] for r in live["reps"]] == [r["direction"] for r in offline["reps"]] == \
        ["clockwise", "clockwise", "counterclockwise"]
    assert live["partial"] == offline["partial"] == 1
    assert record.is_file() and record.stat().st_size > 0


def test_live_keys_pause_and_reset(seq):
    from hipvision.live import run_live
    from hipvision.live.circles import CirclesLive

    # reset during the hold between the two directions: only the counter-clockwise circle remains
    after_reset = run_live(_Source(seq), _Tracker(seq), CirclesLive(), window=False, scripted_keys=[(9.2, "r")])
    assert [r["direction"] for r in after_reset["reps"]] == ["counterclockwise"]
    # paused through the whole first direction: nothing clockwise is counted
    paused = run_live(_Source(seq), _Tracker(seq), CirclesLive(), window=False,
                      scripted_keys=[(0.5, " "), (9.2, " ")])
    assert paused["clockwise"] == 0 and paused["counterclockwise"] == 1


def test_live_saves_the_file_analysis_of_every_frame_counted():
    """Depth reported 10 times too small (as side-on): whatever the causal live counter made of it (it missed
    some before its depth windows took one whole cycle), what is saved is the file analysis of the same frames:
    5 + 5, as a recording gives."""
    from hipvision.core.circles import analyze_circles
    from hipvision.live import run_live
    from hipvision.live.circles import CirclesLive
    from tests.test_circles_depth import SET

    squashed = render_quadruped(SET, view="side", seed=6, depth_motion_gain=0.1)
    analyzer = CirclesLive(source="test clip", frame_size=(320, 180), fps=squashed.fps)
    live = run_live(_Source(squashed), _Tracker(squashed), analyzer, window=False)
    saved = analyzer.saved_result()
    offline = analyze_circles(squashed)
    assert live["total"] == 10
    assert [r.direction for r in saved.reps] == [r.direction for r in offline.reps] == SET.directions
    assert [r.start_s for r in saved.reps] == pytest.approx([r.start_s for r in offline.reps])
    # frames while paused, or before R, are not in the saved result either
    switch = float(SET.reps[4].end_s + SET.reps[5].start_s) / 2  # in the hold between the two directions
    reset = CirclesLive(source="test clip", frame_size=(320, 180), fps=squashed.fps)
    run_live(_Source(squashed), _Tracker(squashed), reset, window=False, scripted_keys=[(switch, "r")])
    assert [r.direction for r in reset.saved_result().reps] == ["counterclockwise"] * 5


@pytest.mark.parametrize("reps, missing, said", [(None, {"clockwise": 3, "counterclockwise": 4}, "of 5 each"),
                                                 (1, {"clockwise": 0, "counterclockwise": 0}, "complete"),
                                                 (2, {"clockwise": 0, "counterclockwise": 1}, "of 2 each")])
def test_reps_sets_the_protocol_check(npz, tmp_path, capsys, reps, missing, said):
    out = tmp_path / "c.json"
    args = ["circles", str(npz), "--json", str(out)] + ([] if reps is None else ["--reps", str(reps)])
    assert cli(args) == 0, capsys.readouterr().err
    protocol = json.loads(out.read_text())["protocol"]
    assert protocol["target_per_direction"] == (reps or 5)
    assert protocol["missing"] == missing and said in protocol["message"]
