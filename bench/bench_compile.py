"""Compile speed: tokens per second and the log-log slope of compile time against the
number of generated tokens, for both routes, as the time bound T grows.

Machine: binary increment (inputs of growing length n; T = 2n + 2, measured head reach)
and the Busy Beaver champions BB(2..4). Usage: ``python bench/bench_compile.py``.
"""

from __future__ import annotations

import gc
import time

import numpy as np

from theorymodel.compile.geometry import Geometry
from theorymodel.compile.pipeline import compile_target
from theorymodel.compile.routes import ROUTES
from theorymodel.machines import library


def main() -> None:
    tm = library.load("binary_increment")
    print(f"{'route':8} {'n':>4} {'T':>5} {'tokens':>10} {'seconds':>9} {'tokens/s':>12}")
    for route in ("tableau", "circuit"):
        pts = []
        sizes = (8, 16, 32, 64, 96) if route == "tableau" else (4, 8, 12, 16, 24)
        for n in sizes:
            g = Geometry(n, 2 * n + 2, 1, n)
            gc.collect()
            start = time.perf_counter()
            gc.disable()  # as compile_target does
            program = ROUTES[route].build(tm, g, "tape")
            gc.enable()
            secs = time.perf_counter() - start
            pts.append((program.cot_tokens, secs))
            print(f"{route:8} {n:>4} {g.T:>5} {program.cot_tokens:>10,} {secs:>9.3f} "
                  f"{program.cot_tokens / secs:>12,.0f}")
        slope = np.polyfit(np.log([p[0] for p in pts]), np.log([p[1] for p in pts]), 1)[0]
        print(f"{route}: log-log slope of time in generated tokens = {slope:.2f}\n")
    for name in ("bb2", "bb3", "bb4"):
        for route in ("tableau", "circuit"):
            start = time.perf_counter()
            res = compile_target(library.load(name), n=0, route=route)
            print(f"{name} {route:8}: T = {res.geometry.T}, {res.program.cot_tokens:,} tokens in "
                  f"{time.perf_counter() - start:.3f} s (simulation included)")


if __name__ == "__main__":
    main()
