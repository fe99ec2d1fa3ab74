"""--help: every option of every command has help text (choices listed, no "(default:
None)"), and every example a command's help shows runs and exits 0."""

from __future__ import annotations

import argparse
import shlex
import shutil
from pathlib import Path

from theorymodel.cli import build_parser, main
from theorymodel.cli.parser import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def test_every_option_has_help_and_no_none_default():
    for path, parser in _parsers(build_parser()):
        text = parser.format_help()
        assert "(default: None)" not in text, path
        for action in parser._actions:
            if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                assert action.help, (path, action.option_strings or action.dest)
        if len(path) == 1:
            assert "examples:" in text and f"theorymodel {path[0]}" in text, path


def test_every_help_example_runs(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "examples" / "circuits", tmp_path / "examples" / "circuits")
    monkeypatch.chdir(tmp_path)
    slow = {"theorymodel census --n 4", "theorymodel census --n 5 --max-k 1", "theorymodel census --n 5 --max-k 2",
            "theorymodel census --n 5 --export census_n5.csv.gz",
            "theorymodel census --n 5 --check docs/data/census_n5.csv.gz",
            "theorymodel experiment samples --n 8",
            "theorymodel experiment tradeoff --n 24", "theorymodel demo",
            "theorymodel benchmark chomsky --out tour/chomsky/"}  # run by their own tests (or bench/)
    for lines in EXAMPLES.values():
        for line in lines:
            argv = shlex.split(line)[1:]
            if line in slow or "--scheduler" in argv or "--sample" in argv:
                continue
            assert main(argv) == 0, (line, capsys.readouterr().err)
            capsys.readouterr()
