"""The dcf tasks of the Chomsky-hierarchy benchmark: numpy ports of their sample_batch.

Each port follows ``tasks/dcf/<name>.py`` of google-deepmind/neural_networks_chomsky_hierarchy
(the code, not its docstrings), with the parameters of ``experiments/constants.py``: the same
ranges, shapes and special cases, with numpy's generator in place of python's, numpy's global
and jax's random numbers. Outputs are the argmax of the task's one-hot ``output``.
"""

from __future__ import annotations

import numpy as np

from theorymodel.benchmarks.chomsky import ChomskyTask

Batch = tuple[list[list[int]], list[list[int]]]

# --- stack_manipulation -------------------------------------------------------------------

POP, PUSH0, PUSH1 = 2, 3, 4
STACK_TERMINATION = 2  # output_size - 1


def run_stack(expression: list[int]) -> list[int]:
    """The final stack, top to bottom, of the code's loop: the expression's bits are the
    initial stack (bottom to top) and each action is applied in turn (POP on an empty stack
    is ignored). A bit after an action pushes itself here (the machine's reading); the
    sampler never draws one."""
    stack: list[int] = []
    for token in expression:
        if token in (0, 1):
            stack.append(token)
        elif token == POP:
            if stack:
                stack.pop()
        else:
            stack.append(token - PUSH0)
    return stack[::-1]


def _stack_expression(rng: np.random.Generator, length: int) -> tuple[list[int], list[int]]:
    """``StackManipulation._sample_expression_and_result``: length 1 is one bit whose
    result is itself; otherwise 1 .. length-1 stack bits, then actions drawn from
    {POP, PUSH 0, PUSH 1}. Length 0 fails (``randint(1, 0)``), as in the code."""
    if length == 1:
        value = rng.integers(0, 2, size=(1,))
        return [int(value[0])], [int(value[0])]
    stack_length = int(rng.integers(1, length))  # numpy's randint: high exclusive; raises for length 0
    stack = rng.integers(0, 2, size=(stack_length,)).tolist()
    actions = rng.integers(2, 5, size=(length - stack_length,)).tolist()
    current = list(stack)
    for action in actions:
        if action == POP:
            if current:
                current.pop()
        elif action in (PUSH0, PUSH1):
            current.append(action - PUSH0)
    return stack + actions, current[::-1]


def sample_stack_manipulation(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """``StackManipulation.sample_batch``: the result stack top to bottom, the termination
    token 2, zeros up to length + 1."""
    inputs, outputs = [], []
    for _ in range(batch_size):
        expression, result = _stack_expression(rng, length)
        result = [*result, STACK_TERMINATION]
        result += [0] * (length + 1 - len(result))
        inputs.append(expression)
        outputs.append(result)
    return inputs, outputs


STACK_MANIPULATION = ChomskyTask(
    name="stack_manipulation", train_max_length=2,
    level="dcf", input_size=5, output_size=3, termination=STACK_TERMINATION,
    sample=sample_stack_manipulation,
    note=("Ids 0/1 are stack bits (the initial stack, bottom to top), 2 POP (ignored on an empty stack), 3 PUSH 0, "
          "4 PUSH 1; the target is the final stack top to bottom, then 2, then zeros up to length + 1. Code and "
          "docstring agree on the stacks of both examples (0110 PUSH1 POP POP -> 1 1 0 2 0 0 0 0), but the "
          "docstring pads its second example, 110 POP POP POP, to 8 entries (2 0 0 0 0 0 0 0) where the code "
          "pads to length + 1 = 7 (2 0 0 0 0 0 0). For length >= 2 the "
          "sampler draws 1 .. length-1 bits, then at least one action; length 1 is a special case, one bit "
          "whose target is the bit then 2 (no action); length 0 fails in the code (randint(1, 0)). The machine "
          "answers every word over {0,..,4}: a bit pushes itself wherever it stands (a word of only bits, one "
          "that starts with actions, a bit after an action), the empty word gives '2'; it rejects nothing. Its "
          "answer stops at the termination token (the padding is left off)."),
)


# --- reverse_string -----------------------------------------------------------------------


def sample_reverse_string(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """``ReverseString.sample_batch`` (``DuplicateString``'s input, vocab_size 2): uniform
    bits, the target is the same bits reversed."""
    strings = rng.integers(0, 2, size=(batch_size, length))
    return [[int(x) for x in row] for row in strings], [[int(x) for x in row[::-1]] for row in strings]


REVERSE_STRING = ChomskyTask(
    name="reverse_string", train_max_length=2,
    level="dcf", input_size=2, output_size=2, termination=None, sample=sample_reverse_string,
    note=("The docstring's second example, 123021 -> 120321, uses symbols the task's binary vocabulary "
          "(vocab_size 2, as in the paper) never draws; with bits, 011010 -> 010110 as the code does. Every "
          "word over {0,1} is a task input; the empty word gives the empty answer."),
)


TASKS: list[ChomskyTask] = [STACK_MANIPULATION, REVERSE_STRING]
