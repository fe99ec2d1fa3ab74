"""Simulator speed: ours (compiled loop) against baselines, in one run.

Prints steps/s for BB(5) (47,176,870 steps) with our compiled engine, our
integer-coded Python fallback, a plain dict-based Python loop (the obvious
implementation), and automata-lib's DTM (first 200,000 steps only: it slows as the
tape grows), plus the ratios. Usage: ``python bench/bench_simulator.py [--full-baseline]``.
"""

from __future__ import annotations

import argparse
import time

from theorymodel.machines import library, simulate

BB5 = library.BUSY_BEAVERS["bb5"][0]


def dict_loop(tm, max_steps: int) -> int:
    """The plain implementation: dict tape, dict transition table, one step per iteration."""
    table = {(q, s): t for q, row in tm.transitions.items() for s, t in row.items()}
    delta = {"L": -1, "R": 1, "N": 0}
    tape: dict[int, str] = {}
    state, head, steps = tm.initial_state, 0, 0
    blank = tm.blank_symbol
    while steps < max_steps:
        t = table.get((state, tape.get(head, blank)))
        if t is None:
            break
        tape[head] = t.write
        head += delta[t.move]
        state = t.next_state
        steps += 1
    return steps


def automata_steps(tm, max_steps: int) -> tuple[int, float]:
    from automata.tm.dtm import DTM

    from theorymodel.machines.formats import to_automata

    dtm: DTM = to_automata(tm)
    start = time.perf_counter()
    steps = 0
    for _ in dtm.read_input_stepwise(""):
        steps += 1
        if steps >= max_steps:
            break
    return steps, time.perf_counter() - start


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full-baseline", action="store_true", help="run the dict loop on all of BB(5)")
    parser.add_argument("--automata-steps", type=int, default=200_000)
    args = parser.parse_args()
    tm = library.load("bb5")
    total = 47_176_870
    rows = []
    r, t = timed(simulate, tm, engine="c")
    assert r.steps == total and r.nonblank == 4098
    rows.append(("theorymodel (compiled)", r.steps, t))
    partial = total if args.full_baseline else 5_000_000
    r, t = timed(simulate, tm, engine="python", max_steps=partial)
    rows.append(("theorymodel (python fallback)", r.steps, t))
    steps, t = timed(dict_loop, tm, partial)
    rows.append(("plain dict loop", steps, t))
    try:
        steps, t = automata_steps(tm, args.automata_steps)
        rows.append(("automata-lib DTM", steps, t))
    except ImportError:
        print("automata-lib not installed: pip install 'theorymodel[automata]'")
    ours = rows[0][1] / rows[0][2]
    print(f"BB(5): {total:,} steps; ours ran all of them in {rows[0][2]:.3f} s\n")
    print(f"{'engine':32} {'steps':>12} {'seconds':>9} {'steps/s':>14} {'ours / it':>10}")
    for name, steps, secs in rows:
        rate = steps / secs
        print(f"{name:32} {steps:>12,} {secs:>9.3f} {rate:>14,.0f} {ours / rate:>9.1f}x")
    print("\n(baselines on a prefix of the run; steps/s is what is compared)")


if __name__ == "__main__":
    main()
