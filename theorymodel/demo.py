"""``theorymodel demo``: the pipeline on a bundled machine, as a short report."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from theorymodel.cli import Report


def run_demo() -> Report:
    from theorymodel.cli import Report
    from theorymodel.machines import library, run_batch, simulate

    tm = library.load("binary_increment")
    lines = [f"theorymodel demo: {tm.name} ({library.describe(tm.name)})", ""]
    lines.append("1. Simulate (CONTRACT semantics; the halting transition counts as a step)")
    examples = {}
    for word in ("1011", "111", "0"):
        r = simulate(tm, word)
        examples[word] = {"output": r.output, "steps": r.steps}
        lines.append(f"   {word:>5} -> {r.output:<6} in {r.steps} steps")
    lines.append("")
    lines.append("2. Time bound T(n) over every input of length n (what every compiler needs)")
    bounds = {}
    for n in (4, 8, 12):
        batch = run_batch(tm, n)
        bounds[n] = batch.time_bound
        lines.append(f"   n = {n:>2}: {batch.inputs:>5} inputs, T(n) = {batch.time_bound}")
    bb5 = simulate(library.load("bb5"))
    lines.append("")
    lines.append(f"3. Busy Beaver 5 champion: halted={bb5.halted} after {bb5.steps:,} steps, "
                 f"{bb5.nonblank} ones")
    payload = {
        "machine": tm.name,
        "examples": examples,
        "time_bounds": {str(k): v for k, v in bounds.items()},
        "bb5": {"steps": bb5.steps, "ones": bb5.nonblank},
    }
    return Report(payload, "\n".join(lines))
