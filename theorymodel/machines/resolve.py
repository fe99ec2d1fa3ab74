"""Resolve a CLI MACHINE argument: a file in any format, Busy Beaver notation, or a
bundled name (docs/contract.md, "Turing machines")."""

from __future__ import annotations

import os
import re
from pathlib import Path

from theorymodel.errors import UsageError
from theorymodel.io import read_record
from theorymodel.machines import library
from theorymodel.machines.formats import (
    BBCHALLENGE_RECORD,
    FORMATS,
    detect_format,
    looks_like_bb,
    parse_bb,
    parse_bbchallenge_record,
    parse_text,
    read_text,
)
from theorymodel.machines.model import TuringMachine


def load_machine(spec: str, *, fmt: str | None = None) -> TuringMachine:
    """Resolve a CLI MACHINE argument: a file, Busy Beaver notation or a bundled name.

    Parameters
    ----------
    spec:
        A path, a Busy Beaver string such as ``1RB1LB_1LA1RZ``, or a name from
        :func:`theorymodel.machines.library.names`.
    fmt:
        Force a format (``yaml json bb morphett tmsim``); detected when None.
    """
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")
    if spec.startswith("bbchallenge:"):
        return load_bbchallenge(spec)
    path = Path(spec)
    if "\0" in spec:
        raise UsageError("a machine argument must not contain a NUL character")
    try:
        is_file = bool(spec) and (path.exists() or path.is_symlink())
    except OSError:  # a name too long for a path: not a file
        is_file = False
    if is_file:
        text = read_text(path)
        return parse_text(text, fmt or detect_format(text, path), name=path.stem)
    if fmt == "bb" or (fmt is None and looks_like_bb(spec)):
        return parse_bb(spec)
    if fmt is None and spec in library.names():
        return library.load(spec)
    if fmt is None and re.fullmatch(r"[0-9A-Z_\-]+", spec or "") and "_" in spec:
        parse_bb(spec)  # raises a precise error for a malformed BB string
    if os.sep in spec or path.suffix:
        raise UsageError(f"no such file: {spec}")
    raise UsageError(
        f"unknown machine {spec!r}: not a file, Busy Beaver notation or bundled name "
        "(see 'theorymodel list')"
    )


def load_bbchallenge(spec: str) -> TuringMachine:
    """``bbchallenge:FILE#INDEX``: machine INDEX (from 0) of a bbchallenge seed database,
    read by seeking to its record (the 2 GB file is never read whole)."""
    path, sep, index = spec[len("bbchallenge:"):].rpartition("#")
    if not sep or not path or not (index.isascii() and index.isdigit()) or len(index) > 18:
        raise UsageError(f"{spec!r}: write bbchallenge:FILE#INDEX, e.g. bbchallenge:seeds#108115")
    i = int(index)
    record = read_record(path, BBCHALLENGE_RECORD * (i + 1), BBCHALLENGE_RECORD, what="bbchallenge database")
    return parse_bbchallenge_record(record, name=f"bbchallenge#{i}")
