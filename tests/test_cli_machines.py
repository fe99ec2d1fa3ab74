"""`theorymodel run/list/show/demo` and every bad-input case of issue 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BOMB = """a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
transitions: *g
initial_state: a
blank_symbol: _
"""

GOOD = """name: tiny
input_symbols: ["0", "1"]
tape_symbols: ["0", "1", "_"]
blank_symbol: "_"
initial_state: a
transitions:
  a: {"0": [a, "0", R], "1": [a, "1", R], "_": [b, "_", L]}
"""


def test_run_bb2_json(cli_json):
    code, obj, err = cli_json("run", "1RB1LB_1LA1RZ")
    assert code == 0 and err == ""
    assert obj == {"machine": "1RB1LB_1LA1RZ", "input": "", "halted": True, "steps": 6, "state": "Z",
                   "accepted": False, "output": "1111", "nonblank": 4, "head": 0}


def test_run_bundled_with_input_and_trace(cli_json):
    code, obj, _ = cli_json("run", "binary_increment", "--input", "1011", "--trace")
    assert code == 0 and obj["output"] == "1100" and obj["steps"] == 8
    assert len(obj["trace"]) == 9 and obj["trace"][-1]["state"] == "done"


def test_run_not_halting_is_exit_3(cli_json):
    code, obj, err = cli_json("run", "1RB1RZ_1LC0RB_1LC1LA", "--max-steps", "1000")
    assert code == 3 and obj["halted"] is False and obj["steps"] == 1000 and obj["limit"] == "max-steps"
    assert err.startswith("error:") and err.count("\n") == 1


def test_run_batch(cli_json):
    code, obj, _ = cli_json("run", "binary_increment", "--batch", "4")
    assert code == 0 and obj["time_bound"] == 10 and obj["inputs"] == 16


def test_run_files_in_every_format(cli_json, tmp_path):
    from pathlib import Path

    ex = Path(__file__).resolve().parents[1] / "examples" / "machines"
    for f, fmt in [("palindrome.morphett", None), ("palindrome.tmsim", "tmsim"),
                   ("binary_increment.yaml", None)]:
        args = ["run", str(ex / f), "--input", "0110"] + (["--format", fmt] if fmt else [])
        code, obj, _ = cli_json(*args)
        assert code == 0 and obj["halted"]
    bb = tmp_path / "m.txt"
    bb.write_text("1RB1LB_1LA1RZ\n")
    assert cli_json("run", str(bb))[1]["steps"] == 6


def test_list_and_show(cli_json, tmp_path):
    code, obj, _ = cli_json("list")
    names = [m["name"] for m in obj["machines"]]
    assert code == 0 and "bb5" in names and "binary_palindrome" in names
    dot = tmp_path / "g.dot"
    code, obj, _ = cli_json("show", "parity", "--dot", str(dot))
    assert code == 0 and obj["n_states"] == 4 and dot.read_text().startswith("digraph")
    out = tmp_path / "p.json"
    code, obj, _ = cli_json("show", "parity", "--write", str(out))
    assert json.loads(out.read_text())["initial_state"] == "even"
    code, obj, _ = cli_json("show", "bb4", "--to", "bb")
    assert obj["text"].strip() == "1RB1LB_1LA0LC_1RZ1LD_1RD0RA"


def test_demo(cli_json):
    code, obj, _ = cli_json("demo")
    assert code == 0 and obj["verified"] and obj["guarantee"] == "smt-proof" and obj["time_bound"] == 21
    assert obj["routes"]["tableau"]["cot_tokens"] == 117 and obj["routes"]["tableau"]["min_margin"] == 1
    cex = obj["corrupted_counterexample"]
    assert cex["input"] == "00000" and cex["expected"] == "1" and cex["got"] == "0"


def _write(tmp_path, name, content):
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content)
    return str(p)


BAD_FILES = {
    "unknown_move.yaml": GOOD.replace("[b, \"_\", L]", "[b, \"_\", U]"),
    "no_initial.yaml": GOOD.replace("initial_state: a\n", ""),
    "bad_write.yaml": GOOD.replace('"1": [a, "1", R]', '"1": [a, "7", R]'),
    "not_mapping.yaml": "initial_state: a\nblank_symbol: _\ntransitions: [1, 2, 3]\n",
    "row_not_mapping.yaml": "initial_state: a\nblank_symbol: _\ntransitions: {a: 5}\n",
    "empty.yaml": "",
    "blank_only.yaml": "   \n\n",
    "binary.yaml": bytes(range(256)) * 4,
    "latin1.yaml": "name: caf\xe9\n".encode("latin-1"),
    "bomb.yaml": BOMB,
    "syntax.yaml": "transitions: {a: [\n",
    "list.yaml": "- 1\n- 2\n",
    "python_tag.yaml": "!!python/object/apply:os.system ['echo hacked']\n",
    "unknown_field.yaml": GOOD + "colour: blue\n",
    "bad.json": "{\"transitions\": ",
    "garbage.morphett": "this is not a machine at all\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_exit_2_with_one_line(cli, tmp_path, name):
    path = _write(tmp_path, name, BAD_FILES[name])
    code, out, err = cli("run", path, "--json")
    assert code == 2, err
    assert out == ""
    assert err.startswith("error:") and err.count("\n") == 1, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["run", "does/not/exist.yaml"], "no such file"),
        (["run", "nonexistent-machine"], "unknown machine"),
        (["run", "1RB1LB_1LA1R"], "truncated"),
        (["run", "1RB1LB_1LA"], "truncated"),
        (["run", "binary_increment", "--input", "0120"], "'2'"),
        (["run", "bb2", "--max-steps", "-4"], "max-steps"),
        (["run", "bb2", "--bogus"], "unrecognized"),
        (["run", "bb2", "--format", "xml"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
        (["show", "parity", "--to", "pdf"], "unknown format"),
        (["run", "parity", "--batch", "3", "--input", "01"], "batch"),
    ],
)
def test_bad_usage_exit_2(cli, argv, needle):
    code, out, err = cli(*argv)
    assert out == ""
    assert code == 2
    assert err.startswith("error:") and err.count("\n") == 1, err
    assert needle in err


def test_console_script_end_to_end():
    """The installed entry point: real process, real exit codes, no traceback."""
    ok = subprocess.run([sys.executable, "-m", "theorymodel", "run", "1RB1LB_1LA1RZ", "--json"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["steps"] == 6
    bad = subprocess.run([sys.executable, "-m", "theorymodel", "run", "1RB1LB_1LA1R"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr
