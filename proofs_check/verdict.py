"""Verdicts: is a predictor's answer the target's answer on every input of length n?

Methods:

- ``exhaustive``: every input, vectorised roll-out against the simulator (or circuit).
- ``z3``: for a labelled predictor (compiled by theorymodel), a proof by induction over
  positions (:mod:`proofs_check.local`) plus the machine's global facts (halting within
  T, head reach) on its bounded run; for other predictors, or when a local lemma fails,
  one query over the whole roll-out against the machine's (or circuit's) semantics.
- ``both``: both, and they must agree.

Every counterexample is replayed on the reference simulator and on the predictor
before it is returned; inputs are shrunk toward the first input symbol where cheap.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from itertools import product
from typing import Any

import numpy as np
import z3

from proofs_check.answer import StringIds, answer_mismatch
from proofs_check.circuit_semantics import circuit_outputs
from proofs_check.local import LocalProver, local_solver
from proofs_check.methods import METHODS, Decider, Guarantee
from proofs_check.predictor_semantics import SymbolicRollout, as_token
from proofs_check.tm_semantics import BoundedRun
from proofs_check.z3util import query_size, record_query, version
from theorymodel.circuits import Circuit
from theorymodel.compile.report import batched
from theorymodel.errors import ResourceLimitError, UsageError, input_space
from theorymodel.machines import TuringMachine, reference_run, simulate
from theorymodel.predictor import LinearPredictor
from theorymodel.program import labels as lb

MAX_EXHAUSTIVE = 1 << 22
EXHAUSTIVE_FALLBACK = 1 << 16
SAMPLE_SEARCH = 4096  # inputs; beyond this a failed local lemma goes to one global query


def word_text(word: tuple[str, ...]) -> str:
    """An input word as the CLI reads it back: symbols concatenated, or separated by
    spaces when some symbol has more than one character."""
    return "".join(word) if all(len(s) == 1 for s in word) else " ".join(word)


@dataclass(frozen=True)
class Counterexample:
    word: tuple[str, ...]
    position: int | None
    expected: str
    got: str
    replay: dict[str, Any] = field(default_factory=dict)

    @property
    def input(self) -> str:
        return word_text(self.word)

    def to_json(self) -> dict[str, Any]:
        return {"input": self.input, "position": self.position, "expected": self.expected, "got": self.got}




@dataclass(frozen=True)
class Verdict:
    """What a check concluded, and what it rests on (``guarantee``)."""

    verified: bool
    method: Decider
    guarantee: Guarantee
    inputs: int
    cot_tokens: int
    counterexample: Counterexample | None = None
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "method": self.method,
            "guarantee": self.guarantee,
            "inputs": self.inputs,
            "cot_tokens": self.cot_tokens,
            "counterexample": None if self.counterexample is None else self.counterexample.to_json(),
            "seconds": round(self.seconds, 6),
        }

    def basis(self) -> str:
        """What the verdict rests on, in one line a person reads."""
        d = self.details
        parts = []
        local, swept = d.get("local"), d.get("sweep")
        if local and local.get("proved", False) and "distinct_lemmas" in local:
            parts.append(f"z3: {local['distinct_lemmas']:,} shared gate lemmas over {local['positions']:,} "
                         "positions, and the answer lemma")
        elif local and "queries" in local and self.method != "exhaustive" and not local.get("failed_positions"):
            parts.append(f"z3: {local['queries']:,} local lemmas over {local['positions']:,} positions, "
                         "halting and head reach")
        elif swept and self.method in ("sat", "both"):
            parts.append(f"{swept['solver']} sweeping: {swept['merged']:,} positions merged with circuit nodes, "
                         f"{swept['final_pairs']:,} output pairs left for the final call")
        elif self.method == "exhaustive":
            parts.append(f"every one of the {self.inputs:,} inputs rolled out")
        elif any(lemma.get("lemma", "").startswith(("roll-out answer", "whole")) for lemma in d.get("lemmas", [])):
            parts.append(f"{d.get('solver', 'z3')}: one query over the whole roll-out")
        if "methods" in d:
            parts.append(" and ".join(d["methods"]) + " agree")
        return "; ".join(parts)

    def _repr_html_(self) -> str:
        from theorymodel.display import html_table

        items = {k: v for k, v in self.to_json().items() if v is not None}
        return html_table("VERIFIED" if self.verified else "COUNTEREXAMPLE", items)


# -- the target's answer, concretely ------------------------------------------------------
class MachineTarget:
    """A decision or tape-output machine run for at most T steps."""

    def __init__(self, tm: TuringMachine, n: int, T: int, output: str) -> None:
        self.tm, self.n, self.T, self.output = tm, n, T, output
        self.alphabet = tm.input_symbols

    def answer(self, word: tuple[str, ...], *, reference: bool = False) -> tuple[str, ...] | None:
        """The answer as a symbol tuple, or None when the machine does not halt within T."""
        run = (reference_run if reference else simulate)(self.tm, word, max_steps=self.T)
        if not run.halted:
            return None
        return (("1" if run.accepted else "0"),) if self.output == "accept" else run.tape

    def answers(self, words: list[tuple[str, ...]]) -> list[tuple[str, ...] | None]:
        return [self.answer(w) for w in words]

    def expected_cells(self, run: BoundedRun, ids: StringIds) -> tuple[list[z3.ArithRef], int | None]:
        """The answer on the bounded run as string ids, and the blank to strip (or None)."""
        if self.output == "accept":
            return [z3.If(run.accepts(), ids("1"), ids("0"))], None
        cells = [ids.of_code(run.cell(run.T, c), self.tm.tape_symbols)
                 for c in range(-run.T, max(run.T, run.n - 1) + 1)]
        return cells, ids(self.tm.blank_symbol)

    def describe(self) -> str:
        return f"machine {self.tm.name!r}, n = {self.n}, T = {self.T}, output {self.output}"


class CircuitTarget:
    def __init__(self, circuit: Circuit) -> None:
        self.circuit, self.n = circuit, len(circuit.inputs)
        self.alphabet = ("0", "1")

    def answer(self, word: tuple[str, ...], *, reference: bool = False) -> tuple[str, ...]:
        return self.answers([word])[0]

    def answers(self, words: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
        bits = np.array([[int(c) for c in w] for w in words], dtype=np.uint8).reshape(len(words), self.n)
        return [tuple(str(int(b)) for b in row) for row in self.circuit.evaluate(bits)]

    def describe(self) -> str:
        return f"circuit {self.circuit.name!r}, {self.n} inputs"


def _check_alphabet(pred: LinearPredictor, target) -> None:
    if pred.n_inputs != target.n:
        raise UsageError(f"the predictor reads {pred.n_inputs} input tokens, not --n {target.n}")
    missing = [s for s in target.alphabet if s not in pred.vocab]
    if missing:
        raise UsageError(f"the predictor's dictionary lacks the input symbol {missing[0]!r}")
    unread = [s for s in target.alphabet if s not in pred.input_alphabet]
    if unread:  # every method refuses alike: the file declares it never reads this input
        raise UsageError(f"the input symbol {unread[0]!r} is not in the predictor's input alphabet "
                         f"{list(pred.input_alphabet)}")


# -- replay -------------------------------------------------------------------------------
def configurations(tm: TuringMachine, word, T: int) -> list[tuple[str, int, dict[int, str]]]:
    """(state, head, cells) after t = 0..T steps; frozen once halted. Labels are
    evaluated on these (an independent restatement of the semantics)."""
    cells = dict(enumerate(word))
    state, head = tm.initial_state, 0
    out = [(state, head, dict(cells))]
    for _ in range(T):
        t = tm.transition(state, cells.get(head, tm.blank_symbol))
        if t is not None:
            cells[head] = t.write
            head += {"L": -1, "R": 1, "N": 0}[t.move]
            state = t.next_state
        out.append((state, head, dict(cells)))
    return out


def label_tokens(tm: TuringMachine, pred: LinearPredictor, word, T: int) -> list[int]:
    """The token each generated position claims to be on this input (-1: no such token)."""
    tid = pred.token_id
    one, zero = tid.get("1", -1), tid.get("0", -1)
    confs = configurations(tm, word, T)
    out = []
    for kind, t, i, q, s in np.asarray(pred.labels).tolist():
        state, head, cells = confs[min(t, T)]
        sym = cells.get(i, tm.blank_symbol)
        if kind == lb.CELL:
            out.append(tid.get(f"[{state}]{sym}" if head == i else sym, -1))
        elif kind in (lb.SYM, lb.OUTBIT):
            out.append(one if sym == tm.tape_symbols[s] else zero)
        elif kind == lb.HEAD:
            out.append(one if head == i and state == tm.states[q] else zero)
        elif kind == lb.AND:
            out.append(one if head == i and state == tm.states[q] and sym == tm.tape_symbols[s] else zero)
        elif kind == lb.ACCEPT:
            out.append(one if state in tm.final_states else zero)
        elif kind == lb.SEP:
            out.append(tid.get("#", -1))
        else:  # OUT
            out.append(tid.get(sym, -1))
    return out


def _cells_text(cells: tuple[str, ...] | None) -> str:
    return "(no answer)" if cells is None else word_text(cells)


def replay(target, pred: LinearPredictor, word: tuple[str, ...]) -> Counterexample | None:
    """Re-run a candidate on the reference simulator and the predictor: a real
    counterexample, or None. Wrong means: a tie anywhere, or a decoded answer (as a
    symbol tuple) other than the reference's."""
    word = tuple(word)
    x = pred.encode_inputs([word])
    seq = pred.rollout(x, margins=True)
    got = pred.answer_of(seq.sequences[0])
    tie_at = np.nonzero(seq.ties[0])[0]
    expected = target.answer(word, reference=True)
    replay_info = {"reference_answer": _cells_text(expected), "predictor_answer": _cells_text(got),
                   "ties": [int(pred.n_inputs + k) for k in tie_at]}
    if expected is None:
        return Counterexample(word, None, f"halts within {target.T} steps",
                              f"still running after {target.T} steps", replay_info)
    if got == expected and not len(tie_at):
        return None
    position, exp_tok, got_tok = None, _cells_text(expected), _cells_text(got)
    ties = set(tie_at.tolist())
    if isinstance(target, MachineTarget) and pred.labels is not None:
        want = label_tokens(target.tm, pred, word, target.T)
        row = seq.sequences[0][pred.n_inputs:]
        for k, (a, b) in enumerate(zip(want, row.tolist(), strict=True)):
            if a != b or k in ties:
                position = pred.n_inputs + k
                exp_tok = pred.vocab[a] if a >= 0 else "(no such token)"
                got_tok = pred.vocab[b]
                break
    if position is None and ties:
        position = pred.n_inputs + min(ties)
    elif position is None:
        position = int(min(pred.answer.positions)) if pred.answer.positions else None
    if position is not None and position - pred.n_inputs in ties:
        k = position - pred.n_inputs
        scores = pred.scores(seq.sequences[0], k)
        top = np.flatnonzero(scores == scores.max())
        got_tok = " / ".join(pred.vocab[int(t)] for t in top[:2]) + " (tie)"
    return Counterexample(word, position, exp_tok, got_tok, replay_info)


def shrink(target, pred: LinearPredictor, cex: Counterexample, budget: int = 200) -> Counterexample:
    """Move symbols toward the first input symbol while the input stays a counterexample."""
    word = list(cex.word)
    best = cex
    tries = 0
    for j in range(len(word)):
        for sym in target.alphabet:
            if sym == word[j] or target.alphabet.index(sym) > target.alphabet.index(word[j]):
                continue
            if tries >= budget:
                return best
            tries += 1
            cand = [*word[:j], sym, *word[j + 1:]]
            found = replay(target, pred, tuple(cand))
            if found is not None:
                word, best = cand, found
                break
    return best


def first_counterexample(target, pred: LinearPredictor, words: list[tuple[str, ...]]) -> Counterexample | None:
    """The first of ``words`` on which the roll-out ties or answers wrong, replayed."""
    r = pred.rollout(pred.encode_inputs(words), margins=True)
    expected = target.answers(words)
    for w, seq, ties, want in zip(words, r.sequences, r.ties, expected, strict=True):
        if ties.any() or pred.answer_of(seq) != want:
            cex = replay(target, pred, w)
            if cex is not None:
                return cex
    return None


# -- exhaustive ---------------------------------------------------------------------------
def exhaustive(target, pred: LinearPredictor, *, deadline: float | None = None) -> Verdict:
    start = time.perf_counter()
    _check_alphabet(pred, target)
    total = input_space(len(target.alphabet), target.n)
    if total > MAX_EXHAUSTIVE:
        raise ResourceLimitError(f"{total} inputs are too many to enumerate (cap {MAX_EXHAUSTIVE})",
                                 limit="size-cap", details={"inputs": total, "cap": MAX_EXHAUSTIVE})
    cex = None
    for chunk in batched(product(target.alphabet, repeat=target.n), 4096):
        if deadline is not None and time.perf_counter() > deadline:
            raise _timeout("enumeration", time.perf_counter() - start)
        cex = first_counterexample(target, pred, chunk)
        if cex is not None:
            break
    if cex is not None:
        cex = shrink(target, pred, cex)
    return Verdict(cex is None, "exhaustive", "exhaustive", total, pred.n_generated, cex,
                   time.perf_counter() - start)


# -- z3 -----------------------------------------------------------------------------------
def _solver(deadline: float | None, tactic: bool = False) -> z3.Solver:
    s = local_solver() if tactic else z3.Solver()
    if deadline is not None:
        s.set("timeout", max(1, int((deadline - time.perf_counter()) * 1000)))
    return s


def _timeout(what: str, seconds: float) -> ResourceLimitError:
    return ResourceLimitError(f"the solver ran out of time ({what})", limit="solver-timeout",
                              details={"seconds": round(seconds, 3)})


def label_token_on_run(run: BoundedRun, pred: LinearPredictor, label) -> z3.ArithRef:
    """The token id a position label claims, as a term of the bounded run (the z3
    twin of :func:`label_tokens`)."""
    tm, T = run.tm, run.T
    tid = pred.token_id
    one, zero = z3.IntVal(tid.get("1", -1)), z3.IntVal(tid.get("0", -1))
    kind, t, i, q, s = (int(v) for v in label)
    t = min(max(t, 0), T)
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


def z3_machine(target: MachineTarget, pred: LinearPredictor, *, reach: tuple[int, int] | None,
               timeout: float | None) -> Verdict:
    from theorymodel.progress import stage

    start = time.perf_counter()
    _check_alphabet(pred, target)
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
        raise _timeout("halting lemma", time.perf_counter() - start)
    s.pop()
    machine_labels = pred.labels is not None and not (np.asarray(pred.labels)[:, 0] == lb.GATE).any()
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
                raise _timeout("reach lemma", time.perf_counter() - start)
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
                raise _timeout("local lemmas", time.perf_counter() - start)
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
    _check_alphabet(pred, target)
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


def prove_circuit(target: CircuitTarget, pred: LinearPredictor, *, method: str = "auto",
                  timeout: float | None = None) -> Verdict:
    """Decide "answer = circuit outputs, no tie, on every input" (docs/circuits.md).

    A predictor with gate labels first gets local gate lemmas (:mod:`proofs_check.circuit_local`),
    a proof in time linear in the gates. Otherwise, or when a lemma fails: SAT sweeping
    (:mod:`proofs_check.sweep`, method ``auto`` or ``sat``) or one global z3 query (method
    ``z3``, or a predictor sweeping cannot read). Every counterexample is replayed."""
    from proofs_check.circuit_local import gate_lemmas, has_gate_labels
    from proofs_check.sweep import supports, sweep

    start = time.perf_counter()
    _check_alphabet(pred, target)
    deadline = start + timeout if timeout else None
    total = 2 ** target.n
    details: dict[str, Any] = {"lemmas": []}
    if method in ("auto", "z3") and has_gate_labels(pred):
        local = gate_lemmas(target.circuit, pred, deadline)
        details.update(solver=f"z3 {version()}", local=local.to_json())
        if local.proved:
            details["lemmas"].append({"lemma": f"{local.distinct_lemmas} gate lemmas cover {local.positions} "
                                               "positions; answer positions = output gates",
                                      "result": "unsat", "seconds": round(local.seconds, 3)})
            return Verdict(True, "z3", "smt-proof", total, pred.n_generated, None,
                           time.perf_counter() - start, details)
        if local.unknown and deadline is not None and time.perf_counter() > deadline:
            raise _timeout("gate lemmas", time.perf_counter() - start)
    why = supports(pred, target.circuit)
    if method == "sat" and why:
        raise UsageError(f"--method sat cannot read this predictor: {why}")
    if method in ("auto", "sat") and not why:
        swept = sweep(target.circuit, pred, deadline=deadline)
        details.update(sweep=swept.to_json(), solver=swept.to_json()["solver"])
        if swept.verified is not None:
            if swept.verified:
                return Verdict(True, "sat", "smt-proof", total, pred.n_generated, None,
                               time.perf_counter() - start, details)
            assert swept.word is not None
            cex = replay(target, pred, swept.word)
            if cex is None:  # pragma: no cover - the encoding and the roll-out disagree: a bug
                raise AssertionError(f"SAT sweeping found {swept.word!r}, which the replay does not confirm")
            return Verdict(False, "sat", "sampled" if swept.reason == "random simulation" else "smt-proof",
                           total, pred.n_generated, shrink(target, pred, cex), time.perf_counter() - start, details)
        if method == "sat":
            raise ResourceLimitError(f"SAT sweeping stopped at a size cap: {swept.reason}", limit="size-cap")
    proof = z3_circuit(target, pred, timeout=timeout, deadline=deadline)
    return replace(proof, seconds=time.perf_counter() - start, details={**details, **proof.details,
                                                                        "lemmas": proof.details["lemmas"]})


def _settle(res, solver: z3.Solver, word_of, target, pred: LinearPredictor, total: int, start: float,
            details: dict, what: str) -> Verdict:
    """Turn a global query's answer into a verdict: UNSAT proves the claim; a model is an
    input, replayed on the reference simulator and the predictor, then shrunk."""
    if res == z3.unknown:
        raise _timeout(what, time.perf_counter() - start)
    if res == z3.unsat:
        return Verdict(True, "z3", "smt-proof", total, pred.n_generated, None, time.perf_counter() - start,
                       details)
    word = word_of(solver.model())
    cex = replay(target, pred, word)
    if cex is None:  # pragma: no cover - encoding and simulation disagree: a bug to report
        raise AssertionError(f"z3 found {word!r}, which the reference replay does not confirm")
    return Verdict(False, "z3", "smt-proof", total, pred.n_generated, shrink(target, pred, cex),
                   time.perf_counter() - start, details)


# -- the portfolio ------------------------------------------------------------------------
SIMULATION_SAMPLES = 2048  # random inputs rolled out before any method (all of them when fewer)
#: generated positions rolled out and compared per second by :func:`exhaustive` on 2 cores
#: (measured: binary_palindrome, n = 10, 698,368 positions in 0.29 s; bench/bench_verify.py)
ROLLOUT_RATE = 2.0e6
#: ``auto`` enumerates when that is estimated to take at most this long (z3's cost is not
#: predictable from sizes; enumeration's is, and it needs no lemma about halting or reach)
AUTO_EXHAUSTIVE_SECONDS = 20.0


@dataclass(frozen=True)
class SimulationPass:
    """Random (or, when there are few, all) inputs rolled out against the reference."""

    counterexample: Counterexample | None
    inputs: int
    complete: bool  #: every input of length n was rolled out
    seconds: float


def simulation_pass(target, pred: LinearPredictor, *, samples: int = SIMULATION_SAMPLES,
                    seed: int = 0) -> SimulationPass:
    """Roll out ``samples`` random inputs (vectorised) and compare the decoded answers; a
    wrong one is replayed and shrunk. Every method starts here, so a file wrong on many
    inputs gets its counterexample in seconds whatever the method's own cost."""
    start = time.perf_counter()
    total = input_space(len(target.alphabet), target.n)
    k = len(target.alphabet)
    if total <= samples:
        words: list[tuple[str, ...]] = list(product(target.alphabet, repeat=target.n))
    else:
        rng = np.random.default_rng(seed)
        words = [tuple(target.alphabet[i] for i in row) for row in rng.integers(0, k, size=(samples, target.n))]
    cex = None
    for chunk in batched(words, 1024):
        cex = first_counterexample(target, pred, list(chunk))
        if cex is not None:
            cex = shrink(target, pred, cex)
            break
    return SimulationPass(cex, len(words), total <= samples, time.perf_counter() - start)


def exhaustive_seconds(target, pred: LinearPredictor) -> float:
    """The estimated cost of :func:`exhaustive`: inputs x generated positions."""
    return input_space(len(target.alphabet), target.n) * max(1, pred.n_generated) / ROLLOUT_RATE


def _from_simulation(sim: SimulationPass, pred: LinearPredictor, total: int, start: float,
                     details: dict[str, Any]) -> Verdict:
    details = {**details, "simulation": {"inputs": sim.inputs, "complete": sim.complete,
                                         "seconds": round(sim.seconds, 3)}}
    if sim.complete:
        return Verdict(sim.counterexample is None, "exhaustive", "exhaustive", total, pred.n_generated,
                       sim.counterexample, time.perf_counter() - start, details)
    return Verdict(False, "simulation", "sampled", total, pred.n_generated, sim.counterexample,
                   time.perf_counter() - start, details)


def _proof(target, pred: LinearPredictor, method: str, reach, timeout: float | None) -> Verdict:
    """One proving method (not enumeration): z3 or SAT sweeping for circuits, z3 for machines."""
    if isinstance(target, CircuitTarget):
        return prove_circuit(target, pred, method=method, timeout=timeout)
    if method == "sat":
        raise UsageError("--method sat checks a predictor against a circuit file; machines are proved with z3")
    return z3_machine(target, pred, reach=reach, timeout=timeout)


def verify(target, pred: LinearPredictor, *, method: str = "auto", reach: tuple[int, int] | None = None,
           timeout: float | None = None, simulation: bool = True) -> Verdict:
    """Check ``pred`` against ``target`` on every input of length n (see module doc and
    :mod:`proofs_check.methods`).

    Every method starts with :func:`simulation_pass`; a wrong answer found there is the
    verdict (``method: "simulation"``, replayed). Then:

    - ``auto`` enumerates when :func:`exhaustive_seconds` is at most
      :data:`AUTO_EXHAUSTIVE_SECONDS`, else proves (z3 lemmas, SAT sweeping for circuits);
    - ``both`` runs two independent methods that must agree: a proof and enumeration when
      the inputs can be enumerated; otherwise, for a circuit, z3 and SAT sweeping; for a
      machine, z3 and the simulation pass (``details["methods"]`` says which).

    ``verdict.method`` names the method that decided. ``simulation=False`` skips the pass
    (a test of what a method refutes on its own)."""
    from theorymodel.progress import stage

    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; methods are {', '.join(METHODS)}")
    start = time.perf_counter()
    _check_alphabet(pred, target)
    if method == "sat" and not isinstance(target, CircuitTarget):
        raise UsageError("--method sat checks a predictor against a circuit file; machines are proved with z3")
    total = input_space(len(target.alphabet), target.n)
    deadline = start + timeout if timeout else None
    stage(f"random simulation of {min(total, SIMULATION_SAMPLES):,} inputs")
    sim = simulation_pass(target, pred, samples=SIMULATION_SAMPLES if simulation else 0)
    if sim.counterexample is not None or (sim.complete and method in ("auto", "exhaustive")):
        return _from_simulation(sim, pred, total, start, {})
    left = None if deadline is None else max(0.001, deadline - time.perf_counter())
    enumerable = total <= MAX_EXHAUSTIVE
    cheap = enumerable and exhaustive_seconds(target, pred) <= AUTO_EXHAUSTIVE_SECONDS
    if method == "exhaustive" or (method == "auto" and cheap):
        stage(f"enumeration of {total:,} inputs")
        return exhaustive(target, pred, deadline=deadline)
    if enumerable and method != "exhaustive":
        stage("proof", hint=f"try --method exhaustive ({total:,} inputs, estimated "
                            f"{exhaustive_seconds(target, pred):.0f} s) or a larger --timeout")
    if method != "both":
        return _proof(target, pred, method, reach, left)
    stage("both: the proof")
    if isinstance(target, CircuitTarget) and not enumerable:
        from proofs_check.sweep import supports

        if not supports(pred, target.circuit):
            first = _proof(target, pred, "z3", reach, left)
            left = None if deadline is None else max(0.001, deadline - time.perf_counter())
            stage("both: SAT sweeping")
            second = _proof(target, pred, "sat", reach, left)
            return _agree(first, second, start)
    proof = _proof(target, pred, "auto", reach, left)
    if not enumerable:
        sim_verdict = replace(_from_simulation(sim, pred, total, start, {}), verified=True, method="simulation")
        return _agree(proof, sim_verdict, start)
    stage(f"both: enumeration of {total:,} inputs")
    return _agree(proof, exhaustive(target, pred, deadline=deadline), start)


def _agree(first: Verdict, second: Verdict, start: float) -> Verdict:
    """``both``: two independent methods; a refutation by either is replayed, so it stands
    whatever the other says; two proofs agree."""
    if first.verified != second.verified:  # pragma: no cover - would be a bug in one of them
        raise AssertionError(f"{first.method} and {second.method} disagree")
    names: dict[str, bool] = {first.method: first.verified, second.method: second.verified}
    if second.method == "simulation":
        names = {first.method: first.verified, f"simulation of {second.details['simulation']['inputs']:,} "
                                               "random inputs": second.verified}
    return replace(first, method="both", seconds=time.perf_counter() - start,
                   details={**first.details, f"{second.method}_seconds": round(second.seconds, 3),
                            "methods": names})


def certificate(verdict: Verdict, target, pred: LinearPredictor, assumptions: list[str]) -> dict[str, Any]:
    """A JSON certificate: the claim, its assumptions, the solver, sizes and times, and
    for a counterexample its replay."""
    return {
        "claim": f"for every input of length {target.n}, the predictor's answer equals the "
                 f"{target.describe()} answer" + (" and the machine halts within T"
                                                   if isinstance(target, MachineTarget) else ""),
        "verdict": verdict.to_json(),
        "assumptions": assumptions,
        "solver": f"z3 {version()}",
        "details": verdict.details,
        "counterexample_replay": None if verdict.counterexample is None else asdict(verdict.counterexample),
        "predictor": {"cot_tokens": pred.n_generated, "vocab_size": pred.V, "weights_nnz": pred.nnz,
                      "exact": pred.is_exact},
    }
