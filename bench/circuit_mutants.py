"""Wrong predictor files for a circuit, each checked by every method: each must be refuted
with a replayed counterexample, and the right file proved (issue: "every method refutes
what is wrong").

    python bench/circuit_mutants.py PREDICTOR.npz CIRCUIT.bench [--methods auto,z3,sat,both]

Mutant kinds: answer positions swapped, an answer position moved to another gate, one
weight's sign flipped, one bias moved by one (a gate's threshold), labels dropped.
Prints one line per (mutant, method): exit code, found, decided by, seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def mutants(path: Path, out: Path, seed: int = 0) -> list[tuple[str, Path]]:
    d = dict(np.load(path, allow_pickle=False))
    rng = np.random.default_rng(seed)
    made = []

    def save(name: str, arrays: dict) -> None:
        p = out / f"{name}.npz"
        np.savez(p, **arrays)
        made.append((name, p))

    pos = d["answer_positions"].copy()
    a, b = rng.choice(len(pos), 2, replace=False)
    pos[[a, b]] = pos[[b, a]]
    save("answer-swap", {**d, "answer_positions": pos})
    pos = d["answer_positions"].copy()
    pos[0] = int(d["n_inputs"]) + 10 if pos[0] != int(d["n_inputs"]) + 10 else int(d["n_inputs"]) + 11
    save("answer-moved", {**d, "answer_positions": pos})
    w = d["W_data"].copy()
    k = int(rng.integers(len(w)))
    w[k] = -w[k]
    save("weight-sign", {**d, "W_data": w})
    bias = d["b_data"].copy()
    k = int(rng.integers(len(bias)))
    bias[k] += 1
    save("bias-plus-1", {**d, "b_data": bias})
    if "labels" in d:
        pos = d["answer_positions"].copy()
        pos = pos[::-1].copy()
        save("answer-reversed-no-labels", {k2: v for k2, v in {**d, "answer_positions": pos}.items() if k2 != "labels"})
    return made


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("predictor")
    ap.add_argument("circuit")
    ap.add_argument("--methods", default="auto,z3,sat,both")
    ap.add_argument("--timeout", default="120")
    args = ap.parse_args()
    n = None
    with tempfile.TemporaryDirectory() as tmp:
        files = [("original", Path(args.predictor)), *mutants(Path(args.predictor), Path(tmp))]
        n = int(np.load(args.predictor)["n_inputs"])
        bad = 0
        for name, path in files:
            for method in args.methods.split(","):
                t0 = time.perf_counter()
                r = subprocess.run([sys.executable, "-m", "theorymodel", "counterexample", str(path), args.circuit,
                                    "--n", str(n), "--method", method, "--timeout", args.timeout, "--json"],
                                   capture_output=True, text=True, check=False)
                secs = time.perf_counter() - t0
                try:
                    obj = json.loads(r.stdout)
                except json.JSONDecodeError:
                    obj = {}
                want = 0 if name == "original" else 1
                ok = r.returncode == want
                bad += not ok
                print(f"{name:28s} {method:5s} exit {r.returncode} (want {want}) found={obj.get('found')} "
                      f"by={obj.get('method')} {secs:6.1f} s {'' if ok else 'FAIL ' + r.stderr.strip()[:200]}",
                      flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
