"""The two bracketed-expression tasks of the DCF level: modular_arithmetic_brackets and
solve_equation (``tasks/dcf/`` of google-deepmind/neural_networks_chomsky_hierarchy), as
``experiments/constants.py`` builds them (modulus 5; modular_arithmetic_brackets with
``mult=True``).

The samplers are numpy ports of ``sample_batch``: the recursive generator
``generate_one_expression_and_result`` draws, in this order, the left part's length, the
left part, the right part and the operator, each with ``np.random.randint`` on numpy's
global state; here each draw is ``rng.integers`` with the same bounds, in the same order.
"""

from __future__ import annotations

import numpy as np

from theorymodel.benchmarks.chomsky import ChomskyTask

MODULUS = 5

#: ``alphabet_to_int`` of tasks/dcf/modular_arithmetic_brackets.py (modulus 5); "x" and "="
#: are in its table but its generator never writes them.
BRACKETS_IDS = {**{str(d): d for d in range(MODULUS)}, "+": 5, "-": 6, "*": 7, "(": 8, ")": 9, "x": 10, "=": 11}
#: ``alphabet_to_int`` of tasks/dcf/solve_equation.py (modulus 5): no "*", so "(" is 7, not 8,
#: and "=" is 10, inside the task's input_size of 11.
EQUATION_IDS = {**{str(d): d for d in range(MODULUS)}, "+": 5, "-": 6, "(": 7, ")": 8, "x": 9, "=": 10}


def expression(rng: np.random.Generator, length: int, mult: bool, modulus: int = MODULUS) -> tuple[str, int]:
    """``generate_one_expression_and_result``: a fully bracketed expression of exactly
    ``length`` characters and its value mod ``modulus``."""
    if length < 1:
        raise ValueError(f"Can't generate expressions of length < 1. Got {length}.")
    if length <= 4:  # d, -d, (d), (-d)
        term = int(rng.integers(0, modulus))
        return {1: (f"{term}", term), 2: (f"-{term}", -term % modulus),
                3: (f"({term})", term), 4: (f"(-{term})", -term % modulus)}[length]
    left_length = int(rng.integers(1, length - 3))
    right_length = length - (left_length + 3)
    left, lval = expression(rng, left_length, mult, modulus)
    right, rval = expression(rng, right_length, mult, modulus)
    op = int(rng.integers(0, 3 if mult else 2))
    if op == 0:
        return f"({left}+{right})", (lval + rval) % modulus
    if op == 1:
        return f"({left}-{right})", (lval - rval) % modulus
    return f"({left}*{right})", (lval * rval) % modulus


def sample_brackets(rng: np.random.Generator, batch_size: int, length: int) -> tuple[list[list[int]], list[list[int]]]:
    """ModularArithmeticBrackets(mult=True).sample_batch: the expression's ids, its value."""
    inputs, outputs = [], []
    for _ in range(batch_size):
        expr, val = expression(rng, length, mult=True)
        inputs.append([BRACKETS_IDS[c] for c in expr])
        outputs.append([val])
    return inputs, outputs


def equation(rng: np.random.Generator, length: int, modulus: int = MODULUS) -> tuple[str, int]:
    """``generate_equation_and_solution`` (length >= 3): an expression of length - 2 without
    "*", one digit replaced by "x" (the first digit at or after a random index, wrapping
    around), then "=" and the expression's value; the solution is the replaced digit."""
    expr, val = expression(rng, length - 2, mult=False, modulus=modulus)
    idx = int(rng.integers(0, len(expr)))
    while not expr[idx].isdigit():
        idx = (idx + 1) % (length - 2)
    return f"{expr[:idx]}x{expr[idx + 1:]}={val}", int(expr[idx])


def sample_equation(rng: np.random.Generator, batch_size: int, length: int) -> tuple[list[list[int]], list[list[int]]]:
    """SolveEquation.sample_batch: below length 3 every input is ``length`` zeros and every
    output 0 (no random draw); otherwise an equation's ids and its solution."""
    if length < 3:
        return [[0] * length for _ in range(batch_size)], [[0] for _ in range(batch_size)]
    inputs, outputs = [], []
    for _ in range(batch_size):
        eq, solution = equation(rng, length)
        inputs.append([EQUATION_IDS[c] for c in eq])
        outputs.append([solution])
    return inputs, outputs


TASKS: list[ChomskyTask] = [
    ChomskyTask(
        name="modular_arithmetic_brackets", level="dcf", input_size=MODULUS + 6, output_size=MODULUS,
        termination=None, sample=sample_brackets, train_max_length=4,
        note=(
            "Ids as the code numbers them: 0-4 digits, 5 '+', 6 '-', 7 '*', 8 '(', 9 ')'. Id 10 ('x', "
            "written 'a') is inside input_size = 11 but never drawn; id 11 ('=') is in the code's "
            "alphabet_to_int but outside input_size and never drawn. experiments/constants.py builds "
            "the task with mult=True; the class's default is mult=False. Sizes as the code draws them: "
            "lengths 1-4 give d, -d, (d), (-d) (so length 2 is an unbracketed -d); from 5 on, "
            "(L op R) with |L| uniform in 1..length-4, so a unary minus stands only before a digit "
            "(also right after an operator, as in (1--2) or (3*-4)), and (d), (-d) occur as operands. "
            "Length 0 raises ValueError in the code, and here. "
            "Machine (chomsky_modular_arithmetic_brackets): words never drawn are read as its "
            "description says: a word with 'a', an unmatched ')' or an unclosed '(' is rejected; any "
            "other word is accepted, read right to left inside each bracket (adjacent operands add, "
            "'-' negates the next operand, '+' is dropped, '*' multiplies everything right of it by "
            "the one operand left of it, an empty operand is 0), which is ordinary arithmetic on the "
            "code's words."
        ),
    ),
    ChomskyTask(
        name="solve_equation", level="dcf", input_size=MODULUS + 6, output_size=MODULUS,
        termination=None, sample=sample_equation, train_max_length=4,
        note=(
            "Ids as the code numbers them, which differ from modular_arithmetic_brackets': the code "
            "has no '*', so 5 '+', 6 '-', 7 '(', 8 ')', 9 'x', 10 '=' (written 'a'; inside "
            "input_size = 11, so it is one-hot encoded). The docstring of "
            "generate_equation_and_solution speaks of mult=True operations, but the expression is "
            "always drawn with mult=False; it has length - 2 characters, then '=' and the value (one "
            "digit). The digit replaced by x is the first digit at or after a uniform index "
            "(wrapping around), not a uniform digit. The docstring says length < 3 raises "
            "ValueError; sample_batch instead returns `length` zeros (id 0) with answer 0 (the "
            "empty input at length 0), without drawing. "
            "Machine (chomsky_solve_equation): '=' is read as '-', so E=v is the expression E-v, "
            "and the answer is the x that makes it 0; a word without x gets its value (so '', '0' "
            "and '00' give 0, as the code's special case); two or more x, an unmatched ')' or an "
            "unclosed '(' are rejected; other words are read as in modular_arithmetic_brackets "
            "(without '*')."
        ),
    ),
]
