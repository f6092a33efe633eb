"""The fuzz test, quick run (`make fuzz` runs it for FUZZ_SECONDS): mutated inputs at the CLI end with exit
code 0 or 2, no traceback, no hang, no signal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import fuzz

FUZZ = Path(__file__).with_name("fuzz.py")


@pytest.mark.slow
def test_quick_fuzz_run_finds_nothing(tmp_path, model_path):
    done = subprocess.run([sys.executable, str(FUZZ), "--seconds", "40", "--seed", "18", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=900)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["failures"] == 0, json.dumps(summary["signatures"], indent=1) + f"\ncases kept in {tmp_path}"
    assert done.returncode == 0
    assert summary["cases"] >= 10 and set(summary["by_kind"]) == {"video", "poses", "json"}
    codes = {key.rsplit(" ", 1)[1] for key in summary["exit_codes"]}
    assert codes == {"0", "2"}  # mutations were refused (2) as well as analysed (0)


def test_a_traceback_or_wrong_exit_code_is_a_failure(tmp_path):
    (tmp_path / "in.json").write_text('{"kind": "rotation"}')
    code, signature = fuzz.run_case(fuzz.Case("json", ["--debug", "report", "in.json"], tmp_path), 2 ** 31)
    assert code == 70 and signature.startswith("traceback: hipvision.errors.InputError: in.json is not a valid")
    code, signature = fuzz.run_case(fuzz.Case("json", ["report", "in.json"], tmp_path), 2 ** 31)
    assert (code, signature) == (2, None)
