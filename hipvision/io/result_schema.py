"""JSON Schemas (draft 2020-12) of the result JSONs, and their validation with `jsonschema`.

One schema per result kind (rotation, circles, session), built here from a few shared parts and
published as ``docs/schemas/<kind>.schema.json`` (``python -m hipvision.io.result_schema docs/schemas``
writes them; a test checks the published files are these). They require what every reader
(``hipvision report``, the history) relies on and fix its type; fields they do not name are
allowed (``additionalProperties`` is left true), so results may grow new fields without a new
schema version.

    from hipvision.io.result_schema import validate_result
    validate_result(json.loads(text), name="r.json")   # InputError naming the wrong field's JSON path
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from hipvision.errors import InputError

KINDS = ("rotation", "circles", "session")
SCHEMA_VERSION = 1
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Numbers in results are seconds, degrees, centimetres or fractions: anything bigger is not a measurement.
MAX_MAGNITUDE = 1e9

NUMBER = {"type": "number", "minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}
MAYBE_NUMBER = {"type": ["number", "null"], "minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}
COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_MAGNITUDE}
FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
MAYBE_FRACTION = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
TEXT = {"type": "string"}
MAYBE_TEXT = {"type": ["string", "null"]}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None, **extra: Any) -> dict:
    """An object schema: ``required`` fields must be there, ``optional`` ones are checked when present."""
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}, **extra}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _header(kind: str) -> dict[str, Any]:
    """The fields every result starts with (docs/outputs.md, "Common JSON fields")."""
    return {
        "kind": {"const": kind},
        "schema_version": {"const": SCHEMA_VERSION},
        "software": {"type": "object", "additionalProperties": MAYBE_TEXT},
        "model": TEXT,
        "source": TEXT,
        "duration_s": {**NUMBER, "minimum": 0},
        "warnings": _array(TEXT),
    }


#: Optional fields every result may carry: where its video is (`hipvision.io.files.add_source_video`).
SOURCE_VIDEO = {"source_video": _object({"path": TEXT}, {"relative_to_json": TEXT})}
#: Optional fields every result may carry besides its ``warnings`` (what cost accuracy or needs action):
#: ``info`` (context, what was corrected for) and ``next_steps`` (what to do next, in plain words).
NOTES = {"info": _array(TEXT), "next_steps": _array(TEXT)}
#: The person was mostly in another posture than the analysis measures (`hipvision.core.posture_check`); null
#: or absent when not.
POSTURES = ["seated", "quadruped", "standing"]
POSTURE_MISMATCH = {"posture_mismatch": {"anyOf": [{"type": "null"}, _object(
    {"expected": {"enum": POSTURES}, "found": {"enum": POSTURES}, "share": FRACTION}, {"expected_share": FRACTION})]}}
#: How far a circles count can be trusted, why not, and the distinct changes the reasons ask for
#: (`hipvision.core.circles.confidence`).
CONFIDENCE = {"confidence": {"enum": ["high", "low"]}, "confidence_reasons": _array(TEXT),
              "what_to_change": _array(TEXT)}
#: The sound cues a live run gave (`hipvision.sound.Cue.to_dict`; docs/outputs.md).
CUES = {"cues": _array(_object({"t_s": NUMBER, "kind": {"enum": ["circle", "set_done", "hold"]}, "text": TEXT},
                               {"direction": {"enum": ["clockwise", "counterclockwise"]},
                                "leg": {"enum": ["left", "right"]}}))}


def _effort() -> dict:
    return _object({"start_s": NUMBER, "end_s": NUMBER, "held_deg": MAYBE_NUMBER, "peak_deg": MAYBE_NUMBER,
                    "class": MAYBE_TEXT}, {"uncertainty_deg": MAYBE_NUMBER})


def _leg() -> dict:
    return _object({"held_deg": MAYBE_NUMBER, "peak_deg": MAYBE_NUMBER, "class": MAYBE_TEXT,
                    "valid_fraction": FRACTION, "efforts": _array(_effort())},
                   {"held_window_s": {"type": ["array", "null"], "items": MAYBE_NUMBER},
                    "status": {"enum": ["measured", "not held", "no effort", "not seen"]},
                    "uncertainty_deg": MAYBE_NUMBER,
                    "hold_not_measured": _object({"start_s": NUMBER, "end_s": NUMBER, "reason": TEXT})})


def rotation_schema() -> dict:
    """The rotation result (`hipvision.core.rotation.result.RotationResult.to_dict`)."""
    series = _object({"t_s": _array(NUMBER), "left_deg": _array(MAYBE_NUMBER), "right_deg": _array(MAYBE_NUMBER)})
    return _object(
        {**_header("rotation"), "valid_fraction": FRACTION, "left": _leg(), "right": _leg(),
         "asymmetry_deg": MAYBE_NUMBER, "series": series},
        {**SOURCE_VIDEO, **NOTES, **CUES, **POSTURE_MISMATCH, "mode": TEXT, "asymmetry_uncertainty_deg": MAYBE_NUMBER,
         "thresholds_deg": _object({"functional": NUMBER, "target": NUMBER}),
         "min_hold_s": NUMBER, "estimator": TEXT,
         "camera": _object({}, {"roll_deg": MAYBE_NUMBER, "pitch_deg": MAYBE_NUMBER, "yaw_deg": MAYBE_NUMBER,
                                "estimated_from": TEXT})},
        title="hipvision rotation result", description="Seated hip internal rotation per leg (docs/outputs.md).")


def circles_schema() -> dict:
    """The circles result (`hipvision.core.circles.CirclesResult.to_dict`)."""
    rep = _object({"index": {**COUNT, "minimum": 1}, "direction": TEXT, "start_s": NUMBER, "end_s": NUMBER},
                  {**{name: MAYBE_NUMBER for name in ("duration_s", "radius_cm", "radius_pct_torso", "area_cm2",
                                                      "roundness", "sit_back_cm", "peak_hip_flexion_deg",
                                                      "spine_motion_cm", "smoothness")},
                   "verdict": TEXT, "size_estimated": {"type": "boolean"}})
    partial = _object({"direction": TEXT, "start_s": NUMBER, "end_s": NUMBER, "fraction": MAYBE_FRACTION})
    protocol = _object({"target_per_direction": COUNT, "missing": {"type": "object", "additionalProperties": COUNT},
                        "message": TEXT})
    start = _object({"ok": {"type": ["boolean", "null"]}, "message": TEXT},
                    {"shoulders_over_hands_cm": MAYBE_NUMBER, "hips_over_knees_cm": MAYBE_NUMBER})
    series = _object({"t_s": _array(NUMBER), "forward_cm": _array(MAYBE_NUMBER), "right_cm": _array(MAYBE_NUMBER),
                      "rep": _array({"type": ["integer", "null"], "minimum": 1, "maximum": MAX_MAGNITUDE})})
    return _object(
        {**_header("circles"), "total": COUNT, "clockwise": COUNT, "counterclockwise": COUNT, "partial": COUNT,
         "reps": _array(rep), "partials": _array(partial), "protocol": protocol, "start_position": start,
         "series": series},
        {**SOURCE_VIDEO, **CONFIDENCE, **NOTES, **CUES, **POSTURE_MISMATCH, "mode": TEXT, "valid_fraction": MAYBE_FRACTION,
         "torso_cm": MAYBE_NUMBER,
         "sets": _array(_object({"direction": {"enum": ["clockwise", "counterclockwise"]}}, CONFIDENCE)),
         "shown": _array(_object({"t_s": NUMBER, "clockwise": COUNT, "counterclockwise": COUNT}))},
        title="hipvision circles result", description="Quadruped hip circles (docs/outputs.md).")


def session_schema() -> dict:
    """The session result (`hipvision.core.session.SessionResult.to_dict`); each phase's ``result`` is a
    rotation (seated) or circles (quadruped) result, checked against those schemas."""
    def part(kind: str, schema: str) -> dict:
        return {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"properties": {"result": {"anyOf": [{"type": "null"}, {"$ref": f"#/$defs/{schema}"}]}}}}

    phase = _object({"kind": TEXT, "start_s": NUMBER, "end_s": NUMBER, "status": TEXT,
                     "result": {"type": ["object", "null"]}},
                    {"seen_fraction": MAYBE_FRACTION, **CONFIDENCE},  # confidence: quadruped phases
                    allOf=[part("seated", "rotation"), part("quadruped", "circles")])
    defs = {name: {k: v for k, v in make().items() if k not in ("title", "description")}
            for name, make in (("rotation", rotation_schema), ("circles", circles_schema))}
    return _object(
        {**_header("session"), "phases": _array(phase),
         "change_deg": _object({"left": MAYBE_NUMBER, "right": MAYBE_NUMBER})},
        {**SOURCE_VIDEO, **NOTES, **CUES,
         "change_uncertainty_deg": _object({}, {"left": MAYBE_NUMBER, "right": MAYBE_NUMBER}),
         "compared_phases": _object({}, {side: {"anyOf": [{"type": "null"}, {"type": "array", "minItems": 2,
                                                                              "maxItems": 2, "items": COUNT}]}
                                         for side in ("left", "right")}),
         "change_verdict": _object({}, {side: {"enum": ["gained", "lost", "no clear change", None]}
                                        for side in ("left", "right")})},
        title="hipvision session result",
        description="A whole routine in one recording: phases and the IR change per leg (docs/outputs.md).",
        **{"$defs": defs})


_BUILDERS = {"rotation": rotation_schema, "circles": circles_schema, "session": session_schema}


def schema(kind: str) -> dict:
    """The published JSON Schema of result ``kind`` (a new dict each call)."""
    body = _BUILDERS[kind]()
    return {"$schema": DIALECT, "$id": f"{kind}.schema.json", **body}


def schema_text(kind: str) -> str:
    """``schema(kind)`` as the text of ``docs/schemas/<kind>.schema.json``."""
    return json.dumps(schema(kind), indent=2) + "\n"


_validators: dict[str, Any] = {}


def _validator(kind: str):
    if kind not in _validators:
        from jsonschema import Draft202012Validator

        _validators[kind] = Draft202012Validator(schema(kind))
    return _validators[kind]


def _json_type(value: Any) -> str:
    for name, types in (("null", type(None)), ("a boolean", bool), ("an integer", int), ("a number", float),
                        ("a string", str), ("an array", list), ("an object", dict)):
        if isinstance(value, types):
            return name
    return type(value).__name__


def _describe(error) -> str:
    """One short phrase for a `jsonschema` error, naming the field by its JSON path."""
    where = error.json_path
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"{where}.{missing[0]} is missing" if missing else f"{where}: {error.message}"
    if error.validator == "type":
        want = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"{where} should be {' or '.join(want)}, not {_json_type(error.instance)}"
    if error.validator == "const":
        return f"{where} should be {json.dumps(error.validator_value)}, not {json.dumps(error.instance)[:40]}"
    if error.validator in ("minimum", "maximum"):
        return f"{where} is out of range ({error.instance!r})"
    return f"{where}: {error.message[:120]}"


def validate_result(data: Any, *, name: str | os.PathLike = "result") -> str:
    """Check a result JSON against the schema of its ``kind``; returns the kind.

    Raises:
        InputError: one line naming ``name`` and the first wrong field by its JSON path, e.g.
            ``r.json is not a valid rotation result: $.left.held_deg should be number or null, not a string``.
    """
    from jsonschema.exceptions import best_match

    if not isinstance(data, dict):
        raise InputError(f"{name} is not a hipvision result (a JSON object with a 'kind'), but {_json_type(data)}")
    kind = data.get("kind")
    if kind not in KINDS:
        got = "missing" if "kind" not in data else f"{json.dumps(kind)[:40]}"
        raise InputError(f"{name} is not a hipvision result: $.kind is {got}, expected one of {', '.join(KINDS)}")
    error = best_match(_validator(kind).iter_errors(data))
    if error is not None:
        raise InputError(f"{name} is not a valid {kind} result: {_describe(error)}")
    return kind


def write_schemas(folder: str | os.PathLike) -> list[Path]:
    """Write ``<kind>.schema.json`` for every kind into ``folder``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for kind in KINDS:
        path = folder / f"{kind}.schema.json"
        path.write_text(schema_text(kind), encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":  # python -m hipvision.io.result_schema docs/schemas
    for written in write_schemas(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas"):
        print(written)
