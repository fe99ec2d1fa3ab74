"""What a user meets: plots in the format asked for, plotting off or missing, doctor,
readable text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from theorymodel import plotting


def test_plot_format_follows_the_extension(cli, tmp_path):
    svg, pdf = tmp_path / "t.svg", tmp_path / "t.pdf"
    assert cli("experiment", "tradeoff", "--n", "8", "--s", "2", "--k", "2,3", "--plot", str(svg))[0] == 0
    assert ET.parse(svg).getroot().tag.endswith("svg")
    assert cli("experiment", "tradeoff", "--n", "8", "--s", "2", "--k", "2,3", "--plot", str(pdf))[0] == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    code, _, err = cli("experiment", "tradeoff", "--n", "8", "--s", "2", "--plot", str(tmp_path / "t.gif"))
    assert code == 2 and ".png, .svg or .pdf" in err


def test_no_plot_and_missing_matplotlib(cli_json, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, obj, _ = cli_json("experiment", "tradeoff", "--n", "8", "--s", "2", "--k", "2", "--no-plot")
    assert code == 0 and obj["written"] == [] and not list(tmp_path.iterdir())
    monkeypatch.setattr(plotting, "have_matplotlib", lambda: False)
    code, obj, _ = cli_json("experiment", "tradeoff", "--n", "8", "--s", "2", "--k", "2")
    assert code == 0 and obj["rows"] and obj["written"] == []  # the table still comes, without a plot
    code, obj, err = cli_json("experiment", "tradeoff", "--n", "8", "--s", "2", "--plot", "x.png")
    assert code == 2 and "pip install 'theorymodel[plots]'" in err and obj is None


def test_doctor(cli_json):
    code, obj, _ = cli_json("doctor")
    assert code == 0 and obj["packages"]["z3-solver"] and isinstance(obj["compiled_simulator"], bool)
    assert set(obj["extras"]) == {"sat", "distributed", "plots", "experiments", "automata"}


def test_text_is_readable(cli):
    _, out, _ = cli("length", "majority", "--n", "3", "--class", "b2")
    assert "3 tokens" in out and "{" not in out
    _, out, _ = cli("compile", "examples/circuits/c17.bench")
    assert "T = None" not in out
    _, out, _ = cli("show", "parity")
    header, first = out.splitlines()[1:3]
    assert header.index("0") == first.index("0,R,even")  # columns line up


def test_smt2_queries_recheck_in_a_fresh_z3(cli_json, tmp_path):
    """Every query of a proof, written as SMT-LIB2, is unsat for a separate z3 process that
    reads only the file (the answer lemma included)."""
    import subprocess
    import sys

    out = tmp_path / "smt2"
    code, obj, _ = cli_json("verify", "parity", "--n", "3", "--route", "tableau", "--smt2", str(out))
    assert code == 0 and obj["verified"]
    files = sorted(out.glob("*.smt2"))
    assert any("decoded-answer" in f.name for f in files) and len(files) >= 4
    script = "import sys, z3\nfor f in sys.argv[1:]:\n    s = z3.Solver(); s.from_file(f); print(s.check())"
    done = subprocess.run([sys.executable, "-c", script, *map(str, files)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["unsat"] * len(files)
    code, obj, _ = cli_json("verify", "bb2", "--uniform", "--smt2", str(tmp_path / "u"))
    assert code == 0 and len(list((tmp_path / "u").glob("*.smt2"))) == 1


def test_counterexample_on_a_uniform_tile_file_points_to_verify_uniform(cli, tmp_path):
    """A tile file (what ``learn --uniform`` and the uniform route's ``--export-linearlm``
    write) holds one shared table for every length, not a fixed-n predictor: the refusal
    names the command that checks it."""
    tile = tmp_path / "uniform.npz"
    assert cli("compile", "binary_increment", "--n", "3", "--route", "uniform", "--export-linearlm", str(tile))[0] == 0
    code, out, err = cli("counterexample", str(tile), "binary_increment", "--n", "3")
    assert code == 2 and out == ""
    assert err.startswith("error:") and err.count("\n") == 1
    assert f"theorymodel verify --uniform {tile} MACHINE" in err
    code, _, _ = cli("verify", "--uniform", str(tile), "binary_increment")
    assert code == 0
