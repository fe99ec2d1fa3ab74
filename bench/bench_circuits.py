"""Compile and prove real circuits: local gate lemmas and SAT sweeping against the one
global z3 query, over the ISCAS-85 suite and ABC's i10 (docs/circuits.md).

    python bench/bench_circuits.py [--dir ../shared/benchmarks] [--cutoff 60] [--linearlm i10.aig]

For each circuit: gates, CoT tokens, non-zero weights, the compile time, the local proof
(labelled file, ``verify --method auto``), the sweeping proof of the same file without
labels (``--method sat``), and the global query (``--method z3`` on the unlabelled file,
in a fresh process stopped at ``--cutoff`` seconds), with the ratio global / local. With
``--linearlm NAME`` it also writes that circuit's predictor in the LinearModel layout
(dense, no labels), reads it back and proves it by sweeping.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from proofs_check.per_length.circuit_proof import prove_circuit
from proofs_check.verdict import CircuitTarget
from theorymodel.circuits.formats import load_circuit
from theorymodel.compile.circuit_route import compile_boolean_circuit
from theorymodel.predictor import LinearPredictor, load
from theorymodel.predictor.export import save_linearlm, save_predictor


def unlabelled(pred: LinearPredictor) -> LinearPredictor:
    return LinearPredictor(pred.vocab, pred.n_inputs, pred.weights, pred.bias, pred.answer, pred.input_alphabet,
                           dict(pred.meta), None)


def global_query(path: Path, circuit_path: Path, n: int, cutoff: float) -> str:
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "theorymodel", "counterexample", str(path), str(circuit_path),
                               "--n", str(n), "--method", "z3", "--json"], capture_output=True, text=True,
                              timeout=cutoff)
    except subprocess.TimeoutExpired:
        return f"> {cutoff:.0f}"
    if proc.returncode != 0:
        return f"exit {proc.returncode}"
    return f"{time.perf_counter() - start:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "benchmarks"))
    ap.add_argument("--cutoff", type=float, default=60.0, help="seconds for the global z3 query (fresh process)")
    ap.add_argument("--linearlm", metavar="NAME", help="also prove this circuit's LinearModel export by sweeping")
    ap.add_argument("--no-global", action="store_true", help="skip the global z3 baseline")
    args = ap.parse_args()
    files = sorted(p for p in Path(args.dir).iterdir() if p.suffix in (".bench", ".aig", ".aag"))
    print(f"{'circuit':10} {'inputs':>6} {'gates':>6} {'tokens':>6} {'weights':>8} {'compile s':>9} "
          f"{'local s':>8} {'lemmas':>6} {'sweep s':>8} {'merged':>7} {'global z3 s':>11} {'global/local':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            t0 = time.perf_counter()
            circuit = load_circuit(path)
            pred = LinearPredictor.from_program(compile_boolean_circuit(circuit))
            t_compile = time.perf_counter() - t0
            target = CircuitTarget(circuit)
            local = prove_circuit(target, pred, method="auto")
            assert local.verified and local.method == "z3", path
            swept = prove_circuit(target, unlabelled(pred), method="sat")
            assert swept.verified, path
            t_local = local.seconds + t_compile
            glob = "-"
            ratio = "-"
            if not args.no_global:
                npz = Path(tmp) / f"{path.stem}.npz"
                save_predictor(unlabelled(pred), npz)
                glob = global_query(npz, path, len(circuit.inputs), args.cutoff)
                ratio = f"{'> ' if glob.startswith('>') else ''}{float(glob.lstrip('> ')) / t_local:,.0f}x" \
                    if not glob.startswith("exit") else "-"
            print(f"{path.stem:10} {len(circuit.inputs):>6} {circuit.n_gates:>6} {pred.n_generated:>6} "
                  f"{pred.weights.nnz:>8,} {t_compile:>9.2f} {local.seconds:>8.2f} "
                  f"{local.details['local']['distinct_lemmas']:>6} {swept.seconds:>8.2f} "
                  f"{swept.details['sweep']['merged']:>7} {glob:>11} {ratio:>12}", flush=True)
        if args.linearlm:
            path = Path(args.dir) / args.linearlm
            circuit = load_circuit(path)
            pred = LinearPredictor.from_program(compile_boolean_circuit(circuit))
            out = Path(tmp) / "linearlm.npz"
            t0 = time.perf_counter()
            save_linearlm(pred, out)
            t_write = time.perf_counter() - t0
            t0 = time.perf_counter()
            foreign = load(out, n_inputs=len(circuit.inputs))
            t_read = time.perf_counter() - t0
            v = prove_circuit(CircuitTarget(circuit), foreign, method="auto")
            print(f"\n{path.name} as a LinearModel file ({out.stat().st_size / 2**20:,.0f} MiB, labels: "
                  f"{foreign.labels is not None}): write {t_write:.1f} s, read {t_read:.1f} s, "
                  f"verified {v.verified} by {v.method} in {v.seconds:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
