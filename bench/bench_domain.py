"""The tight domain's construction (docs/uniform.md, "A tight domain", "Whole rows"): the
window invariant (``proofs_check/uniform/invariant.py``) and the row invariant
(``proofs_check/uniform/row_scan.py``), ours against a baseline copy of both files, on every
bundled machine (bb5 left out). Prints, per machine, the seconds of the baseline and of
ours (both invariants, caches cold; wall clock, and CPU seconds of this process, which a
busy machine disturbs less), the ratio, and whether the two give the same domain: the
same triples of each invariant, the same sizes (``domain_sizes``), and the same tight
domain once cut with the syntactic one.

    python bench/bench_domain.py [--old DIR] [--verify] [MACHINE ...]

``--old DIR``: a folder holding the baseline ``invariant.py`` and ``row_scan.py`` (default:
both files as committed, ``git show HEAD:proofs_check/...``). ``--verify`` also times
``verify_uniform(tm, compile_uniform(tm), method="exhaustive")`` end to end with ours.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from proofs_check.uniform import invariant as new_invariant
from proofs_check.uniform import proof as uniform
from proofs_check.uniform import row_scan as new_row_scan
from theorymodel.compile.uniform import compile_uniform
from theorymodel.machines import library
from theorymodel.program.uniform import uniform_vocab

ROOT = Path(__file__).resolve().parent.parent
FILES = ("invariant.py", "row_scan.py")


def baseline_dir(old: str | None) -> Path:
    """The folder of the baseline files: ``old``, or HEAD's files written to a temporary one."""
    if old:
        return Path(old)
    out = Path(tempfile.mkdtemp(prefix="domain_baseline_"))
    for name in FILES:
        text = subprocess.run(["git", "show", f"HEAD:proofs_check/{name}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        (out / name).write_text(text)
    return out


def load(path: Path, name: str) -> ModuleType:
    """A module from ``path`` under its own name (its caches and classes are its own)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def build(inv: ModuleType, scan: ModuleType, tm) -> tuple[float, float, tuple]:
    """Wall and CPU seconds to build both invariants with these modules (caches bypassed),
    and what they give."""
    wall, cpu = time.perf_counter(), time.process_time()
    window = inv._canonical_domain.__wrapped__(tm, inv.DEFAULT_K)
    rows = scan.scan_triples.__wrapped__(tm)
    return time.perf_counter() - wall, time.process_time() - cpu, (window, rows)


def tight(tm, built: tuple) -> tuple:
    """The tight domain (``proofs_check.uniform._tight_domain``) from these invariants."""
    (window, _), (scanned, _) = built
    vocab = compile_uniform(tm).vocab
    return tuple(t for t in uniform._syntactic_domain(tm, vocab)
                 if (vocab[t[0]], vocab[t[1]], vocab[t[2]]) in window
                 and (scanned is None or (vocab[t[0]], vocab[t[1]], vocab[t[2]]) in scanned))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", help="folder of the baseline invariant.py and row_scan.py (default: git HEAD)")
    parser.add_argument("--verify", action="store_true", help="also time verify_uniform end to end (ours)")
    parser.add_argument("machines", nargs="*")
    args = parser.parse_args()
    folder = baseline_dir(args.old)
    old_inv = load(folder / "invariant.py", "baseline_invariant")
    old_scan = load(folder / "row_scan.py", "baseline_row_scan")
    names = args.machines or [n for n in library.names() if n != "bb5"]
    print(f"baseline: {folder}")
    print(f"{'machine':34} {'old s':>7} {'new s':>7} {'ratio':>6} {'old cpu':>7} {'new cpu':>7} {'ratio':>6} "
          f"{'same':>5} {'triples':>7}" + (f" {'verify s':>8} {'cpu':>6}" if args.verify else ""))
    totals = [0.0, 0.0, 0.0, 0.0]
    for name in names:
        tm = library.load(name)
        uniform_vocab(tm.tape_symbols, tm.states)  # warm, outside the timings
        old_s, old_cpu, old = build(old_inv, old_scan, tm)
        new_s, new_cpu, new = build(new_invariant, new_row_scan, tm)
        same = old == new and tight(tm, old) == tight(tm, new)
        for i, v in enumerate((old_s, new_s, old_cpu, new_cpu)):
            totals[i] += v
        line = (f"{name:34} {old_s:>7.2f} {new_s:>7.2f} {old_s / new_s:>5.1f}x {old_cpu:>7.2f} {new_cpu:>7.2f} "
                f"{old_cpu / new_cpu:>5.1f}x {'yes' if same else 'NO':>5} {len(tight(tm, new)):>7,}")
        if args.verify:
            for cached in (new_invariant._canonical_domain, new_row_scan.scan_triples, uniform._tight_domain,
                           uniform._syntactic_domain):
                cached.cache_clear()
            wall, cpu = time.perf_counter(), time.process_time()
            verdict = uniform.verify_uniform(tm, compile_uniform(tm), method="exhaustive")
            line += (f" {time.perf_counter() - wall:>8.2f} {time.process_time() - cpu:>6.2f}"
                     + ("" if verdict.verified else " (not verified)"))
        print(line, flush=True)
    print(f"{'all':34} {totals[0]:>7.2f} {totals[1]:>7.2f} {totals[0] / totals[1]:>5.1f}x {totals[2]:>7.2f} "
          f"{totals[3]:>7.2f} {totals[2] / totals[3]:>5.1f}x")


if __name__ == "__main__":
    main()
