"""The ``theorymodel`` command line (docs/contract.md).

One module per command group, each only parsing, calling one library function and
formatting its result: :mod:`~theorymodel.cli.machines` (run, list, show, compile),
:mod:`~theorymodel.cli.verify` (verify, counterexample, bound),
:mod:`~theorymodel.cli.complexity` (length, census), :mod:`~theorymodel.cli.learn`,
:mod:`~theorymodel.cli.experiments` (experiment, doctor, demo). The parser of every
command is :func:`build_parser` (:mod:`~theorymodel.cli.parser`); :func:`main`
(:mod:`~theorymodel.cli.main`) prints a command's report (one JSON object with ``--json``)
and maps errors to exit codes: 2 for bad input or usage, 3 for a resource limit, each with
one ``error:`` line on stderr.
"""

# the console script and ``python -m theorymodel`` record a stop signal from here on (the
# rest of the imports take a quarter of a second); main reports it (cli/stop.py)
from theorymodel.cli import stop as _stop

_stop.record_early()

from theorymodel.cli.main import main  # noqa: E402
from theorymodel.cli.parser import build_parser  # noqa: E402

__all__ = ["build_parser", "main"]
