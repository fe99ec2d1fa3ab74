"""Pictures a person can read (theorymodel/display.py): on every bundled machine's state
graph, on the README's tableau and on c17, no text runs past the canvas, no two texts
overlap, no edge crosses a gate box, and the tableau's input row sits over the tape."""

from __future__ import annotations

from pathlib import Path

import pytest

from theorymodel.circuits.formats import load_circuit
from theorymodel.display import Scene, boxes_overlap, circuit_scene, machine_scene
from theorymodel.machines import library

ROOT = Path(__file__).resolve().parents[1]


def assert_readable(scene: Scene) -> None:
    texts = scene.text_boxes()
    for s, (x0, y0, x1, y1) in texts:
        assert x0 >= 0 and x1 <= scene.width and y0 >= 0 and y1 <= scene.height, (s, scene)
    for i, (s, a) in enumerate(texts):
        for t, b in texts[i + 1:]:
            assert not boxes_overlap(a, b), (s, t)


@pytest.mark.parametrize("name", library.names())
def test_every_bundled_state_graph_is_readable(name):
    assert_readable(machine_scene(library.load(name)))


def test_the_state_graph_keeps_few_crossings_and_marks_final_states_apart():
    scene = machine_scene(library.load("binary_palindrome"))
    circles = [sh for sh in scene.shapes if sh[0] == "circle" and sh[4] != "none"]
    grey = [sh for sh in circles if sh[4] == "#dddddd"]
    assert not grey  # its only halting state, accept, is final: a white double circle
    lines = [sh[1:5] for sh in scene.shapes if sh[0] == "line"]

    def cross(p, q):
        (a, b, c, d), (e, f, g, h) = p, q

        def side(x1, y1, x2, y2, x, y):
            return (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        return (side(a, b, c, d, e, f) * side(a, b, c, d, g, h) < 0
                and side(e, f, g, h, a, b) * side(e, f, g, h, c, d) < 0)
    crossings = sum(cross(p, q) for i, p in enumerate(lines) for q in lines[i + 1:])
    assert crossings <= 3  # the circle order with the fewest crossings (7 states, 11 arrows)


def test_the_readme_tableau_is_readable_and_its_input_row_sits_over_the_tape():
    from theorymodel.compile.pipeline import compile_target, resolve_target
    from theorymodel.display import HEAD_TOKEN, NOT_GENERATED, cot_rows
    from theorymodel.predictor import LinearPredictor
    from theorymodel.program.labels import CELL

    for name, word in (("binary_increment", "011"), ("binary_palindrome", "0110"), ("zeros_then_ones", "0011")):
        program = compile_target(resolve_target(name, None), n=len(word), route="tableau").program
        predictor = LinearPredictor.from_program(program)
        scene = predictor.picture(tuple(word))
        assert_readable(scene)
        seq = predictor.rollout(predictor.encode_inputs([tuple(word)])).sequences[0]
        rows, _ = cot_rows(predictor.vocab, predictor.labels, predictor.n_inputs, seq, cell_kind=CELL)
        pad = len(rows[0]) - len(word)
        assert pad >= 0 and "".join(rows[0][pad:]) == word
        # one step changes only the cell under the head (cell 0): every other input cell shows
        # in the first tape row, in the same column
        first = [HEAD_TOKEN.sub(r"\2", tok) for tok in rows[1]]
        for j in range(pad + 1, len(rows[0])):
            assert first[j] in (rows[0][j], NOT_GENERATED), (name, j, rows[0], rows[1])
        assert (NOT_GENERATED in str(rows)) == ("a cell the head cannot have reached yet" in scene.svg())
    svg = (ROOT / "docs" / "img" / "tableau.svg").read_text()
    assert "a cell the head cannot have reached yet" in svg


def test_c17_edges_go_around_the_gate_boxes():
    scene = circuit_scene(load_circuit(ROOT / "examples" / "circuits" / "c17.bench"))
    assert_readable(scene)
    boxes = [(x, y, x + w, y + h) for kind, x, y, w, h, *_ in scene.shapes if kind == "rect"]
    for kind, x1, y1, x2, y2, *_ in scene.shapes:
        if kind != "line":
            continue
        for x0, y0, xe, ye in boxes:  # sample the segment: no point strictly inside a box
            for k in range(1, 20):
                x, y = x1 + (x2 - x1) * k / 20, y1 + (y2 - y1) * k / 20
                assert not (x0 + 1 < x < xe - 1 and y0 + 1 < y < ye - 1), ((x1, y1, x2, y2), (x0, y0))
