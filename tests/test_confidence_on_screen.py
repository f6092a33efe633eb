"""What the annotated circles video says about confidence at each moment: the confidence of the set whose count
is on screen (not the whole recording's from the first frame), and its reason cut at a word boundary."""

from dataclasses import replace

import numpy as np
import pytest

from hipvision.core.circles import analyze_circles
from hipvision.core.circles.confidence import CircleSetSummary, Confidence, Reason
from hipvision.synthetic.quadruped import Circles, Hold, pelvis_script, render_quadruped

LOW_CW = Confidence.of(["clockwise reason: move the camera"])
LOW_ALL = Confidence.of(["whole recording reason"])


@pytest.fixture(scope="module")
def result():
    """A 3 + 3 set at 45° (analysed: "high"), its sets then given known spans and confidences."""
    script = pelvis_script([Hold(1.5), Circles(3, 0.10, True, 4.0), Hold(1.0), Circles(3, 0.10, False, 4.0),
                            Hold(1.5)])
    res = analyze_circles(render_quadruped(script, view="45", seed=3))
    assert (res.clockwise, res.counterclockwise, res.confidence.level) == (3, 3, "high")
    return res


def with_sets(result, cw: Confidence, ccw: Confidence, spans=((1.5, 13.5), (14.5, 26.5))):
    sets = [CircleSetSummary("clockwise", 3, *spans[0], cw), CircleSetSummary("counterclockwise", 3, *spans[1], ccw)]
    return replace(result, sets=sets, confidence=LOW_CW if "low" in (cw.level, ccw.level) else Confidence())


@pytest.mark.parametrize("t, expected", [(0.5, None), (1.5, "cw"), (10.0, "cw"), (14.0, "cw"), (14.5, "ccw"),
                                         (30.0, "ccw")])
def test_the_confidence_on_screen_is_the_set_under_way_or_last_started(result, t, expected):
    res = with_sets(result, LOW_CW, Confidence())
    assert res.confidence_at(t) == {None: None, "cw": LOW_CW, "ccw": Confidence()}[expected]


def test_with_no_set_the_whole_result_is_on_screen_throughout(result):
    none = [CircleSetSummary(d, 0, None, None, LOW_ALL) for d in ("clockwise", "counterclockwise")]
    res = replace(result, sets=none, confidence=LOW_ALL)
    assert [res.confidence_at(t) for t in (0.0, 5.0, 99.0)] == [LOW_ALL] * 3


def test_the_annotated_video_warns_only_while_a_low_sets_count_is_on_screen(result, monkeypatch):
    from hipvision.draw import circles as overlay
    from hipvision.io.sources import Frame

    seq = render_quadruped(pelvis_script([Hold(1.5), Circles(3, 0.10, True, 4.0), Hold(1.0),
                                          Circles(3, 0.10, False, 4.0), Hold(1.5)]), view="45", seed=3)
    res = with_sets(result, Confidence(), LOW_CW)  # the counter-clockwise set low, the clockwise set high
    seen = []
    monkeypatch.setattr(overlay, "circles_hud", lambda image, **kw: seen.append(kw["cues"]))
    annotate = overlay.CirclesAnnotator(seq, res)
    warned = {}
    for t in (0.5, 6.0, 13.0, 16.0, 27.0):
        i = int(np.searchsorted(seq.timestamps_s, t))
        annotate(Frame(i, float(seq.timestamps_s[i]), np.zeros((180, 320, 3), np.uint8)))
        warned[t] = "LOW CONFIDENCE: counts may be wrong" in seen[-1]
    assert warned == {0.5: False, 6.0: False, 13.0: False, 16.0: True, 27.0: True}
    assert LOW_CW.reasons[0] in seen[-1]


def test_a_long_reason_is_cut_at_a_word_boundary():
    from hipvision.draw.circles import CUE_CHARS, confidence_cues

    words = "the hips went round at 5-11 s but no circle was counted there: if you circled, make each circle " \
            "bigger and keep the hips in view; camera in line with the body sees one half of each circle only " \
            "in depth: move the camera about 45° to the side"
    cue = confidence_cues(Confidence.of([words]))[1]
    assert len(cue) <= CUE_CHARS and cue.endswith("…")
    kept = cue[:-1]
    assert words.startswith(kept) and words[len(kept)] in " ,;:"  # whole words only
    assert len(kept) > CUE_CHARS - 25  # no more cut than the last word
    assert confidence_cues(Confidence.of(["short reason"])) == ["LOW CONFIDENCE: counts may be wrong", "short reason"]


def test_the_reason_on_screen_is_not_about_a_later_moment(result, monkeypatch):
    """A set's reasons in the assessment's order, the first about 16-18 s: at 6 s the video shows the first
    reason that is about no moment or one already past (an unfinished circle at 5.0 s), not what happens at
    16 s; from 16 s on, the first; before any of them, the soonest."""
    from hipvision.core.circles.confidence import Reason
    from hipvision.draw import circles as overlay
    from hipvision.io.sources import Frame

    later = Reason("the hips went round at 16-18 s but no circle was counted there", "make each circle bigger",
                   at_s=16.0)
    past = Reason("an unfinished circle at 5.0 s (60% of a turn): if it was a whole circle, it was missed", at_s=5.0)
    soon = Reason("a circle-like movement at 3.0 s was too small, flat or quick to count", "make it bigger", ": ",
                  at_s=3.0)
    low = Confidence.of([later, past, soon])
    seq = render_quadruped(pelvis_script([Hold(1.5), Circles(3, 0.10, True, 4.0), Hold(1.0),
                                          Circles(3, 0.10, False, 4.0), Hold(1.5)]), view="45", seed=3)
    res = with_sets(result, low, Confidence())
    seen = []
    monkeypatch.setattr(overlay, "circles_hud", lambda image, **kw: seen.append(" ".join(kw["cues"])))
    annotate = overlay.CirclesAnnotator(seq, res)
    for t in (2.0, 4.0, 6.0, 14.2):
        i = int(np.searchsorted(seq.timestamps_s, t))
        annotate(Frame(i, float(seq.timestamps_s[i]), np.zeros((180, 320, 3), np.uint8)))
    assert ["16-18 s" in s for s in seen] == [False, False, False, False]
    assert "3.0 s" in seen[0] and "3.0 s" in seen[1] and "5.0 s" in seen[2]
    assert overlay.confidence_cues(low, 16.0)[2].startswith("the hips went round at 16-18 s")
    assert overlay.confidence_cues(low)[2].startswith("the hips went round at 16-18 s")  # no time: the first


def test_reasons_about_a_moment_carry_its_time():
    """The reasons that name a time carry it (`Reason.at_s`), for the video to show them when they apply: 3¾ turns
    side-on leave an unfinished circle at about 11.2 s."""
    script = pelvis_script([Hold(1.5), Circles(3.75, 0.10, True, 3.0), Hold(1.5)])
    res = analyze_circles(render_quadruped(script, view="side", seed=4))
    unfinished = [r for r in res.confidence.said if "unfinished circle at" in r.why]
    assert len(unfinished) == 1 and abs(unfinished[0].at_s - 11.2) < 0.3
    assert f"at {unfinished[0].at_s:.1f} s" in unfinished[0].why


def test_the_annotated_video_keeps_its_cues_clear_of_the_body_as_the_live_view(result, monkeypatch):
    """The annotated video places its cues as the live view does: clear of the watched body parts seen in that
    frame (`watched_parts`, pixels on the frame), with the shorter text (no why) as the alternative."""
    import hipvision.draw.circles as overlay
    from hipvision.io.sources import Frame
    from hipvision.landmarks import Landmark as L

    seq = render_quadruped(pelvis_script([Hold(1.5), Circles(3, 0.10, True, 4.0), Hold(1.5)]), view="45", seed=3)
    res = with_sets(result, LOW_CW, LOW_CW)
    seen = []
    monkeypatch.setattr(overlay, "circles_hud", lambda image, **kw: seen.append(kw))
    annotate = overlay.CirclesAnnotator(seq, res)
    i = int(np.searchsorted(seq.timestamps_s, 6.0))
    annotate(Frame(i, float(seq.timestamps_s[i]), np.zeros((180, 320, 3), np.uint8)))
    kw = seen[-1]
    hips = seq.image[i, [L.LEFT_HIP, L.RIGHT_HIP], :2] * (320, 180)
    assert any(np.allclose(p, hips[0]) for p in kw["keep_clear_px"])
    assert any(np.allclose(p, hips[1]) for p in kw["keep_clear_px"])
    assert max(kw["keep_clear_weight"]) == overlay.WATCHED[L.LEFT_HIP]
    assert kw["short_cues"] == kw["cues"] == overlay.confidence_cues(LOW_CW, 6.0)   # no circle yet; no change to cut
    with_change = Confidence.of([Reason("the why of it", "move the camera about 45° to the side")])
    seen.clear()
    annotate = overlay.CirclesAnnotator(seq, with_sets(result, with_change, with_change))
    j = int(np.searchsorted(seq.timestamps_s, 12.0))     # after the first circle: its verdict leads both
    annotate(Frame(j, float(seq.timestamps_s[j]), np.zeros((180, 320, 3), np.uint8)))
    kw = seen[-1]
    assert kw["cues"][0].startswith("circle ") and kw["short_cues"] == kw["cues"][:3]
    assert kw["cues"][3] == "the why of it"
