"""Circles confidence: a wrong count is never "high"; the reasons say why and what to change; a session never
credits an IR change to 0 or low-confidence circles."""

import zlib

import pytest

from hipvision.core.circles import analyze_circles
from hipvision.report import build_view
from hipvision.core.session import circles_credit
from hipvision.synthetic.quadruped import Circles, Hold, Rock, SitBack, pelvis_script, quadruped_camera, render_quadruped

CW, CCW = True, False


def two_sets(per, radius_m, period_s, *, sit_back=True):
    """As a person does it: still, out onto the circle, ``per`` circles, back, a sit-back, the other way."""
    def one(cw):
        return Circles(per, radius_m, cw, period_s, start_deg=0.0, centre_back_m=0.02)

    pause = [Hold(0.3), SitBack(0.14, 1.5, 0.8), Hold(0.5)] if sit_back else [Hold(2.0)]
    return pelvis_script([Hold(1.5), one(CW), *pause, one(CCW), Hold(1.5)])


SETS = two_sets(5, 0.08, 2.8)
SMALL = two_sets(2, 0.05, 3.0, sit_back=False)
SLOW = pelvis_script([Hold(1.5), Circles(3, 0.08, CCW, 4.5, minor_ratio=0.5, start_deg=0.0), Hold(1.5)])
STILL = pelvis_script([Hold(15.0)])
ROCKING = pelvis_script([Hold(1.5), Rock(6, 0.08, 2.5, axis_deg=0), Hold(1.5)])


def film(script, heading, gain, pitch=20.0):
    seed = zlib.crc32(f"{heading}/{gain}/{pitch}/{len(script.t_s)}".encode()) % 10_000
    return render_quadruped(script, camera=quadruped_camera(heading, pitch_deg=pitch), seed=seed,
                            depth_motion_gain=gain)


def exact(result, script):
    return [r.direction for r in result.reps] == script.directions


def test_a_wrong_count_side_on_with_the_depth_removed_is_low_and_says_where_to_put_the_camera():
    """Side-on from low down with no depth motion at all (the pose model saw none): the circles look like
    rocking, the count is wrong, and the result says so."""
    result = analyze_circles(film(SETS, 90.0, 0.0, pitch=5.0))
    assert not exact(result, SETS)
    assert result.confidence.level == "low"
    text = " ".join(result.confidence.reasons)
    assert "camera at the side" in text and "move the camera to about 45° between the head and the side" in text
    data = result.to_dict()
    assert data["confidence"] == "low" and data["confidence_reasons"] == list(result.confidence.reasons)
    assert {s["direction"] for s in data["sets"]} == {"clockwise", "counterclockwise"}
    assert all(s["confidence"] == "low" for s in data["sets"])


@pytest.mark.parametrize("heading", [0.0, 45.0, 90.0, 135.0, 180.0])
@pytest.mark.parametrize("gain", [1.0, 0.1, 0.0, -0.05])
@pytest.mark.parametrize("name, script", [("5+5", SETS), ("2+2 small", SMALL), ("3 slow ellipse", SLOW),
                                          ("rocking", ROCKING)])
def test_a_wrong_count_is_never_high(name, script, heading, gain):
    """All round the person, with the depth as measured, 10 times too small, gone, or turned the wrong way:
    whatever the count, a wrong one (or a wrong set) is "low"."""
    result = analyze_circles(film(script, heading, gain))
    if not exact(result, script):
        assert result.confidence.level == "low", result.confidence
    for s in result.sets:
        want = script.clockwise if s.direction == "clockwise" else script.counterclockwise
        if s.count != want:
            assert s.confidence.level == "low", s


@pytest.mark.parametrize("heading", [45.0, 135.0, 180.0, 90.0])
def test_a_clear_view_of_5_plus_5_is_high_with_no_reasons(heading):
    result = analyze_circles(film(SETS, heading, 1.0))
    assert exact(result, SETS)
    assert result.confidence.level == "high" and result.confidence.reasons == ()
    assert [(s.direction, s.count, s.confidence.level) for s in result.sets] == \
        [("clockwise", 5, "high"), ("counterclockwise", 5, "high")]


@pytest.mark.parametrize("heading", [45.0, 90.0, 180.0])
def test_a_still_hold_is_zero_with_high_confidence_from_anywhere_but_in_front(heading):
    result = analyze_circles(film(STILL, heading, 0.1))
    assert result.total == 0 and result.confidence.level == "high"


def test_a_still_hold_from_in_front_of_the_head_is_zero_but_low():
    """In line in front of the head the hips are hidden behind the head and shoulders (rendered from there, a 3 + 3
    set counted 0 + 0 `high` before the rule): a zero from there is as unsure as any count."""
    result = analyze_circles(film(STILL, 0.0, 0.1))
    assert result.total == 0 and result.confidence.level == "low"
    assert result.confidence.changes[0] == "move the camera to about 45° between the head and the side"
    assert result.confidence.reasons[0].startswith("camera in line in front of the head: the head and shoulders hide")


def test_rebuilt_depth_is_low_and_says_the_size_is_an_estimate():
    result = analyze_circles(film(SETS, 90.0, 0.1))
    assert exact(result, SETS)  # counted right, but on a depth the pose model did not measure
    assert result.confidence.level == "low"
    assert any("rebuilt" in r and "size is an estimate" in r for r in result.confidence.reasons)


def test_an_unfinished_circle_and_a_count_one_off_the_protocol_make_their_set_low():
    script = pelvis_script([Hold(1.5), Circles(3.6, 0.10, CW, 4.0), Hold(1.5), Circles(5, 0.10, CCW, 3.0),
                            Hold(1.5)])
    result = analyze_circles(film(script, 45.0, 1.0))
    assert exact(result, script) and len(result.partials) == 1
    by = {s.direction: s for s in result.sets}
    assert by["clockwise"].confidence.level == "low"
    assert any("unfinished circle" in r for r in by["clockwise"].confidence.reasons)
    assert by["counterclockwise"].confidence.level == "high"
    four = analyze_circles(film(pelvis_script([Hold(1.5), Circles(4, 0.10, CW, 3.0), Hold(1.5)]), 45.0, 1.0))
    assert four.clockwise == 4 and four.confidence.level == "low"
    assert any("one short of the 5 asked" in r for r in four.confidence.reasons)


# ---------------------------------------------------------------- sessions: no credit for unsure circles

def _session(circles: dict | None, status: str = "analysed") -> dict:
    seated = {"kind": "rotation", "left": {"held_deg": 30.0, "class": "functional"},
              "right": {"held_deg": 28.0, "class": "limited"}}
    after = {"kind": "rotation", "left": {"held_deg": 40.0, "class": "functional"},
             "right": {"held_deg": 31.0, "class": "functional"}}
    phases = [{"kind": "seated", "start_s": 0.0, "end_s": 10.0, "status": "analysed", "seen_fraction": 1.0,
               "result": seated}]
    if circles is not None:
        phases.append({"kind": "quadruped", "start_s": 12.0, "end_s": 40.0, "status": status,
                       "seen_fraction": 1.0, "result": circles})
    phases.append({"kind": "seated", "start_s": 42.0, "end_s": 52.0, "status": "analysed", "seen_fraction": 1.0,
                   "result": after})
    return {"kind": "session", "phases": phases, "change_deg": {"left": 10.0, "right": 3.0}, "warnings": []}


def _circles(total: int, level: str) -> dict:
    return {"kind": "circles", "total": total, "clockwise": total, "counterclockwise": 0, "reps": [],
            "confidence": level, "confidence_reasons": [] if level == "high" else ["camera at the side: ..."]}


@pytest.mark.parametrize("circles, credited", [
    (_circles(10, "high"), True),
    (_circles(10, "low"), False),
    (_circles(0, "high"), False),
    (None, False),
])
def test_the_session_headline_credits_the_change_only_to_circles_counted_with_confidence(circles, credited):
    headline = build_view(_session(circles))["session"]["headline"]
    assert headline.startswith("The left hip gained 10.0° and the right hip gained 3.0°")
    assert ("after 10 hip circles" in headline) == credited
    assert (circles_credit(_session(circles))[1] is None) == credited
    assert ("between the two measurements" in headline) != credited


def test_a_low_confidence_circles_phase_is_not_shown_as_plainly_analysed():
    view = build_view(_session(_circles(10, "low")))["session"]
    phase = [p for p in view["phases"] if p["kind"] == "quadruped"][0]
    assert phase["status"] == "low_confidence" and "low confidence" in phase["status_text"]
    assert phase["circles"]["confidence"] == "low"


def test_the_terminal_does_not_credit_low_confidence_circles(capsys):
    from hipvision.commands.session import print_summary

    data = _session(_circles(10, "low"))
    data["phases"][1].update(confidence="low", confidence_reasons=["camera at the side: ..."])
    print_summary(data)
    out = " ".join(capsys.readouterr().out.split())
    assert "not credited to the circles" in out and "LOW" in out
    print_summary(_session(_circles(10, "high")))
    assert "IR change after the 10 hip circles" in " ".join(capsys.readouterr().out.split())


def test_low_confidence_shows_on_the_annotated_video_and_the_live_view(monkeypatch):
    """Both draw through `circles_hud`; with a low-confidence result its cues lead with LOW CONFIDENCE and the
    first reason (on the video, the first reason of the set on screen)."""
    import numpy as np

    from hipvision.draw import circles as overlay
    from hipvision.io.sources import Frame
    from hipvision.live import circles as live_view

    seq = film(SETS, 90.0, 0.1)
    result = analyze_circles(seq)
    assert result.confidence.level == "low"
    seen = []
    monkeypatch.setattr(overlay, "circles_hud", lambda image, **kw: seen.append(kw["cues"]))
    monkeypatch.setattr(live_view, "circles_hud", lambda image, **kw: seen.append(kw["cues"]))
    overlay.CirclesAnnotator(seq, result)(Frame(200, float(seq.timestamps_s[200]), np.zeros((180, 320, 3), np.uint8)))
    live = live_view.CirclesLive(source="test clip", frame_size=(320, 180), fps=seq.fps)
    live.recount.latest = result
    live.draw_hud(np.zeros((180, 320, 3), np.uint8))
    live.recount.close()
    assert len(seen) == 2
    # the video: the confidence of the set on screen at that frame; live: that of the frames so far
    for cues, confidence in zip(seen, (result.confidence_at(float(seq.timestamps_s[200])), result.confidence)):
        assert confidence.level == "low" and "LOW CONFIDENCE: counts may be wrong" in cues
        assert any(c.startswith(confidence.reasons[0][:40]) for c in cues)


def test_circles_missed_from_behind_say_where_to_put_the_camera():
    """In line with the body the forward-back half of each circle is depth, which the pose model may not see:
    where the hips went round but nothing was counted, the reason says to move the camera, not only to make
    bigger circles. (A strict xfail from the fourth circles pass until 2026-12-05: a 191° half turn left among the
    uncounted frames cancelled most of the turning after it, under half of the area one way; in line a fifth is
    enough, `ConfidenceSettings.min_loopiness_in_line`.)"""
    seq = render_quadruped(SETS, camera=quadruped_camera(180.0, pitch_deg=10.0), seed=3, depth_motion_gain=0.0,
                           depth_noise_m=0.06)
    result = analyze_circles(seq)
    missed = [r for r in result.confidence.reasons if r.startswith("the hips went round")]
    assert missed and not exact(result, SETS) and result.confidence.level == "low"
    # straight behind: up onto a shelf (where the hips' image height shows the sit-back) or round to the front diagonal
    assert all("camera in line with the body" in r and "raise the camera higher behind you, onto a shelf looking down "
               "at the hips, or move it to about 45° between the head and the side" in r for r in missed)


@pytest.mark.parametrize("heading, view", [(180.0, "camera in line with the body"), (90.0, "camera at the side")])
def test_no_circles_one_way_beside_a_counted_set_is_low_where_a_line_could_have_been_circles(heading, view):
    """A back-and-forth before a clear counter-clockwise set, filmed in line or side-on: the clockwise 0 is what
    the pose model shows of circles whose depth it squashed too (a stream of MediaPipe's landmarks from behind:
    2 + 2 counted 0 + 2 "high"), so that set, and the result, are low and say why; the counted set stays high."""
    script = pelvis_script([Hold(1.5), Rock(4, 0.08, 2.6, axis_deg=45), Hold(0.3), SitBack(0.14, 1.5, 0.8),
                            Hold(0.5), Circles(2, 0.08, CCW, 2.8, start_deg=0.0, centre_back_m=0.02), Hold(1.5)])
    result = analyze_circles(render_quadruped(script, camera=quadruped_camera(heading, pitch_deg=20.0), seed=5))
    data = result.to_dict()
    assert (data["clockwise"], data["counterclockwise"]) == (0, 2)
    sets = {s["direction"]: s for s in data["sets"]}
    assert sets["counterclockwise"]["confidence"] == "high"
    assert sets["clockwise"]["confidence"] == data["confidence"] == "low"
    said = sets["clockwise"]["confidence_reasons"]
    assert any(view in r and "circles can look like rocking from here" in r for r in said)
    assert any(r.startswith("clockwise: ") for r in data["confidence_reasons"])


@pytest.mark.parametrize("turns, level", [(3.0, "high"), (3.55, "low")])
def test_a_set_that_turns_on_without_closing_its_last_circle_is_low(turns, level):
    """Three circles, then the hips go about 200° further the same way and back to the middle (under the 210° a
    partial circle needs): the count stays 3, but the set cannot say whether its last circle was missed (held-out
    seed 9517, a shelf camera: the path of a true last circle turned 209° and the set was "high", one short)."""
    script = pelvis_script([Hold(1.5), Circles(turns, 0.08, CCW, 2.8, start_deg=0.0), Hold(1.5)])
    result = analyze_circles(film(script, 45.0, 1.0))
    assert (result.clockwise, result.counterclockwise, len(result.partials)) == (0, 3, 0)
    (ccw,) = [s for s in result.sets if s.direction == "counterclockwise"]
    assert ccw.confidence.level == level == result.confidence.level
    said = [r for r in ccw.confidence.reasons if "further the same way" in r]
    assert len(said) == (level == "low"), ccw.confidence.reasons
    if said:
        assert "without closing a circle: if that was a circle, it was missed" in said[0]


def test_the_report_says_low_confidence_circles_between_the_measurements_are_low():
    """The report's "Hip circles done in between" marks a low-confidence count, and the headline's reason reads
    without nested brackets."""
    from hipvision.report.html import render_report

    low, high = (render_report(_session(_circles(10, level))) for level in ("low", "high"))
    assert "Hip circles done in between: <b>10</b> (counted with low confidence)." in low
    assert "Hip circles done in between: <b>10</b>." in high
    headline = build_view(_session(_circles(10, "low")))["session"]["headline"]
    assert headline.count("(") == headline.count(")") == 1, headline


@pytest.mark.parametrize("level, headline", [
    ("low", "Hip circles: 10 (10 clockwise, 0 counter-clockwise), LOW confidence"),
    ("high", "Hip circles: 10 (10 clockwise, 0 counter-clockwise), high confidence"),
])
def test_the_circles_terminal_headline_carries_the_confidence(capsys, level, headline):
    """`hipvision circles` put "Hip circles: 10 (…)" on top and the LOW confidence 20 lines below; the headline
    now says it, as the session table's row does."""
    from hipvision.commands.circles import print_summary

    data = _circles(10, level)
    data["protocol"] = {"message": "5 more counter-clockwise"}
    print_summary(data)
    assert headline + "\n" in capsys.readouterr().out  # on one line, also above a table with no rows


@pytest.mark.parametrize("message, missing, line", [
    ("set complete: 5 clockwise and 5 counter-clockwise", 0,
     "set complete: 5 clockwise and 5 counter-clockwise"),
    ("3 clockwise and 3 counter-clockwise of 5 each: do 2 more clockwise", 2,
     "set: 3 clockwise and 3 counter-clockwise of 5 each: do 2 more clockwise"),
])
def test_the_set_line_says_set_once(capsys, message, missing, line):
    """A complete set printed "set: set complete: …"."""
    from hipvision.commands.circles import print_summary

    data = _circles(10, "high")
    data["protocol"] = {"message": message, "missing": {"clockwise": missing, "counterclockwise": 0}}
    print_summary(data)
    out = capsys.readouterr().out
    assert line in out and "set: set" not in out


def test_no_circles_print_no_empty_rep_table(capsys):
    """With 0 circles the terminal printed the rep table's header ("#  dir  time s …") over no rows."""
    from hipvision.commands.circles import print_summary

    data = _circles(0, "low")
    data["protocol"] = {"message": "do 5 clockwise and 5 counter-clockwise"}
    print_summary(data)
    out = capsys.readouterr().out
    assert "Hip circles: 0 (0 clockwise, 0 counter-clockwise), LOW confidence" in out
    assert "radius cm" not in out


def _from_the_floor_behind(share: float):
    """5 + 5 circles filmed from behind (counted right and high as filmed), with the body as the pose model drew it
    from the floor behind (`seen_from_the_floor_behind`: the torso read head down) in every frame whose index mod
    20 is under ``share`` × 20."""
    import numpy as np
    from circles_cases import seen_from_the_floor_behind

    seq = film(SETS, 180.0, 1.0)
    return seen_from_the_floor_behind(seq, np.arange(len(seq)) % 20 < round(share * 20))


def test_a_camera_low_behind_the_hips_makes_the_count_low_and_says_to_raise_it():
    """From the floor behind, the hips hide the shoulders and the pose model misreads the body (rendered: the camera
    azimuth read anywhere from -163° to 114°, the start position "33 cm off"). A torso read head down in most frames
    on hands and knees says so: low, with the camera raised and moved to the diagonal, the start position not judged,
    the view named as in line behind (not "at the side")."""
    from hipvision.core.circles.confidence import LOW_BEHIND_CHANGE, SHELF_BEHIND
    from hipvision.core.circles.quality import NOT_JUDGED

    assert analyze_circles(film(SETS, 180.0, 1.0)).confidence.level == "high"  # as filmed
    result = analyze_circles(_from_the_floor_behind(1.0))
    assert result.confidence.level == "low"
    assert any("body read head down" in r for r in result.confidence.reasons)
    assert LOW_BEHIND_CHANGE in result.confidence.changes
    assert "move the camera to about 45° between the head and the side" not in result.confidence.changes
    assert SHELF_BEHIND not in result.confidence.changes  # one advice: off the floor, to a shelf or the diagonal
    assert all(s.confidence.level == "low" for s in result.sets)
    assert result.start_position.ok is None and result.start_position.message.startswith("not judged")
    assert result.reps and all(r.verdict == NOT_JUDGED for r in result.reps)  # not "keep the shoulders still"
    assert not any("In the next set of circles" in step for step in result.next_steps)
    assert any(w.startswith("camera low behind the hips") for w in result.warnings)
    assert not any(w.startswith(("camera at the side", "camera in line")) for w in result.warnings)


def test_a_torso_read_head_down_in_a_few_frames_is_not_a_low_camera():
    """Under a quarter of the frames on hands and knees read head down (dev, table height behind: up to 3%): no
    such reason; the start position not judged for being in line behind (its distances are depth), not for a low
    camera."""
    result = analyze_circles(_from_the_floor_behind(0.15))
    assert not any("head down" in r for r in result.confidence.reasons)
    assert result.start_position.ok is None and result.start_position.message.startswith("not judged from this camera")
    assert all(r.verdict != "not judged from this camera" for r in result.reps)
    assert not any(w.startswith("camera low behind the hips") for w in result.warnings)


def test_reasons_that_differ_only_in_their_moment_are_said_once_with_every_moment():
    from hipvision.core.circles.confidence import merged_reasons

    tail = "but no circle was counted there: if you circled, make each circle bigger and keep the hips in view"
    other = "camera in line with the body: move it"
    reasons = [f"the hips went round at 5-11 s {tail}", other, f"the hips went round at 14-15 s {tail}",
               f"the hips went round at 1.7 s {tail}; from here", other]
    assert merged_reasons(reasons) == [f"the hips went round at 5-11 s and 14-15 s {tail}", other,
                                       f"the hips went round at 1.7 s {tail}; from here"]
    assert merged_reasons([f"the hips went round at 2-3 s {tail}"] * 2) == [f"the hips went round at 2-3 s {tail}"]
    assert merged_reasons([]) == []


def test_the_report_says_a_moment_repeated_reason_once_for_the_result_and_for_each_set():
    from hipvision.report.html import circles_view

    tail = "but no circle was counted there: if you circled, make each circle bigger"
    spans = [f"the hips went round at {s} s {tail}" for s in ("5-11", "14-15", "18-24")]
    view = circles_view({"confidence": "low", "confidence_reasons": spans, "reps": [],
                         "sets": [{"direction": "clockwise", "confidence": "low", "confidence_reasons": spans[:2]}]},
                        "fig")
    assert view["confidence_reasons"] == [f"the hips went round at 5-11 s, 14-15 s and 18-24 s {tail}"]
    assert view["directions"][0]["confidence_reasons"] == [f"the hips went round at 5-11 s and 14-15 s {tail}"]
