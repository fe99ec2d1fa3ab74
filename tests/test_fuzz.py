"""Bad input, every command: one ``error:`` line, the contract's exit code, no traceback,
fast (docs/contract.md, "Conventions"; the adversarial campaign of issue 12 as a table).

Each case builds its files under ``tmp_path`` and runs the CLI in-process. A case that
hangs, crashes (exit 70) or prints a traceback fails here first.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from theorymodel.errors import TheoryModelError

GOOD_YAML = """name: flip
input_symbols: ["0", "1"]
blank_symbol: "_"
initial_state: s
final_states: [yes]
transitions:
  s: {"0": [s, "1", R], "1": [s, "0", R], "_": [yes, "_", N]}
"""


def _write(tmp: Path, name: str, data: str | bytes) -> str:
    p = tmp / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(p)


def _predictor(tmp: Path) -> dict[str, np.ndarray]:
    """The arrays of a good compiled predictor (parity machine, n = 3, tableau)."""
    from theorymodel.cli import main

    out = tmp / "good"
    assert main(["compile", "parity", "--n", "3", "--route", "tableau", "--out", str(out)]) == 0
    with np.load(out / "predictor.npz", allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _npz(tmp: Path, name: str, arrays: dict[str, np.ndarray]) -> str:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return _write(tmp, name, buf.getvalue())


def _mutated(change: Callable[[dict[str, np.ndarray]], None]) -> Callable[[Path], str]:
    def build(tmp: Path) -> str:
        arrays = _predictor(tmp)
        change(arrays)
        return _npz(tmp, "bad.npz", arrays)

    return build


def _set(key: str, value) -> Callable[[dict[str, np.ndarray]], None]:
    def change(a: dict[str, np.ndarray]) -> None:
        a[key] = np.asarray(value)

    return change


def _drop(key: str) -> Callable[[dict[str, np.ndarray]], None]:
    return lambda a: a.pop(key)


def _bomb(tmp: Path) -> str:
    p = tmp / "bomb.npz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:  # fast to write, still 200:1
        zf.writestr("W_data.npy", b"\0" * (600 * 1024 * 1024))
    return str(p)


def _fifo(tmp: Path) -> str:
    p = tmp / "pipe.yaml"
    os.mkfifo(p)
    return str(p)


def _under_a_file(tmp: Path) -> str:
    """A path whose parent is a regular file (unwritable even for root)."""
    f = tmp / "plain"
    f.write_text("x")
    return str(f / "out.dot")


def _many_states(tmp: Path, k: int = 500) -> str:
    """A machine of ``k`` states in a ring (its state graph: far too large a png)."""
    states = [f"q{i}" for i in range(k)]
    return _write(tmp, "ring.json", json.dumps({
        "blank_symbol": "0", "initial_state": "q0",
        "transitions": {q: {"0": [states[(i + 1) % k], "1", "R"], "1": [states[i - 1], "0", "L"]}
                        for i, q in enumerate(states)}}))


def _closed_port(tmp: Path) -> str:
    """A scheduler address on 127.0.0.1 where nothing listens (a port just released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


def _bench_weight(digits: int, where: str) -> str:
    big = "1" * digits
    return ("INPUT(a)\nOUTPUT(g)\n" + (f"g = THRESHOLD({big}, 1*a)\n" if where == "threshold"
                                        else f"g = THRESHOLD(1, {big}*a)\n"))


# (id, argv built from tmp_path, expected exit code)
F = Callable[[Path], list[str]]
CASES: list[tuple[str, F, int]] = [
    # -- machine files and notations --------------------------------------------------
    ("missing file", lambda t: ["run", str(t / "nope.yaml")], 2),
    ("directory as machine", lambda t: ["run", str(t)], 2),
    ("empty yaml", lambda t: ["run", _write(t, "e.yaml", "")], 2),
    ("binary yaml", lambda t: ["run", _write(t, "b.yaml", b"\0\1\2")], 2),
    ("non-utf8 yaml", lambda t: ["run", _write(t, "u.yaml", b"name: \xff\xfe")], 2),
    ("yaml list", lambda t: ["run", _write(t, "l.yaml", "- 1\n- 2\n")], 2),
    ("yaml syntax", lambda t: ["run", _write(t, "s.yaml", "a: [1, 2\n")], 2),
    ("yaml alias bomb", lambda t: ["run", _write(t, "a.yaml", "a: &x [1]\nb: *x\n")], 2),
    ("yaml python tag", lambda t: ["run", _write(t, "p.yaml", "!!python/object/apply:os.system ['true']\n")], 2),
    ("duplicate state key", lambda t: ["run", _write(t, "d.yaml", GOOD_YAML + "  s: {}\n")], 2),
    ("duplicate symbol key", lambda t: ["run", _write(t, "d2.yaml", GOOD_YAML.replace(
        '"_": [yes, "_", N]}', '"_": [yes, "_", N], "0": [s, "0", L]}'))], 2),
    ("int and string key collide", lambda t: ["run", _write(t, "c.yaml", GOOD_YAML.replace(
        '"_": [yes, "_", N]}', '"_": [yes, "_", N], 0: [s, "0", L]}'))], 2),
    ("duplicate json key", lambda t: ["run", _write(t, "d.json", json.dumps({"name": "x"})[:-1]
                                                    + ', "name": "y"}')], 2),
    ("json syntax", lambda t: ["run", _write(t, "j.json", "{")], 2),
    ("json nested deep", lambda t: ["run", _write(t, "deep.json", "[" * 100000)], 2),
    ("unknown field", lambda t: ["run", _write(t, "f.yaml", GOOD_YAML + "colour: red\n")], 2),
    ("no initial state", lambda t: ["run", _write(t, "i.yaml", GOOD_YAML.replace("initial_state: s\n", ""))], 2),
    ("bad move", lambda t: ["run", _write(t, "m.yaml", GOOD_YAML.replace("R]", "X]", 1))], 2),
    ("transition not a list", lambda t: ["run", _write(t, "t.yaml", GOOD_YAML.replace('[s, "1", R]', "7"))], 2),
    ("state is a float", lambda t: ["run", _write(t, "fl.yaml", GOOD_YAML.replace("initial_state: s",
                                                                                    "initial_state: 1.5"))], 2),
    ("newline in a state", lambda t: ["run", _write(t, "nl.json", json.dumps({
        "blank_symbol": "_", "initial_state": "a\nb", "transitions": {}}))], 2),
    ("lone surrogate in a name", lambda t: ["run", _write(t, "sur.json", '{"blank_symbol": "_", '
                                                          '"initial_state": "\\ud800", "transitions": {}}')], 2),
    ("space in a symbol", lambda t: ["run", _write(t, "sp.json", json.dumps({
        "blank_symbol": "_", "initial_state": "a", "transitions": {"a": {"x y": ["a", "_", "R"]}}}))], 2),
    ("300 tape symbols", lambda t: ["run", _write(t, "many.json", json.dumps({
        "blank_symbol": "_", "initial_state": "a", "tape_symbols": [f"s{i}" for i in range(300)],
        "transitions": {}}))], 2),
    ("oversized file", lambda t: ["run", _write(t, "big.yaml", b"#" * (17 * 1024 * 1024))], 3),
    ("fifo without writer", lambda t: ["run", _fifo(t)], 2),
    ("/dev/zero", lambda t: ["run", "/dev/zero", "--format", "yaml"], 2),
    ("bb string too long", lambda t: ["run", "1RB" * 200], 2),
    ("bb string malformed", lambda t: ["run", "1RB1LB_1LA"], 2),
    ("bb bad move", lambda t: ["run", "1XB1LB_1LA1RZ"], 2),
    ("unknown machine name", lambda t: ["run", "no_such_machine"], 2),
    ("morphett duplicate rule", lambda t: ["run", _write(t, "d.morphett", "0 0 1 r 0\n0 0 0 l 0\n")], 2),
    ("morphett bad line", lambda t: ["run", _write(t, "b.morphett", "0 0 1\n")], 2),
    ("morphett bad move", lambda t: ["run", _write(t, "m.morphett", "0 0 1 x 0\n")], 2),
    ("tmsim odd lines", lambda t: ["run", _write(t, "o.tmsim", "init: q\nq,0\n")], 2),
    ("tmsim two tapes", lambda t: ["run", _write(t, "two.tmsim", "init: q\nq,0,0\nq,1,1,>,>\n")], 2),
    ("input symbol unknown", lambda t: ["run", "binary_increment", "--input", "012"], 2),
    ("format unknown", lambda t: ["run", "parity", "--format", "xml"], 2),
    ("max steps negative", lambda t: ["run", "parity", "--max-steps", "-1"], 2),
    ("max steps not a number", lambda t: ["run", "parity", "--max-steps", "many"], 2),
    ("batch huge", lambda t: ["run", "binary_increment", "--batch", "100000000000000000000"], 3),
    ("batch 20000", lambda t: ["run", "binary_increment", "--batch", "20000"], 3),
    ("batch with input", lambda t: ["run", "parity", "--batch", "2", "--input", "01"], 2),
    ("bbchallenge index not ascii", lambda t: ["run", "bbchallenge:seeds#\u00b2"], 2),
    ("non-halting", lambda t: ["run", "1RA---", "--max-steps", "100000"], 3),
    ("trace too long", lambda t: ["run", "1RA---", "--trace", "--max-steps", "200000"], 3),
    ("unknown command", lambda t: ["frobnicate"], 2),
    ("unknown flag", lambda t: ["run", "parity", "--frob"], 2),
    # -- output paths --------------------------------------------------------------------
    ("show --dot into a directory", lambda t: ["show", "parity", "--dot", str(t)], 2),
    ("show --write into a directory", lambda t: ["show", "parity", "--write", str(t)], 2),
    ("show --write unwritable", lambda t: ["show", "parity", "--dot", _under_a_file(t)], 2),
    ("show --write /dev/full", lambda t: ["show", "parity", "--write", "/dev/full", "--to", "yaml"], 2),
    ("show --write unknown ext", lambda t: ["show", "parity", "--write", str(t / "x.unknown")], 2),
    ("show --to unknown", lambda t: ["show", "parity", "--to", "xml"], 2),
    ("show --picture png of 500 states", lambda t: ["show", _many_states(t), "--picture", str(t / "big.png")], 3),
    ("morphett writer, hostile state", lambda t: ["show", _write(t, "h.json", json.dumps({
        "blank_symbol": "_", "initial_state": "a", "final_states": ["ok"],
        "transitions": {"a": {"_": ["b;c", "_", "R"]}, "b;c": {"_": ["ok", "_", "N"]}}})), "--to", "morphett"], 2),
    ("tmsim writer, header-like state", lambda t: ["show", _write(t, "h2.json", json.dumps({
        "blank_symbol": "_", "initial_state": "a", "transitions": {"a": {"_": ["init: x", "_", "R"]}}})),
        "--to", "tmsim"], 2),
    ("compile --out is a file", lambda t: ["compile", "parity", "--n", "2", "--out", _write(t, "f", "x")], 2),
    ("compile --export into a directory", lambda t: ["compile", "parity", "--n", "2", "--export-linearlm", str(t)],
     2),
    ("verify --out is a file", lambda t: ["verify", "parity", "--n", "2", "--out", _write(t, "f2", "x")], 2),
    ("learn --out is a file", lambda t: ["learn", "parity", "--n", "3", "--samples", "4",
                                         "--out", _write(t, "f3", "x")], 2),
    ("length --plot into a directory", lambda t: ["length", "parity", "--n", "2", "--plot", str(t)], 2),
    ("experiment --plot into a directory", lambda t: ["experiment", "tradeoff", "--n", "8", "--s", "2",
                                                      "--plot", str(t)], 2),
    # -- compile / verify / bound --------------------------------------------------------
    ("compile n huge", lambda t: ["compile", "parity", "--n", "100000000000000000000"], 3),
    ("compile n 100000", lambda t: ["compile", "parity", "--n", "100000", "--time-bound", "5"], 3),
    ("compile n 999, no time bound", lambda t: ["compile", "binary_palindrome", "--n", "999"], 3),
    ("verify n 40, no time bound", lambda t: ["verify", "binary_palindrome", "--n", "40"], 3),
    ("verify n huge", lambda t: ["verify", "parity", "--n", "100000000000000000000"], 3),
    ("bound n huge", lambda t: ["bound", "parity", "--n", "100000000000000000000"], 3),
    ("compile unknown route", lambda t: ["compile", "parity", "--n", "2", "--route", "magic"], 2),
    ("compile without n", lambda t: ["compile", "parity"], 2),
    ("compile ambiguous tokens", lambda t: ["compile", _write(t, "amb.json", json.dumps({
        "blank_symbol": "_", "initial_state": "b", "input_symbols": ["0", "[b]0"],
        "transitions": {"b": {"0": ["c", "[b]0", "R"]}}})), "--n", "2", "--route", "tableau"], 2),
    ("bench huge weight", lambda t: ["compile", _write(t, "w.bench", "INPUT(a)\nOUTPUT(g)\n"
                                                       "g = THRESHOLD(1, 100000000000000000000000*a)\n")], 2),
    ("bench weight of 5000 digits", lambda t: ["compile", _write(t, "w5.bench", _bench_weight(5000, "weight"))], 2),
    ("bench threshold of 5000 digits", lambda t: ["compile", _write(t, "t5.bench", _bench_weight(5000, "threshold"))],
     2),
    ("bench syntax", lambda t: ["compile", _write(t, "s.bench", "INPUT(a)\nOUTPUT(g)\ng = AND(a\n")], 2),
    ("bench cycle", lambda t: ["compile", _write(t, "c.bench", "INPUT(a)\nOUTPUT(g)\ng = AND(a, h)\n"
                                                 "h = AND(a, g)\n")], 2),
    ("aag twice defined", lambda t: ["compile", _write(t, "d.aag", "aag 3 2 0 1 2\n2\n4\n6\n6 2 4\n6 4 2\n")], 2),
    ("aag M too small", lambda t: ["compile", _write(t, "m.aag", "aag 1 2 0 1 1\n2\n4\n6\n6 2 4\n")], 2),
    ("aag repeated input", lambda t: ["compile", _write(t, "r.aag", "aag 3 2 0 1 1\n2\n2\n6\n6 2 2\n")], 2),
    ("aag header garbage", lambda t: ["compile", _write(t, "h.aag", "aag x y\n")], 2),
    ("aig declares 10^7 inputs", lambda t: ["compile", _write(t, "big.aig", b"aig 10000000 10000000 0 0 0\n")], 3),
    ("aig outputs beyond its bytes", lambda t: ["compile", _write(t, "o.aig", b"aig 3 0 0 1000000 2\n")], 2),
    ("aig declares 10^6 AND gates in 40 bytes", lambda t: ["compile", _write(
        t, "a.aig", b"aig 1000000 0 0 0 1000000\n" + b"\x81" * 14)], 2),  # 2 bytes a gate at least
    ("aig AND gates beyond its bytes, verify", lambda t: ["verify", _write(
        t, "a2.aig", b"aig 1000000 1 0 1 999999\n2\n" + b"\x02" * 10)], 2),
    ("aag declares 10^6 AND gates, no lines", lambda t: ["compile", _write(
        t, "a.aag", "aag 1000000 0 0 0 1000000\n" + "\n" * 13)], 2),  # one line a gate
    ("aig 2^18 + 1 AND gates, bytes present", lambda t: ["compile", _write(
        t, "big.aig", b"aig 262146 1 0 1 262145\n524292\n" + b"\x02\x00" * 262145)], 3),  # the gate cap
    ("aag 2^18 + 1 AND gates, lines present", lambda t: ["verify", _write(
        t, "big.aag", "aag 262146 1 0 1 262145\n2\n524292\n" + "x\n" * 262145), "--n", "1"], 3),
    ("aag declares 10^6 AND gates, length", lambda t: ["length", _write(
        t, "a2.aag", "aag 1000001 1 0 1 1000000\n2\n2\n"), "--n", "1"], 2),
    ("compile --input without --picture", lambda t: ["compile", "parity", "--n", "3", "--input", "010"], 2),
    ("compile uniform width 10^6", lambda t: ["compile", "parity", "--n", "3", "--route", "uniform",
                                               "--width", "1000000"], 3),
    ("export context-length 2^70", lambda t: ["compile", "parity", "--n", "3", "--route", "uniform",
                                               "--export-linearlm", str(t / "F.npz"),
                                               "--context-length", str(2**70)], 2),
    ("bound range huge", lambda t: ["bound", "parity", "--n", "0..100000000"], 3),
    # -- predictor files (counterexample) ------------------------------------------------
    ("predictor missing", lambda t: ["counterexample", str(t / "none.npz"), "parity", "--n", "3"], 2),
    ("predictor not a zip", lambda t: ["counterexample", _write(t, "x.npz", "hello"), "parity", "--n", "3"], 2),
    ("predictor zip bomb", lambda t: ["counterexample", _bomb(t), "parity", "--n", "3"], 3),
    ("predictor fifo", lambda t: ["counterexample", _fifo(t), "parity", "--n", "3"], 2),
    ("predictor bad W shape", lambda t: ["counterexample", _mutated(_set("W_shape", [3, 3]))(t), "parity",
                                         "--n", "3"], 2),
    ("predictor bad indptr", lambda t: ["counterexample", _mutated(_set("W_indptr", [0, 5, 2]))(t), "parity",
                                        "--n", "3"], 2),
    ("predictor indices out of range", lambda t: ["counterexample", _mutated(
        lambda a: a.__setitem__("W_indices", a["W_indices"] + 10**6))(t), "parity", "--n", "3"], 2),
    ("predictor NaN", lambda t: ["counterexample", _mutated(
        lambda a: a.__setitem__("W_data", np.full(len(a["W_data"]), np.nan)))(t), "parity", "--n", "3"], 2),
    ("predictor inf", lambda t: ["counterexample", _mutated(
        lambda a: a.__setitem__("b_data", np.full(len(a["b_data"]), np.inf)))(t), "parity", "--n", "3"], 2),
    ("predictor string data", lambda t: ["counterexample", _mutated(
        lambda a: a.__setitem__("W_data", a["W_data"].astype(str)))(t), "parity", "--n", "3"], 2),
    ("predictor bad meta", lambda t: ["counterexample", _mutated(_set("meta", "{not json"))(t), "parity",
                                      "--n", "3"], 2),
    ("predictor meta a list", lambda t: ["counterexample", _mutated(_set("meta", "[1]"))(t), "parity",
                                         "--n", "3"], 2),
    ("predictor short vocab", lambda t: ["counterexample", _mutated(
        lambda a: a.__setitem__("vocab", a["vocab"][:2]))(t), "parity", "--n", "3"], 2),
    ("predictor bad labels", lambda t: ["counterexample", _mutated(_set("labels", [[1, 2]]))(t), "parity",
                                        "--n", "3"], 2),
    ("predictor label kind 99", lambda t: ["counterexample", _mutated(
        lambda a: a["labels"].__setitem__((0, 0), 99))(t), "parity", "--n", "3"], 2),
    ("predictor no vocab", lambda t: ["counterexample", _mutated(_drop("vocab"))(t), "parity", "--n", "3"], 2),
    ("predictor answer far away", lambda t: ["counterexample", _mutated(_set("answer_positions", [10**6]))(t),
                                             "parity", "--n", "3"], 2),
    ("predictor answer negative", lambda t: ["counterexample", _mutated(_set("answer_positions", [-1]))(t),
                                             "parity", "--n", "3"], 2),
    ("predictor answer kind unknown", lambda t: ["counterexample", _mutated(_set("answer_kind", "poem"))(t),
                                                 "parity", "--n", "3"], 2),
    ("linearlm 1-D embedding", lambda t: ["counterexample", _npz(t, "lm.npz", {
        "vocab": np.array(["0", "1"]), "context_length": np.array(3), "in_embedding.weight": np.ones(2),
        "linear1.weight": np.ones((3, 3)), "linear1.bias": np.ones(3),
        "out_embedding.weight": np.ones((2, 1))}), "parity", "--n", "1"], 2),
    ("linearlm inconsistent", lambda t: ["counterexample", _npz(t, "lm2.npz", {
        "vocab": np.array(["0", "1"]), "context_length": np.array(3), "in_embedding.weight": np.eye(2),
        "linear1.weight": np.ones((5, 5)), "linear1.bias": np.ones(6),
        "out_embedding.weight": np.eye(2)}), "parity", "--n", "1"], 2),
    ("counterexample wrong n", lambda t: ["counterexample", _npz(t, "g.npz", _predictor(t)), "parity",
                                          "--n", "4"], 2),
    # -- length / census -------------------------------------------------------------------
    ("length unknown target", lambda t: ["length", "frob", "--n", "3"], 2),
    ("length range huge", lambda t: ["length", "parity", "--n", "15..1000000000"], 3),
    ("length bad range", lambda t: ["length", "parity", "--n", "5..3"], 2),
    ("length tt wrong size", lambda t: ["length", "tt:011", "--n", "2"], 2),
    ("length threshold of 5000 digits", lambda t: ["length", "threshold-" + "9" * 5000, "--n", "3"], 2),
    ("length b2 threshold of 5000 digits", lambda t: ["length", "threshold-" + "1" * 5000, "--n", "3",
                                                      "--class", "b2"], 2),
    ("learn threshold of 5000 digits", lambda t: ["learn", "threshold-" + "9" * 5000, "--n", "3", "--samples", "4"],
     2),
    ("samples threshold of 5000 digits", lambda t: ["experiment", "samples", "threshold-" + "9" * 5000, "--n", "3",
                                                    "--samples", "4", "--no-plot"], 2),
    ("length threshold non-ASCII digit", lambda t: ["length", "threshold-\u0663", "--n", "3"], 2),
    ("length class parity-K of 5000 digits", lambda t: ["length", "parity", "--n", "3", "--class",
                                                        "parity-" + "9" * 5000], 2),
    ("length bad class", lambda t: ["length", "parity", "--n", "3", "--class", "quantum"], 2),
    ("length timeout zero", lambda t: ["length", "parity", "--n", "3", "--timeout", "0"], 2),
    ("census db not sqlite", lambda t: ["census", "--n", "2", "--db", _write(t, "x.sqlite", "hello" * 1000)], 2),
    ("census db directory", lambda t: ["census", "--n", "2", "--db", str(t)], 2),
    ("census n too big", lambda t: ["census", "--n", "6"], 3),
    ("census scheduler port closed", lambda t: ["census", "--n", "2", "--db", str(t / "c.sqlite"),
                                                "--scheduler", _closed_port(t)], 2),
    # -- learn / experiment ---------------------------------------------------------------
    ("learn jsonl not utf8", lambda t: ["learn", _write(t, "b.jsonl", b"\xff\xfe{}\n"), "--samples", "2"], 2),
    ("learn jsonl garbage", lambda t: ["learn", _write(t, "g.jsonl", "not json\n"), "--samples", "2"], 2),
    ("learn jsonl long line", lambda t: ["learn", _write(t, "l.jsonl", '{"input": "' + "0" * (2 << 20) + '"}\n'),
                                         "--samples", "2"], 3),
    ("learn jsonl empty", lambda t: ["learn", _write(t, "e.jsonl", "\n"), "--samples", "2"], 2),
    ("learn no samples", lambda t: ["learn", "parity", "--n", "3"], 2),
    ("learn unknown learner", lambda t: ["learn", "parity", "--n", "3", "--samples", "4", "--learner", "x"], 2),
    ("learn uniform non-halting", lambda t: ["learn", "1RA---", "--uniform", "--train-n", "0..2"], 3),
    ("learn uniform train-n 0..40", lambda t: ["learn", "binary_increment", "--uniform", "--train-n", "0..40"], 3),
    ("lengthgen eval-n huge", lambda t: ["experiment", "lengthgen", "--eval-n", "1000000000", "--no-plot"], 3),
    ("lengthgen max-n huge", lambda t: ["experiment", "lengthgen", "--max-n", "1000000000", "--no-plot"], 3),
    ("lengthgen train-n huge", lambda t: ["experiment", "lengthgen", "--train-n", "1000000", "--no-plot"], 3),
    ("lengthgen untied-d huge", lambda t: ["experiment", "lengthgen", "--untied-d", "100000000", "--no-plot"], 3),
    ("lengthgen lr nan", lambda t: ["experiment", "lengthgen", "--lr", "nan", "--no-plot"], 2),
    ("lengthgen lr negative", lambda t: ["experiment", "lengthgen", "--lr", "-1", "--no-plot"], 2),
    ("tradeoff n huge", lambda t: ["experiment", "tradeoff", "--n", "1000000000"], 3),
    ("tradeoff s too big", lambda t: ["experiment", "tradeoff", "--n", "4", "--s", "9"], 2),
    ("tradeoff k 1", lambda t: ["experiment", "tradeoff", "--n", "8", "--s", "2", "--k", "1"], 2),
    ("noise bad rates", lambda t: ["experiment", "noise", "--rates", "2"], 2),
    ("samples bad list", lambda t: ["experiment", "samples", "--samples", "a,b"], 2),
    ("multiply eval pairs 0", lambda t: ["experiment", "multiply", "--eval-pairs", "0"], 2),
    ("multiply lr 0", lambda t: ["experiment", "multiply", "--lr", "0"], 2),
    ("multiply garbage checkpoint", lambda t: ["experiment", "multiply", "--steps", "1", "--eval-pairs", "1",
                                               "--checkpoint", _write(t, "c.pt", "garbage"),
                                               "--plot", str(t / "p.png")], 2),
    ("text corpus missing", lambda t: ["experiment", "text", "--corpus", str(t / "none.txt"), "--steps", "1"], 2),
    ("text corpus /dev/zero", lambda t: ["experiment", "text", "--corpus", "/dev/zero", "--steps", "1",
                                         "--no-plot"], 2),
]


@pytest.mark.parametrize(("name", "argv", "code"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(name, argv, code, cli, tmp_path):
    start = time.perf_counter()
    got, out, err = cli(*argv(tmp_path))
    seconds = time.perf_counter() - start
    assert got == code, (got, err)
    assert "Traceback" not in err and "Traceback" not in out
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines and lines[-1].startswith("error:"), err
    assert sum(ln.startswith("error:") for ln in lines) == 1, err
    assert seconds < 10, f"{name} took {seconds:.1f} s"


def test_bound_over_lengths_too_many_to_simulate_is_a_resource_limit(cli):
    """2^999 inputs, no --time-bound: the enumeration cap is a size cap (exit 3, as for
    compile and verify), decided from the count before any input runs."""
    start = time.perf_counter()
    code, _, err = cli("bound", "binary_palindrome", "--n", "0..999")
    assert code == 3 and err.startswith("error:") and err.count("\n") == 1 and len(err) < 300
    assert time.perf_counter() - start < 10


def test_table_is_large():
    assert len(CASES) >= 80


def test_resource_limits_print_json(cli_json):
    code, obj, _ = cli_json("experiment", "tradeoff", "--n", "1000000000")
    assert code == 3 and obj["limit"] == "size-cap"
    code, obj, _ = cli_json("length", "parity", "--n", "15..1000000000")
    assert code == 3 and obj["limit"] == "size-cap"


def test_yes_no_states_are_strings(cli_json, tmp_path):
    """YAML 1.2: a machine whose states are named yes and no loads (Norway problem)."""
    doc = GOOD_YAML.replace('"1": [s, "0", R]', '"1": [no, "0", R]') + "  no: {}\n"
    code, obj, _ = cli_json("run", _write(tmp_path, "yn.yaml", doc), "--input", "00")
    assert code == 0 and obj["state"] == "yes" and obj["accepted"] is True
    code, obj, _ = cli_json("run", _write(tmp_path, "yn2.yaml", doc), "--input", "01")
    assert code == 0 and obj["state"] == "no" and obj["accepted"] is False


def test_outputs_get_the_umask_mode(cli, tmp_path):
    old = os.umask(0o022)
    try:
        assert cli("show", "parity", "--write", str(tmp_path / "p.yaml"))[0] == 0
        assert cli("compile", "parity", "--n", "2", "--out", str(tmp_path / "o"))[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "p.yaml").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "o" / "predictor.npz").stat().st_mode) == 0o644
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_out_replaces_the_pair_and_keeps_other_files(cli, tmp_path):
    out = tmp_path / "o"
    assert cli("compile", "parity", "--n", "2", "--out", str(out))[0] == 0
    (out / "notes.txt").write_text("mine")
    assert cli("compile", "parity", "--n", "3", "--out", str(out))[0] == 0
    first = json.loads((out / "cot.jsonl").read_text().splitlines()[0])
    assert len(first["input"]) == 3 and (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_malicious_checkpoint_runs_nothing(cli, tmp_path):
    import torch  # a dev dependency: this test always runs


    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))

    ckpt = tmp_path / "evil.pt"
    torch.save({"model": Evil()}, ckpt)
    code, _, err = cli("experiment", "multiply", "--steps", "1", "--eval-pairs", "1", "--checkpoint", str(ckpt),
                       "--plot", str(tmp_path / "p.png"))
    assert code == 2 and err.startswith("error:")
    assert not (tmp_path / "pwned").exists()


def test_svg_pictures_are_xml_whatever_the_names(cli, tmp_path):
    """Control characters in gate names (a .bench file allows them) are escaped, so every
    SVG picture is well-formed XML 1.0."""
    import xml.etree.ElementTree as ET

    from theorymodel.circuits import load_circuit
    from theorymodel.display import Scene

    bench = _write(tmp_path, "ctl.bench", "INPUT(a\x01)\nOUTPUT(g\x1b)\ng\x1b = NOT(a\x01)\n")
    assert cli("compile", bench, "--picture", str(tmp_path / "c.svg"))[0] == 0
    ET.parse(tmp_path / "c.svg")
    ET.fromstring(load_circuit(bench)._repr_svg_())
    scene = Scene(10, 10)
    scene.text(1, 1, "\x00\x08\x0b\x1f<&>\ud800 ok")
    root = ET.fromstring(scene.svg())
    assert "\\x1f<&>" in "".join(root.itertext())


# -- random junk into every reader -----------------------------------------------------------
def _readers():
    from theorymodel.circuits.formats import parse_aag, parse_bench
    from theorymodel.machines import formats

    return [formats.parse_yaml, formats.parse_json, formats.parse_morphett, formats.parse_tmsim,
            lambda text, name="x": formats.parse_bb(text), parse_bench, parse_aag]


junk_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["0", "1", "_", "R", "L", "N", ":", ",", "\n", " ", "[", "]", "{", "}", "a", "q",
                              "init:", "aag", "INPUT(a)", "=", "AND(", ")", "*", ";", "halt", "&x", "*x", "-"]),
             max_size=60).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=junk_text, reader=st.integers(0, 6))
def test_readers_raise_only_their_own_errors(text, reader):
    with contextlib.suppress(TheoryModelError):
        _readers()[reader](text, name="junk")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_predictor_loader_on_random_bytes(data, tmp_path_factory):
    from theorymodel.predictor import load

    p = tmp_path_factory.mktemp("junk") / "j.npz"
    p.write_bytes(data)
    with contextlib.suppress(TheoryModelError):
        load(p)
