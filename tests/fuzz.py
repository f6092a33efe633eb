"""Seeded, time-bounded fuzzing of the command line with mutated videos, pose files and result JSONs.

    python tests/fuzz.py --seconds 600 --seed 1        # what `make fuzz` runs (FUZZ_SECONDS, FUZZ_SEED)

Each case is one mutated input and one command on it (``extract``/``rotation``/``circles``/``session`` on a
video, ``rotation``/``circles``/``session`` on a pose file, ``report`` on a result JSON). The command runs
through the CLI's own entry point (`hipvision.cli.main`, as the ``hipvision`` script does) in a child forked
from this process after it imported hipvision once (a new interpreter per case would cost 5 times as
long), with its stdout and stderr in files and its address space limited. A case passes when the child
exits with 0 or 2, printed no Python traceback, was not killed by a signal and finished in time.

The summary is one JSON line on stdout (cases per kind, failures per signature); failing cases are kept
in ``--out`` (input, command, output) to replay. Exit code 1 when any case failed.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS threads to carry across fork()

import argparse
import copy
import io
import json
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
sys.path[:0] = [str(ROOT), str(TESTS)]

JUNK = [None, True, False, 0, -1, 1, 2.5, -1e308, 1e308, 10 ** 30, "", "abc", "NaN", [], {}, [None], [0, 0, 0],
        {"a": 1}, [640], [0, 0], [-5, 5], "640x480", [[1, 2]]]
NUMBERS = [np.nan, np.inf, -np.inf, 0.0, 1e30, -1e30, 0.5, 1e-300, -0.0]


@dataclass
class Case:
    """One input and one command; ``argv`` refers to files in ``folder``."""

    kind: str
    argv: list[str]
    folder: Path
    mutations: list[str] = field(default_factory=list)
    timeout_s: float = 90.0


# ------------------------------------------------------------------ the inputs to mutate

def make_corpus(folder: Path) -> dict[str, list[Path]]:
    """Valid inputs of each kind: a short faststart video, pose files and result JSONs."""
    from damaged_video import faststart_mp4, sample_frames
    from hipvision.core.circles import analyze_circles
    from hipvision.core.rotation import analyze_rotation
    from hipvision.io import load_sequence, save_sequence, to_json_text
    from hipvision.core.session import analyze_session
    from hipvision.synthetic import PinholeCamera, sequence_from_joints
    from hipvision.synthetic.seated import SeatedBody, effort_profile, seated_joints

    folder.mkdir(parents=True, exist_ok=True)
    video = faststart_mp4(folder / "video.mp4", sample_frames(ROOT / "samples" / "seated_ir.mp4", 12, width=192))
    t = np.arange(150) / 30
    seated = sequence_from_joints(seated_joints(effort_profile(t, [(0.5, 35.0, 1.5)]), effort_profile(t, [(2.5, 25.0, 1.5)])),
                                  PinholeCamera.looking_at(SeatedBody().knee_centre(), distance_m=2.0))
    circles = load_sequence(TESTS / "fixtures" / "mediapipe_circles" / "hip_circles_side.npz").slice(0, 300)
    poses = [save_sequence(seated, folder / "seated.npz"), save_sequence(circles, folder / "circles.npz")]
    results = []
    for name, result in (("rotation", analyze_rotation(seated).to_dict()), ("circles", analyze_circles(circles).to_dict()),
                         ("session", analyze_session(seated).to_dict())):
        path = folder / f"written-{name}.json"
        path.write_text(to_json_text(result))
        results.append(path)
    results += sorted((TESTS / "fixtures").glob("*.json"))
    return {"video": [video], "poses": poses, "json": results}


# ------------------------------------------------------------------ mutators

def mutate_bytes(data: bytes, rng: np.random.Generator, notes: list[str], *, ops: int | None = None) -> bytes:
    """Flip bits, overwrite, delete, duplicate or insert runs of bytes, or cut the data short."""
    buf = bytearray(data)
    for _ in range(ops or int(rng.integers(1, 5))):
        if not buf:
            break
        at = int(rng.integers(0, len(buf)))
        run = int(rng.integers(1, 65))
        op = rng.choice(["flip", "random", "fill", "delete", "duplicate", "insert", "truncate"],
                        p=[0.25, 0.2, 0.15, 0.1, 0.1, 0.1, 0.1])
        if op == "flip":
            for k in rng.integers(0, len(buf), size=run):
                buf[int(k)] ^= 1 << int(rng.integers(0, 8))
        elif op == "random":
            buf[at:at + run] = rng.integers(0, 256, size=len(buf[at:at + run]), dtype=np.uint8).tobytes()
        elif op == "fill":
            buf[at:at + run] = bytes([int(rng.choice([0, 0xFF, 0x7F, 0x80]))]) * len(buf[at:at + run])
        elif op == "delete":
            del buf[at:at + run]
        elif op == "duplicate":
            buf[at:at] = buf[at:at + run]
        elif op == "insert":
            buf[at:at] = rng.integers(0, 256, size=run, dtype=np.uint8).tobytes()
        else:
            at = max(1, int(len(buf) * rng.uniform(0.02, 0.99)))
            del buf[at:]
        notes.append(f"bytes {op} at {at}")
    return bytes(buf)


def _rows(n: int, rng: np.random.Generator) -> slice:
    start = int(rng.integers(0, max(n, 1)))
    return slice(start, start + int(rng.integers(1, max(n, 2) + 1)))


def mutate_poses(path: Path, rng: np.random.Generator, notes: list[str]) -> bytes:
    """A pose file with its arrays or its meta changed (values, shapes, types, times), maybe its bytes too."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["meta"]))
    for _ in range(int(rng.integers(1, 4))):
        op = rng.choice(["meta", "values", "one_point", "times", "shape", "dtype", "drop", "frames"])
        if op in ("one_point", "times") and {"one_point": "image", "times": "timestamps_s"}[op] not in arrays:
            continue
        if op in ("shape", "dtype", "drop") and len(arrays) < 2:
            continue
        if op == "meta":
            key = str(rng.choice(["frame_size", "fps", "schema_version", "source", "model", "meta"]))
            if rng.random() < 0.2:
                meta.pop(key, None)
                notes.append(f"meta: no {key}")
            else:
                meta[key] = copy.deepcopy(JUNK[int(rng.integers(0, len(JUNK)))])
                notes.append(f"meta.{key} = {json.dumps(meta[key])[:40]}")
        elif op == "values":
            name = str(rng.choice(["image", "world", "visibility", "presence", "timestamps_s", "hip_growth"]))
            if name in arrays and arrays[name].size and arrays[name].dtype.kind == "f":
                a = arrays[name].copy()
                value = float(rng.choice(NUMBERS))
                rows = _rows(len(a), rng)
                if a.ndim > 1:
                    cols = rng.choice(a.shape[1], size=int(rng.integers(1, a.shape[1] + 1)), replace=False)
                    a[rows, cols] = value
                else:
                    a[rows] = value
                arrays[name] = a
                notes.append(f"{name}[{rows.start}:{rows.stop}] some = {value}")
        elif op == "one_point":
            a = arrays["image"].copy()
            rows = _rows(len(a), rng)
            if a.ndim != 3 or a.dtype.kind != "f":
                continue
            a[rows, :, :2] = rng.uniform(-1, 2, size=2)
            arrays["image"] = a
            notes.append(f"image[{rows.start}:{rows.stop}] all on one point")
        elif op == "times":
            t = arrays["timestamps_s"].astype(float).reshape(-1)
            how = str(rng.choice(["1ns", "huge", "reversed", "repeat", "gaps", "offset"]))
            if how == "1ns":
                t = np.arange(len(t)) * 1e-9
            elif how == "huge":
                t = t * 1e12
            elif how == "reversed":
                t = t[::-1].copy()
            elif how == "repeat" and len(t) > 1:
                k = int(rng.integers(1, len(t)))
                t[k] = t[k - 1]
            elif how == "gaps":
                t = np.cumsum(rng.exponential(rng.choice([1e-6, 0.03, 100.0]), size=len(t)))
            else:
                t = t + float(rng.choice([-1e6, 1e9, 1e15]))
            arrays["timestamps_s"] = t
            notes.append(f"timestamps {how}")
        elif op == "shape":
            name = str(rng.choice(list(k for k in arrays if k != "meta")))
            a = arrays[name]
            how = str(rng.choice(["fewer_rows", "flat", "transpose", "extra_axis"]))
            arrays[name] = {"fewer_rows": lambda: a[: max(0, len(a) - 3)], "flat": lambda: a.reshape(-1),
                            "transpose": lambda: a.T.copy(), "extra_axis": lambda: a[..., None]}[how]()
            notes.append(f"{name} shape {how}")
        elif op == "dtype":
            name = str(rng.choice(list(k for k in arrays if k != "meta")))
            dtype = str(rng.choice(["int8", "bool", "float16", "U3", "complex64"]))
            with np.errstate(all="ignore"):
                arrays[name] = np.nan_to_num(arrays[name]).astype(dtype)
            notes.append(f"{name} as {dtype}")
        elif op == "drop":
            name = str(rng.choice(list(arrays)))
            del arrays[name]
            notes.append(f"no {name}")
        else:
            keep = int(rng.choice([0, 1, 2, 3]))
            arrays = {k: (v[:keep] if k != "meta" and v.ndim else v) for k, v in arrays.items()}
            if "timestamps_s" in arrays:
                arrays["timestamps_s"] = np.arange(len(arrays["timestamps_s"])) / 30.0
            notes.append(f"only {keep} frames")
    if "meta" in arrays:
        arrays["meta"] = np.array(json.dumps(meta))
    buf = io.BytesIO()
    (np.savez_compressed if rng.random() < 0.5 else np.savez)(buf, **arrays)
    data = buf.getvalue()
    return mutate_bytes(data, rng, notes) if rng.random() < 0.15 else data


def _paths(obj, prefix=()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:5]):
            out += _paths(v, prefix + (i,))
    return out


def mutate_json(path: Path, rng: np.random.Generator, notes: list[str]) -> bytes:
    """A result JSON with fields retyped, removed, emptied or the kind swapped; sometimes its text mangled."""
    result = json.loads(path.read_text())
    for _ in range(int(rng.integers(1, 4))):
        paths = [p for p in _paths(result) if p]
        if not paths:
            break
        where = paths[int(rng.integers(0, len(paths)))]
        parent = result
        for k in where[:-1]:
            parent = parent[k]
        op = str(rng.choice(["junk", "delete", "empty", "kind", "duplicate", "nest"]))
        last = where[-1]
        if op == "junk":
            parent[last] = copy.deepcopy(JUNK[int(rng.integers(0, len(JUNK)))])
        elif op == "delete":
            del parent[last]
        elif op == "empty":
            parent[last] = type(parent[last])() if isinstance(parent[last], (dict, list)) else None
        elif op == "kind":
            result["kind"] = str(rng.choice(["rotation", "circles", "session", "Rotation", ""]))
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        else:
            value = parent[last]
            for _ in range(int(rng.integers(1, 50))):
                value = [value]
            parent[last] = value
        notes.append(f"{op} $.{'.'.join(map(str, where))}")
    text = json.dumps(result).encode()
    if rng.random() < 0.2:
        text = mutate_bytes(text, rng, notes, ops=1)
    if rng.random() < 0.03:  # nested deeper than any parser's recursion
        depth = int(rng.choice([1000, 100000]))
        text = b'{"kind": "rotation", "left": ' + b"[" * depth + b"]" * depth + b"}"
        notes.append(f"nested {depth} deep")
    return text


def make_case(index: int, corpus: dict[str, list[Path]], rng: np.random.Generator, folder: Path,
              kinds: list[str]) -> Case:
    kind = str(rng.choice(kinds, p=_weights(kinds)))
    base = corpus[kind][int(rng.integers(0, len(corpus[kind])))]
    notes: list[str] = [f"from {base.name}"]
    folder.mkdir(parents=True)
    if kind == "video":
        data = mutate_bytes(base.read_bytes(), rng, notes)
        (folder / "in.mp4").write_bytes(data)
        command = str(rng.choice(["extract", "rotation", "circles", "session"]))
        argv = ([command, "in.mp4", "-o", "out.npz", "--max-frames", "12"] if command == "extract"
                else [command, "in.mp4", "--json", "out.json"])
        return Case(kind, argv, folder, notes, timeout_s=180.0)
    if kind == "poses":
        (folder / "in.npz").write_bytes(mutate_poses(base, rng, notes))
        command = str(rng.choice(["rotation", "circles", "session"]))
        extra = [["--csv", "out.csv"], ["--report", "out.html"], []][int(rng.integers(0, 3))]
        return Case(kind, [command, "in.npz", "--json", "out.json", *extra], folder, notes)
    (folder / "in.json").write_bytes(mutate_json(base, rng, notes))
    return Case(kind, ["report", "in.json", "-o", "out.html"], folder, notes)


def _weights(kinds: list[str]) -> list[float]:
    w = np.array([{"video": 0.2, "poses": 0.45, "json": 0.35}[k] for k in kinds])
    return list(w / w.sum())


# ------------------------------------------------------------------ running a case

def _child(argv: list[str], folder: str, memory_bytes: int) -> None:
    """In the forked child: run the CLI on ``argv`` in ``folder``; stdout/stderr to files there."""
    os.chdir(folder)
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, fd)
        os.close(out)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # not whatever the parent had (pytest's capture)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    code = 1
    try:
        from hipvision.cli import main

        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 70
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_case(case: Case, memory_bytes: int) -> tuple[int | None, str | None]:
    """(exit code, failure signature) of ``case``; the signature is None when it passed."""
    ctx = multiprocessing.get_context("fork")
    proc = ctx.Process(target=_child, args=(case.argv, str(case.folder), memory_bytes))
    proc.start()
    proc.join(case.timeout_s)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return None, f"hang (> {case.timeout_s:g} s)"
    stderr = (case.folder / "stderr.txt").read_text(errors="replace")
    last = ([line for line in stderr.splitlines() if line.strip()] or [""])[-1][:160]
    if proc.exitcode < 0:
        return proc.exitcode, f"killed by signal {-proc.exitcode}"
    if "Traceback (most recent call last)" in stderr:
        return proc.exitcode, f"traceback: {last}"
    if proc.exitcode not in (0, 2):
        return proc.exitcode, f"exit {proc.exitcode}: {last}"
    return proc.exitcode, None


def fuzz(seconds: float, seed: int, out: Path, kinds: list[str], memory_gb: float = 3.0) -> dict:
    """Run cases until ``seconds`` have passed; returns the summary."""
    import hipvision.cli  # noqa: F401 - imported once here, before forking (the point of forking)
    import hipvision.core.circles, hipvision.core.rotation, hipvision.core.session  # noqa: E401, F401
    import hipvision.io, hipvision.pose.extract, hipvision.report, hipvision.io.result_schema  # noqa: E401, F401

    rng = np.random.default_rng(seed)
    work = Path(tempfile.mkdtemp(prefix="hipvision-fuzz-"))
    failures_dir = out / "failures"
    start = time.monotonic()
    cases, failures, exits = Counter(), Counter(), Counter()
    try:
        corpus = make_corpus(work / "corpus")
        index = 0
        while time.monotonic() - start < seconds:
            case = make_case(index, corpus, rng, work / f"case-{index:05d}", kinds)
            code, signature = run_case(case, int(memory_gb * 2 ** 30))
            cases[case.kind] += 1
            exits[f"{case.kind} exit {code}"] += 1
            if signature is not None:
                failures[signature] += 1
                keep = failures_dir / f"{index:05d}-{case.kind}"
                shutil.rmtree(keep, ignore_errors=True)
                shutil.copytree(case.folder, keep)
                (keep / "case.json").write_text(json.dumps({"seed": seed, "index": index, "argv": case.argv,
                                                            "mutations": case.mutations, "failure": signature},
                                                           indent=2))
            shutil.rmtree(case.folder, ignore_errors=True)
            index += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"seed": seed, "seconds": round(time.monotonic() - start, 1), "cases": sum(cases.values()),
            "by_kind": dict(cases), "exit_codes": dict(sorted(exits.items())), "failures": sum(failures.values()), "signatures": dict(failures.most_common())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget (new cases start until then)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", default="video,poses,json", help="comma-separated: video, poses, json")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "fuzz", help="failing cases are kept here")
    args = parser.parse_args(argv)
    summary = fuzz(args.seconds, args.seed, args.out, [k for k in args.kinds.split(",") if k])
    print(json.dumps(summary), flush=True)
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
