"""Proof by induction over positions for a predictor compiled from a circuit file.

A circuit predictor (docs/paper.md, Thm 3.8: one CoT token per gate) carries one label per
generated position (:data:`theorymodel.program.labels.GATE`): the node of the circuit file
whose value the token claims to be, or "a helper of node v" (an intermediate threshold
gate of v's rewriting, which claims only a strict argmax). The claim proved here:

    for every input bit vector x, every generated position has a strict argmax, and the
    token at a position labelled with node v is "1" exactly when v is 1 on x.

**Induction over positions.** Assume it for every position before p. Position p's token
is the strict argmax of scores over the tokens it reads (read from the arrays the roll-out
uses). Each read position is an input (its bit), a value position (its node's value, by
the assumption) or a helper position, which is itself an argmax of what *it* reads and is
inlined. So the token at p is a function of a few node values. The *local lemma* of p
states, over free Booleans for those nodes plus the gate semantics of node v read from the
circuit file (:func:`~proofs_check.circuit_semantics.gate_expr`; never from the
compiler), that every inlined position has a strict argmax and p's token is v's value.
The free Booleans over-approximate the values that can occur together, so a proved lemma
is a proof; a failed one is only "not proved here" and the caller decides globally
(:mod:`proofs_check.per_length.sweep`).

**The answer lemma.** The answer positions, decoded by the file's own layout
(:func:`proofs_check.answer.answer_mismatch`), equal the circuit's outputs whenever every
position equals its label.

**Sharing.** A lemma is built from a *key* that names everything the query contains: the
inlined positions' weights and biases with reads renamed to local slots, the gate types
and the claim. Identical keys are one query: most gates of a circuit are a few gate types.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import z3

from proofs_check.semantics.answer import StringIds, answer_mismatch
from proofs_check.semantics.circuit import gate_expr
from proofs_check.semantics.z3util import query_size, record_query
from theorymodel.circuits import Circuit
from theorymodel.predictor import LinearPredictor
from theorymodel.program import labels as lb

MAX_INLINED = 64  # positions inlined into one lemma (helpers of a wide XOR)
MAX_CONE = 16  # gates of the file expanded below a node whose fan-ins are not read
MAX_LOCAL_VOCAB = 64

Key = tuple[Any, ...]


@dataclass
class CircuitLocalReport:
    """What the local proof concluded (``proved``: every lemma and the answer lemma)."""

    proved: bool
    positions: int
    distinct_lemmas: int = 0
    seconds: float = 0.0
    max_query_size: int = 0
    failed_positions: list[int] = field(default_factory=list)
    reason: str = ""
    answer_lemma: str = ""
    unknown: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"proved": self.proved, "positions": self.positions, "distinct_lemmas": self.distinct_lemmas,
                "seconds": round(self.seconds, 3), "max_query_size": self.max_query_size,
                "failed_positions": self.failed_positions[:20], "answer_lemma": self.answer_lemma,
                **({"reason": self.reason} if self.reason else {})}


def has_gate_labels(pred: LinearPredictor) -> bool:
    """Labels of the circuit kind at every position (what this module can use)."""
    labels = pred.labels
    return labels is not None and bool(len(labels)) and bool((np.asarray(labels)[:, 0] == lb.GATE).all())


class CircuitLocalProver:
    """Local gate lemmas for a labelled predictor against a circuit file.

    Nodes are numbered as the labels number them: the circuit's inputs, then its gates, in
    the order the file's reader gives them; input position ``j`` holds input node ``j``.
    """

    def __init__(self, circuit: Circuit, pred: LinearPredictor) -> None:
        self.circuit, self.pred = circuit, pred
        self.n = pred.n_inputs
        self.names = [*circuit.inputs, *circuit.gates]
        self.index = {name: k for k, name in enumerate(self.names)}
        self.gates = [None] * len(circuit.inputs) + list(circuit.gates.values())
        tid = pred.token_id
        self.one, self.zero = tid.get("1", -1), tid.get("0", -1)
        self.labels = np.asarray(pred.labels) if pred.labels is not None else np.zeros((0, 5), np.int64)
        self.blocks = pred.blocks()

    # -- keys -----------------------------------------------------------------------------
    def _label(self, p: int) -> tuple[int, int]:
        """(role, node) of position p; inputs are value positions of their own node."""
        if p < self.n:
            return lb.GATE_VALUE, p
        _, role, node, _, _ = (int(v) for v in self.labels[p - self.n])
        return role, node

    def lemma_key(self, k: int) -> Key | str:
        """The key of generated position k's lemma, or why it has none."""
        n = self.n
        p = n + k
        role, node = self._label(p)
        # the helper positions p's token depends on, inlined (reads of reads of helpers)
        inlined = {p}
        todo = [p]
        while todo:
            q = todo.pop()
            for r in np.unique(self.blocks[q - n][0]).tolist():
                if r >= n and r not in inlined and self._label(r)[0] == lb.GATE_HELPER:
                    inlined.add(r)
                    todo.append(r)
                    if len(inlined) > MAX_INLINED:
                        return f"more than {MAX_INLINED} helper positions feed it"
        order = sorted(inlined)
        local = {q: j for j, q in enumerate(order)}
        slots: dict[int, int] = {}

        def slot(v: int) -> int:
            return slots.setdefault(v, len(slots))

        entries = []
        for q in order:
            pos, tok, d, w = self.blocks[q - n]
            terms = []
            for r, y, dd, ww in zip(pos.tolist(), tok.tolist(), d.tolist(), w.tolist(), strict=True):
                ref = ("h", local[r]) if r in local else ("s", slot(self._label(r)[1]))
                terms.append((ref, y, dd, int(ww)))
            bcols, bvals = self.pred.bias_row(q - n)
            entries.append((tuple(terms), tuple(zip(bcols.tolist(), (int(v) for v in bvals.tolist()),
                                                     strict=True))))
        semantics: list[tuple] = []
        if role == lb.GATE_VALUE:
            target = slot(node)
            # node's gate, and below it the gates whose values are not read (a cone, cut at
            # the read nodes and the inputs); all true facts of the file's semantics
            todo = [node]
            expanded: set[int] = set()
            while todo:
                v = todo.pop()
                gate = self.gates[v]
                if gate is None or v in expanded:
                    continue
                expanded.add(v)
                fanins = [self.index[f] for f in gate.fanins]
                for f in fanins:
                    if f not in slots and len(expanded) < MAX_CONE:
                        todo.append(f)
                semantics.append((slot(v), gate.op, tuple(slot(f) for f in fanins), gate.weights,
                                  gate.threshold, gate.value))
            claim: tuple = ("value", target)
        else:
            claim = ("strict",)
        return (self.pred.V, self.one, self.zero, len(slots), tuple(entries), tuple(semantics), claim)

    # -- one lemma ------------------------------------------------------------------------
    @staticmethod
    def lemma_query(key: Key) -> tuple[list[z3.BoolRef], z3.BoolRef]:
        """(facts, negated claim) of a lemma, built from its key alone."""
        V, one, zero, n_slots, entries, semantics, claim = key
        b = [z3.Bool(f"b{i}") for i in range(n_slots)]
        facts: list[z3.BoolRef] = []
        for out, op, fanins, weights, threshold, value in semantics:
            facts.append(b[out] == gate_expr(op, [b[f] for f in fanins], weights, threshold, value))
        tokens: list[z3.ArithRef] = []
        ties: list[z3.BoolRef] = []

        def token_of(ref: tuple[str, int]) -> z3.ArithRef:
            kind, j = ref
            return tokens[j] if kind == "h" else z3.If(b[j], one, zero)

        for terms, bias in entries:
            score: list[list[z3.ArithRef]] = [[] for _ in range(V)]
            for d, w in bias:
                score[d].append(z3.IntVal(w))
            for ref, y, d, w in terms:
                score[d].append(z3.If(token_of(ref) == y, w, 0))
            sums = [z3.Sum(s) if s else z3.IntVal(0) for s in score]
            wins = [z3.And(*[sums[a] > sums[c] for c in range(V) if c != a]) for a in range(V)]
            token: z3.ArithRef = z3.IntVal(-1)
            for a in reversed(range(V)):
                token = z3.If(wins[a], a, token)
            tokens.append(token)
            ties.append(z3.Not(z3.Or(*wins)))
        wrong = list(ties)
        if claim[0] == "value":
            wrong.append(tokens[-1] != z3.If(b[claim[1]], one, zero))
        return facts, z3.Or(*wrong)

    def prove(self, deadline: float | None = None) -> CircuitLocalReport:
        start = time.perf_counter()
        pred = self.pred
        G = pred.n_generated
        report = CircuitLocalReport(False, G)
        why = self._unusable()
        if why:
            report.reason = why
            return report
        decided: dict[Key, str] = {}
        for k in range(G):
            key = self.lemma_key(k)
            if isinstance(key, str):
                report.failed_positions.append(self.n + k)
                report.reason = report.reason or f"position {self.n + k}: {key}"
                continue
            result = decided.get(key)
            if result is None:
                facts, wrong = self.lemma_query(key)
                s = z3.Solver()
                if deadline is not None:
                    s.set("timeout", max(1, int((deadline - time.perf_counter()) * 1000)))
                s.add(*facts, wrong)
                record_query(s, f"gate lemma {len(decided)}")
                result = str(s.check())
                report.max_query_size = max(report.max_query_size, query_size(s))
                decided[key] = result
            if result != "unsat":
                report.unknown |= result == "unknown"
                report.failed_positions.append(self.n + k)
        report.distinct_lemmas = len(decided)
        if not report.failed_positions:
            report.answer_lemma = self._answer_lemma(deadline)
            report.proved = report.answer_lemma == "unsat"
            if not report.proved:
                report.reason = "the answer positions are not the output gates as the layout decodes them"
        elif not report.reason:
            report.reason = f"the lemma of position {report.failed_positions[0]} does not hold for free node values"
        report.seconds = time.perf_counter() - start
        return report

    def _unusable(self) -> str:
        pred = self.pred
        if not has_gate_labels(pred):
            return "the predictor carries no gate labels"
        if self.one < 0 or self.zero < 0:
            return "the dictionary lacks the token 1 or 0"
        if pred.V > MAX_LOCAL_VOCAB:
            return f"the dictionary has more than {MAX_LOCAL_VOCAB} tokens"
        if pred.n_inputs != len(self.circuit.inputs):
            return "the predictor's inputs are not the circuit's inputs"
        roles, nodes = self.labels[:, 1], self.labels[:, 2]
        if not np.isin(roles, (lb.GATE_VALUE, lb.GATE_HELPER)).all():
            return "a gate label has an unknown role"
        if len(nodes) and (nodes.min() < 0 or nodes.max() >= len(self.names)):
            return "a gate label names no node of the circuit"
        if set(pred.input_alphabet) - {"0", "1"}:
            return "the input alphabet is not bits"
        return ""

    def _answer_lemma(self, deadline: float | None) -> str:
        """The answer decoded from the labels' values (by the file's layout) is the
        circuit's outputs, for free node values."""
        nodes: dict[int, z3.BoolRef] = {}

        def bit(v: int) -> z3.BoolRef:
            return nodes.setdefault(v, z3.Bool(f"node{v}"))

        claimed: list[z3.ArithRef] = []
        for p in self.pred.answer.positions:
            role, node = self._label(int(p))
            if role != lb.GATE_VALUE:
                return "sat"  # a helper claims no value
            claimed.append(z3.If(bit(node), self.one, self.zero))
        ids = StringIds()
        expected = [z3.If(bit(self.index[o]), ids("1"), ids("0")) for o in self.circuit.outputs]
        mismatch, defs = answer_mismatch(self.pred.answer, self.pred.vocab, claimed, expected, None, ids)
        s = z3.Solver()
        if deadline is not None:
            s.set("timeout", max(1, int((deadline - time.perf_counter()) * 1000)))
        s.add(*defs, mismatch)
        record_query(s, "answer positions = output gates")
        return str(s.check())


def gate_lemmas(circuit: Circuit, pred: LinearPredictor, deadline: float | None = None) -> CircuitLocalReport:
    """Prove ``pred`` equal to ``circuit`` by local gate lemmas (see the module doc)."""
    return CircuitLocalProver(circuit, pred).prove(deadline)


def lemma_by_enumeration(key: Key) -> bool:
    """Decide a lemma by trying every value of its slots (a second method for tests):
    True when the claim holds for every assignment the gate semantics allow."""
    V, one, zero, n_slots, entries, semantics, claim = key
    from itertools import product

    for bits in product((0, 1), repeat=n_slots):
        if not all(_gate_value(op, [bits[f] for f in fanins], weights, threshold, value) == bits[out]
                   for out, op, fanins, weights, threshold, value in semantics):
            continue
        tokens: list[int] = []
        for terms, bias in entries:
            score = [0] * V
            for d, w in bias:
                score[d] += w
            for (kind, j), y, d, w in terms:
                t = tokens[j] if kind == "h" else (one if bits[j] else zero)
                if t == y:
                    score[d] += w
            best = max(score)
            if score.count(best) != 1:
                return False
            tokens.append(score.index(best))
        if claim[0] == "value" and tokens[-1] != (one if bits[claim[1]] else zero):
            return False
    return True


def _gate_value(op: str, args: Sequence[int], weights: Sequence[int], threshold: int, value: int) -> int:
    if op == "CONST":
        return value
    if op in ("BUF", "NOT"):
        v = args[0]
    elif op in ("AND", "NAND"):
        v = int(all(args))
    elif op in ("OR", "NOR"):
        v = int(any(args))
    elif op in ("XOR", "XNOR"):
        v = sum(args) % 2
    else:
        v = int(sum(w * a for w, a in zip(weights, args, strict=True)) >= threshold)
    return 1 - v if op in ("NOT", "NAND", "NOR", "XNOR") else v
