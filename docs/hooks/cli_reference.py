"""mkdocs hook: the CLI reference page is rendered from the argparse parser at build time.

``docs/cli.md`` holds the marker ``<!-- cli-reference -->``; this hook replaces it with
``format_help()`` of ``theorymodel.cli.build_parser()``, of every sub-command and of every
``experiment`` sub-command, so the page cannot differ from ``--help``. Help is rendered at
a fixed width (``WIDTH`` columns) so that the page does not depend on the terminal that
builds it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from typing import Any

MARKER = "<!-- cli-reference -->"
WIDTH = 100


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...],
                                                                                       argparse.ArgumentParser]]:
    """Every parser, depth first: the main one, then each sub-command and its sub-commands."""
    yield path, parser
    for name, sub in _subcommands(parser).items():
        yield from walk(sub, (*path, name))


def render() -> str:
    from theorymodel.cli import build_parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(WIDTH)
    try:
        parts = []
        for path, parser in walk(build_parser()):
            level = "#" * min(2 + max(len(path) - 1, 0), 4)
            title = " ".join(path) if path else "theorymodel"
            command = " ".join(("theorymodel", *path, "--help"))
            parts.append(f"{level} {title}\n\n`{command}`\n\n```text\n{parser.format_help().rstrip()}\n```\n")
        return "\n".join(parts)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, render())
    return markdown
