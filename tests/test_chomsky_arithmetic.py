"""The arithmetic tasks of the Chomsky-hierarchy benchmark (binary_addition,
binary_multiplication, compute_sqrt): the numpy samplers against an independent oracle and
the task code's special cases, and the bundled machines against the samplers at every length
1..40 and a few longer ones, on hand-checked examples, and on every short word."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest

from theorymodel.benchmarks.chomsky import TASKS, answer_ids, answer_matches, id_text, target_mask, text_ids
from theorymodel.machines import simulate
from theorymodel.machines.library import load

NAMES = ("binary_addition", "binary_multiplication", "compute_sqrt")
LENGTHS = [*range(1, 41), 57, 100, 160]
MAX_STEPS = 2_000_000


def le_value(bits: str) -> int:
    """A little-endian bit string's value ('' is 0)."""
    return sum(1 << i for i, c in enumerate(bits) if c == "1")


def le_bits(value: int) -> str:
    """The value little-endian without high zeros ('0' for 0)."""
    return bin(value)[2:][::-1]


def oracle(name: str, word: str) -> str:
    """What the task's code answers for a word it draws (scored part plus padding), in
    plain Python: the word's ids as one character each."""
    n = len(word)
    if name == "compute_sqrt":
        return bin(math.isqrt(int(word, 2)))[2:].zfill((n + 1) // 2)
    if name == "binary_addition":
        x, _, y = word.partition("2")
        res = le_bits(le_value(x) + le_value(y))
        return res + "2" + "0" * (n - len(res))
    if n <= 2:  # binary_multiplication: no operator, the answer is fixed
        return "0" * (n - 1) + "2"
    x, _, y = word.partition("2")
    res = le_bits(le_value(x) * le_value(y))
    return res + "2" + "0" * (n - 1 - len(res))


def documented(name: str, word: str) -> str | None:
    """The machine's documented answer on any word over its input alphabet (None: it
    rejects), padding left off."""
    if name == "compute_sqrt":
        return bin(math.isqrt(int(word, 2)))[2:].zfill((len(word) + 1) // 2) if word else ""
    if word.count("2") > 1:
        return None
    if name == "binary_multiplication" and "2" not in word:
        return "0" * (len(word) - 1) + "2"
    x, _, y = word.partition("2")
    op = (lambda a, b: a + b) if name == "binary_addition" else (lambda a, b: a * b)
    return le_bits(op(le_value(x), le_value(y))) + "2"


def run(name: str, word: str):
    result = simulate(load(f"chomsky_{name}"), word, max_steps=MAX_STEPS)
    assert result.halted, (name, word)
    return result


def test_the_three_tasks_are_registered():
    for name in NAMES:
        task = TASKS[name]
        assert task.level == "cs" and task.machine == f"chomsky_{name}"
        assert load(task.machine).input_symbols == tuple(id_text(range(task.input_size)))
    assert [TASKS[n].termination for n in NAMES] == [2, 2, None]


@pytest.mark.parametrize("name", NAMES)
def test_the_sampler_matches_an_independent_oracle(name):
    task, rng = TASKS[name], np.random.default_rng(1)
    for length in [*range(1, 41), 57, 100, 160]:
        inputs, outputs = task.sample(rng, 6, length)
        assert len(inputs) == len(outputs) == 6
        for x, y in zip(inputs, outputs, strict=True):
            assert len(x) == length and all(0 <= i < task.input_size for i in x)
            assert all(0 <= i < task.output_size for i in y)
            word = id_text(x)
            assert id_text(y) == oracle(name, word), (word, y)
            if name == "compute_sqrt":
                assert len(y) == math.ceil(length / 2) and int(word, 2) > 0
            elif length >= 3:  # x 2 y, both operands non-empty and non-zero
                xs, op, ys = word.partition("2")
                assert op == "2" and xs and ys and "2" not in ys and le_value(xs) and le_value(ys)
                assert len(y) == (length + 1 if name == "binary_addition" else length)


def test_operand_lengths_and_values_cover_their_ranges():
    """np.random.randint(1, length - 1) splits: |x| takes every value 1..length-2; operands
    are random.randint(1, 2**k - 1): every non-zero k-bit value, high zeros included."""
    for name in ("binary_addition", "binary_multiplication"):
        inputs, _ = TASKS[name].sample(np.random.default_rng(4), 600, 6)
        words = [id_text(x) for x in inputs]
        assert {w.index("2") for w in words} == {1, 2, 3, 4}
        assert {w[:3] for w in words if w.index("2") == 3} == {f"{v:03b}"[::-1] for v in range(1, 8)}
    inputs, _ = TASKS["compute_sqrt"].sample(np.random.default_rng(5), 400, 3)
    assert {id_text(x) for x in inputs} == {f"{v:03b}" for v in range(1, 8)}


def test_the_short_special_cases_of_the_code():
    """length <= 2: np.random.randint(0, 2**length - 1), the high end excluded: length 1 is
    always 0, length 2 one of 00, 10, 01; no operator. Addition answers the word's number,
    multiplication length - 1 zeros then 2."""
    rng = np.random.default_rng(0)
    add, mul = TASKS["binary_addition"], TASKS["binary_multiplication"]
    for task, table in ((add, {"0": "02", "00": "020", "10": "120", "01": "012"}),
                        (mul, {"0": "2", "00": "02", "10": "02", "01": "02"})):
        seen = set()
        for length in (1, 2):
            inputs, outputs = task.sample(rng, 200, length)
            for x, y in zip(inputs, outputs, strict=True):
                seen.add(id_text(x))
                assert id_text(y) == table[id_text(x)]
        assert seen == set(table)
        with pytest.raises(ValueError):
            task.sample(rng, 1, 0)
    with pytest.raises(ValueError):
        TASKS["compute_sqrt"].sample(rng, 1, 0)


@pytest.mark.parametrize("name", NAMES)
def test_the_machine_answers_every_sampled_word(name):
    task, rng = TASKS[name], np.random.default_rng(2)
    for length in LENGTHS:
        inputs, outputs = task.sample(rng, 5 if length <= 40 else 3, length)
        for x, y in zip(inputs, outputs, strict=True):
            result = run(name, id_text(x))
            assert result.accepted, (x, result.state)
            assert answer_matches(task, answer_ids(result.output), y), (id_text(x), result.output, id_text(y))


# Examples checked by hand against the code (docstring examples in the task's notation
# x+y, x*y where ids are written: operator 2).
EXAMPLES = {
    "binary_addition": [
        ("01001" "2" "011", "00011" "2" "0000"),  # 18 + 6 = 24 (class docstring)
        ("001" "2" "01101", "01011" "2" "0000"),  # 4 + 22 = 26; docstring 010112000 pads one zero short
        ("1001" "2" "000001", "100101" "2" "00000"),  # 9 + 32 = 41; docstring 10010120000 pads one short
        ("1" "2" "1", "01" "2" "0"),
        ("0", "0" "2"), ("00", "0" "2" "0"), ("10", "1" "2" "0"), ("01", "01" "2"),
    ],
    "binary_multiplication": [
        ("01001" "2" "011", "0011011" "2" "0"),  # 18 * 6 = 108; docstring says 00110011 (= 204)
        ("001" "2" "01101", "0001101" "2" "0"),  # 4 * 22 = 88: docstring 000110120, as here
        ("1001" "2" "000001", "000001001" "2" "0"),  # 9 * 32 = 288: docstring 00000100120, as here
        ("1" "2" "1", "1" "2" "0"),
        ("0", "2"), ("00", "0" "2"), ("10", "0" "2"), ("01", "0" "2"),
    ],
    "compute_sqrt": [
        ("100101", "110"),  # 37 -> 6; docstring says 101
        ("111", "10"),  # 7 -> 2, as the docstring
        ("1", "1"), ("01", "1"), ("11", "1"), ("100", "10"), ("0001", "01"), ("1111", "11"),
        ("11111111", "1111"), ("100000000", "10000"),
    ],
}


@pytest.mark.parametrize("name", NAMES)
def test_hand_checked_examples(name):
    task = TASKS[name]
    for word, target in EXAMPLES[name]:
        assert oracle(name, word) == target
        result = run(name, word)
        assert result.accepted
        answer = target[: target_mask(task, text_ids(target))]
        assert result.output == answer, (word, result.output, target)
        assert answer_matches(task, answer_ids(result.output), text_ids(target))


@pytest.mark.parametrize("name", NAMES)
def test_every_short_word_halts_with_its_documented_answer(name):
    """Every word over the input alphabet of length <= 7 (3^7 = 2187 words; 2^10 for
    compute_sqrt): the machine halts within a quadratic step bound, in done with the
    documented answer, or (two operators) in a non-final state with no transition."""
    tm = load(f"chomsky_{name}")
    top = 10 if name == "compute_sqrt" else 7
    for n in range(top + 1):
        for letters in product(tm.input_symbols, repeat=n):
            word = "".join(letters)
            result = simulate(tm, word, max_steps=4 * (n + 2) ** 2)
            assert result.halted, word
            expected = documented(name, word)
            if expected is None:
                assert result.state == "vy" and not result.accepted, word  # halted on the second 2
            else:
                assert result.accepted and result.output == expected, (word, result.output, expected)


def test_rejected_words_halt_on_the_second_operator():
    for name in ("binary_addition", "binary_multiplication"):
        result = run(name, "1212")
        assert result.state == "vy" and not result.accepted


@pytest.mark.parametrize("name", NAMES)
def test_space_and_time_on_long_operands(name):
    """The space bounds of the descriptions on the longest sampled words: 1 cell left
    (2 for compute_sqrt on odd n), at most max(|x|-|y|,0)+2 (addition), |x|+1
    (multiplication) or 1 (compute_sqrt) right; time quadratic."""
    task, rng = TASKS[name], np.random.default_rng(3)
    for length in (99, 160):
        inputs, _ = task.sample(rng, 2, length)
        for x in inputs:
            word = id_text(x)
            result = run(name, word)
            a = word.find("2")
            right = {"binary_addition": max(a - (length - 1 - a), 0) + 2,
                     "binary_multiplication": a + 1, "compute_sqrt": 1}[name]
            assert result.leftmost_head >= (-2 if name == "compute_sqrt" and length % 2 else -1)
            assert result.rightmost_head <= length - 1 + right
            assert result.steps <= 4 * length * length
