import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples every run (a red CI is then reproducible); local runs
# keep exploring new random machines and circuits.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

sys.path.insert(0, str(Path(__file__).parent))

from theorymodel.cli import main  # noqa: E402


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""

    def run(*argv: str):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def cli_json(cli):
    """Run with --json; assert stdout is exactly one JSON object; return (code, obj, stderr)."""

    def run(*argv: str):
        code, out, err = cli(*argv, "--json")
        obj = json.loads(out) if out.strip() else None
        if obj is not None:
            assert out.strip().count("\n") == 0
        return code, obj, err

    return run
