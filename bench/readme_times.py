"""The README's quoted times against this machine: every tour command whose comment quotes a
time ("about 8 s", "~1.5 min", "about 4 min") is run as written and timed; the script prints
the quote, the measured wall time and their ratio. The commands are read from README.md
itself, so the list cannot drift from the page. Run on 2 cores with nothing else running:

    python bench/readme_times.py [--only SUBSTRING] [--timeout S]

``--walk`` is a newcomer's walk instead: every line of every ```bash block after the set-up
(``pip install`` lines included) and every ```python block, in order, as written, in the
checkout's root as a newcomer would (use a fresh clone: later commands read what earlier
ones wrote), each with its exit code beside the one the README states (``# exits N``), its
wall time and the README's quoted time where there is one. The tour writes its files under
``tour/`` (git-ignored); the walk ends by listing any other file it left in the checkout.
The shell scripts of ``examples/experiments/`` (half an hour; a GPU) are listed, not run.
Run it from the README's first install (``pip install -e .``) to check that the tour needs
nothing more.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
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


def tour_steps() -> list[tuple[int, str, str]]:
    """(README line, "bash" or "python", text) for every tour command and Python block, in
    order: the bash lines after the set-up section's blocks, and each Python block whole."""
    out: list[tuple[int, str, str]] = []
    lines = (ROOT / "README.md").read_text().splitlines()
    tour = next(i for i, line in enumerate(lines) if line.startswith("## A short tour"))
    kind, block, start = "", [], 0
    for number, line in enumerate(lines[tour:], tour + 1):
        if line.startswith("```"):
            if kind == "python":
                out.append((start, "python", "\n".join(block)))
            kind = line.strip()[3:] if not kind else ""
            block, start = [], number + 1
            continue
        if kind == "bash" and line.strip():
            out.append((number, "bash", line))
        elif kind == "python":
            block.append(line)
    return out


def _untracked() -> set[str]:
    """Paths in the checkout that git neither tracks nor ignores."""
    run = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True,
                         text=True, check=False)
    return {line[3:] for line in run.stdout.splitlines() if line.startswith("?? ")}


def walk(timeout: float) -> int:
    """Run :func:`tour_steps` in order; returns how many ended with another exit code than
    the README states (a program the README calls optional and that is missing counts as
    skipped, not failed)."""
    wrong = 0
    before = _untracked()
    print(f"{'line':>4}  {'exit':>4}  {'want':>4}  {'measured':>9}  {'quoted':>10}  command", flush=True)
    for number, kind, text in tour_steps():
        code, _, comment = text.partition("  #") if kind == "bash" else (text, "", "")
        comment = comment.split("# test:")[0]
        want = int(m.group(1)) if (m := re.search(r"# exits (\d+)", text)) else 0
        quote = m.group(0) if kind == "bash" and (m := QUOTE.search(comment)) else ""
        if kind == "bash":
            program = code.split()[0]
            missing = program in {"drat-trim", "z3"} and shutil.which(program) is None
            if missing or program.startswith("examples/experiments/"):
                why = "not installed" if missing else "not run: a long script"
                print(f"{number:>4}  {'-':>4}  {want:>4}  {'-':>9}  {quote:>10}  {code.strip()}  ({why})")
                continue
            argv = ["bash", "-c", code]
        else:
            argv = [sys.executable, "-c", text]
        start = time.perf_counter()
        try:
            run = subprocess.run(argv, cwd=ROOT, capture_output=True, timeout=timeout)
            status = str(run.returncode)
            wrong += run.returncode != want
        except subprocess.TimeoutExpired:
            status, wrong = "stop", wrong + 1
        measured = time.perf_counter() - start
        shown = code.strip() if kind == "bash" else f"(python block, {text.count(chr(10)) + 1} lines)"
        print(f"{number:>4}  {status:>4}  {want:>4}  {measured:>8.1f}s  {quote:>10}  {shown}", flush=True)
    print(f"{wrong} command(s) ended otherwise than the README states")
    stray = sorted(_untracked() - before)
    print(f"left outside tour/: {', '.join(stray)}" if stray else "nothing left outside tour/")
    return wrong + len(stray)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="run only commands containing this text")
    parser.add_argument("--timeout", type=float, default=1200.0)
    parser.add_argument("--walk", action="store_true", help="run the whole tour in order (see the module doc)")
    args = parser.parse_args()
    if args.walk:
        sys.exit(1 if walk(args.timeout) else 0)
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
