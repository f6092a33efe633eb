"""The terminal summaries fit an 80-column terminal and still show every number."""

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

import hipvision.commands.circles as circles_cmd
import hipvision.commands.rotation as rotation_cmd
import hipvision.commands.session as session_cmd

FIXTURES = Path(__file__).parent / "fixtures"


def rendered(module, result: dict, monkeypatch, width: int = 80) -> str:
    buffer = io.StringIO()
    monkeypatch.setattr(module, "console", Console(file=buffer, width=width, color_system=None))
    module.print_summary(result)
    return buffer.getvalue()


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def expected_numbers(name: str, d: dict) -> list[str]:
    """What a reader must find in the summary of fixture ``name``."""
    if name == "circles":
        out = []
        for r in d["reps"]:
            out += [f"{r['start_s']:.1f}-{r['end_s']:.1f}", f"{r['radius_cm']:.1f} ({r['radius_pct_torso']:.0f}%)",
                    f"{r['roundness']:.2f}", f"{r['sit_back_cm']:.1f}", f"{r['peak_hip_flexion_deg']:.0f}°",
                    f"{r['spine_motion_cm']:.1f}"]
        return out + ["good circle: circles 1, 2, 3, 4, 5, 6, 7", "spine moving: circle 8", "small circle: circle 9"]
    if name == "rotation":
        return [f"{d[side][key]:.1f}°" for side in ("left", "right") for key in ("held_deg", "peak_deg")]
    held = [f"{p['result'][side]['held_deg']:.1f}°" for p in d["phases"] if p["kind"] == "seated"
            for side in ("left", "right")]
    return held + ["10 circles (5 cw, 5 ccw)", "+6.0°", "+4.5°"]


@pytest.mark.parametrize("name, module", [("circles", circles_cmd), ("session", session_cmd),
                                          ("rotation", rotation_cmd)])
def test_summary_fits_80_columns_with_every_number(name, module, monkeypatch):
    d = fixture(name)
    if name == "circles":  # a long recording: times past 100 s
        for r in d["reps"]:
            r["start_s"], r["end_s"] = r["start_s"] + 100, r["end_s"] + 100
    text = rendered(module, d, monkeypatch)
    widths = [len(line.rstrip()) for line in text.splitlines()]
    assert max(widths) <= 80, text
    flat = " ".join(text.split())
    for number in expected_numbers(name, d):
        assert number in flat, (number, text)
