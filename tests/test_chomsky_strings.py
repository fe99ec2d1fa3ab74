"""The string tasks of the Chomsky benchmark's CS level (duplicate_string,
missing_duplicate_string, odds_first, bucket_sort): the numpy samplers against small
independent oracles, and the bundled machines against the samplers, at many lengths."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from theorymodel.benchmarks.chomsky import ID_CHARS, TASKS, answer_ids, answer_matches, cs, id_text
from theorymodel.machines import simulate
from theorymodel.machines.library import load

NAMES = ("duplicate_string", "missing_duplicate_string", "odds_first", "bucket_sort")
LENGTHS = [*range(1, 41), 57, 100, 160]


def steps_bound(name: str, n: int) -> int:
    """Generous bounds on the measured worst cases (see each machine's description)."""
    return {
        "duplicate_string": 2 * n * n + 4 * n + 3,
        "odds_first": 3 * n * n + 5 * n + 11,
        "missing_duplicate_string": n + 1,
        "bucket_sort": n**3 + 2 * n * n + 2,
    }[name]


# ---- independent oracles: plain Python, index by index --------------------------------------


def duplicate_oracle(x: list[int]) -> list[int]:
    return [*x, *x]


def odds_first_oracle(x: list[int]) -> list[int]:
    # the code: strings[:, 1::2] then strings[:, ::2] (0-based positions)
    return [x[i] for i in range(len(x)) if i % 2 == 1] + [x[i] for i in range(len(x)) if i % 2 == 0]


def bucket_sort_oracle(x: list[int]) -> list[int]:
    out: list[int] = []
    for v in range(5):
        out += [v] * x.count(v)
    return out


def missing_oracle(x: list[int]) -> list[int]:
    """The bit under the 2, read from its partner in the other half (not from parity)."""
    if x == [1]:
        return [1]
    u = x[:-1] if len(x) % 2 else x
    if len(x) % 2:
        assert x[-1] == 3
    m = len(u) // 2
    assert u.count(2) == 1 and 3 not in u
    k = u.index(2)
    # the two halves agree everywhere but at the 2
    assert all(u[i] == u[i + m] for i in range(m) if k not in (i, i + m))
    return [u[k + m] if k < m else u[k - m]]


ORACLES = {
    "duplicate_string": duplicate_oracle,
    "missing_duplicate_string": missing_oracle,
    "odds_first": odds_first_oracle,
    "bucket_sort": bucket_sort_oracle,
}


def run(name: str, word: str):
    result = simulate(load(f"chomsky_{name}"), word, max_steps=steps_bound(name, len(word)) + 1)
    assert result.halted, (name, word)
    assert result.steps <= steps_bound(name, len(word)), (name, word, result.steps)
    return result


# ---- the records ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_record(name):
    task = TASKS[name]
    assert task in cs.TASKS and task.level == "cs" and task.termination is None
    assert task.machine == f"chomsky_{name}" and task.note
    tm = load(task.machine)
    assert sorted(tm.input_symbols) == sorted(id_text(range(task.input_size)))
    assert tm.blank_symbol == "_"
    assert (task.input_size, task.output_size) == {
        "duplicate_string": (2, 2), "missing_duplicate_string": (4, 2),
        "odds_first": (2, 2), "bucket_sort": (5, 5)}[name]


# ---- the samplers against the oracles ---------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_sampler_shapes_and_oracle(name):
    task = TASKS[name]
    rng = np.random.default_rng(1)
    for length in LENGTHS:
        inputs, outputs = task.sample(rng, 4, length)
        assert len(inputs) == len(outputs) == 4
        for x, y in zip(inputs, outputs, strict=True):
            assert len(x) == length and all(0 <= v < task.input_size for v in x)
            assert all(0 <= v < task.output_size for v in y)
            assert y == ORACLES[name](x), (name, x, y)
            if name in ("duplicate_string", "odds_first"):
                assert len(y) == (2 if name == "duplicate_string" else 1) * length
            elif name == "missing_duplicate_string":
                assert len(y) == 1
            else:
                assert len(y) == length


def test_sampler_special_cases():
    rng = np.random.default_rng(2)
    # missing_duplicate_string: length 1 is always [1] -> [1]; odd lengths end in one 3
    assert cs.sample_missing_duplicate(rng, 3, 1) == ([[1]] * 3, [[1]] * 3)
    inputs, _ = cs.sample_missing_duplicate(rng, 50, 7)
    assert all(x[-1] == 3 and x.count(3) == 1 and x.count(2) == 1 for x in inputs)
    inputs, _ = cs.sample_missing_duplicate(rng, 50, 8)
    assert all(3 not in x and x.count(2) == 1 for x in inputs)
    # the masked position is uniform over both halves
    seen = {x.index(2) for x in cs.sample_missing_duplicate(rng, 400, 6)[0]}
    assert seen == set(range(6))
    with pytest.raises(ValueError):
        cs.sample_missing_duplicate(rng, 1, 0)
    # length 0: the empty word and the empty target
    for sample in (cs.sample_duplicate, cs.sample_odds_first, cs.sample_bucket_sort):
        assert sample(rng, 2, 0) == ([[], []], [[], []])
    # bucket_sort draws all five symbols
    assert set(itertools.chain(*cs.sample_bucket_sort(rng, 20, 20)[0])) == set(range(5))


# ---- the machines against the samplers ----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_machine_on_samples(name):
    task = TASKS[name]
    rng = np.random.default_rng(3)
    lengths = LENGTHS if name == "missing_duplicate_string" else [0, *LENGTHS]
    for length in lengths:
        batch = 2 if length > 40 else 4
        for x, y in zip(*task.sample(rng, batch, length), strict=True):
            result = run(name, id_text(x))
            assert result.accepted, (name, x, result.state)
            assert answer_matches(task, answer_ids(result.output), y), (name, x, result.output, y)
            assert result.output == id_text(y)


@pytest.mark.parametrize("name", ["duplicate_string", "odds_first"])
def test_binary_machines_on_every_word(name):
    """Every binary word is a task input: all of them up to length 10."""
    for n in range(11):
        for bits in itertools.product("01", repeat=n):
            word = "".join(bits)
            result = run(name, word)
            assert result.accepted and result.output == id_text(ORACLES[name]([int(b) for b in word]))


def test_bucket_sort_on_every_short_word():
    for n in range(6):
        for word in itertools.product("01234", repeat=n):
            result = run("bucket_sort", "".join(word))
            assert result.accepted and result.output == "".join(sorted(word))


def missing_shape(word: str) -> bool:
    """The regular shape the machine checks: 1, or u / u3 with u over 012, |u| even >= 2,
    exactly one 2 in u."""
    if word == "1":
        return True
    u = word[:-1] if word.endswith("3") else word
    return len(u) >= 2 and len(u) % 2 == 0 and set(u) <= set("012") and u.count("2") == 1


def test_missing_duplicate_every_word_halts():
    """Every word over 0123 of length <= 6 halts: in done with the parity of its 1s when it
    has the support's shape, else in a non-final state."""
    tm = load("chomsky_missing_duplicate_string")
    accepted = 0
    for n in range(7):
        for chars in itertools.product("0123", repeat=n):
            word = "".join(chars)
            result = simulate(tm, word, max_steps=n + 2)
            assert result.halted and result.steps <= n + 1, word
            assert result.accepted == missing_shape(word), word
            if result.accepted:
                accepted += 1
                assert result.output == str(word.count("1") % 2), word
            else:
                assert result.state not in tm.final_states
    # 1; then u (|u| = 2, 4, 6: one 2, the rest bits) and u3 (|u| = 2, 4)
    assert accepted == 1 + 4 + 4 + 32 + 32 + 192


def test_every_short_word_halts():
    """Every word over each machine's input alphabet of length <= 5 halts within its bound."""
    for name in NAMES:
        tm = load(f"chomsky_{name}")
        alphabet = ID_CHARS[: TASKS[name].input_size]
        for n in range(6):
            for chars in itertools.product(alphabet, repeat=n):
                result = simulate(tm, "".join(chars), max_steps=steps_bound(name, n) + 1)
                assert result.halted and result.steps <= steps_bound(name, n), (name, chars)


# ---- the examples of the docstrings, checked by hand against the code ---------------------------

EXAMPLES = [
    # duplicate_string's docstring: 101 -> 101 101, 111111 -> 111111 111111
    ("duplicate_string", "101", "101101"),
    ("duplicate_string", "111111", "111111111111"),
    ("duplicate_string", "", ""),
    # odds_first: the code's strings[:, 1::2] + strings[:, ::2]; the docstring's
    # 00110101 -> 0100 0111 and 110 -> 10 1 are the other way round
    ("odds_first", "00110101", "01110100"),
    ("odds_first", "110", "110"),
    ("odds_first", "011", "101"),
    ("odds_first", "1", "1"),
    ("odds_first", "10", "01"),
    # missing_duplicate_string's docstring: 01100210 -> 1, 1011213 -> 0; length 1: 1 -> 1
    ("missing_duplicate_string", "01100210", "1"),
    ("missing_duplicate_string", "1011213", "0"),
    ("missing_duplicate_string", "1", "1"),
    ("missing_duplicate_string", "20", "0"),
    ("missing_duplicate_string", "123", "1"),
    # bucket_sort's docstring (vocab 5): 10204112 -> 00111224
    ("bucket_sort", "10204112", "00111224"),
    ("bucket_sort", "43210", "01234"),
]


@pytest.mark.parametrize(("name", "word", "expected"), EXAMPLES)
def test_examples(name, word, expected):
    result = run(name, word)
    assert result.accepted and result.output == expected
    x = [int(c) for c in word]
    assert id_text(ORACLES[name](x)) == expected


def test_odds_first_follows_the_code_not_the_docstring():
    assert run("odds_first", "00110101").output != "01000111"
    inputs, outputs = cs.sample_odds_first(np.random.default_rng(4), 20, 8)
    for x, y in zip(inputs, outputs, strict=True):
        assert y == x[1::2] + x[::2]


@pytest.mark.parametrize("word", ["", "0", "2", "3", "11", "22", "0101", "0123", "0213", "02133", "23", "1203", "2103"])
def test_missing_duplicate_rejects(word):
    tm = load("chomsky_missing_duplicate_string")
    result = simulate(tm, word, max_steps=100)
    assert result.halted and not result.accepted and result.state not in tm.final_states


def test_missing_duplicate_shape_without_duplicate():
    """A word of the support's shape whose halves differ (never drawn) gets the parity of its 1s."""
    assert run("missing_duplicate_string", "0021").output == "1"
    assert run("missing_duplicate_string", "11203").output == "0"
