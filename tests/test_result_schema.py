"""Result JSON schemas: what the code writes validates; wrong results are refused at the right field."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator

from fixtures import skeletons as sk
from hipvision.core.circles import analyze_circles
from hipvision.core.rotation import analyze_rotation
from hipvision.errors import InputError
from hipvision.io import to_json_text
from hipvision.io.result_schema import KINDS, schema, schema_text, validate_result
from hipvision.core.session import analyze_session
from hipvision.synthetic import PinholeCamera, sequence_from_joints
from hipvision.synthetic.quadruped import Circles, Hold, pelvis_script, render_quadruped
from hipvision.synthetic.seated import effort_profile, seated_joints
from test_posture import FPS, circling, see

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def as_written(result: dict) -> dict:
    """The dict as it reads back from the JSON file the commands write."""
    return json.loads(to_json_text(result))


@pytest.fixture(scope="module")
def written() -> dict[str, list[dict]]:
    """Results the code writes, of every kind, from synthetic people (files and live)."""
    t = np.arange(240) / 30
    seated = sequence_from_joints(seated_joints(effort_profile(t, [(0.5, 35.0, 2.0)]),
                                                effort_profile(t, [(4.0, 25.0, 2.0)])),
                                  PinholeCamera.looking_at(np.array([0.0, 0.6, 0.0]), distance_m=2.0))
    circles = render_quadruped(pelvis_script([Hold(1.0), Circles(2, 0.10, True, 3.0), Hold(1.0)]), view="45", seed=3)
    session = see(sk.timeline([(lambda s: sk.seated(ir_left_deg=30, ir_right_deg=25), 6.0),
                               circling(10, heading_deg=90),
                               (lambda s: sk.seated(ir_left_deg=36, ir_right_deg=28), 6.0)], fps=FPS), "front")
    empty = seated.slice(0, 0)
    return {
        "rotation": [as_written(analyze_rotation(s, live=live).to_dict()) for s in (seated, empty) for live in (False, True)],
        "circles": [as_written(analyze_circles(s, live=live).to_dict()) for s in (circles, empty) for live in (False, True)],
        "session": [as_written(analyze_session(s).to_dict()) for s in (session, empty)],
    }


@pytest.mark.parametrize("kind", KINDS)
def test_published_schemas_are_the_ones_the_code_uses(kind):
    published = ROOT / "docs" / "schemas" / f"{kind}.schema.json"
    assert published.read_text(encoding="utf-8") == schema_text(kind), \
        "regenerate with: python -m hipvision.io.result_schema docs/schemas"
    Draft202012Validator.check_schema(schema(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_every_result_the_code_writes_validates(kind, written):
    assert written[kind], "no results made"
    for result in written[kind]:
        assert validate_result(result, name="r.json") == kind
    assert validate_result(json.loads((FIXTURES / f"{kind}.json").read_text()), name=f"{kind}.json") == kind


def test_the_session_analysed_real_phases(written):
    kinds = {p["kind"] for p in written["session"][0]["phases"] if p["result"]}
    assert kinds == {"seated", "quadruped"}  # so the nested rotation and circles schemas were applied


def test_fields_added_later_are_allowed(written):
    result = copy.deepcopy(written["rotation"][0])
    result["left"].update(uncertainty_deg=2.5, confidence="high", confidence_reasons=["steady"], shown=True)
    result["confidence"] = {"left": 0.9}
    validate_result(result)


def _set(path: str, value):
    """A mutation that sets the field at ``path`` (dots and [index]) to ``value``."""
    def apply(d: dict) -> dict:
        keys = [int(k) if k.isdigit() else k for k in path.replace("[", ".").replace("]", "").split(".")]
        target = d
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value
        return d
    return apply


def _drop(path: str):
    def apply(d: dict) -> dict:
        *parents, last = path.split(".")
        target = d
        for k in parents:
            target = target[k]
        del target[last]
        return d
    return apply


#: (kind, mutation, the one line must contain this)
MUTATIONS = [
    ("rotation", lambda d: {}, "$.kind is missing"),
    ("rotation", _set("kind", "circles"), "not a valid circles result: $.total is missing"),
    ("circles", _set("kind", "rotation"), "not a valid rotation result: $.valid_fraction is missing"),
    ("session", _set("kind", "rotation"), "not a valid rotation result"),
    ("rotation", _set("kind", "seated"), '$.kind is "seated", expected one of rotation, circles, session'),
    ("rotation", _set("schema_version", 2), "$.schema_version should be 1, not 2"),
    ("rotation", _set("left.held_deg", "38.2"), "$.left.held_deg should be number or null, not a string"),
    ("rotation", _set("left.efforts[0].start_s", None), "$.left.efforts[0].start_s should be number, not null"),
    ("rotation", _set("series.left_deg[3]", [1]), "$.series.left_deg[3] should be number or null, not an array"),
    ("rotation", _set("valid_fraction", 1.5), "$.valid_fraction is out of range"),
    ("rotation", _drop("right"), "$.right is missing"),
    ("rotation", _set("warnings", "none"), "$.warnings should be array, not a string"),
    ("circles", _set("total", 2.5), "$.total should be integer, not a number"),
    ("circles", _set("reps[0].index", "1"), "$.reps[0].index should be integer, not a string"),
    ("circles", _set("series.forward_cm[0]", 1e300), "$.series.forward_cm[0] is out of range"),
    ("circles", _set("protocol", None), "$.protocol should be object, not null"),
    ("session", _set("phases[0].result.left.held_deg", True),
     "$.phases[0].result.left.held_deg should be number or null, not a boolean"),
    ("session", _drop("change_deg"), "$.change_deg is missing"),
    ("session", _set("phases", {}), "$.phases should be array, not an object"),
]


@pytest.mark.parametrize("kind,mutate,message", MUTATIONS)
def test_wrong_results_are_refused_naming_the_field(kind, mutate, message):
    result = mutate(json.loads((FIXTURES / f"{kind}.json").read_text()))
    with pytest.raises(InputError) as info:
        validate_result(result, name="r.json")
    text = str(info.value)
    assert text.startswith("r.json is not a ") and message in text and "\n" not in text


def test_a_nested_circles_phase_is_checked_too(written):
    session = copy.deepcopy(written["session"][0])
    phase = next(i for i, p in enumerate(session["phases"]) if p["kind"] == "quadruped" and p["result"])
    session["phases"][phase]["result"]["clockwise"] = -1
    with pytest.raises(InputError, match=rf"\$\.phases\[{phase}\]\.result\.clockwise is out of range"):
        validate_result(session)


def _report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hipvision", "report", *args], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("content,message", [
    ("{}", "$.kind is missing"),
    (json.dumps({**json.loads((FIXTURES / "circles.json").read_text()), "kind": "rotation"}),
     "not a valid rotation result: $.valid_fraction is missing"),
    ('{"kind": "rotation", "x": NaN}', "NaN is not a JSON number"),
    ("[" * 100000, "not a valid JSON file"),
])
def test_report_refuses_a_wrong_result_in_one_line(tmp_path, content, message):
    bad = tmp_path / "r.json"
    bad.write_text(content)
    done = _report(str(bad), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "r.html").exists()
