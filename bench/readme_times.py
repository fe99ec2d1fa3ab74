"""The README's quoted times against this machine: every tour command whose comment quotes a
time ("about 8 s", "~1.5 min", "about 4 min") is run as written and timed; the script prints
the quote, the measured wall time and their ratio. The commands are read from README.md
itself, so the list cannot drift from the page. Run on 2 cores with nothing else running:

    python bench/readme_times.py [--only SUBSTRING] [--timeout S]

A command that needs a GPU or a shell script is listed and not run.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUOTE = re.compile(r"(?:about|~)\s*([\d.]+)\s*(s|min|minutes?)\b")


def quoted_commands() -> list[tuple[int, str, float, str]]:
    """(README line, command, quoted seconds, quote text) for each timed tour command."""
    out = []
    in_bash = False
    for number, line in enumerate((ROOT / "README.md").read_text().splitlines(), 1):
        if line.startswith("```"):
            in_bash = line.strip() == "```bash"
            continue
        if not in_bash or not line.startswith("theorymodel "):
            continue
        code, _, comment = line.partition("#")
        comment = comment.split("# test:")[0]
        match = QUOTE.search(comment)
        if match:
            value = float(match.group(1)) * (60 if match.group(2).startswith("min") else 1)
            out.append((number, code.strip(), value, match.group(0)))
    return out


def argv_of(command: str) -> list[str]:
    """The command as the installed CLI runs it, with repository paths made absolute (it
    runs in a scratch folder, so the files it writes go nowhere)."""
    args = shlex.split(command)[1:]
    fixed = [str((ROOT / a).resolve()) if a.startswith(("../", "examples/")) else a for a in args]
    return [sys.executable, "-m", "theorymodel", *fixed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="run only commands containing this text")
    parser.add_argument("--timeout", type=float, default=1200.0)
    args = parser.parse_args()
    print(f"{'README line':>11}  {'quoted':>10}  {'measured':>9}  {'ratio':>6}  command")
    for number, command, seconds, text in quoted_commands():
        if args.only not in command:
            continue
        with tempfile.TemporaryDirectory() as scratch:
            start = time.perf_counter()
            try:
                run = subprocess.run(argv_of(command), cwd=scratch, capture_output=True, timeout=args.timeout)
                status = "" if run.returncode == 0 else f"  (exit {run.returncode})"
            except subprocess.TimeoutExpired:
                status = f"  (stopped at {args.timeout:.0f} s)"
            measured = time.perf_counter() - start
        print(f"{number:>11}  {text:>10}  {measured:>8.1f}s  {measured / seconds:>5.2f}x  {command}{status}",
              flush=True)


if __name__ == "__main__":
    main()
