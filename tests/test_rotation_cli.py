"""`hipvision rotation` on `.npz` landmarks made from synthetic seated sessions (no pose model needed)."""

from __future__ import annotations

import csv
import dataclasses
import json
import re

import cv2
import numpy as np
import pytest

from hipvision.cli import main
from hipvision.io import save_sequence
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints, standing_joints

FPS = 30.0
W, H = 320, 240


def _session(tmp_path, n_s: float = 8.0):
    t = np.arange(int(n_s * FPS)) / FPS
    body = SeatedBody()
    cam = PinholeCamera.looking_at(body.knee_centre(), distance_m=2.2, pitch_deg=12, width=W, height=H)
    seq = sequence_from_joints(seated_joints(effort_profile(t, [(1.0, 53.0, 2.0)]),
                                             effort_profile(t, [(4.0, 37.0, 2.0)]), body=body),
                               cam, fps=FPS, noise_px=0.5, dropout_fraction=0.05, seed=2)
    path = tmp_path / "poses.npz"
    save_sequence(seq, path)
    return seq, path


def test_the_table_names_the_pose_model_that_measured(tmp_path, capsys):
    seq, _ = _session(tmp_path, n_s=6.0)
    npz = tmp_path / "heavy.npz"
    save_sequence(dataclasses.replace(seq, model="pose_landmarker_heavy"), npz)
    assert main(["rotation", str(npz)]) == 0
    assert "Seated hip internal rotation (heavy pose model)" in capsys.readouterr().out


def test_json_and_csv_from_npz(tmp_path, capsys):
    seq, npz = _session(tmp_path)
    out_json, out_csv = tmp_path / "ir.json", tmp_path / "ir.csv"
    assert main(["rotation", str(npz), "--json", str(out_json), "--csv", str(out_csv), "--min-hold", "1.5"]) == 0
    printed = capsys.readouterr().out
    assert "Seated hip internal rotation" in printed and "target" in printed and "functional" in printed
    d = json.loads(out_json.read_text())
    assert d["kind"] == "rotation" and d["min_hold_s"] == 1.5
    assert d["left"]["held_deg"] == pytest.approx(53.0, abs=1.0) and d["left"]["class"] == "target"
    assert d["right"]["held_deg"] == pytest.approx(37.0, abs=1.0) and d["right"]["class"] == "functional"
    assert re.search(r"5[23]\.\d° ± \d\.\d°", printed)     # held with its 95% half-width
    with open(out_csv, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(seq)
    assert list(rows[0]) == ["t_s", "left_deg", "right_deg", "left_valid", "right_valid", "left_reason",
                             "right_reason", "left_raw_deg", "right_raw_deg"]
    missing = [r for r, det in zip(rows, seq.detected) if not det]
    assert missing and all(r["left_deg"] == "" and r["left_reason"] == "no_person" for r in missing)
    held = [float(r["left_deg"]) for r in rows if r["left_valid"] == "1" and 2.2 < float(r["t_s"]) < 2.8]
    assert held and min(held) > 51.5


def _blank_video(path, n_frames: int) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (W, H))
    for i in range(n_frames):
        writer.write(np.full((H, W, 3), (i * 3) % 255, np.uint8))
    writer.release()


def test_annotate_from_npz_needs_the_video_then_draws_every_frame(tmp_path, capsys):
    seq, npz = _session(tmp_path, n_s=3.0)
    out = tmp_path / "annotated.avi"
    assert main(["rotation", str(npz), "--annotate", str(out)]) == 2
    assert "--video" in capsys.readouterr().err and not out.exists()
    video = tmp_path / "clip.avi"
    _blank_video(video, len(seq))
    assert main(["rotation", str(npz), "--annotate", str(out), "--video", str(video)]) == 0
    cap = cv2.VideoCapture(str(out))
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    cap.release()
    assert len(frames) == len(seq)
    blank = np.full((H, W, 3), (40 * 3) % 255, np.uint8)
    assert np.abs(frames[40].astype(int) - blank).mean() > 3  # something was drawn


def test_report_and_history_like_the_other_commands(tmp_path, capsys, monkeypatch):
    """--report (key frames from --video, skeleton from the poses) and --subject/--save, as circles and session."""
    monkeypatch.setenv("HIPVISION_HOME", str(tmp_path / "home"))
    seq, npz = _session(tmp_path)
    video = tmp_path / "clip.avi"
    _blank_video(video, len(seq))
    report = tmp_path / "ir.html"
    assert main(["rotation", str(npz), "--report", str(report), "--save"]) == 2
    assert "--subject" in capsys.readouterr().err and not report.exists()
    assert main(["rotation", str(npz), "--video", str(video), "--report", str(report), "--subject", "Alex",
                 "--save"]) == 0
    html = report.read_text()
    assert "Alex" in html and "53." in html and html.count('src="data:image/jpeg;base64,') == 2
    assert main(["history", "--subject", "Alex"]) == 0
    assert "rotation" in capsys.readouterr().out


def test_annotate_with_a_video_of_another_size_is_refused(tmp_path, capsys):
    _, npz = _session(tmp_path, n_s=2.0)
    video = tmp_path / "other.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (160, 120))
    for _ in range(5):
        writer.write(np.zeros((120, 160, 3), np.uint8))
    writer.release()
    assert main(["rotation", str(npz), "--annotate", str(tmp_path / "a.avi"), "--video", str(video)]) == 2
    assert "160x120" in capsys.readouterr().err


def test_standing_person_prints_no_number_and_a_warning(tmp_path, capsys):
    joints = standing_joints(60)
    cam = PinholeCamera.looking_at(np.array([0.0, 0.6, 0.0]), distance_m=3.0, width=W, height=H)
    npz = tmp_path / "standing.npz"
    save_sequence(sequence_from_joints(joints, cam), npz)
    out_json = tmp_path / "r.json"
    assert main(["rotation", str(npz), "--json", str(out_json)]) == 0
    assert "no valid seated frames" in capsys.readouterr().out
    d = json.loads(out_json.read_text())
    assert d["left"]["held_deg"] is None and d["right"]["class"] is None


@pytest.mark.parametrize("args,message", [
    (["rotation"], "exactly one"),
    (["rotation", "missing.npz"], "no such file"),
    (["rotation", "missing.mp4"], "no such file"),
    (["rotation", "{npz}", "--json", "{tmp}/no/such/folder/r.json"], "does not exist"),
    (["rotation", "{npz}", "--annotate", "{tmp}/a.gif", "--video", "{npz}"], "gif"),
    (["rotation", "{npz}", "--estimator", "magic"], "--estimator"),
    (["rotation", "--camera", "0", "--annotate", "{tmp}/a.mp4"], "--record"),
])
def test_user_errors_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    _, npz = _session(tmp_path, n_s=1.0)
    argv = [a.format(npz=npz, tmp=tmp_path) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_help_explains_the_set_up(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # no wrapping in the middle of the phrases looked for
    assert main(["rotation", "--help"]) == 0
    out = capsys.readouterr().out
    for words in ("knee height", "1.5-2.5 m", "shorts", "--camera", "--min-hold", "--annotate"):
        assert words in out
