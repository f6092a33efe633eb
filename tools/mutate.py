"""`make mutate`: mutation testing of the pure core (`hipvision/core/`) with mutmut, then a score per module.

    python tools/mutate.py                          # every module under hipvision/core/
    python tools/mutate.py --since main             # only the modules changed since a commit
    python tools/mutate.py hipvision/core/filtering.py --jobs 1 --max-minutes 25
    python tools/mutate.py --sample 150 --seed 19 hipvision/core/rotation hipvision/core/circles

mutmut (configured in pyproject's ``[tool.mutmut]``: the folder ``hipvision/core/`` and the fast core tests)
plants one small change at a time in each function and runs the tests that reach that function, fastest
first; a mutant whose tests all pass *survived*. Results are kept in ``mutants/`` between runs (only
changed modules, unchecked and surviving mutants are tested again), so a run stopped after ``--max-minutes``
goes on where it stopped.
The report: per module, mutants killed / checked (timeouts count as killed, "no tests" as survived) and
every survivor with its diff (``--names-only`` to list names only). See docs/mutation.md.

``--sample N`` checks a seeded random sample of N mutants per given package (a folder) or module instead of
all of them, and reports the killed share of the sample with its 95% Wilson interval: an estimate of the
score of all the package's mutants that fits in an hour. The sample is the N mutants whose names rank first by
a seeded hash: a bigger N with the same seed contains the smaller sample, and editing one function changes
the sample only by that function's mutants.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import math
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = Path("hipvision/core")
#: mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code), grouped for the score.
KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
          37: "type check"}
SURVIVED = {0: "survived", 5: "no tests", 33: "no tests"}
SKIPPED = {34: "skipped", None: "not checked"}


def core_modules(since: str | None) -> list[Path]:
    """Core modules (relative paths) with at least one function: all, or those changed since ``since``."""
    if since:
        changed = subprocess.run(["git", "diff", "--name-only", since, "--", str(CORE)], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout.split()
        new = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "--", str(CORE)], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout.split()
        paths = sorted({Path(p) for p in changed + new if p.endswith(".py")})
    else:
        paths = sorted(p.relative_to(ROOT) for p in (ROOT / CORE).rglob("*.py"))
    return [p for p in paths if (ROOT / p).is_file() and has_functions(ROOT / p)]


def has_functions(path: Path) -> bool:
    """Whether the module defines a function or method (mutmut mutates nothing else)."""
    tree = ast.parse(path.read_text())
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in ast.walk(tree))


def mutant_glob(path: Path) -> str:
    """mutmut's name pattern for the mutants of one module (``hipvision.core.filtering.*``)."""
    module = ".".join(path.with_suffix("").parts)
    return module.removesuffix(".__init__") + (".x*" if path.name == "__init__.py" else ".*")


def to_test(path: Path) -> list[str]:
    """What to (re)test in one module: its glob when it has no results yet or changed since them (mutmut
    then tests every mutant it names), else the names of its unchecked and surviving mutants (the tests may
    have changed since); killed mutants stand."""
    seen = ROOT / "mutants" / (str(path) + ".tested-sha256")
    if not seen.is_file() or seen.read_text() != source_hash(path):
        return [mutant_glob(path)]
    return [k for k, c in module_results(path).items() if status(c) not in set(KILLED.values())]


def source_hash(path: Path) -> str:
    return hashlib.sha256((ROOT / path).read_bytes()).hexdigest()


def mark_tested(paths: list[Path]) -> None:
    """Remember which source each module's results belong to (see `to_test`)."""
    for path in paths:
        if (ROOT / "mutants" / (str(path) + ".meta")).is_file():
            (ROOT / "mutants" / (str(path) + ".tested-sha256")).write_text(source_hash(path))


def package_modules(path: Path) -> list[Path]:
    """The modules with functions of a package folder (recursively), or the module itself."""
    files = sorted(p.relative_to(ROOT) for p in (ROOT / path).rglob("*.py")) if (ROOT / path).is_dir() else [path]
    return [p for p in files if has_functions(ROOT / p)]


def mutant_names(path: Path) -> list[str]:
    """Every mutant mutmut makes of one module, by name: from its ``.meta`` when that is newer than the source
    (as mutmut itself decides), else generated with mutmut's own mutator (pure, about a second per module)."""
    meta = ROOT / "mutants" / (str(path) + ".meta")
    if meta.is_file() and meta.stat().st_mtime > (ROOT / path).stat().st_mtime:
        return list(module_results(path))
    from mutmut.mutation.file_mutation import mutate_file_contents
    from mutmut.utils.format_utils import get_mutant_name

    mutated = mutate_file_contents(str(path), (ROOT / path).read_text())
    return [get_mutant_name(path, name) for name in mutated.mutant_names]


def sample_mutants(package: Path, n: int, seed: int) -> list[str]:
    """A seeded random sample of ``n`` of a package's mutants: the ``n`` whose names rank first by a seeded hash.
    Each name's rank depends only on the seed and the name, so a bigger ``n`` contains the smaller sample, and
    an edit elsewhere in the package (mutants added or removed) leaves the sample's other members in it."""
    names = [name for module in package_modules(package) for name in mutant_names(module)]
    return sorted(names, key=lambda name: hashlib.sha256(f"{seed}:{name}".encode()).hexdigest())[:n]


def wilson_interval(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a proportion ``k`` of ``n``; (0, 1) when ``n`` is 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def all_results(paths: list[Path]) -> dict[str, int | None]:
    """``{mutant name: exit code}`` over several modules."""
    return {k: c for p in paths for k, c in module_results(p).items()}


def sample_report(samples: dict[Path, list[str]], *, diffs: bool) -> list[str]:
    """Print, per package, the killed share of its sample with the 95% Wilson interval; return the survivors."""
    survivors = []
    print(f"\n{'package':32} {'mutants':>8} {'sample':>7} {'checked':>8} {'killed':>7} {'share':>7} {'95% CI':>15}")
    for package, names in samples.items():
        results = all_results(package_modules(package))
        statuses = [status(results.get(name)) for name in names]
        killed = sum(s in set(KILLED.values()) for s in statuses)
        checked = sum(s not in set(SKIPPED.values()) for s in statuses)
        low, high = wilson_interval(killed, checked)
        share = f"{100 * killed / checked:.1f}%" if checked else "-"
        print(f"{package.as_posix():32} {len(results):8d} {len(names):7d} {checked:8d} {killed:7d} {share:>7} "
              f"{100 * low:6.1f}–{100 * high:5.1f}%")
        survivors += [name for name, s in zip(names, statuses) if s in ("survived", "no tests", "suspicious")]
    print_survivors(survivors, diffs=diffs)
    return survivors


def run_mutmut(names: list[str], *, jobs: int, max_minutes: float) -> bool:
    """Run ``mutmut run`` on the mutants ``names`` (or patterns); False if it was stopped at the time limit."""
    exe = Path(sys.executable).with_name("mutmut")
    cmd = [str(exe if exe.exists() else "mutmut"), "run", "--max-children", str(jobs), *names]
    print("+", " ".join(cmd[:4] + names[:3]), f"... ({len(names)} names or patterns)" if len(names) > 3 else "",
          flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    try:
        code = proc.wait(timeout=max_minutes * 60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        print(f"\nstopped after {max_minutes:g} min: the results so far are kept, run again to go on", flush=True)
        return False
    if code != 0:
        raise SystemExit(f"mutmut exited with {code}")
    return True


def module_results(path: Path) -> dict[str, int | None]:
    """``{mutant name: exit code}`` of one module from mutmut's ``mutants/<path>.meta`` (empty if none)."""
    meta = ROOT / "mutants" / (str(path) + ".meta")
    return json.loads(meta.read_text())["exit_code_by_key"] if meta.is_file() else {}


def status(code: int | None) -> str:
    return KILLED.get(code) or SURVIVED.get(code) or SKIPPED.get(code) or "suspicious"


def report(paths: list[Path], *, diffs: bool) -> list[str]:
    """Print the score per module and overall; return the survivors' names."""
    rows, survivors, total = [], [], Counter()
    for path in paths:
        results = module_results(path)
        counts = Counter(status(c) for c in results.values())
        killed = sum(counts[s] for s in set(KILLED.values()))
        checked = killed + sum(counts[s] for s in set(SURVIVED.values())) + counts["suspicious"]
        total.update(killed=killed, checked=checked, mutants=len(results), unchecked=counts["not checked"])
        rows.append((str(path), len(results), checked, killed, counts["not checked"]))
        survivors += [k for k, c in results.items() if status(c) in ("survived", "no tests", "suspicious")]
    print(f"\n{'module':48} {'mutants':>8} {'checked':>8} {'killed':>8} {'score':>7} {'unchecked':>9}")
    for name, n, checked, killed, unchecked in rows + [("all", total["mutants"], total["checked"], total["killed"],
                                                        total["unchecked"])]:
        score = f"{100 * killed / checked:.1f}%" if checked else "-"
        print(f"{name:48} {n:8d} {checked:8d} {killed:8d} {score:>7} {unchecked:9d}")
    print_survivors(survivors, diffs=diffs)
    return survivors


def print_survivors(survivors: list[str], *, diffs: bool) -> None:
    """List the survivors, each with its diff unless ``diffs`` is False."""
    print(f"\n{len(survivors)} survivors" + (":" if survivors else ""))
    for name in survivors:
        if diffs:
            shown = subprocess.run([str(Path(sys.executable).with_name("mutmut")), "show", name], cwd=ROOT,
                                   capture_output=True, text=True).stdout
            print("\n".join(line for line in shown.splitlines() if line.startswith(("+", "-", "#")))
                  or name)
        else:
            print(" ", name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("modules", nargs="*", type=Path, help="core modules to mutate (default: all, or --since)")
    ap.add_argument("--since", help="only the core modules changed since this git revision")
    ap.add_argument("--jobs", type=int, default=1, help="mutmut worker processes (default 1)")
    ap.add_argument("--max-minutes", type=float, default=25.0, help="stop the run after this long (default 25)")
    ap.add_argument("--report-only", action="store_true", help="print the results of earlier runs, run nothing")
    ap.add_argument("--names-only", action="store_true", help="list survivors by name, without their diffs")
    ap.add_argument("--sample", type=int, metavar="N",
                    help="check a seeded random sample of N mutants per given package or module (a score estimate)")
    ap.add_argument("--seed", type=int, default=19, help="the sample's seed (default 19)")
    args = ap.parse_args(argv)
    if args.sample:
        return run_sample(args.modules or [CORE / "rotation", CORE / "circles"], args)
    paths = [p for p in args.modules if has_functions(ROOT / p)] if args.modules else core_modules(args.since)
    if not paths:
        print(f"no core module with functions changed since {args.since}" if args.since else "nothing to mutate")
        return 0
    names = [n for p in paths for n in to_test(p)]
    if not args.report_only and names:
        run_mutmut(names, jobs=args.jobs, max_minutes=args.max_minutes)
        mark_tested(paths)
    report(paths, diffs=not args.names_only)
    return 0


def run_sample(packages: list[Path], args: argparse.Namespace) -> int:
    """``--sample``: check the seeded sample of each package (what has no verdict yet and the survivors) and
    report the killed share per package."""
    samples = {package: sample_mutants(package, args.sample, args.seed) for package in packages}
    results = all_results([m for package in packages for m in package_modules(package)])
    names = [n for names in samples.values() for n in names
             if status(results.get(n)) not in set(KILLED.values())]
    if not args.report_only and names:
        run_mutmut(names, jobs=args.jobs, max_minutes=args.max_minutes)
    sample_report(samples, diffs=not args.names_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
