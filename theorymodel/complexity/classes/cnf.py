"""A small CNF builder and a SAT call: python-sat (CaDiCaL) when installed, z3 otherwise.

Both answer the same clauses, so an encoding is written once and certificates say which
solver proved them.
"""

from __future__ import annotations

from itertools import combinations


class CNF:
    """Clauses over positive integer variables (DIMACS style)."""

    def __init__(self) -> None:
        self.clauses: list[list[int]] = []
        self.top = 0

    def var(self) -> int:
        self.top += 1
        return self.top

    def add(self, clause: list[int]) -> None:
        self.clauses.append(clause)

    def exactly_one(self, lits: list[int]) -> None:
        self.add(list(lits))
        self.at_most_one(lits)

    def at_most_one(self, lits: list[int]) -> None:
        for p, q in combinations(lits, 2):
            self.add([-p, -q])

    def at_most_k(self, lits: list[int], k: int) -> None:
        """Sinz's sequential counter: at most ``k`` of ``lits`` are true."""
        if k >= len(lits):
            return
        if k == 0:
            for lit in lits:
                self.add([-lit])
            return
        prev = [self.var() for _ in range(k)]  # prev[c]: at least c+1 true so far
        self.add([-lits[0], prev[0]])
        for c in range(1, k):
            self.add([-prev[c]])
        for lit in lits[1:]:
            cur = [self.var() for _ in range(k)]
            self.add([-lit, cur[0]])
            self.add([-prev[0], cur[0]])
            for c in range(1, k):
                self.add([-lit, -prev[c - 1], cur[c]])
                self.add([-prev[c], cur[c]])
            self.add([-lit, -prev[k - 1]])
            prev = cur

    def xor_of(self, lits: list[int]) -> int:
        """A fresh variable equal to the XOR of ``lits`` (a chain of Tseitin XORs)."""
        if not lits:
            v = self.var()
            self.add([-v])
            return v
        acc = lits[0]
        for lit in lits[1:]:
            out = self.var()
            self.add([-out, acc, lit])
            self.add([-out, -acc, -lit])
            self.add([out, -acc, lit])
            self.add([out, acc, -lit])
            acc = out
        return acc

    def and_of(self, p: int, q: int) -> int:
        out = self.var()
        self.add([-out, p])
        self.add([-out, q])
        self.add([out, -p, -q])
        return out


# CaDiCaL is the faster solver here (parity-2 at n = 9: 5.6 s against 17.6 s for Glucose),
# but python-sat cannot interrupt it; a call with a timeout therefore runs Glucose 4,
# which stops when told. Each answer names the solver that gave it.
UNTIMED = ("cadical195", "CaDiCaL 1.9.5")
TIMED = ("glucose4", "Glucose 4.1")


def solver_name(timed: bool = False) -> str:
    try:
        import pysat

        return f"python-sat {pysat.__version__} ({(TIMED if timed else UNTIMED)[1]})"
    except ImportError:
        import z3

        return f"z3 {z3.get_version_string()} (SAT)"


def solve(cnf: CNF, timeout: float | None = None) -> tuple[str, set[int], str]:
    """("sat", true variables, solver) / ("unsat", ∅, solver) / ("unknown", ∅, solver) at the timeout."""
    try:
        from pysat.solvers import Solver
    except ImportError:
        status, true = _solve_z3(cnf, timeout)
        return status, true, solver_name()
    name = solver_name(timed=timeout is not None)
    if timeout is None:
        ok, model = _solve_untimed(cnf)
    else:
        import threading

        with Solver(name=TIMED[0], bootstrap_with=cnf.clauses) as s:
            timer = threading.Timer(timeout, s.interrupt)
            timer.start()
            ok = s.solve_limited(expect_interrupt=True)  # releases the GIL
            timer.cancel()
            model = list(s.get_model() or []) if ok else []
    if ok is None:
        return "unknown", set(), name
    if not ok:
        return "unsat", set(), name
    return "sat", {v for v in model if v > 0}, name


def _solve_untimed(cnf: CNF) -> tuple[bool, list[int]]:
    """CaDiCaL in a forked child (:mod:`.child`): it holds the GIL for the whole call."""
    from array import array

    from pysat.solvers import Solver

    from theorymodel.complexity.classes.child import run_in_child

    def call() -> bytes:
        with Solver(name=UNTIMED[0], bootstrap_with=cnf.clauses) as s:
            ok = s.solve()
            model = array("q", s.get_model() or []) if ok else array("q")
        return bytes([int(ok)]) + model.tobytes()

    answer = run_in_child(call)
    model = array("q")
    model.frombytes(answer[1:])
    return bool(answer[0]), model.tolist()


def _solve_z3(cnf: CNF, timeout: float | None) -> tuple[str, set[int]]:
    import z3

    xs = [z3.Bool(f"v{i}") for i in range(cnf.top + 1)]
    s = z3.Solver()
    if timeout is not None:
        s.set("timeout", max(1, int(timeout * 1000)))
    for c in cnf.clauses:
        s.add(z3.Or([xs[abs(lit)] if lit > 0 else z3.Not(xs[abs(lit)]) for lit in c]))
    res = s.check()
    if res == z3.unknown:
        return "unknown", set()
    if res == z3.unsat:
        return "unsat", set()
    m = s.model()
    return "sat", {i for i in range(1, cnf.top + 1) if z3.is_true(m.eval(xs[i], model_completion=True))}
