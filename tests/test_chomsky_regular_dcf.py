"""The regular and dcf tasks of the Chomsky-hierarchy benchmark (even_pairs, modular_arithmetic,
parity_check, cycle_navigation, stack_manipulation, reverse_string): each sampler against a
plain-Python oracle of its function, each bundled machine against the sampler at many lengths,
the docstring examples checked by hand, and every short word (malformed ones included) halting."""

from __future__ import annotations

import random
from itertools import pairwise, product

import numpy as np
import pytest

from theorymodel.benchmarks.chomsky import TASKS, answer_ids, answer_matches, id_text, text_ids
from theorymodel.benchmarks.chomsky.regular import evaluate_expression
from theorymodel.machines import simulate
from theorymodel.machines.library import load

NAMES = ("even_pairs", "modular_arithmetic", "parity_check", "cycle_navigation", "stack_manipulation",
         "reverse_string")
LENGTHS = [*range(1, 41), 57, 100, 160]
MAX_STEPS = 10**6


# --- independent oracles (plain Python, no numpy) ------------------------------------------


def oracle_even_pairs(x: list[int]) -> list[int]:
    return [sum(1 for a, b in pairwise(x) if a != b) % 2]


def oracle_parity_check(x: list[int]) -> list[int]:
    return [x.count(1) % 2]


def oracle_cycle_navigation(x: list[int]) -> list[int]:
    position = 0
    for a in x:
        position = (position + {0: -1, 1: 0, 2: 1}[a]) % 5
    return [position]


def oracle_modular_arithmetic(x: list[int]) -> list[int]:
    """The value with the usual precedence, mod 5; '_' (8) is 0 at a digit, '+' at an operator."""
    text = "".join(("0" if i % 2 == 0 else "+") if t == 8 else "01234+-*"[t] for i, t in enumerate(x))
    return [eval(text) % 5]  # digits 0-4 and + - *: Python's own precedence


def oracle_stack(x: list[int]) -> list[int]:
    """The final stack top to bottom, then 2 (every bit pushes itself), without padding."""
    stack: list[int] = []
    for t in x:
        if t == 2:
            stack = stack[:-1]
        else:
            stack.append({0: 0, 1: 1, 3: 0, 4: 1}[t])
    return [*stack[::-1], 2]


def oracle_reverse_string(x: list[int]) -> list[int]:
    return x[::-1]


ORACLES = {"even_pairs": oracle_even_pairs, "parity_check": oracle_parity_check,
           "cycle_navigation": oracle_cycle_navigation, "modular_arithmetic": oracle_modular_arithmetic,
           "stack_manipulation": oracle_stack, "reverse_string": oracle_reverse_string}


def well_formed_modular(x: list[int]) -> bool:
    return len(x) % 2 == 1 and all((t in (0, 1, 2, 3, 4, 8)) if i % 2 == 0 else (t in (5, 6, 7, 8))
                                   for i, t in enumerate(x))


def run(name: str, word: str):
    result = simulate(load(f"chomsky_{name}"), word, max_steps=MAX_STEPS)
    assert result.halted, (name, word)
    return result


# --- the records ---------------------------------------------------------------------------


def test_records():
    sizes = {"even_pairs": (2, 2, None), "modular_arithmetic": (9, 5, None), "parity_check": (2, 2, None),
             "cycle_navigation": (3, 5, None), "stack_manipulation": (5, 3, 2), "reverse_string": (2, 2, None)}
    for name, (inputs, outputs, termination) in sizes.items():
        task = TASKS[name]
        assert (task.input_size, task.output_size, task.termination) == (inputs, outputs, termination)
        assert task.level == ("dcf" if name in ("stack_manipulation", "reverse_string") else "regular")
        tm = load(task.machine)
        assert set(tm.input_symbols) == set(id_text(range(inputs)))
        assert task.note


# --- samplers against the oracles ----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_sampler_matches_oracle(name):
    task, rng = TASKS[name], np.random.default_rng(7)
    for length in [*range(1, 25), 57, 100]:
        inputs, outputs = task.sample(rng, 6, length)
        assert len(inputs) == len(outputs) == 6
        for x, y in zip(inputs, outputs, strict=True):
            assert all(0 <= t < task.input_size for t in x) and all(0 <= t < task.output_size for t in y)
            want = ORACLES[name](x)
            if name == "stack_manipulation":
                assert len(x) == length and y == want + [0] * (length + 1 - len(want))
            elif name == "modular_arithmetic":
                assert len(x) == (length if length % 2 else length - 1) and y == want
            else:
                assert len(x) == length and y == want


def test_sampler_structure():
    rng = np.random.default_rng(3)
    # modular_arithmetic: digits at even positions, sampled operators (never '_') at odd ones
    for length in (1, 2, 3, 8, 31):
        for x in TASKS["modular_arithmetic"].sample(rng, 20, length)[0]:
            assert well_formed_modular(x) and 8 not in x
    with pytest.raises(ValueError):
        TASKS["modular_arithmetic"].sample(rng, 2, 0)  # length 0 -> -1: the code's jnp.empty fails too
    # stack_manipulation: length 1 is one bit; otherwise 1 .. length-1 bits, then >= 1 action
    for x, y in zip(*TASKS["stack_manipulation"].sample(rng, 20, 1), strict=True):
        assert x in ([0], [1]) and y == [x[0], 2]
    for length in (2, 3, 9):
        for x in TASKS["stack_manipulation"].sample(rng, 40, length)[0]:
            bits = next(i for i, t in enumerate(x) if t >= 2)
            assert 1 <= bits <= length - 1 and all(t >= 2 for t in x[bits:])
    with pytest.raises(ValueError):
        TASKS["stack_manipulation"].sample(rng, 2, 0)  # randint(1, 0) fails in the code too
    for name in ("even_pairs", "parity_check", "cycle_navigation", "reverse_string"):
        inputs, outputs = TASKS[name].sample(rng, 3, 0)
        assert inputs == [[], [], []] and outputs == [[] if name == "reverse_string" else [0]] * 3


# --- machines against the samplers ---------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_machine_matches_sampler(name):
    task, tm = TASKS[name], load(f"chomsky_{name}")
    rng = np.random.default_rng(11)
    for length in LENGTHS:
        inputs, outputs = task.sample(rng, 3 if length <= 40 else 2, length)
        for x, y in zip(inputs, outputs, strict=True):
            result = simulate(tm, id_text(x), max_steps=MAX_STEPS)
            assert result.halted and result.state in tm.final_states, (name, x)
            assert answer_matches(task, answer_ids(result.output), y), (name, x, result.output, y)


# --- the docstring examples, by hand -------------------------------------------------------

EXAMPLES = [
    ("even_pairs", "001110", "0"), ("even_pairs", "0101001", "1"), ("even_pairs", "", "0"), ("even_pairs", "1", "0"),
    ("parity_check", "1010100", "1"), ("parity_check", "01111", "0"), ("parity_check", "", "0"),
    # 1 -1 0 -1 -1 -> 3 and 1 1 1 -1 -> 2, written as the code's ids (id - 1 is the step)
    ("cycle_navigation", "20100", "3"), ("cycle_navigation", "2220", "2"), ("cycle_navigation", "", "0"),
    # 1 + 2 * 3 = 2, 1 - 1 - 1 = 4, 0 * 1 + 4 * 3 - 2 = 0 (ids: 5 '+', 6 '-', 7 '*', 8 '_')
    ("modular_arithmetic", "15273", "2"), ("modular_arithmetic", "16161", "4"),
    ("modular_arithmetic", "071547362", "0"), ("modular_arithmetic", "3", "3"),
    ("modular_arithmetic", "38884", "2"),  # 3 _ _ _ 4: "_" is "+" at an operator, 0 at a digit: 3+0+4
    # 0 1 1 0 PUSH1 POP POP -> 1 1 0 2 (then zeros); 1 1 0 POP POP POP -> 2 (then zeros)
    ("stack_manipulation", "0110422", "1102"), ("stack_manipulation", "110222", "2"),
    ("stack_manipulation", "1", "12"), ("stack_manipulation", "", "2"), ("stack_manipulation", "2341", "1102"),
    ("reverse_string", "011010", "010110"), ("reverse_string", "", ""), ("reverse_string", "1", "1"),
]


@pytest.mark.parametrize(("name", "word", "answer"), EXAMPLES)
def test_examples(name, word, answer):
    result = run(name, word)
    assert result.state == "done" and result.output == answer
    x = text_ids(word)
    if name == "stack_manipulation":
        assert oracle_stack(x) == text_ids(answer)
    else:
        assert ORACLES[name](x) == text_ids(answer)
    if name == "modular_arithmetic":
        assert [evaluate_expression(x)] == text_ids(answer)


def test_docstring_targets():
    """The targets the code builds for the docstring examples (padding included)."""
    task = TASKS["stack_manipulation"]
    assert answer_matches(task, text_ids("1102"), [1, 1, 0, 2, 0, 0, 0, 0])
    assert answer_matches(task, text_ids("2"), [2, 0, 0, 0, 0, 0, 0])  # the docstring shows 8 entries, the code 7
    assert not answer_matches(task, text_ids("110"), [1, 1, 0, 2, 0, 0, 0, 0])
    assert evaluate_expression([1, 5, 2, 7, 3]) == 2 and evaluate_expression([1, 6, 1, 6, 1]) == 4
    assert evaluate_expression([0, 7, 1, 5, 4, 7, 3, 6, 2]) == 0


def test_modular_int32_overflow():
    """The code evaluates in int32 (jax's default): a product past 2^31 wraps before the mod.
    4^16 = 2^32 wraps to 0; the machine computes mod 5 exactly (4^16 = 1 mod 5). No sampled word
    of a usable length reaches this (a term of 16 or more factors)."""
    word = [4, 7] * 15 + [4]
    assert evaluate_expression(word) == 0
    assert run("modular_arithmetic", id_text(word)).output == "1" == str(oracle_modular_arithmetic(word)[0])
    assert evaluate_expression([4, 7] * 14 + [4]) == pow(4, 15, 5)  # 2^30 does not wrap


# --- every word halts ----------------------------------------------------------------------


def _all_words(symbols: str, up_to: int):
    for n in range(up_to + 1):
        for w in product(symbols, repeat=n):
            yield "".join(w)


@pytest.mark.parametrize("name", ["even_pairs", "parity_check", "cycle_navigation", "stack_manipulation",
                                  "reverse_string"])
def test_every_short_word_has_an_answer(name):
    """Every word over the input alphabet (length <= 5) halts in done with the documented
    answer: these machines reject nothing."""
    tm = load(f"chomsky_{name}")
    for word in _all_words("".join(tm.input_symbols), 5 if len(tm.input_symbols) > 2 else 7):
        n = len(word)
        result = simulate(tm, word, max_steps=2 * n * n + 4 * n + 4)
        assert result.halted and result.state == "done", (name, word)
        assert text_ids(result.output) == ORACLES[name](text_ids(word)), (name, word)


def test_modular_every_word_halts():
    """Every word of length <= 4 and random words of length <= 9: a well-formed one
    (digit (operator digit)*, '_' = 8 anywhere) halts in done with its value; every other word
    halts in a non-final state, early (the first pass rejects it)."""
    tm = load("chomsky_modular_arithmetic")
    rng = random.Random(5)
    words = list(_all_words("012345678", 4))
    words += ["".join(rng.choice("012345678") for _ in range(rng.randint(5, 9))) for _ in range(3000)]
    # and well-formed ones with '_' (8) in both roles
    words += ["".join(rng.choice("012348" if i % 2 == 0 else "56788") for i in range(2 * rng.randint(2, 4) + 1))
              for _ in range(2000)]
    for word in words:
        n, x = len(word), text_ids(word)
        result = simulate(tm, word, max_steps=n * n + 6 * n + 12)
        assert result.halted, word
        if well_formed_modular(x):
            assert result.state == "done" and result.output == str(oracle_modular_arithmetic(x)[0]), word
            assert result.output == str(evaluate_expression(x)), word
        else:
            assert result.state not in tm.final_states and result.steps <= n + 1, word
