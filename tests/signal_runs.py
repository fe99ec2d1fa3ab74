"""Send a stop signal at a random moment into a running command and check how it ends
(shared by tests/test_signals.py and bench/signal_stress.py).

The contract (theorymodel/cli/stop.py): within about a second of SIGINT or SIGTERM the
command ends with one ``error: interrupted`` line and exit 130/143, no traceback; or, if
the signal landed after the verdict was printed in full, with the verdict's own code.
Signals are sent from 1 s after the start on: before the interpreter has loaded the CLI's
modules (about 0.1 s idle, more under load) Python's own default handling applies.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: one command per solver path: (name, argv after ``python -m theorymodel``)
PATHS: dict[str, list[str]] = {
    "z3": ["verify", "binary_palindrome", "--n", "10", "--route", "tableau", "--method", "z3"],
    "sat": ["length", "majority", "--n", "7", "--class", "b2"],  # CaDiCaL, minutes
    "numpy": ["verify", "binary_increment", "--n", "18", "--route", "tableau", "--method", "exhaustive"],
    "uniform-domain": ["verify", "binary_multiplication", "--uniform", "--method", "z3"],
}
#: seconds from the signal to the process's end that the contract allows (1 s, plus slack
#: for a loaded machine's scheduling)
ALLOWED_SECONDS = 2.0


@dataclass(frozen=True)
class Outcome:
    path: str
    signum: int
    delay: float
    code: int
    seconds_after_signal: float
    stderr: str
    stdout: str

    def problem(self) -> str | None:
        """What breaks the contract, or None."""
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        if "Traceback" in self.stderr:
            return "a traceback"
        if self.seconds_after_signal > ALLOWED_SECONDS:
            return f"ended {self.seconds_after_signal:.1f} s after the signal"
        if self.code == 128 + self.signum:
            if not lines or lines[-1] != "error: interrupted" or sum(ln.startswith("error:") for ln in lines) != 1:
                return f"exit {self.code} without exactly one final 'error: interrupted' line: {lines[-3:]}"
            return None
        if self.code in (0, 1) and ("VERIFIED" in self.stdout or "COUNTEREXAMPLE" in self.stdout):
            return None  # finished (or printed in full) before the signal
        return f"exit {self.code}: {lines[-2:]}"


def send_at_random(path: str, signum: int, rng: random.Random, *, earliest: float = 1.0,
                   latest: float = 4.0) -> Outcome:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "theorymodel", *PATHS[path]], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    delay = rng.uniform(earliest, latest)
    time.sleep(delay)
    sent = time.monotonic()
    if proc.poll() is None:
        proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return Outcome(path, signum, delay, -9, 30.0, err, out)
    return Outcome(path, signum, delay, proc.returncode, time.monotonic() - sent, err, out)


SIGNALS = (signal.SIGINT, signal.SIGTERM)
