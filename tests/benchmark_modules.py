"""Load a script of `benchmarks/` (not a package) as a module, for the tests of its measuring functions."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as the module ``hv_<name>`` (registered in `sys.modules`: its dataclasses look
    their module up)."""
    spec = importlib.util.spec_from_file_location(f"hv_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
