"""The layering is enforced: import-linter's contracts hold and no hipvision modules import each other in a cycle.

`make test` also runs `lint-imports` before pytest; this test keeps the check when pytest runs alone,
and adds what import-linter has no contract for: cycles (imports inside functions count too).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp", reason="import-linter (and its grimp) come with the test extra")

ROOT = Path(__file__).resolve().parents[1]


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of ``graph`` with more than one member (the cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_planted_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_between_hipvision_modules():
    graph = grimp.build_graph("hipvision")
    edges = {m: {d for d in graph.find_modules_directly_imported_by(m) if d.startswith("hipvision")}
             for m in graph.modules if m.startswith("hipvision")}
    assert strongly_connected(edges) == []


def test_import_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        pytest.skip("lint-imports is not installed (pip install -e '.[test]')")
    run = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "0 broken" in run.stdout


@pytest.mark.parametrize("module", ["hipvision.cli", "hipvision.core.circles", "hipvision.core.rotation",
                                    "hipvision.core.session"])
def test_starting_the_cli_loads_no_analysis_or_model_libraries(module: str):
    """The CLI's start-up, and a command reading its analysis settings before the poses run, import only what they
    need: scipy (seconds to import on a loaded machine), MediaPipe and OpenCV are loaded by the work that uses them
    (scipy on a thread while the poses run), not by importing these (issue 16: a whole command against bare
    MediaPipe)."""
    code = (f"import sys, {module}; "
            "print(' '.join(m for m in ('scipy', 'mediapipe', 'cv2', 'matplotlib') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == []


def test_mediapipe_loads_without_matplotlib_and_its_drawing_helpers_still_work():
    """MediaPipe's vision package imports its matplotlib-based drawing helpers (seconds of CPU); through
    hipvision.pose they are lazy (`hipvision.pose.lazy_drawing`): no matplotlib until one is used, and then it works."""
    code = ("import sys, hipvision.pose, mediapipe; from mediapipe.tasks.python import vision; "
            "print('matplotlib' in sys.modules); print(vision.drawing_utils.DrawingSpec().thickness > 0); "
            "print('matplotlib' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "True", "True"]
