"""Circuit predictors proved in time linear in the gates: local gate lemmas (labelled
files), SAT sweeping (files of unknown origin), z3's global query and enumeration give
one verdict, and every "verified" agrees with an independent oracle (a plain-Python
forward pass over the file's arrays against a plain-Python circuit evaluation)."""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
import time
from itertools import product
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import circuits

from proofs_check.per_length.circuit_local import CircuitLocalProver, gate_lemmas, lemma_by_enumeration
from proofs_check.per_length.circuit_proof import prove_circuit
from proofs_check.per_length.exhaustive import exhaustive
from proofs_check.per_length.sweep import sweep
from proofs_check.per_length.z3_query import z3_circuit
from proofs_check.verdict import CircuitTarget
from theorymodel.circuits import Circuit
from theorymodel.circuits.formats import load_circuit
from theorymodel.compile.circuit_route import compile_boolean_circuit
from theorymodel.errors import FormatError
from theorymodel.predictor import LinearPredictor
from theorymodel.program import labels as lb

CIRCUITS = Path(__file__).resolve().parents[1] / "examples" / "circuits"


# -- the independent oracle ---------------------------------------------------------------
def oracle_circuit(circuit: Circuit, bits: tuple[int, ...]) -> list[int]:
    value = dict(zip(circuit.inputs, bits, strict=True))
    for name, g in circuit.gates.items():
        a = [value[f] for f in g.fanins]
        op = g.op
        if op == "CONST":
            v = g.value
        elif op == "BUF":
            v = a[0]
        elif op == "NOT":
            v = 1 - a[0]
        elif op in ("AND", "NAND"):
            v = int(all(a)) ^ (op == "NAND")
        elif op in ("OR", "NOR"):
            v = int(any(a)) ^ (op == "NOR")
        elif op in ("XOR", "XNOR"):
            v = (sum(a) % 2) ^ (op == "XNOR")
        else:
            v = int(sum(w * x for w, x in zip(g.weights, a, strict=True)) >= g.threshold)
        value[name] = v
    return [value[o] for o in circuit.outputs]


def oracle_right(circuit: Circuit, pred: LinearPredictor, bits: tuple[int, ...]) -> bool:
    """Greedy roll-out from the CSR arrays in plain Python (integer files only): a strict
    argmax everywhere and the bits answer equal to the circuit's outputs."""
    V = len(pred.vocab)
    W, b = pred.weights.tocsr(), pred.bias.toarray()
    tokens = [pred.vocab.index(str(x)) for x in bits]
    for k in range(pred.n_generated):
        scores = []
        for d in range(V):
            row = k * V + d
            s = int(b[k, d])
            for idx in range(W.indptr[row], W.indptr[row + 1]):
                col = int(W.indices[idx])
                if tokens[col // V] == col % V:
                    s += int(W.data[idx])
            scores.append(s)
        best = max(scores)
        if scores.count(best) != 1:
            return False
        tokens.append(scores.index(best))
    answer = [pred.vocab[tokens[p]] for p in pred.answer.positions]
    return answer == [str(v) for v in oracle_circuit(circuit, bits)]


def oracle_verified(circuit: Circuit, pred: LinearPredictor) -> bool:
    return all(oracle_right(circuit, pred, bits) for bits in product((0, 1), repeat=len(circuit.inputs)))


# -- mutants --------------------------------------------------------------------------------
def with_weights(pred: LinearPredictor, weights: sp.csr_matrix | None = None, bias: sp.csr_matrix | None = None,
                 **changes) -> LinearPredictor:
    return LinearPredictor(pred.vocab, pred.n_inputs, pred.weights if weights is None else weights,
                           pred.bias if bias is None else bias, changes.get("answer", pred.answer),
                           pred.input_alphabet, dict(pred.meta), changes.get("labels", pred.labels))


def mutate(pred: LinearPredictor, kind: str, rng: np.random.Generator) -> LinearPredictor:
    V, n = pred.V, pred.n_inputs
    W = pred.weights.tocoo()
    if kind == "weight" and W.nnz:
        data = W.data.copy()
        i = rng.integers(W.nnz)
        data[i] = [data[i] + 1, data[i] - 1, -data[i], 2 * data[i], 0][rng.integers(5)]
        return with_weights(pred, sp.csr_matrix((data, (W.row, W.col)), shape=W.shape))
    if kind == "bias":
        b = pred.bias.toarray()
        b[rng.integers(b.shape[0]), rng.integers(V)] += int(rng.choice([-2, -1, 1, 2]))
        return with_weights(pred, bias=sp.csr_matrix(b))
    if kind == "swap" and W.nnz:  # a read moved to another earlier position (a swapped gate input)
        i = rng.integers(W.nnz)
        k = W.row[i] // V
        if n + k > 1:
            cols = W.col.copy()
            cols[i] = rng.integers(n + k) * V + cols[i] % V
            return with_weights(pred, sp.csr_matrix((W.data, (W.row, cols)), shape=W.shape))
    if kind == "answer" and pred.answer.positions:
        positions = list(pred.answer.positions)
        j = rng.integers(len(positions))
        positions[j] = int(rng.integers(n + pred.n_generated))
        if rng.integers(2) and len(positions) > 1:
            positions.reverse()
        return with_weights(pred, answer=dataclasses.replace(pred.answer, positions=tuple(positions)))
    if kind == "label" and pred.labels is not None and len(pred.labels):
        labels = pred.labels.copy()
        k = rng.integers(len(labels))
        labels[k, 2] = rng.integers(n + pred.n_generated) % (labels[:, 2].max() + 1)
        labels[k, 1] = rng.integers(2)
        return with_weights(pred, labels=labels)
    return pred


KINDS = ["none", "weight", "bias", "swap", "answer", "label"]


def compiled(circuit: Circuit) -> LinearPredictor:
    return LinearPredictor.from_program(compile_boolean_circuit(circuit))


def unlabelled(pred: LinearPredictor) -> LinearPredictor:
    return with_weights(pred, labels=None)


# -- every method, one verdict --------------------------------------------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(circuit=circuits(max_inputs=5, max_gates=10), kind=st.sampled_from(KINDS), seed=st.integers(0, 2**16))
def test_every_method_gives_the_oracles_verdict_on_random_circuits_and_mutants(circuit, kind, seed):
    rng = np.random.default_rng(seed)
    try:
        pred = mutate(compiled(circuit), kind, rng)
    except FormatError:  # the mutant is not a file a reader accepts
        return
    truth = oracle_verified(circuit, pred)
    target = CircuitTarget(circuit)
    verdicts = {
        "local+auto": prove_circuit(target, pred, method="auto"),
        "sat": prove_circuit(target, unlabelled(pred), method="sat"),
        "z3-global": z3_circuit(target, pred, timeout=None),
        "exhaustive": exhaustive(target, pred),
    }
    for name, v in verdicts.items():
        assert v.verified == truth, (name, kind)
        if not v.verified:
            bits = tuple(int(c) for c in v.counterexample.word)
            assert not oracle_right(circuit, pred, bits), name
    local = gate_lemmas(circuit, pred)
    if local.proved:  # a local proof is a proof
        assert truth


@settings(max_examples=60, deadline=None)
@given(circuit=circuits(max_inputs=4, max_gates=8))
def test_each_shared_lemma_has_the_same_answer_by_z3_and_by_enumeration(circuit):
    import z3

    prover = CircuitLocalProver(circuit, compiled(circuit))
    for k in range(prover.pred.n_generated):
        key = prover.lemma_key(k)
        assert not isinstance(key, str)
        facts, wrong = prover.lemma_query(key)
        s = z3.Solver()
        s.add(*facts, wrong)
        assert (s.check() == z3.unsat) == lemma_by_enumeration(key)
        assert lemma_by_enumeration(key)  # compiled files satisfy every lemma


# -- real circuits ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def c432() -> tuple[Circuit, LinearPredictor]:
    circuit = load_circuit(CIRCUITS / "c432.bench")
    return circuit, compiled(circuit)


def test_c432_is_proved_by_a_dozen_shared_gate_lemmas_and_by_sweeping(c432):
    circuit, pred = c432
    local = gate_lemmas(circuit, pred)
    assert local.proved and local.positions == 178 and local.failed_positions == []
    assert local.distinct_lemmas <= 16  # 178 positions, a few gate types
    swept = sweep(circuit, unlabelled(pred))
    assert swept.verified is True and swept.merged == swept.candidates == 178 and swept.final_pairs == 0
    v = prove_circuit(CircuitTarget(circuit), unlabelled(pred))
    assert (v.verified, v.method, v.guarantee) == (True, "sat", "smt-proof")


@pytest.mark.parametrize("kind", ["weight", "bias", "swap", "answer"])
def test_c432_mutants_local_and_sweeping_agree_and_counterexamples_replay(c432, kind):
    circuit, pred = c432
    rng = np.random.default_rng(7)
    seen = 0
    for _ in range(6):
        try:
            mutant = mutate(pred, kind, rng)
        except FormatError:
            continue
        auto = prove_circuit(CircuitTarget(circuit), mutant, method="auto")
        sat = prove_circuit(CircuitTarget(circuit), unlabelled(mutant), method="sat")
        assert auto.verified == sat.verified
        for v in (auto, sat):
            if not v.verified:
                seen += 1
                assert not oracle_right(circuit, mutant, tuple(int(c) for c in v.counterexample.word))
            else:  # a mutant that still computes c432: its lemmas may fail, the proof may not lie
                bits = np.random.default_rng(1).integers(0, 2, size=(64, 36))
                assert all(oracle_right(circuit, mutant, tuple(row)) for row in bits.tolist())
    assert kind == "weight" or seen  # the mutations that always break c432 were caught


def test_a_wrong_label_never_proves_a_wrong_file_and_never_refutes_a_right_one(c432):
    circuit, pred = c432
    labels = pred.labels.copy()
    labels[50, 2] = labels[60, 2]  # position 50 now claims another gate's value
    relabelled = with_weights(pred, labels=labels)
    local = gate_lemmas(circuit, relabelled)
    assert not local.proved and local.failed_positions
    v = prove_circuit(CircuitTarget(circuit), relabelled)
    assert (v.verified, v.method) == (True, "sat")  # the arrays are right: sweeping proves them
    helpers = labels.copy()
    helpers[:, 1] = lb.GATE_HELPER  # nobody claims a value: the answer lemma cannot hold
    assert not gate_lemmas(circuit, with_weights(pred, labels=helpers)).proved


def test_gate_labels_name_the_circuits_nodes_in_file_order():
    circuit = load_circuit(CIRCUITS / "c17.bench")
    pred = compiled(circuit)
    names = [*circuit.inputs, *circuit.gates]
    assert pred.labels[:, 0].tolist() == [lb.GATE] * pred.n_generated
    claimed = [names[i] for i in pred.labels[:, 2]]
    # c17: six NANDs, one token each, the two outputs last
    assert sorted(claimed) == sorted(circuit.gates) and claimed[-2:] == list(circuit.outputs) == ["22", "23"]


def test_xor_helpers_are_labelled_and_inlined():
    from theorymodel.circuits import Gate

    circuit = Circuit(inputs=["a", "b", "c"], gates={"x": Gate("XOR", ("a", "b", "c")), "y": Gate("NOT", ("x",))},
                      outputs=["x", "y"], name="xor3")
    pred = compiled(circuit)
    roles = pred.labels[:, 1].tolist()
    assert roles.count(lb.GATE_HELPER) == 3  # two carries and one partial XOR
    report = gate_lemmas(circuit, pred)
    assert report.proved
    assert oracle_verified(circuit, pred)


# -- a stop signal stops a solver ------------------------------------------------------------
def _slow_query(tmp_path: Path) -> Path:
    """c1908's predictor without labels, checked by the one global z3 query (20 s or more)."""
    from theorymodel.predictor.export import save_predictor

    circuit = load_circuit(CIRCUITS / "c1908.bench")
    path = tmp_path / "c1908.npz"
    save_predictor(unlabelled(compiled(circuit)), path)
    return path


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_ends_a_running_solver_with_one_error_line(tmp_path, sig):
    path = _slow_query(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "theorymodel", "counterexample", str(path),
                             str(CIRCUITS / "c1908.bench"), "--n", "33", "--method", "z3"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)  # past start-up, inside the z3 query
    assert proc.poll() is None, "the solver finished before the signal; use a harder query"
    sent = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 10
    assert err.strip().splitlines() == ["error: interrupted"]
    assert proc.returncode == 128 + sig
    assert out == ""
