"""z3: for a labelled machine predictor, the halting and head-reach lemmas on the machine's
bounded run, one local lemma per position (:mod:`.local`) and the answer lemma; otherwise, or
when a local lemma fails, one query over the whole roll-out against the machine's (or the
circuit's) semantics. Every model z3 returns is replayed (:func:`.simulation.replay`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import z3

from proofs_check.outcome import Verdict, solver_timeout
from proofs_check.per_length.exhaustive import exhaustive
from proofs_check.per_length.local import LocalProver, local_solver
from proofs_check.per_length.simulation import first_counterexample, replay, shrink
from proofs_check.reference import CircuitTarget, MachineTarget, check_alphabet
from proofs_check.semantics.answer import StringIds, answer_mismatch
from proofs_check.semantics.circuit import circuit_outputs
from proofs_check.semantics.machine import BoundedRun
from proofs_check.semantics.predictor import SymbolicRollout, as_token
from proofs_check.semantics.z3util import query_size, record_query, version
from theorymodel.errors import input_space
from theorymodel.predictor import LinearPredictor
from theorymodel.program import labels as lb

EXHAUSTIVE_FALLBACK = 1 << 16
SAMPLE_SEARCH = 4096  # inputs; beyond this a failed local lemma goes to one global query


def _solver(deadline: float | None, tactic: bool = False) -> z3.Solver:
    s = local_solver() if tactic else z3.Solver()
    if deadline is not None:
        s.set("timeout", max(1, int((deadline - time.perf_counter()) * 1000)))
    return s


def label_token_on_run(run: BoundedRun, pred: LinearPredictor, label) -> z3.ArithRef:
    """The token id a position label claims, as a term of the bounded run (the z3
    twin of :func:`label_tokens`)."""
    tm, T = run.tm, run.T
    tid = pred.token_id
    one, zero = z3.IntVal(tid.get("1", -1)), z3.IntVal(tid.get("0", -1))
    kind, t, i, q, s = (int(v) for v in label)
    # the answer cells are read at T, as the local lemmas read them (LocalProver._spec);
    # a label of another time fails its lemma first (LocalProver._well_formed)
    t = T if kind in (lb.OUT, lb.OUTBIT) else min(max(t, 0), T)
    cell = run.cell(t, i)
    here = z3.And(run.head[t] == i, run.state[t] == q)

    def sym_token(code: z3.ArithRef) -> z3.ArithRef:
        return as_token(code, {c: tid.get(x, -1) for c, x in enumerate(tm.tape_symbols)})

    if kind == lb.CELL:
        head_tok: z3.ArithRef = z3.IntVal(-1)
        for qc, qs in enumerate(tm.states):
            for c, x in enumerate(tm.tape_symbols):
                head_tok = z3.If(z3.And(run.state[t] == qc, cell == c), tid.get(f"[{qs}]{x}", -1), head_tok)
        return z3.If(run.head[t] == i, head_tok, sym_token(cell))
    if kind in (lb.SYM, lb.OUTBIT):
        return z3.If(cell == s, one, zero)
    if kind == lb.HEAD:
        return z3.If(here, one, zero)
    if kind == lb.AND:
        return z3.If(z3.And(here, cell == s), one, zero)
    if kind == lb.ACCEPT:
        return z3.If(run.accepts(), one, zero)
    if kind == lb.SEP:
        return z3.IntVal(tid.get("#", -1))
    return sym_token(cell)  # OUT


def _answer_query(target: MachineTarget, pred: LinearPredictor, run: BoundedRun,
                  tokens: list[z3.ArithRef]) -> list[z3.BoolRef]:
    """Constraints saying the answer decoded from ``tokens`` (one per answer position)
    differs from the machine's answer on the bounded run."""
    ids = StringIds()
    expected, blank = target.expected_cells(run, ids)
    mismatch, defs = answer_mismatch(pred.answer, pred.vocab, tokens, expected, blank, ids)
    return [*defs, mismatch]


def has_machine_labels(pred: LinearPredictor) -> bool:
    """Labels of the machine kinds (no gate label): what the local lemmas read."""
    return pred.labels is not None and not (np.asarray(pred.labels)[:, 0] == lb.GATE).any()


def z3_machine(target: MachineTarget, pred: LinearPredictor, *, reach: tuple[int, int] | None,
               timeout: float | None) -> Verdict:
    from theorymodel.progress import stage

    start = time.perf_counter()
    check_alphabet(pred, target)
    deadline = start + timeout if timeout else None
    tm, n, T = target.tm, target.n, target.T
    details: dict[str, Any] = {"solver": f"z3 {version()}", "lemmas": []}
    run = BoundedRun(tm, n, T)
    s = _solver(deadline)
    s.add(run.constraints)
    s.push()
    s.add(run.not_halted())
    t0 = time.perf_counter()
    stage(f"z3: halting lemma (every input halts within {T} steps)")
    record_query(s, "halts within T")
    res = s.check()
    details["lemmas"].append({"lemma": f"halts within {T} steps", "result": str(res),
                              "seconds": round(time.perf_counter() - t0, 3), "size": query_size(s)})
    total = input_space(len(target.alphabet), n)
    if res == z3.sat:
        m = s.model()
        word = tuple(tm.tape_symbols[m.eval(v, model_completion=True).as_long()] for v in run.x)
        cex = replay(target, pred, word)
        if cex is None:  # pragma: no cover - the simulator and the encoding disagree
            raise AssertionError(f"z3 claims {word} does not halt within {T}; the simulator says it does")
        return Verdict(False, "z3", "smt-proof", total, pred.n_generated, shrink(target, pred, cex),
                       time.perf_counter() - start, details)
    if res == z3.unknown:
        raise solver_timeout("halting lemma", time.perf_counter() - start)
    s.pop()
    machine_labels = has_machine_labels(pred)
    if machine_labels and reach is not None:
        L, R = reach
        if L < T or R < T:
            s.push()
            s.add(run.outside_reach(L, R))
            t0 = time.perf_counter()
            stage("z3: head reach lemma")
            record_query(s, "head reach")
            res = s.check()
            details["lemmas"].append({"lemma": f"head within [-min(t,{L}), min(t,{R})]", "result": str(res),
                                      "seconds": round(time.perf_counter() - t0, 3), "size": query_size(s)})
            s.pop()
            if res == z3.unknown:
                raise solver_timeout("reach lemma", time.perf_counter() - start)
        else:
            res = z3.unsat
        if res == z3.unsat:
            stage("z3: local lemmas, one per position")
            local = LocalProver(tm, pred, n=n, T=T, L=L, R=R).prove(deadline)
            details["local"] = {"positions": local.positions, "queries": local.queries,
                                "seconds": round(local.seconds, 3), "max_query_size": local.max_query_size,
                                "failed_positions": local.failed_positions[:20]}
            if local.proved:
                # every token equals its label: now the answer decoded from the labels'
                # values, by the file's own layout, must be the machine's answer
                labels = np.asarray(pred.labels)
                claimed = [label_token_on_run(run, pred, labels[p - n]) for p in pred.answer.positions]
                s = _solver(deadline)
                s.add(*run.constraints, *_answer_query(target, pred, run, claimed))
                t0 = time.perf_counter()
                stage("z3: answer lemma")
                record_query(s, "decoded answer")
                res = s.check()
                details["lemmas"].append({"lemma": "decoded answer of the labels = machine answer",
                                          "result": str(res), "seconds": round(time.perf_counter() - t0, 3),
                                          "size": query_size(s)})
                return _settle(res, s, lambda m: tuple(tm.tape_symbols[m.eval(v, model_completion=True).as_long()]
                                                       for v in run.x),
                               target, pred, total, start, details, "answer lemma")
            if local.unknown and deadline is not None and time.perf_counter() > deadline:
                raise solver_timeout("local lemmas", time.perf_counter() - start)
            if total <= EXHAUSTIVE_FALLBACK:
                # a local lemma failed: decide the answer-level claim by enumeration
                check = exhaustive(target, pred)
                return replace(check, method="z3", seconds=time.perf_counter() - start,
                               details={**details, "fallback": "exhaustive after a failed local lemma"})
    # a cheap search first: random inputs, each a candidate for replay
    rng = np.random.default_rng(0)
    sample = [tuple(target.alphabet[i] for i in row)
              for row in rng.integers(0, len(target.alphabet), size=(SAMPLE_SEARCH, n))]
    cex = first_counterexample(target, pred, sample)
    if cex is not None:
        details["search"] = "random sample"
        return Verdict(False, "z3", "sampled", total, pred.n_generated, shrink(target, pred, cex),
                       time.perf_counter() - start, details)
    # the whole roll-out against the machine's run: decides the answer-level claim
    code_to_token = {c: pred.vocab.index(sym) for c, sym in enumerate(tm.tape_symbols) if sym in pred.vocab}
    roll = SymbolicRollout(pred, [as_token(v, code_to_token) for v in run.x])
    s = _solver(deadline, tactic=True)
    s.add(*run.constraints, *roll.constraints)
    defs_mismatch = _answer_query(target, pred, run, [roll.tokens[p] for p in pred.answer.positions])
    s.add(*defs_mismatch[:-1], z3.Or(roll.any_tie(), defs_mismatch[-1]))
    t0 = time.perf_counter()
    stage("z3: one query over the whole roll-out")
    record_query(s, "whole roll-out")
    res = s.check()
    details["lemmas"].append({"lemma": "roll-out answer = machine answer", "result": str(res),
                              "seconds": round(time.perf_counter() - t0, 3), "size": query_size(s)})
    return _settle(res, s, lambda m: tuple(tm.tape_symbols[m.eval(v, model_completion=True).as_long()]
                                           for v in run.x),
                   target, pred, total, start, details, "whole roll-out")


def z3_circuit(target: CircuitTarget, pred: LinearPredictor, *, timeout: float | None,
               deadline: float | None = None) -> Verdict:
    """One global z3 query: the whole roll-out's answer against the circuit's outputs."""
    start = time.perf_counter()
    check_alphabet(pred, target)
    if deadline is None and timeout:
        deadline = start + timeout
    bits = [z3.Bool(f"in{j}") for j in range(target.n)]
    tid = pred.token_id
    one, zero = tid.get("1", -1), tid.get("0", -1)
    roll = SymbolicRollout(pred, [z3.If(b, one, zero) for b in bits])
    ids = StringIds()
    expected = [z3.If(o, ids("1"), ids("0")) for o in circuit_outputs(target.circuit, bits)]
    mismatch, defs = answer_mismatch(pred.answer, pred.vocab, [roll.tokens[p] for p in pred.answer.positions],
                                     expected, None, ids)
    s = _solver(deadline, tactic=True)
    s.add(*roll.constraints, *defs)
    s.add(z3.Or(roll.any_tie(), mismatch))
    record_query(s, "circuit outputs")
    t0 = time.perf_counter()
    res = s.check()
    details = {"solver": f"z3 {version()}", "lemmas": [{"lemma": "roll-out answer = circuit outputs",
                                                         "result": str(res), "size": query_size(s),
                                                         "seconds": round(time.perf_counter() - t0, 3)}]}
    return _settle(res, s, lambda m: tuple("1" if z3.is_true(m.eval(b, model_completion=True)) else "0"
                                           for b in bits),
                   target, pred, 2 ** target.n, start, details, "circuit")


def _settle(res, solver: z3.Solver, word_of, target, pred: LinearPredictor, total: int, start: float,
            details: dict, what: str) -> Verdict:
    """Turn a global query's answer into a verdict: UNSAT proves the claim; a model is an
    input, replayed on the reference simulator and the predictor, then shrunk."""
    if res == z3.unknown:
        raise solver_timeout(what, time.perf_counter() - start)
    if res == z3.unsat:
        return Verdict(True, "z3", "smt-proof", total, pred.n_generated, None, time.perf_counter() - start,
                       details)
    word = word_of(solver.model())
    cex = replay(target, pred, word)
    if cex is None:  # pragma: no cover - encoding and simulation disagree: a bug to report
        raise AssertionError(f"z3 found {word!r}, which the reference replay does not confirm")
    return Verdict(False, "z3", "smt-proof", total, pred.n_generated, shrink(target, pred, cex),
                   time.perf_counter() - start, details)




def run(target, pred: LinearPredictor, *, reach: tuple[int, int] | None = None,
        timeout: float | None = None) -> Verdict:
    """The registry's entry (:mod:`proofs_check.methods`) for a machine; a circuit's z3 proof
    (gate lemmas, then :func:`z3_circuit`) is one step of
    :func:`proofs_check.per_length.circuit_proof.prove_circuit`."""
    if isinstance(target, CircuitTarget):
        raise TypeError("circuits are proved through proofs_check.per_length.circuit_proof")
    return z3_machine(target, pred, reach=reach, timeout=timeout)


#: z3's rates, measured by ``python bench/bench_portfolio.py`` (2 cores): the halting lemma per
#: unit of T x (n + T) cells x states x tape symbols (binary_palindrome, n = 6, T = 28: 7.0 s
#: for 19,992 units), a local lemma per labelled position (5,486 positions in 2.2 s), and one
#: global query per non-zero weight. A guess, not a bound: z3's cost is its hardest lemma, so
#: ``auto`` gives z3 at most the enumeration's estimate before it enumerates instead.
HALTING_RATE = 3.5e-4
#: size units beyond which the estimate is "longer than any run" (finite, for JSON)
ESTIMATE_CAP = 10**15
LOCAL_RATE = 4.0e-4
GLOBAL_RATE = 2.0e-4


def estimate_seconds(target, pred: LinearPredictor) -> float:
    """The estimated cost of :func:`run` (or of a circuit's z3 steps) from sizes alone."""
    if isinstance(target, CircuitTarget):
        from proofs_check.per_length.circuit_local import has_gate_labels

        return LOCAL_RATE * pred.n_generated if has_gate_labels(pred) else GLOBAL_RATE * pred.nnz
    tm = target.tm
    units = target.T * (target.n + target.T) * len(tm.states) * len(tm.tape_symbols)
    halting = HALTING_RATE * min(units, ESTIMATE_CAP)  # a T of 10^400 is an int no float holds
    return halting + (LOCAL_RATE * pred.n_generated if has_machine_labels(pred) else GLOBAL_RATE * pred.nnz)
