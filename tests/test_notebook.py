"""The example notebook runs from a clean kernel, and every object in it draws itself:
SVG that parses as XML, HTML tables (issue: notebooks and pictures)."""

from __future__ import annotations

import xml.dom.minidom
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from theorymodel.circuits.formats import load_circuit
from theorymodel.display import machine_scene
from theorymodel.machines import library

ROOT = Path(__file__).resolve().parents[1]


def test_the_tour_notebook_runs_and_shows_pictures():
    path = ROOT / "examples" / "tour.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "outputs are stripped in the repo"
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    svgs, htmls = [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", out
            data = out.get("data", {})
            if "image/svg+xml" in data:
                svgs.append(data["image/svg+xml"])
            if "text/html" in data:
                htmls.append(data["text/html"])
    assert len(svgs) >= 4 and len(htmls) >= 4
    for svg in svgs:
        xml.dom.minidom.parseString(svg if isinstance(svg, str) else "".join(svg))
    assert any("VERIFIED" in h for h in htmls)


def test_every_bundled_machine_and_a_circuit_draw_as_valid_svg():
    for name in library.names():
        xml.dom.minidom.parseString(library.load(name)._repr_svg_())
    xml.dom.minidom.parseString(load_circuit(ROOT / "examples" / "circuits" / "c17.bench")._repr_svg_())
    scene = machine_scene(library.load("bb2"))
    assert scene.svg().count("<circle") >= 3  # three states (Z included), plus self-loops


def test_the_readme_picture_is_what_the_command_draws(tmp_path):
    from theorymodel.cli import main

    assert main(["compile", "binary_increment", "--n", "3", "--route", "tableau", "--picture",
                 str(tmp_path / "t.svg"), "--input", "011", "--json"]) == 0
    assert (tmp_path / "t.svg").read_text() == (ROOT / "docs" / "img" / "tableau.svg").read_text()
    assert "docs/img/tableau.svg" in (ROOT / "README.md").read_text()


def test_results_render_as_html_tables(tmp_path):
    from theorymodel.complexity import length_complexity, resolve
    from theorymodel.complexity.census import census

    table = census(2, db=tmp_path / "c.sqlite", progress=False)
    html = table._repr_html_()
    xml.dom.minidom.parseString(html)
    assert "16 functions" in html and "length 1" in html
    xml.dom.minidom.parseString(length_complexity(resolve("parity", 3))._repr_html_())


def test_the_readme_state_graph_is_what_show_draws(tmp_path):
    from theorymodel.cli import main

    assert main(["show", "binary_increment", "--picture", str(tmp_path / "bi.svg")]) == 0
    assert (tmp_path / "bi.svg").read_text() == (ROOT / "docs" / "img" / "binary_increment.svg").read_text()
