"""Uniform rules: one shared table per machine, proved for every input length; roll-outs
equal to the machine's runs at n = 4..32 under an independent token-by-token pass; every
single-entry mutation judged right (reachable breaks give replayed counterexamples,
unreachable ones are never reported as counterexamples)."""

from __future__ import annotations

import collections
from itertools import pairwise, product

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import machines

from proofs_check.per_length.simulation import configurations
from proofs_check.uniform.proof import (
    domain,
    lemma_exhaustive,
    search_counterexample,
    verify_uniform,
)
from theorymodel.compile.uniform import compile_uniform, natural_layout
from theorymodel.errors import MachineError
from theorymodel.machines import TuringMachine, library, reference_run
from theorymodel.program.uniform import SEPARATOR, UniformLayout, initial_row

ARITHMETIC = ("binary_addition", "binary_multiplication")  # proved by z3 in 30-60 s: tests/test_arithmetic.py
# the benchmark's machines have bigger domains: tests/test_chomsky_benchmark.py proves them
MACHINES = [m for m in library.names() if m != "bb5" and m not in ARITHMETIC and not m.startswith("chomsky_")]


@pytest.mark.parametrize("name", MACHINES)
def test_every_bundled_machine_is_proved_for_every_length(name):
    tm = library.load(name)
    rule = compile_uniform(tm)
    v = verify_uniform(tm, rule, method="both")
    assert v.verified and v.guarantee == "smt-proof-uniform" and v.triples == len(domain(tm, rule))
    assert v.method == "both" and v.details["methods"] == {"z3": True, "exhaustive": True}
    assert lemma_exhaustive(tm, rule).verified


def forward(rule, layout: UniformLayout, word, steps: int) -> list[int]:
    """An independent pass: the flat context, each generated token from the three
    positions W+2, W+1, W back, one token at a time (no rows, no vectorisation)."""
    W = layout.width
    seq = [rule.token_id[SEPARATOR], *initial_row(rule, layout, word).tolist()]
    for _ in range(steps * (W + 1)):
        p = len(seq)
        scores = [int(rule.left[d, seq[p - W - 2]] + rule.middle[d, seq[p - W - 1]] + rule.right[d, seq[p - W]]
                      + rule.bias[d]) for d in range(rule.V)]
        best = max(scores)
        assert scores.count(best) == 1, "a tie"
        seq.append(scores.index(best))
    return seq


def expected_rows(tm: TuringMachine, layout: UniformLayout, word, steps: int) -> list[list[str]]:
    rows = []
    for state, head, cells in configurations(tm, word, steps):
        row = []
        for i in range(layout.width):
            c = i - layout.offset
            sym = cells.get(c, tm.blank_symbol)
            row.append(f"[{state}]{sym}" if c == head else sym)
        rows.append([*row, SEPARATOR])
    return rows


@pytest.mark.parametrize("n", [4, 8, 16, 32])
@pytest.mark.parametrize("name", ["binary_palindrome", "binary_increment"])
def test_rollout_is_the_run_at_every_length(name, n):
    tm = library.load(name)
    rule = compile_uniform(tm)
    rng = np.random.default_rng(n)
    words = [tuple(rng.choice(tm.input_symbols, size=n).tolist()) for _ in range(6)]
    for word in words:
        run = reference_run(tm, word)
        left = -min(run.leftmost_head, 0)
        layout = UniformLayout(left + max(run.rightmost_head, n - 1) + 1, left)
        seq = forward(rule, layout, word, run.steps)
        got = [rule.vocab[t] for t in seq[1:]]
        want = [tok for row in expected_rows(tm, layout, word, run.steps) for tok in row]
        assert got == want


def test_one_table_for_every_width():
    """The same rule in wider windows than needed still reproduces the run."""
    tm = library.load("binary_palindrome")
    rule = compile_uniform(tm)
    layout, T = natural_layout(tm, 4)
    for extra in (0, 3, 10):
        wide = UniformLayout(layout.width + 2 * extra, layout.offset + extra)
        for word in product("01", repeat=4):
            seq = forward(rule, wide, word, T)
            assert [rule.vocab[t] for t in seq[1:]] == [tok for row in expected_rows(tm, wide, word, T) for tok in row]


def reached_triples(tm: TuringMachine, rule, max_n: int) -> set[tuple[int, int, int]]:
    """Every triple the runs on inputs up to max_n show a position (in natural windows), the
    rows after the halt that the search compares included (the claim covers them)."""
    from proofs_check.uniform.proof import HALTED_ROWS

    out = set()
    for n in range(max_n + 1):
        for word in product(tm.input_symbols, repeat=n):
            run = reference_run(tm, word)
            left = -min(run.leftmost_head, 0)
            for a, b in product(range(3), repeat=2):  # the tightest window, and blank margins on either side
                layout = UniformLayout(left + max(run.rightmost_head, n - 1, 0) + 1 + a + b, left + a)
                rows = [[rule.token_id[t] for t in row]
                        for row in expected_rows(tm, layout, word, run.steps + HALTED_ROWS)]
                sep = rule.token_id[SEPARATOR]
                for prev, cur in pairwise(rows):
                    for i in range(layout.width):
                        out.add((prev[i - 1] if i else sep, prev[i], prev[i + 1]))
                    out.add((prev[layout.width - 1], prev[layout.width], cur[0]))
    return out


def test_every_single_entry_mutation_is_judged_right():
    tm = library.load("binary_increment")
    rule = compile_uniform(tm)
    reached = reached_triples(tm, rule, 4)
    caught = unreachable = 0
    for table in ("left", "middle", "right", "bias"):
        shape = (rule.V,) if table == "bias" else (rule.V, rule.V)
        for index in np.ndindex(*shape):
            for delta in (-1, 1):
                d, t = (index[0], 0) if table == "bias" else index
                mutant = rule.with_entry(table, d, t, delta)
                verdict = lemma_exhaustive(tm, mutant)
                if verdict.verified:
                    continue
                failed = {tuple(rule.token_id[x] for x in names) for names in verdict.failed}
                cex = search_counterexample(tm, mutant, max_n=4)
                if failed & reached:
                    assert cex is not None, (table, index, delta)
                    caught += 1
                else:
                    assert cex is None, (table, index, delta, cex)
                    unreachable += 1
    assert caught > 50 and unreachable > 5  # 416 and 9: the rows after the halt reach more triples
    print(f"mutations: {caught} caught with a replayed counterexample, {unreachable} unreachable only")


def test_a_broken_compiler_is_caught_with_a_replayed_counterexample():
    """Compile the rule from a machine whose carry writes 1 instead of 0 (a compiler bug
    in effect), and check it against the real machine."""
    tm = library.load("binary_increment")
    wrong = {q: {s: list(t) for s, t in row.items()} for q, row in tm.transitions.items()}
    wrong["carry"]["1"][1] = "1"
    buggy = TuringMachine(name="buggy", transitions=wrong, initial_state=tm.initial_state,
                          blank_symbol=tm.blank_symbol, input_symbols=tm.input_symbols,
                          tape_symbols=tm.tape_symbols, states=tm.states, final_states=tm.final_states)
    rule = compile_uniform(buggy)
    v = verify_uniform(tm, rule, method="both")
    assert not v.verified
    cex = search_counterexample(tm, rule, max_n=4)
    assert cex is not None and cex.input == "1"  # the shortest input whose increment carries


def test_cli_uniform(cli_json):
    # parity, a decider like binary_palindrome, whose table takes ten times longer to prove
    # (test_every_bundled_machine_is_proved_for_every_length proves it)
    code, obj, _ = cli_json("verify", "parity", "--uniform")
    assert code == 0 and obj["guarantee"] == "smt-proof-uniform" and obj["assumption"].startswith("space bound")
    code, obj, _ = cli_json("verify", "bb4", "--uniform", "--method", "exhaustive")
    assert code == 0 and obj["verified"]


def test_separator_symbol_is_refused():
    tm = TuringMachine(name="hash", transitions={"a": {"#": ["a", "1", "R"]}}, initial_state="a", blank_symbol="_")
    with pytest.raises(MachineError):
        compile_uniform(tm)


@pytest.mark.parametrize("name", MACHINES)
def test_the_lemma_domain_contains_every_triple_runs_show(name):
    """Soundness of the finite lemma's domain: every (left, middle, right) that the runs
    on inputs up to length 4 show a position, in tight, cut and roomy windows, lies in it."""
    from theorymodel.learn.uniform import observed_triples, training_words

    tm = library.load(name)
    rule = compile_uniform(tm)
    words = training_words(tm, (0, 4 if tm.input_symbols else 0), None, 0)
    data = observed_triples(tm, words, dict(rule.token_id)).rows
    seen = {tuple(t) for t in data[:, :3].tolist()}
    missing = seen - set(domain(tm, rule))
    assert not missing, [tuple(rule.vocab[i] for i in t) for t in list(missing)[:5]]
    # and the compiled rule gets every observed next token right
    best, tie = rule.next_tokens(data[:, 0], data[:, 1], data[:, 2])
    assert not tie.any() and (best == data[:, 3]).all()


def test_learned_uniform_table_is_proved_for_every_length(cli_json):
    """Issue 15's criterion: the LP table learned from binary_increment's inputs of length
    <= 4 is proved for every input length; parity's from length <= 3 too."""
    from theorymodel.learn.uniform import learn_uniform

    for name, hi in (("binary_increment", 4), ("parity", 3)):
        tm = library.load(name)
        learned = learn_uniform(tm, lengths=(0, hi)).rule
        assert verify_uniform(tm, learned, method="both").verified, name
    code, obj, _ = cli_json("learn", "binary_increment", "--uniform", "--train-n", "0..4")
    assert code == 0 and obj["guarantee"] == "smt-proof-uniform" and obj["triples_never_seen"] > 0


def test_learned_table_with_a_reachable_flaw_gets_a_counterexample(cli_json):
    code, obj, err = cli_json("learn", "binary_palindrome", "--uniform", "--train-n", "0..3")
    assert code == 1 and obj["counterexample"]["input"] == "0000"  # a length beyond training
    assert err.startswith("error: the learned table is wrong")


def test_uniform_certificate(cli_json, tmp_path):
    import json

    code, obj, _ = cli_json("verify", "binary_increment", "--uniform", "--out", str(tmp_path))
    cert = json.loads((tmp_path / "uniform-verdict.json").read_text())
    assert code == 0 and cert["guarantee"] == "smt-proof-uniform" and cert["claim"] == obj["claim"]
    assert cert["assumption"].startswith("space bound") and cert["solver"].startswith("z3")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(machines(max_states=3, max_symbols=3))
def test_the_invariant_domain_contains_every_triple_random_machines_show(tm):
    """The tight domain over random machines: stay moves, re-entered start states, written
    blanks, heads at either wall. Every triple their runs show (inputs up to length 3, tight
    windows and windows two cells wider) lies in the invariant's domain, which lies in the
    syntactic one."""
    from hypothesis import assume

    from proofs_check.uniform.proof import syntactic_domain
    from theorymodel.learn.uniform import observed_triples

    words = [w for n in range(4) for w in product(tm.input_symbols, repeat=n)
             if reference_run(tm, w, max_steps=60).halted]
    assume(words)
    rule = compile_uniform(tm)
    data = observed_triples(tm, words, dict(rule.token_id), max_steps=60).rows
    seen = {tuple(t) for t in data[:, :3].tolist()}
    tight = set(domain(tm, rule))
    missing = seen - tight
    assert not missing, [tuple(rule.vocab[i] for i in t) for t in list(missing)[:5]]
    assert tight <= set(syntactic_domain(tm, rule))


def test_learn_with_sgd_writes_the_proved_tile_file(cli_json, tmp_path):
    """learn --route uniform --learner sgd --out DIR: DIR/uniform.npz is the file whose table was proved,
    and verify --uniform re-checks it (float32 readers included)."""
    code, obj, _ = cli_json("learn", "binary_decrement", "--route", "uniform", "--train-n", "0..2", "--learner",
                            "sgd", "--out", str(tmp_path))
    assert code == 0 and obj["guarantee"] == "smt-proof-uniform" and obj["sgd"]["weights"] == "float32"
    assert obj["domain_sizes"]["invariant"] < obj["domain_sizes"]["syntactic"]
    code, again, _ = cli_json("verify", "--uniform", str(tmp_path / "uniform.npz"), "binary_decrement")
    assert code == 0 and again["float_readers"]["safe"] and again["table"] == obj["table"]


def triples_runs_show(tm: TuringMachine):
    """(compiled rule, its dictionary, the triples the runs of every halting input up to
    length 5 show); a draw with no halting input is discarded."""
    from hypothesis import assume

    from theorymodel.learn.uniform import observed_triples

    words = [w for n in range(6) for w in product(tm.input_symbols, repeat=n)
             if reference_run(tm, w, max_steps=80).halted]
    assume(words)
    rule = compile_uniform(tm)
    tid = dict(rule.token_id)
    return rule, tid, {tuple(t) for t in observed_triples(tm, words, tid, max_steps=80).rows[:, :3].tolist()}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(machines(max_states=4, max_symbols=3))
def test_every_counted_invariant_contains_every_triple_longer_runs_show(tm):
    """The head-count invariants one at a time, on random machines and inputs up to length
    5 (rows long enough for counts at the cap): each holds every triple the runs show, cells
    and walls, so their intersection does (proofs_check/uniform/invariant.py, "Head counts")."""
    from proofs_check.uniform.invariant import COUNT_CAP, invariant, triples_of

    rule, tid, seen = triples_runs_show(tm)
    for cap in (1, COUNT_CAP):
        for symbol in tm.tape_symbols:
            admitted = triples_of(invariant(tm, tid, 4, cap=cap, tracked=(symbol,)), tm, tid)
            missing = seen - admitted
            assert not missing, (cap, symbol, [tuple(rule.vocab[i] for i in t) for t in list(missing)[:5]])


def test_head_counts_see_what_windows_cannot():
    """zeros_then_ones's returning head never has a 1 on its left. The plain window invariant
    admits that triple, the counted one does not, and so the LP table learned from inputs of
    length <= 6 is proved, where length <= 5 leaves a real counterexample (SGD's factored
    table is proved from length <= 4, where length <= 3 leaves one)."""
    from proofs_check.uniform.invariant import invariant, triples_of
    from theorymodel.learn.uniform import learn_uniform

    tm = library.load("zeros_then_ones")
    rule = compile_uniform(tm)
    tid = dict(rule.token_id)
    bad = tuple(tid[t] for t in ("0", "1", "[q2]0"))
    assert bad in triples_of(invariant(tm, tid, 4), tm, tid)
    assert bad not in set(domain(tm, rule))
    assert lemma_exhaustive(tm, learn_uniform(tm, lengths=(0, 6), learner="lp").rule).verified
    short = learn_uniform(tm, lengths=(0, 5), learner="lp").rule
    assert not lemma_exhaustive(tm, short).verified
    cex = search_counterexample(tm, short, max_n=6)
    assert cex is not None and cex.input == "000111"
    assert lemma_exhaustive(tm, learn_uniform(tm, lengths=(0, 4), learner="sgd").rule).verified
    cex = search_counterexample(tm, learn_uniform(tm, lengths=(0, 3), learner="sgd").rule, max_n=6)
    assert cex is not None and cex.input == "0011"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(machines(max_states=3, max_symbols=3))
def test_every_region_invariant_contains_every_triple_longer_runs_show(tm):
    """The head-region fixpoints (one per non-blank symbol), on random machines and inputs up
    to length 5: each holds every triple the runs show (proofs_check/uniform/invariant.py, "Head regions")."""
    from proofs_check.uniform.invariant import invariant, region_parts, triples_of

    rule, tid, seen = triples_runs_show(tm)
    for symbol in tm.tape_symbols:
        if symbol == tm.blank_symbol:
            continue
        admitted = triples_of(invariant(tm, tid, 4, regions=region_parts(tm, symbol)), tm, tid)
        missing = seen - admitted
        assert not missing, (symbol, [tuple(rule.vocab[i] for i in t) for t in list(missing)[:5]])


def listed_positions(tm: TuringMachine, words, token_id, max_steps):
    """The training positions listed one by one, every prefix in its own tight window (the
    plain reading of the rule that :func:`observed_triples` counts without listing)."""
    from theorymodel.compile.tableau import head_token
    from theorymodel.learn.uniform import run_configurations

    sep = token_id["#"]
    out = []
    for word in words:
        confs = run_configurations(tm, word, max_steps)
        for t in range(2, len(confs) + 1):
            heads = [h for _, h, _ in confs[:t]]
            left = -min(min(heads), 0)
            width = left + max(max(heads), len(word) - 1, 0) + 1
            for pad in (0, 2) if t == len(confs) else (0,):
                rows = []
                for state, head, cells in confs[:t]:
                    row = [token_id[cells.get(i - left - pad, tm.blank_symbol)] for i in range(width + 2 * pad)]
                    row[head + left + pad] = token_id[head_token(state, cells.get(head, tm.blank_symbol))]
                    rows.append([*row, sep])
                w = width + 2 * pad
                for prev, cur in pairwise(rows):
                    out += [(prev[i - 1] if i else sep, prev[i], prev[i + 1], cur[i]) for i in range(w)]
                    out.append((prev[w - 1], sep, cur[0], sep))
    return collections.Counter(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(machines(max_states=3, max_symbols=3))
def test_counted_training_positions_equal_the_listed_ones(tm):
    """observed_triples counts the prefixes' positions by window instead of listing them:
    the same multiset as the listing, on random machines (halting inputs up to length 4)."""
    from hypothesis import assume

    from theorymodel.learn.uniform import observed_triples

    words = [w for n in range(5) for w in product(tm.input_symbols, repeat=n)
             if reference_run(tm, w, max_steps=40).halted]
    assume(words)
    tid = dict(compile_uniform(tm).token_id)
    data = observed_triples(tm, words, tid, max_steps=40)
    counted = {tuple(r): int(c) for r, c in zip(data.rows.tolist(), data.counts.tolist(), strict=True)}
    assert counted == dict(listed_positions(tm, words, tid, 40))
    assert data.positions == sum(counted.values())


def test_counted_training_positions_on_a_bundled_machine():
    from theorymodel.learn.uniform import observed_triples, training_words

    tm = library.load("binary_addition")
    tid = dict(compile_uniform(tm).token_id)
    words = training_words(tm, (0, 4), None, 0)
    data = observed_triples(tm, words, tid)
    listed = listed_positions(tm, words, tid, 10_000)
    assert {tuple(r): int(c) for r, c in zip(data.rows.tolist(), data.counts.tolist(), strict=True)} == dict(listed)


def test_training_positions_of_a_huge_dictionary_are_not_folded_into_overflowing_keys():
    """A dictionary of more than 55,108 tokens makes a four-token key pass 2^63: the rows
    are then merged whole, and equal the listing."""
    from theorymodel.learn.uniform import observed_triples

    tm = library.load("binary_increment")
    tid = dict(compile_uniform(tm).token_id)
    huge = {**tid, **{f"pad{i}": len(tid) + i for i in range(60_000)}}
    words = [w for n in range(4) for w in product(tm.input_symbols, repeat=n)]
    data = observed_triples(tm, words, huge)
    assert {tuple(r): int(c) for r, c in zip(data.rows.tolist(), data.counts.tolist(), strict=True)} == \
        dict(listed_positions(tm, words, huge, 1000))


def test_a_run_halting_at_the_step_limit_is_drawn_and_one_past_it_is_a_resource_limit():
    from theorymodel.errors import ResourceLimitError
    from theorymodel.learn.uniform import observed_triples, run_configurations

    tm = TuringMachine(name="three", transitions={"a": {"_": ["b", "1", "R"]}, "b": {"_": ["c", "1", "R"]},
                                                  "c": {"_": ["d", "1", "R"]}}, initial_state="a", blank_symbol="_")
    assert len(run_configurations(tm, (), 3)) == 5  # four configurations, the halted one shown again
    assert observed_triples(tm, [()], dict(compile_uniform(tm).token_id), max_steps=3).positions > 0
    with pytest.raises(ResourceLimitError):
        run_configurations(tm, (), 2)


def test_a_search_report_names_only_the_lengths_it_covered():
    """The counterexample search stops at 16,384 inputs: a report must not say that no input
    up to --max-n reaches a failed triple when it tried fewer lengths."""
    from proofs_check.uniform.proof import SEARCH_INPUTS, search_report, searched_up_to

    tm = library.load("binary_multiplication")  # three input symbols: 0..8 is 9,841 inputs, 0..9 is 29,524
    assert SEARCH_INPUTS == 1 << 14 and searched_up_to(tm, 13) == 8 and searched_up_to(tm, 5) == 5
    report = search_report(tm, 13, found=False)
    assert report["complete_up_to"] == 8 and "length <= 8" in report["note"] and "short of length 13" in report["note"]
    assert search_report(tm, 5, found=False)["note"].startswith("no run on inputs of length <= 5 (its rows up to 2 "
                                                                "past the halt) reaches")


def test_a_table_wrong_only_after_the_halt_gets_a_counterexample():
    """The claim covers the halted configuration repeated after the halt; a table wrong
    only there (a halted head on a blank writes 0) is refuted with a replayed run, and the
    refuted report rests on nothing (empty guarantee)."""
    import dataclasses

    from proofs_check.uniform.proof import uniform_claim
    from theorymodel.compile.uniform import compile_uniform

    tm = library.load("zeros_then_ones")
    rule = compile_uniform(tm)
    t = rule.token_id
    middle = rule.middle.copy()
    middle[t["[accept]0"], t["[accept]_"]] += 5
    report = uniform_claim(tm, dataclasses.replace(rule, middle=middle), method="auto", max_n=4)
    assert not report["verified"] and report["guarantee"] == ""
    cex = report["counterexample"]
    assert cex is not None and cex["expected"] == "[accept]_" and cex["got"] == "[accept]0"
    run = reference_run(tm, tuple(cex["input"]))
    assert run.halted and cex["row"] > run.steps  # a row after the halting step
