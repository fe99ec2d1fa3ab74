"""Walk the README: every command and Python block of its tour runs, in order, and exits
with the code the README states.

How a README line becomes a test (docs/readme-tests.md says the same for writers):

- Every line of every ```bash block is a command; ```python blocks run whole, in order,
  in one namespace per block. Everything runs in one temporary folder, as in a fresh
  clone: a link ``examples`` to the repository's ``examples/`` (every input file the tour
  reads is in the checkout; no command names a file outside it) and ``XDG_CACHE_HOME``
  in that folder. Every file the tour writes goes under ``tour/`` (later commands read
  them there); after each step the folder holds nothing else (``TOUR_ROOT``).
- The set-up blocks (``python3 -m venv ...``) are not the tour: the second is ``.ci/run``
  itself, and the first one's ``theorymodel demo`` is run, with its numbers checked, by
  ``tests/test_cli_machines.py::test_demo``. ``pip install ...`` lines are skipped: the
  test runs on the environment it is given.
- A line's comment is split at ``#`` into segments; two segments are markers:
  - ``# test: OPTIONS``: the test runs the command with these options instead. Each
    ``--opt VALUE`` replaces the value of ``--opt`` in the command (or is added), and a
    bare ``--flag`` is added. It marks the commands that take longer than about 10 s:
    they run with smaller parameters, so that the whole file stays under a minute.
    ``# test: parse`` checks a script without running it: ``bash -n`` passes and every
    ``theorymodel`` command in it parses (the 3x3 runs take half an hour; the 4x4 one
    needs a GPU).
  - ``# exits N: why``: the command must exit with ``N`` (otherwise with 0).
- A comment that quotes JSON (``"steps": 6``) is checked against the ``--json`` output of
  a command run without a ``test:`` marker; a Python line whose comment starts with a
  literal (``# True``) checks the value of that expression.
- ``theorymodel ...`` runs in-process through ``theorymodel.cli.main``; ``python -m ...``
  and other programs run as subprocesses. Programs that the README calls optional
  (``drat-trim``, the ``z3`` binary) run when they are on PATH; without the ``z3`` binary
  its ``.smt2`` file is checked by z3's Python API, which must answer the same ``unsat``.
- The torch experiments (the block that starts with ``pip install -e '.[experiments]'``)
  are skipped only when torch cannot be imported.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# what the tour's folder may hold besides tour/: the examples link and the cache folder
TOUR_ROOT = {"tour", "examples", "cache"}
OPTIONAL_PROGRAMS = {"drat-trim", "z3"}


@dataclass
class Step:
    """One command or Python block of the README, with what the test expects of it."""

    kind: str  # "cli", "python-block", "subprocess", "script", "skip"
    text: str  # the README's line or block, as written
    line: int  # 1-based line number in README.md
    argv: list[str] = field(default_factory=list)
    exit_code: int = 0
    shrunk: bool = False
    comment: str = ""
    needs_torch: bool = False
    why: str = ""

    @property
    def id(self) -> str:
        words = self.text.split("#")[0].split() if self.kind != "python-block" else ["python"]
        return f"L{self.line}-" + "-".join(words[:4])[:60]


def split_comment(line: str) -> tuple[str, str]:
    """The code and the comment of a shell line (a ``#`` after whitespace, outside quotes)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i:]
    return line.rstrip(), ""


def markers(comment: str) -> tuple[str | None, int]:
    """The ``test:`` options and the expected exit code named in a comment."""
    options, code = None, 0
    for segment in comment.split("#"):
        segment = segment.strip()
        if segment.startswith("test:"):
            options = segment[len("test:"):].strip()
        elif m := re.match(r"exits (\d+)\b", segment):
            code = int(m.group(1))
    return options, code


def apply_options(argv: list[str], options: list[str]) -> list[str]:
    """``--opt VALUE`` replaces the value of ``--opt`` (or is appended); ``--flag`` is appended."""
    argv = list(argv)
    i = 0
    while i < len(options):
        opt = options[i]
        value = options[i + 1] if i + 1 < len(options) and not options[i + 1].startswith("--") else None
        i += 2 if value is not None else 1
        if opt in argv:
            if value is not None:
                argv[argv.index(opt) + 1] = value
        else:
            argv += [opt] if value is None else [opt, value]
    return argv


def command_step(code: str, comment: str, line: int, needs_torch: bool) -> Step:
    options, exit_code = markers(comment)
    argv = shlex.split(code)
    step = Step("cli", code, line, exit_code=exit_code, comment=comment, needs_torch=needs_torch)
    if argv[0] == "pip":
        step.kind, step.why = "skip", "an install line: the test runs on the environment it is given"
        return step
    if options == "parse":
        step.kind, step.argv = "script", argv
        return step
    if options:
        argv, step.shrunk = apply_options(argv, shlex.split(options)), True
    if argv[0] == "theorymodel":
        step.argv = argv[1:]
    elif argv[0] in ("python", "python3"):
        step.kind, step.argv = "subprocess", [sys.executable, *argv[1:]]
    else:
        step.kind, step.argv = "subprocess", argv
    return step


def readme_steps() -> list[Step]:
    """Every command and Python block of the README, in order."""
    steps: list[Step] = []
    lines = README.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"```(\w*)\s*$", lines[i])
        if not m or m.group(1) not in ("bash", "python"):
            i += 1
            continue
        start = i + 1
        end = start
        while not lines[end].startswith("```"):
            end += 1
        body = lines[start:end]
        if m.group(1) == "python":
            steps.append(Step("python-block", "\n".join(body), start + 1))
        else:
            needs_torch = bool(body) and body[0].startswith("pip install") and "experiments" in body[0]
            j = 0
            while j < len(body):
                first, text = j, body[j]
                while text.endswith("\\") and j + 1 < len(body):  # a continued line
                    j += 1
                    text = text[:-1] + " " + body[j].strip()
                j += 1
                code, comment = split_comment(text)
                if not code.strip():
                    continue
                if "python3 -m venv" in code:  # a set-up line, not the tour (see the docstring)
                    continue
                steps.append(command_step(code, comment, start + first + 1, needs_torch))
        i = end + 1
    return steps


STEPS = readme_steps()


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float


def _run_cli(argv: list[str]) -> Outcome:
    from theorymodel.cli import main

    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - t0)


def _run_subprocess(argv: list[str]) -> Outcome:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    return Outcome(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0)


def _check_script(argv: list[str]) -> Outcome:
    """``bash -n``, the executable bit, and every theorymodel command in it parses."""
    from theorymodel.cli import build_parser

    t0 = time.perf_counter()
    path = Path(argv[0])
    assert path.is_file() and os.access(path, os.X_OK), f"{path} is not an executable file"
    proc = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    loops = dict(re.findall(r"for (\w+) in ([^;\n]+);", text))
    parsed = 0
    for line in text.splitlines():
        line = line.strip()
        if "theorymodel experiment" not in line or line.startswith("#"):
            continue
        for var, values in loops.items():  # the loop's first value stands for the variable
            line = re.sub(r"\$\{?" + var + r"\}?", values.split()[0], line)
        words = shlex.split(split_comment(line)[0])
        words = words[words.index("theorymodel") + 1:]
        words = words[: next((k for k, w in enumerate(words) if w in (">", ">>", "|", "&&")), len(words))]
        build_parser().parse_args(words)
        parsed += 1
    assert parsed, f"no theorymodel command found in {path}"
    return Outcome(0, "", "", time.perf_counter() - t0)


def _run_python(source: str) -> Outcome:
    """Run a block; an expression statement with a literal comment (``# True``) is checked."""
    t0 = time.perf_counter()
    lines = source.splitlines()
    tree = ast.parse(source)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for node in tree.body:
        code = compile(ast.Module(body=[node], type_ignores=[]), "README.md", "exec")
        if isinstance(node, ast.Expr):
            value = eval(compile(ast.Expression(node.value), "README.md", "eval"), namespace)
            comment = split_comment(lines[node.lineno - 1])[1].lstrip("# ").split(" ")[0].rstrip(":,")
            with contextlib.suppress(ValueError, SyntaxError):
                expected = ast.literal_eval(comment)
                assert value == expected, f"{ast.unparse(node)} is {value!r}, the README says {expected!r}"
        else:
            exec(code, namespace)
    return Outcome(0, "", "", time.perf_counter() - t0)


def _check_smt2_with_z3_api(path: str) -> Outcome:
    import z3

    t0 = time.perf_counter()
    solver = z3.Solver()
    solver.from_file(path)
    return Outcome(0, f"{solver.check()}\n", "", time.perf_counter() - t0)


class Tour:
    """Runs the README's steps in order, each once; a step asked for runs its predecessors
    first, so a single test selected with ``-k`` finds the files it reads."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.results: dict[int, Outcome | str] = {}
        self.have_torch = _importable("torch")

    def result(self, index: int) -> Outcome | str:
        for k in range(index + 1):
            if k not in self.results:
                self.results[k] = self._run(STEPS[k])
        return self.results[index]

    def _run(self, step: Step) -> Outcome | str:
        if step.kind == "skip":
            return step.why
        if step.needs_torch and not self.have_torch:
            return "torch is not installed (pip install -e '.[experiments]')"
        if step.kind == "python-block":
            return _run_python(step.text)
        if step.kind == "script":
            return _check_script(step.argv)
        if step.kind == "cli":
            return _run_cli(step.argv)
        program = step.argv[0]
        if program in OPTIONAL_PROGRAMS and shutil.which(program) is None:
            if program == "z3":
                return _check_smt2_with_z3_api(step.argv[-1])
            return f"{program} is not installed (the README calls it optional)"
        return _run_subprocess(step.argv)


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("readme")
    (workdir / "examples").symlink_to(ROOT / "examples")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(workdir)
        mp.setenv("XDG_CACHE_HOME", str(workdir / "cache"))
        mp.setenv("MPLBACKEND", "Agg")
        yield Tour(workdir)


def test_the_readme_has_a_tour():
    kinds = {s.kind for s in STEPS}
    assert {"cli", "python-block", "subprocess"} <= kinds
    assert any(s.exit_code == 1 for s in STEPS)


@pytest.mark.parametrize("index", range(len(STEPS)), ids=[s.id for s in STEPS])
def test_readme_step(tour, index):
    step = STEPS[index]
    outcome = tour.result(index)
    if isinstance(outcome, str):
        pytest.skip(outcome)
    shown = f"README.md:{step.line}: {step.text}\n(ran {step.argv})\n--- stdout\n{outcome.out[-3000:]}" \
            f"\n--- stderr\n{outcome.err[-3000:]}"
    stray = sorted(p.name for p in tour.workdir.iterdir() if p.name not in TOUR_ROOT)
    assert not stray, f"{stray} written outside tour/ (by this step or an earlier one)\n{shown}"
    assert outcome.code == step.exit_code, f"exit {outcome.code}, the README says {step.exit_code}\n{shown}"
    status = re.match(r"# (s [A-Z]+|unsat)\b", step.comment)
    if step.kind == "subprocess" and status:  # a checker's status line, as the comment quotes it
        assert status.group(1) in outcome.out.splitlines(), shown
    if step.kind == "cli" and "--json" in step.argv and not step.shrunk:
        payload = json.loads(outcome.out)
        for key, value in re.findall(r'"([\w-]+)": ([^,)\s]+)', step.comment):
            assert json.dumps(payload.get(key)) == value, f'"{key}": {value} in the comment\n{shown}'


def test_markers_are_understood():
    code, comment = split_comment("theorymodel verify x --n 20 --route t   # all inputs  # test: --n 8")
    assert code == "theorymodel verify x --n 20 --route t" and markers(comment) == ("--n 8", 0)
    assert markers("# exits 1: the learned predictor is wrong") == (None, 1)
    assert apply_options(["verify", "--n", "20"], ["--n", "8", "--quick"]) == ["verify", "--n", "8", "--quick"]


def test_the_tour_runs_from_a_clone():
    """Every path a tour command names is in the checkout (``examples/``) or under
    ``tour/``: nothing outside the repository, nothing written beside it."""
    for step in STEPS:
        if step.kind in ("cli", "subprocess", "script"):
            words = shlex.split(split_comment(step.text)[0])
            named = [w for w in words if "/" in w and not w.startswith(("examples/", "tour/"))]
            assert not named, f"README.md:{step.line}: {named} is neither in examples/ nor under tour/"


def test_the_cli_reference_page_is_the_parsers_help(monkeypatch):
    """docs/cli.md is rendered from the parser by the mkdocs hook: every command's --help."""
    from theorymodel.cli import build_parser

    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "docs" / "hooks" / "cli_reference.py")
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    page = hook.on_page_markdown((ROOT / "docs" / "cli.md").read_text(encoding="utf-8"), None, None, None)
    assert hook.MARKER not in page
    monkeypatch.setenv("COLUMNS", str(hook.WIDTH))
    parsers = list(hook.walk(build_parser()))
    assert {p for p, _ in parsers} >= {(), ("verify",), ("experiment",), ("experiment", "multiply")}
    for path, parser in parsers:
        assert parser.format_help().rstrip() in page, f"theorymodel {' '.join(path)} --help is not on the page"
