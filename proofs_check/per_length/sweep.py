"""SAT sweeping: is a predictor of unknown origin equal to a circuit on every input?

The way combinational equivalence checkers answer it (ABC's ``cec``, Kuehlmann's
"fraiging"), for a predictor whose tokens are the bits ``0``/``1``:

1. **Simulate** both sides on random inputs, vectorised (the circuit gate by gate, the
   predictor by its own roll-out). A tie or a wrong answer there is a counterexample.
2. **Candidates**: a generated position whose bit signature equals a circuit node's (or
   its complement) is a candidate pair "position = node".
3. **Sweep** bottom-up: each position's token is encoded exactly, as the threshold
   function its integer scores give over the bits it reads (score of ``1`` minus score of
   ``0`` is ``const + sum a_r x_r``; a difference of 0 is a tie), in CNF over the
   literals of what it reads. A candidate pair is proved by two small SAT calls
   (CaDiCaL through python-sat); a proved position then *is* its node's literal for every
   later reader (merging), so the queries stay small.
4. **Finish** with one SAT call on the reduced miter: some answer bit differs from its
   output, or some position ties.

The circuit's CNF is written from the file's gates (Tseitin), never from a compiler. Every
model a solver returns is an input, replayed on the circuit and the predictor before it
is reported. Solver calls run in conflict-budgeted slices, so a deadline or a stop signal
(SIGTERM, SIGINT, SIGHUP) ends them between slices.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from theorymodel.circuits import Circuit
from theorymodel.errors import ResourceLimitError
from theorymodel.predictor import LinearPredictor

SOLVER = ("cadical195", "CaDiCaL 1.9.5")
SIMULATION_INPUTS = 2048
SLICE_CONFLICTS = 20_000  # a solver call returns to Python at least this often
MERGE_CONFLICTS = 50_000  # a candidate pair not decided within this is left unmerged
MAX_BDD_NODES = 200_000  # per threshold function
MAX_CANDIDATES = 4  # nodes tried per signature


@dataclass
class SweepReport:
    """What sweeping concluded: ``verified`` True/False, or None (not applicable here)."""

    verified: bool | None
    reason: str = ""
    word: tuple[str, ...] | None = None
    candidates: int = 0
    merged: int = 0
    refuted_candidates: int = 0
    sat_calls: int = 0
    clauses: int = 0
    final_pairs: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"solver": f"python-sat ({SOLVER[1]})", "candidates": self.candidates, "merged": self.merged,
                "refuted_candidates": self.refuted_candidates, "sat_calls": self.sat_calls,
                "clauses": self.clauses, "final_pairs": self.final_pairs, "seconds": round(self.seconds, 3),
                "stages": {k: round(v, 3) for k, v in self.stages.items()},
                **({"reason": self.reason} if self.reason else {})}


class _CNF:
    """Literals and clauses, added straight to the solver."""

    def __init__(self, solver: Any) -> None:
        self.solver = solver
        self.top = 0
        self.clauses = 0
        self.true = self.new()
        self.add([self.true])

    def new(self) -> int:
        self.top += 1
        return self.top

    def add(self, clause: list[int]) -> None:
        self.solver.add_clause(clause)
        self.clauses += 1

    def const(self, value: bool) -> int:
        return self.true if value else -self.true

    def and_(self, lits: list[int]) -> int:
        lits = [x for x in lits if x != self.true]
        if -self.true in lits or any(-x in lits for x in lits):
            return -self.true
        lits = list(dict.fromkeys(lits))
        if not lits:
            return self.true
        if len(lits) == 1:
            return lits[0]
        y = self.new()
        for x in lits:
            self.add([-y, x])
        self.add([y, *[-x for x in lits]])
        return y

    def xor(self, a: int, b: int) -> int:
        if abs(a) == self.true:
            return -b if a == self.true else b
        if abs(b) == self.true:
            return -a if b == self.true else a
        y = self.new()
        self.add([-y, a, b])
        self.add([-y, -a, -b])
        self.add([y, -a, b])
        self.add([y, a, -b])
        return y

    def ite(self, c: int, hi: int, lo: int) -> int:
        if hi == lo:
            return hi
        if hi == self.true and lo == -self.true:
            return c
        if hi == -self.true and lo == self.true:
            return -c
        y = self.new()
        self.add([-c, -hi, y])
        self.add([-c, hi, -y])
        self.add([c, -lo, y])
        self.add([c, lo, -y])
        self.add([-hi, -lo, y])
        self.add([hi, lo, -y])
        return y

    def at_least(self, lits: list[int], weights: list[int], threshold: int) -> int:
        """[sum w_i x_i >= threshold] as a literal: a reduced ordered BDD, built layer by
        layer without recursion (constant and merged literals are folded first)."""
        terms: dict[int, int] = {}
        for x, w in zip(lits, weights, strict=True):
            if abs(x) == self.true:
                threshold -= w if x == self.true else 0
                continue
            if x < 0:  # w * not(y) = w - w * y
                threshold -= w
                x, w = -x, -w
            terms[x] = terms.get(x, 0) + w
        items = sorted(((x, w) for x, w in terms.items() if w), key=lambda t: -abs(t[1]))
        k = len(items)
        lo_rest = [0] * (k + 1)
        hi_rest = [0] * (k + 1)
        for i in range(k - 1, -1, -1):
            w = items[i][1]
            lo_rest[i] = lo_rest[i + 1] + min(w, 0)
            hi_rest[i] = hi_rest[i + 1] + max(w, 0)
        layers: list[set[int]] = [{threshold}]
        count = 1
        for i in range(k):
            nxt: set[int] = set()
            for s in layers[i]:
                if s <= lo_rest[i] or s > hi_rest[i]:
                    continue
                nxt.add(s - items[i][1])
                nxt.add(s)
            layers.append(nxt)
            count += len(nxt)
            if count > MAX_BDD_NODES:
                raise _TooLarge(f"a threshold function of {k} inputs needs more than {MAX_BDD_NODES} nodes")
        below: dict[int, int] = {}
        for i in range(k, -1, -1):
            here: dict[int, int] = {}
            for s in layers[i]:
                if s <= lo_rest[i]:
                    here[s] = self.true
                elif s > hi_rest[i]:
                    here[s] = -self.true
                else:
                    x, w = items[i]
                    hi = below.get(s - w)
                    lo = below.get(s)
                    hi = hi if hi is not None else self.const(s - w <= lo_rest[i + 1])
                    lo = lo if lo is not None else self.const(s <= lo_rest[i + 1])
                    here[s] = self.ite(x, hi, lo)
            below = here
        return below[threshold]


class _TooLarge(Exception):
    pass


def _solve(solver: Any, assumptions: list[int], deadline: float | None, budget: int | None) -> bool | None:
    """True (SAT) / False (UNSAT) / None (budget spent), in slices a signal can stop."""
    spent = 0
    while True:
        if deadline is not None and time.perf_counter() > deadline:
            raise ResourceLimitError("the solver ran out of time (SAT sweeping)", limit="solver-timeout")
        step = SLICE_CONFLICTS if budget is None else min(SLICE_CONFLICTS, budget - spent)
        if step <= 0:
            return None
        solver.conf_budget(step)
        result = solver.solve_limited(assumptions=assumptions)
        if result is not None:
            return bool(result)
        spent += step


def _equal(solver: Any, a: int, b: int, deadline: float | None, report: SweepReport) -> bool:
    """Two small SAT calls: no input makes ``a`` and ``b`` differ (within the budget)."""
    for assume in ([a, -b], [-a, b]):
        report.sat_calls += 1
        res = _solve(solver, assume, deadline, MERGE_CONFLICTS)
        if res is not False:
            report.refuted_candidates += res is True
            return False
    return True


def supports(pred: LinearPredictor, circuit: Circuit) -> str:
    """Why sweeping cannot decide this pair ("" when it can)."""
    if sorted(pred.vocab) != ["0", "1"]:
        return "sweeping needs a dictionary of exactly the tokens 0 and 1"
    if set(pred.input_alphabet) - {"0", "1"}:
        return "the input alphabet is not bits"
    if pred.answer.kind != "bits":
        return f"sweeping decodes the answer kind 'bits', not {pred.answer.kind!r}"
    if pred.n_inputs != len(circuit.inputs):
        return "the predictor's inputs are not the circuit's inputs"
    return ""


def sweep(circuit: Circuit, pred: LinearPredictor, *, deadline: float | None = None, seed: int = 0
          ) -> SweepReport:
    """Decide "answer = circuit outputs, and no tie, on every input" (module doc)."""
    from pysat.solvers import Solver

    start = time.perf_counter()
    why = supports(pred, circuit)
    if why:
        return SweepReport(None, why)
    n, G = pred.n_inputs, pred.n_generated
    report = SweepReport(None)
    if len(pred.answer.positions) != len(circuit.outputs):
        # every decoded answer has the wrong length: any input shows it
        report.verified, report.word = False, ("0",) * n
        report.reason = "the answer has another number of bits than the circuit has outputs"
        return report
    # 1. simulation
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(SIMULATION_INPUTS, n), dtype=np.uint8)
    bits[0], bits[1] = 0, 1
    words = [tuple("1" if b else "0" for b in row) for row in bits.tolist()]
    roll = pred.rollout(pred.encode_inputs(words), margins=True)
    node_values = circuit.evaluate_all(bits)
    outputs = np.stack([node_values[o] for o in circuit.outputs], axis=1) if circuit.outputs else \
        np.zeros((len(words), 0), np.uint8)
    one_id = pred.token_id["1"]
    answer_bits = (roll.sequences[:, list(pred.answer.positions)] == one_id).astype(np.uint8)
    bad = roll.ties.any(axis=1) | (answer_bits != outputs).any(axis=1)
    report.stages["simulate"] = time.perf_counter() - t0
    if bad.any():
        report.verified, report.word = False, words[int(np.argmax(bad))]
        report.reason = "random simulation"
        report.seconds = time.perf_counter() - start
        return report
    # 2. candidates: signature -> the nodes with it (inputs first, then file order)
    t0 = time.perf_counter()
    names = [*circuit.inputs, *circuit.gates]
    signature: dict[bytes, list[tuple[str, bool]]] = {}
    for name in names:
        for complemented, values in ((False, node_values[name]), (True, 1 - node_values[name])):
            same = signature.setdefault(np.packbits(values).tobytes(), [])
            if len(same) < MAX_CANDIDATES:
                same.append((name, complemented))
    token_bits = (roll.sequences[:, n:] == one_id).astype(np.uint8)
    report.stages["candidates"] = time.perf_counter() - t0
    # 3. sweep
    t0 = time.perf_counter()
    solver = Solver(name=SOLVER[0])
    try:
        cnf = _CNF(solver)
        lit: dict[str, int] = {name: cnf.new() for name in circuit.inputs}
        try:
            _encode_circuit(cnf, circuit, lit)
            pos_lit = [lit[name] for name in circuit.inputs]  # input position j is input j
            ties: list[int] = []
            zero_id = pred.token_id["0"]
            for k in range(G):
                tok_lit, tie = _encode_position(cnf, pred, k, pos_lit, one_id, zero_id)
                if tie is not None:
                    ties.append(tie)
                candidates = signature.get(np.packbits(token_bits[:, k]).tobytes(), [])
                if candidates and abs(tok_lit) != cnf.true:
                    report.candidates += 1
                for name, complemented in candidates if abs(tok_lit) != cnf.true else []:
                    node_lit = -lit[name] if complemented else lit[name]
                    if node_lit != tok_lit and not _equal(solver, tok_lit, node_lit, deadline, report):
                        continue
                    tok_lit = node_lit
                    report.merged += 1
                    break
                pos_lit.append(tok_lit)
        except _TooLarge as exc:  # a size cap: the caller goes on with another method, or exits 3
            report.reason = str(exc)
            return report
        report.stages["sweep"] = time.perf_counter() - t0
        # 4. the reduced miter
        t0 = time.perf_counter()
        diffs = []
        for p, o in zip(pred.answer.positions, circuit.outputs, strict=True):
            a, b = pos_lit[int(p)], lit[o]
            if a != b:
                diffs.append(cnf.xor(a, b))
        report.final_pairs = len(diffs)
        wrong = [d for d in [*diffs, *ties] if d != -cnf.true]
        if wrong and cnf.true not in wrong:
            selector = cnf.new()
            cnf.add([-selector, *wrong])
            report.sat_calls += 1
            res = _solve(solver, [selector], deadline, None)
        else:
            res = bool(wrong)  # a literal that is constant true: every input is wrong
        report.stages["final"] = time.perf_counter() - t0
        report.clauses = cnf.clauses
        if res:
            model = set(solver.get_model() or []) if wrong and cnf.true not in wrong else set()
            report.verified = False
            report.word = tuple("1" if lit[name] in model else "0" for name in circuit.inputs)
            report.reason = "the reduced miter is satisfiable"
        else:
            report.verified = True
    finally:
        solver.delete()
    report.seconds = time.perf_counter() - start
    return report


def _encode_circuit(cnf: _CNF, circuit: Circuit, lit: dict[str, int]) -> None:
    """Tseitin clauses of every gate of the file, in topological order."""
    for name, g in circuit.gates.items():
        args = [lit[f] for f in g.fanins]
        op = g.op
        if op == "CONST":
            y = cnf.const(bool(g.value))
        elif op in ("BUF", "NOT"):
            y = args[0]
        elif op in ("AND", "NAND"):
            y = cnf.and_(args)
        elif op in ("OR", "NOR"):
            y = -cnf.and_([-a for a in args])
        elif op in ("XOR", "XNOR"):
            y = args[0]
            for a in args[1:]:
                y = cnf.xor(y, a)
        else:  # THRESHOLD
            y = cnf.at_least(args, list(g.weights), g.threshold)
        lit[name] = -y if op in ("NOT", "NAND", "NOR", "XNOR") else y


def _encode_position(cnf: _CNF, pred: LinearPredictor, k: int, pos_lit: list[int], one: int, zero: int
                     ) -> tuple[int, int | None]:
    """(literal of "token is 1", literal of "tie" or None when no read values tie).

    The score difference is ``bias[1] - bias[0] + sum over reads of the term of the token
    read``; with a bit per read position it is ``const + sum a_r x_r``."""
    pos, tok, d, w = pred.blocks()[k]
    bcols, bvals = pred.bias_row(k)
    const = 0
    for c, v in zip(bcols.tolist(), bvals.tolist(), strict=True):
        const += int(v) if c == one else -int(v)
    when1: dict[int, int] = {}
    when0: dict[int, int] = {}
    for r, y, dd, ww in zip(pos.tolist(), tok.tolist(), d.tolist(), w.tolist(), strict=True):
        delta = int(ww) if dd == one else -int(ww)
        if y == one:
            when1[r] = when1.get(r, 0) + delta
        elif y == zero:
            when0[r] = when0.get(r, 0) + delta
    reads = sorted(set(when1) | set(when0))
    const += sum(when0.get(r, 0) for r in reads)
    coeffs = [when1.get(r, 0) - when0.get(r, 0) for r in reads]
    lits = [pos_lit[r] for r in reads]
    positive = cnf.at_least(lits, coeffs, 1 - const)  # difference >= 1: token 1
    if not _can_sum_to(coeffs, -const):
        return positive, None
    negative = -cnf.at_least(lits, coeffs, -const)  # difference <= -1: token 0
    tie = cnf.and_([-positive, -negative])
    return positive, None if tie == -cnf.true else tie


def _can_sum_to(coeffs: list[int], target: int, cap: int = 1 << 16) -> bool:
    """Whether some sub-multiset of ``coeffs`` sums to ``target`` (True when unsure)."""
    sums = {0}
    for a in coeffs:
        sums |= {s + a for s in sums}
        if len(sums) > cap:
            return True
    return target in sums


#: seconds per clause-producing item (circuit gates + the predictor's non-zero weights),
#: measured by ``python bench/bench_portfolio.py``; a guess, not a bound: a sweep's cost is its
#: hardest pair
SWEEP_RATE = 2.0e-5


def estimate_seconds(target, pred) -> float:
    """The estimated cost of sweeping from the CNF's size: gates plus non-zero weights."""
    return SWEEP_RATE * (target.circuit.n_gates + pred.nnz)



def run(target, pred, *, reach: tuple[int, int] | None = None, timeout: float | None = None):
    """The registry's entry (:mod:`proofs_check.methods`): sweeping reads circuit files only,
    through :func:`proofs_check.per_length.circuit_proof.prove_circuit`."""
    from theorymodel.errors import UsageError

    raise UsageError("--method sat checks a predictor against a circuit file; machines are proved with z3")
