"""The reference replay every method ends in, and the random-simulation pass every method
starts with (:func:`proofs_check.verdict.verify`).

A counterexample is only ever reported after :func:`replay` has re-run it on the reference
simulator (or the circuit) and on the predictor; :func:`shrink` moves it toward the first
input symbol while it stays one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import product

import numpy as np

from proofs_check.outcome import Counterexample, word_text
from proofs_check.reference import MachineTarget
from theorymodel.compile.report import batched
from theorymodel.errors import input_space
from theorymodel.machines import TuringMachine
from theorymodel.predictor import LinearPredictor
from theorymodel.program import labels as lb


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



SIMULATION_SAMPLES = 2048  # random inputs rolled out before any method (all of them when fewer)
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


