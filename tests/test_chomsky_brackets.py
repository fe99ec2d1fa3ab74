"""modular_arithmetic_brackets and solve_equation (Delétang et al., tasks/dcf): the numpy
samplers against a verbatim copy of the task code's generators (same random stream), the
samples against independent oracles (Python's own arithmetic), the bundled machines against
the samples at every length 1..40 and a few longer, and every word over the input alphabet
against an independent reference of the machines' documented reading of any word."""

from __future__ import annotations

import itertools
import random
import re

import numpy as np
import pytest

from theorymodel.benchmarks.chomsky import TASKS, answer_ids, answer_matches, id_text, text_ids
from theorymodel.benchmarks.chomsky.brackets import (
    BRACKETS_IDS,
    EQUATION_IDS,
    equation,
    expression,
    sample_brackets,
    sample_equation,
)
from theorymodel.machines import simulate
from theorymodel.machines.library import load

MAB, SE = TASKS["modular_arithmetic_brackets"], TASKS["solve_equation"]
LENGTHS = [*range(1, 41), 57, 100, 160]
ALPHABET = "0123456789a"


# -- the task code's generators, verbatim but for jax (tasks/dcf/*.py, Apache-2.0) ----------
def generate_one_expression_and_result(modulus, length, mult=False):
    def gen_terminal():
        terminal = np.random.randint(low=0, high=modulus)
        return str(terminal), terminal

    if length < 1:
        raise ValueError(f"Can't generate expressions of length < 1. Got {length}.")
    if length == 1:
        return gen_terminal()
    elif length == 2:
        term_str, term_val = gen_terminal()
        return f"-{term_str}", -term_val % modulus
    elif length == 3:
        term_str, term_val = gen_terminal()
        return f"({term_str})", term_val % modulus
    elif length == 4:
        term_str, term_val = gen_terminal()
        return f"(-{term_str})", -term_val % modulus
    left_length = np.random.randint(low=1, high=length - 3)
    right_length = length - (left_length + 3)
    left_str, left_val = generate_one_expression_and_result(modulus, left_length, mult=mult)
    right_str, right_val = generate_one_expression_and_result(modulus, right_length, mult=mult)
    maxop = 3 if mult else 2
    op = np.random.randint(low=0, high=maxop)
    if op == 0:
        return "(" + left_str + "+" + right_str + ")", (left_val + right_val) % modulus
    elif op == 1:
        return "(" + left_str + "-" + right_str + ")", (left_val - right_val) % modulus
    else:
        return "(" + left_str + "*" + right_str + ")", (left_val * right_val) % modulus


def generate_equation_and_solution(modulus, length):
    expr, val = generate_one_expression_and_result(modulus, length - 2, mult=False)
    idx = np.random.randint(low=0, high=len(expr))
    digits = [str(n) for n in range(modulus)]
    while expr[idx] not in digits:
        idx = (idx + 1) % (length - 2)
    solution = int(expr[idx])
    equation = f"{expr[:idx]}x{expr[idx + 1:]}={val}"
    return equation, solution


class GlobalStream:
    """``rng.integers`` drawn from numpy's global state, as the task code draws."""

    def integers(self, low, high):
        return np.random.randint(low=low, high=high)


@pytest.mark.parametrize("seed", range(40))
def test_ports_draw_exactly_what_the_task_code_draws(seed):
    for length in (1, 2, 3, 4, 5, 6, 9, 17, 33):
        np.random.seed(seed)
        want = generate_one_expression_and_result(5, length, mult=True)
        np.random.seed(seed)
        assert expression(GlobalStream(), length, mult=True) == want
        np.random.seed(seed)
        want = generate_equation_and_solution(5, length + 2)
        np.random.seed(seed)
        assert equation(GlobalStream(), length + 2) == want


# -- oracles: Python's arithmetic, and the grammar of the generator ---------------------------
BR_CHARS = {v: k for k, v in BRACKETS_IDS.items()}
EQ_CHARS = {v: k for k, v in EQUATION_IDS.items()}


def grammatical(expr: str, ops: str) -> bool:
    """d | -d | (d) | (-d) | (E op E): the generator's grammar, by recursive descent."""
    def parse(i: int) -> int:
        if expr[i] in "01234x":
            return i + 1
        if expr[i] == "-" and expr[i + 1] in "01234x":
            return i + 2
        if expr[i] != "(":
            raise ValueError
        if expr[i + 1] in "01234x" and expr[i + 2] == ")":
            return i + 3
        if expr[i + 1] == "-" and expr[i + 2] in "01234x" and expr[i + 3] == ")":
            return i + 4
        j = parse(i + 1)
        if expr[j] not in ops:
            raise ValueError
        k = parse(j + 1)
        if expr[k] != ")":
            raise ValueError
        return k + 1

    try:
        return parse(0) == len(expr)
    except (ValueError, IndexError):
        return False


def brackets_oracle(ids: list[int]) -> int:
    expr = "".join(BR_CHARS[i] for i in ids)
    assert grammatical(expr, "+-*"), expr
    return eval(expr) % 5  # digits, + - * and brackets only (asserted above)


def equation_oracle(ids: list[int]) -> int:
    if len(ids) < 3:
        assert ids == [0] * len(ids)
        return 0
    text = "".join(EQ_CHARS[i] for i in ids)
    lhs, rhs = text.split("=")
    assert len(rhs) == 1 and rhs in "01234" and lhs.count("x") == 1 and grammatical(lhs, "+-"), text
    roots = [x for x in range(5) if eval(lhs.replace("x", str(x))) % 5 == int(rhs)]
    assert len(roots) == 1, text
    return roots[0]


@pytest.mark.parametrize(("task", "oracle"), [(MAB, brackets_oracle), (SE, equation_oracle)])
def test_samples_agree_with_an_independent_oracle(task, oracle):
    rng = np.random.default_rng(7)
    for length in [0, *LENGTHS] if task is SE else LENGTHS:
        inputs, outputs = task.sample(rng, 4, length)
        assert len(inputs) == len(outputs) == 4
        for x, y in zip(inputs, outputs, strict=True):
            assert len(x) == length and all(0 <= i < 11 for i in x)
            assert y == [oracle(x)]


def test_special_lengths_as_the_code_builds_them():
    rng = np.random.default_rng(0)
    for length in (0, 1, 2):
        assert sample_equation(rng, 3, length) == ([[0] * length] * 3, [[0]] * 3)
    with pytest.raises(ValueError):
        sample_brackets(rng, 1, 0)
    shapes = {1: r"\d", 2: r"-\d", 3: r"\(\d\)", 4: r"\(-\d\)"}
    for length, shape in shapes.items():
        for x in sample_brackets(rng, 20, length)[0]:
            assert re.fullmatch(shape, "".join(BR_CHARS[i] for i in x))
    for x, y in zip(*sample_equation(rng, 20, 3), strict=True):
        assert id_text(x)[0] == "9" and id_text(x)[1] == "a" and y == [x[2]]  # x=d: the answer is d
    for x, _ in zip(*sample_equation(rng, 20, 4), strict=True):
        assert id_text(x)[:3] == "69a"  # -x=v


# -- the machines on the samples ---------------------------------------------------------------
@pytest.mark.parametrize("task", [MAB, SE], ids=lambda t: t.name)
def test_machine_computes_every_sample(task):
    tm = load(task.machine)
    rng = np.random.default_rng(11)
    for length in [0, *LENGTHS] if task is SE else LENGTHS:
        inputs, outputs = task.sample(rng, 3, length)
        for x, y in zip(inputs, outputs, strict=True):
            r = simulate(tm, id_text(x), max_steps=4 * (length + 2) ** 2)
            assert r.halted and r.accepted and r.state in tm.final_states, (task.name, id_text(x))
            assert answer_matches(task, answer_ids(r.output), y), (task.name, id_text(x), r.output, y)
            assert r.leftmost_head >= -1 and r.rightmost_head <= length + 1  # the space bound


# (word in the task's ids, answer) worked by hand
HAND = {
    "modular_arithmetic_brackets": [
        ("3", "3"), ("-3", "2"), ("(3)", "3"), ("(-3)", "2"), ("(1+2)", "3"), ("(1-2)", "4"),
        ("(3*4)", "2"), ("(1--2)", "3"), ("(-1+2)", "1"), ("(-1*-2)", "2"), ("((1+2)*-3)", "1"),
        ("(-3*(2+4))", "2"), ("((3)-(-4))", "2"), ("(((1*2)-(3+4))*(0-1))", "0"),
    ],
    "solve_equation": [
        ("", "0"), ("0", "0"), ("00", "0"), ("x=3", "3"), ("-x=3", "2"), ("(x)=4", "4"),
        ("(-x)=4", "1"), ("(x+1)=0", "4"), ("(1-x)=0", "1"), ("(x-(4+2))=1", "2"),
        ("((1-x)-(2--3))=0", "1"), ("(2-(3-(-x+1)))=4", "1"),
    ],
}


def task_ids(task, text: str) -> list[int]:
    table = BRACKETS_IDS if task is MAB else EQUATION_IDS
    return [table[c] for c in text]


@pytest.mark.parametrize("task", [MAB, SE], ids=lambda t: t.name)
def test_examples_worked_by_hand(task):
    tm = load(task.machine)
    for text, answer in HAND[task.name]:
        ids = task_ids(task, text)
        if task is SE and ids:
            assert equation_oracle(ids) == int(answer), text
        elif task is MAB:
            assert brackets_oracle(ids) == int(answer), text
        r = simulate(tm, id_text(ids), max_steps=10_000)
        assert r.accepted and r.output == answer, (text, id_text(ids), r.output)
    word = id_text(task_ids(task, "((1+2)*-3)" if task is MAB else "(x-(4+2))=1"))
    assert word == ("8815297639" if task is MAB else "796745288a1")  # how the ids are written


# -- every word: an independent reference of the documented reading -----------------------------
def reference(task, word: str) -> str | None:
    """The machines' reading of any word (their descriptions), written out independently:
    None for a word they reject, else the answer. Brackets must balance; inside a bracket (and
    at top level) the items are read right to left: adjacent operands add, '-' (and, in
    solve_equation, '=') negates the next operand only, '+' is dropped, '*' multiplies the
    value of everything right of it by the one operand left of it (0 if none), an empty
    operand is 0. modular_arithmetic_brackets rejects 'a'; solve_equation rejects two or more
    x, answers the value when there is no x, else the x that makes the value 0."""
    kinds = ({"5": "+", "6": "-", "7": "*", "8": "(", "9": ")"} if task is MAB
             else {"5": "+", "6": "-", "a": "-", "7": "(", "8": ")", "9": "x"})
    pos = 0

    def body(depth):
        nonlocal pos
        items, negate = [], False
        while pos < len(word):
            ch = word[pos]
            pos += 1
            kind = kinds.get(ch)
            if ch in "01234":
                items.append(("v", -int(ch) if negate else int(ch)))
            elif kind == "+":
                continue
            elif kind == "-":
                negate = not negate
                continue
            elif kind == "*":
                items.append(("*",))
            elif kind == "(":
                sub = body(depth + 1)
                if sub is None:
                    return None
                items.append(("b", sub, negate))
            elif kind == ")":
                return items if depth else None
            elif kind == "x":
                items.append(("x", negate))
            else:
                return None
            negate = False
        return None if depth else items

    def value(items, x):
        acc, times = 0, False
        for item in reversed(items):
            if item[0] == "*":
                acc, times = (0 if times else acc), True
                continue
            if item[0] == "v":
                w = item[1]
            elif item[0] == "b":
                w = (-1) ** item[2] * value(item[1], x)
            else:
                w = (-1) ** item[1] * x
            acc, times = (w * acc if times else w + acc) % 5, False
        return 0 if times else acc

    if task is SE and word.count("9") > 1:
        return None
    items = body(0)
    if items is None:
        return None
    c = value(items, 0)
    if "9" not in word or task is MAB:
        return str(c)
    s = (value(items, 1) - c) % 5  # x's coefficient, 1 or 4 (its own inverse)
    return str(-s * c % 5)


def words_to_check():
    short = ["".join(w) for n in range(5) for w in itertools.product(ALPHABET, repeat=n)]
    rnd = random.Random(3)
    longer = ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(5, 12))) for _ in range(4000)]
    return short + longer


@pytest.mark.parametrize("task", [MAB, SE], ids=lambda t: t.name)
def test_every_word_halts_as_documented(task):
    tm = load(task.machine)
    assert tm.input_symbols == tuple(ALPHABET)
    for word in words_to_check():
        n = len(word)
        r = simulate(tm, word, max_steps=n * n + 4 * n + 8)
        assert r.halted, word
        want = reference(task, word)
        if want is None:
            assert not r.accepted and r.state not in tm.final_states, word
        else:
            assert r.accepted and r.output == want, (word, r.output, want)
        assert r.leftmost_head >= -1 and r.rightmost_head <= n + 1, word


def test_text_ids_round_trip():
    for task in (MAB, SE):
        x, _ = task.sample(np.random.default_rng(1), 1, 9)
        assert text_ids(id_text(x[0])) == x[0]
