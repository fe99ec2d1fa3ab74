"""SIGINT and SIGTERM end every solver path within about a second, with one
``error: interrupted`` line and 130/143 (theorymodel/cli/stop.py). A few random moments per
path here; ``python bench/signal_stress.py`` sends 100 per path."""

from __future__ import annotations

import random

import pytest
from signal_runs import PATHS, SIGNALS, send_at_random


@pytest.mark.parametrize("path", list(PATHS))
def test_a_stop_signal_at_a_random_moment_ends_the_command(path):
    rng = random.Random(f"signals-{path}")
    for signum in SIGNALS:
        outcome = send_at_random(path, signum, rng)
        assert outcome.problem() is None, (outcome.problem(), outcome)
