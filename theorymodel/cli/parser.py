"""The argparse parser of every command (one place, so --help and the docs agree)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator

from theorymodel.cli.benchmark import cmd_benchmark_chomsky
from theorymodel.cli.common import (
    _int_list,
    _n_range,
    _nonnegative_int,
    _Parser,
    _positive_float,
    _positive_int,
    _rate_list,
)
from theorymodel.cli.complexity import cmd_census, cmd_length
from theorymodel.cli.experiments import (
    cmd_demo,
    cmd_doctor,
    cmd_experiment_lengthgen,
    cmd_experiment_multiply,
    cmd_experiment_noise,
    cmd_experiment_samples,
    cmd_experiment_text,
    cmd_experiment_tradeoff,
)
from theorymodel.cli.learn import cmd_learn
from theorymodel.cli.machines import cmd_compile, cmd_list, cmd_run, cmd_show
from theorymodel.cli.verify import cmd_bound, cmd_counterexample, cmd_verify
from theorymodel.reporting import Report


# -- parser ---------------------------------------------------------------------------
class _Choices:
    """An argparse choice list read from a registry on first use (start-up stays cheap)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def _names(self) -> list[str]:
        import importlib

        return list(getattr(importlib.import_module(self.module), self.name))

    def __contains__(self, value: object) -> bool:
        return value in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


class _Help(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown where there is one (never "(default: None)"); examples kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or action.default is False or action.default == argparse.SUPPRESS:
            return action.help or ""
        return super()._get_help_string(action) or ""


OUT_HELP = "write DIR/verdict.json (with --uniform: DIR/uniform-verdict.json)"

# help for options that several commands share (one meaning per name)
SHARED_HELP = {
    "machine": "a bundled machine (theorymodel list), a machine file, Busy Beaver notation, or a .bench/.aag/.aig "
               "circuit",
    "--max-steps": "steps before the run stops (exit 3 when reached)",
    "--route": "how the machine's run becomes CoT tokens, one of: %(choices)s (docs/glossary.md)",
    "--time-bound": "T, the steps the run is unrolled for (default: the longest run of any input of length n, "
                    "by simulating every input)",
    "--output": "the answer: accept (one bit, the machine accepts) or tape (the tape's content when it halts)",
    "--format": "the machine file's format, one of: %(choices)s (default: told by suffix and content)",
    "--timeout": "seconds for the solver; exit 3 when spent",
    "--max-k": "the largest number of generated tokens tried (exit 3 past it)",
    "--export-linearlm": "also write the predictor in the paper's LinearModel layout (a dense .npz)",
    "--max-bytes": "refuse an export larger than this many bytes (exit 3)",
    "--learner": "the learner, one of: %(choices)s",
    "--device": "where torch runs: cpu or cuda",
    "--steps": "training steps",
    "--batch": "examples per training step",
    "--lr": "Adam's learning rate",
}
COMMAND_HELP: dict[tuple[str, ...], str] = {
    ("experiment", "samples", "targets"): "machines or named functions to learn (default: three machines)",
    ("experiment", "samples", "--n"): "input length",
    ("experiment", "samples", "--samples"): "training-set sizes M, comma-separated",
    ("experiment", "samples", "--route"): "CoT route of the machines, one of: %(choices)s (default: tableau; "
                                          "named functions use their minimal CoT unless a route is given)",
    ("experiment", "tradeoff", "--n"): "input bits of the parity",
    ("experiment", "tradeoff", "--k"): "token fan-ins K of the parity-K class, comma-separated",
    ("experiment", "noise", "target"): "the machine whose CoT is corrupted",
    ("experiment", "noise", "--n"): "input lengths, comma-separated",
    ("experiment", "noise", "--rates"): "label-noise rates, comma-separated, each in [0, 1)",
    ("experiment", "noise", "--samples"): "training inputs M",
    ("experiment", "noise", "--route"): "CoT route, one of: %(choices)s (default: tableau)",
    ("experiment", "multiply", "--digits"): "digits of each factor",
    ("experiment", "multiply", "--model"): "linear (the paper's LinearModel) or mlp (its MLP baseline)",
    ("experiment", "multiply", "--cot"): "the CoT format: paper (the paper's), fine (one digit product per token) "
                                         "or none (answer only)",
    ("experiment", "text", "--context"): "tokens of context the model reads",
}
EXAMPLES = {
    "run": ["theorymodel run binary_palindrome --input 0110", "theorymodel run bb4 --input ''"],
    "list": ["theorymodel list"],
    "show": ["theorymodel show binary_increment --picture increment.svg"],
    "compile": ["theorymodel compile parity --n 6 --route tableau --out out/",
                "theorymodel compile examples/circuits/c17.bench --export-linearlm c17.npz"],
    "verify": ["theorymodel verify parity --n 8", "theorymodel verify examples/circuits/c432.bench --n 36",
               "theorymodel verify binary_increment --uniform"],
    "counterexample": ["theorymodel counterexample out/predictor.npz parity --n 6",
                       "theorymodel counterexample c17.npz examples/circuits/c17.bench --n 5 --method sat"],
    "bound": ["theorymodel bound binary_palindrome --n 6"],
    "length": ["theorymodel length parity --n 5", "theorymodel length majority --n 3 --class b2"],
    "census": ["theorymodel census --n 4", "theorymodel census --n 5 --max-k 1", "theorymodel census --n 5 --max-k 2",
               "theorymodel census --n 5 --export census_n5.csv.gz",
               "theorymodel census --n 5 --check docs/data/census_n5.csv.gz",
               "theorymodel census --n 5 --sample 2000 --seed 0 --scheduler tcp://HEAD:8786"],
    "learn": ["theorymodel learn parity --n 12 --samples 1500",
              "theorymodel learn binary_increment --uniform --train-n 0..2"],
    "demo": ["theorymodel demo"],
    "doctor": ["theorymodel doctor"],
    "experiment": ["theorymodel experiment samples --n 8", "theorymodel experiment tradeoff --n 24"],
    "benchmark": ["theorymodel benchmark chomsky --out tour/chomsky/",
                  "theorymodel benchmark chomsky --tasks parity_check --train-n 0..4 --eval-lengths 41,64 --json"],
}


def _finish(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> None:
    """Fill in shared help texts and examples, walking every sub-command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                _finish(sub, (*path, name))
            continue
        key = action.option_strings[0] if action.option_strings else action.dest
        if action.help is None:
            action.help = COMMAND_HELP.get((*path, key)) or SHARED_HELP.get(key)
    if path and path[0] in EXAMPLES and not parser.epilog and len(path) == 1:
        parser.epilog = "examples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[path[0]])


def build_parser() -> argparse.ArgumentParser:
    from proofs_check.methods import DEFAULT_VERIFY_TIMEOUT, METHOD_HELP, METHODS
    from theorymodel import __version__
    from theorymodel.benchmarks import CHOMSKY_EVAL_LENGTHS, CHOMSKY_EVAL_SAMPLES, CHOMSKY_TOKEN_BUDGET
    from theorymodel.compile.route import DEFAULT_ROUTE
    from theorymodel.complexity.classes import CLASS_NAMES
    from theorymodel.machines.formats import FORMATS
    from theorymodel.machines.simulate import DEFAULT_MAX_STEPS

    # registries whose modules are heavy load only when their option is used or shown
    ROUTES = _Choices("theorymodel.compile.routes", "ROUTES")
    LEARNERS = _Choices("theorymodel.learn.learners", "LEARNERS")

    parser = _Parser(prog="theorymodel", description="Chain-of-thought learning theory, executable.")
    parser.add_argument("--version", action="version", version=f"theorymodel {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, func: Callable[[argparse.Namespace], Report], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, formatter_class=_Help)
        p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
        p.add_argument("--quiet", action="store_true", help="no progress display on stderr")
        p.set_defaults(func=func)
        return p

    p = add("run", cmd_run, "Run a Turing machine on one input (or every input of one length).")
    p.add_argument("machine", help="a machine file, Busy Beaver notation, or a bundled name")
    p.add_argument("--input", help="the input word (symbols concatenated, or space-separated)")
    p.add_argument("--max-steps", type=_nonnegative_int, default=DEFAULT_MAX_STEPS)
    p.add_argument("--trace", action="store_true", help="one configuration per step")
    p.add_argument("--format", choices=FORMATS, help="force the machine format")
    p.add_argument("--batch", type=_nonnegative_int, metavar="N",
                   help="run every input of length N; report T(N) and the step histogram")

    add("list", cmd_list, "List the bundled example machines.")

    p = add("show", cmd_show, "Show a machine's transition table; draw or convert it.")
    p.add_argument("machine")
    p.add_argument("--format", choices=FORMATS, help="force the input format")
    p.add_argument("--dot", metavar="FILE", help="write the state graph in Graphviz DOT")
    p.add_argument("--picture", metavar="FILE.svg", help="draw the state graph (svg without extras; png, pdf "
                                                         "with matplotlib)")
    p.add_argument("--write", metavar="FILE", help="write the machine (format from --to or the extension)")
    p.add_argument("--to", metavar="FMT", help="yaml|json|bb|morphett|tmsim|dot")

    p = add("compile", cmd_compile, "Compile a machine or circuit into CoT data and a linear predictor.")
    p.add_argument("machine", help="a MACHINE, or a .bench/.aag circuit file")
    p.add_argument("--n", type=_nonnegative_int, help="input length (machines)")
    p.add_argument("--route", metavar="ROUTE", choices=ROUTES, default=DEFAULT_ROUTE)
    p.add_argument("--time-bound", type=_nonnegative_int, metavar="T")
    p.add_argument("--width", type=_positive_int, metavar="W",
                   help="cells per row of the uniform route (default: the smallest that holds every run)")
    p.add_argument("--output", choices=["accept", "tape"])
    p.add_argument("--out", metavar="DIR", help="write cot.jsonl and predictor.npz")
    p.add_argument("--export-linearlm", metavar="FILE.npz",
                   help="the paper's LinearModel layout (the uniform route writes its one tile, docs/uniform.md)")
    p.add_argument("--context-length", type=_positive_int, metavar="C",
                   help="with --route uniform --export-linearlm: the positions the tile covers (default: the "
                        "prompt and the T rows at --n)")
    p.add_argument("--max-bytes", type=_nonnegative_int, default=2 * 1024**3)
    p.add_argument("--picture", metavar="FILE.svg",
                   help="draw the CoT of one input (--input) as a tableau: svg, or png/pdf with matplotlib")
    p.add_argument("--input", metavar="WORD", help="with --picture: the input (default: the first in order)")
    p.add_argument("--samples", type=_nonnegative_int, default=1 << 16,
                   help="cot.jsonl holds every input up to this many, else a seeded sample")
    p.add_argument("--seed", type=int, default=0, help="seed of every sample drawn")
    p.add_argument("--format", choices=FORMATS, help="force the machine format")

    p = add("verify", cmd_verify, "Prove the compiled predictor right on every input of length n.")
    p.add_argument("machine", help="a MACHINE, or a .bench/.aag circuit file; with --uniform, also a predictor "
                                   "file followed by its MACHINE")
    p.add_argument("target", nargs="?", help="with --uniform PRED.npz: the MACHINE it is checked against")
    p.add_argument("--n", type=_nonnegative_int, help="input length (machines)")
    p.add_argument("--uniform", action="store_true",
                   help="prove the uniform (time-invariant) rule for every input length (docs/uniform.md)")
    p.add_argument("--max-n", type=_nonnegative_int, default=8,
                   help="with --uniform: input lengths searched for a run reaching a failed triple")
    p.add_argument("--route", metavar="ROUTE", choices=ROUTES, default=DEFAULT_ROUTE)
    p.add_argument("--time-bound", type=_nonnegative_int, metavar="T")
    p.add_argument("--output", choices=["accept", "tape"])
    p.add_argument("--method", choices=METHODS, default="auto", help=METHOD_HELP)
    p.add_argument("--timeout", type=_positive_float, metavar="S", default=DEFAULT_VERIFY_TIMEOUT,
                   help=f"seconds for the whole check (default {DEFAULT_VERIFY_TIMEOUT:.0f}; exit 3 when spent, "
                        "naming the stage and the faster options)")
    p.add_argument("--out", metavar="DIR", help=OUT_HELP)
    p.add_argument("--smt2", metavar="DIR", help="write every z3 query as SMT-LIB2 (each should be unsat)")
    p.add_argument("--format", choices=FORMATS)

    p = add("counterexample", cmd_counterexample,
            "Find an input where a predictor file goes wrong, or prove there is none.")
    p.add_argument("predictor", help="predictor.npz, or a LinearModel-layout .npz")
    p.add_argument("target", help="a MACHINE or a .bench/.aag circuit")
    p.add_argument("--n", type=_nonnegative_int, help="input length (required unless --uniform)")
    p.add_argument("--uniform", action="store_true",
                   help="every input length: check the file is one shared table, prove it, or search inputs up to "
                        "--max-n for a replayed counterexample (docs/uniform.md)")
    p.add_argument("--max-n", type=_nonnegative_int, default=8, help="with --uniform: input lengths searched")
    p.add_argument("--time-bound", type=_nonnegative_int, metavar="T")
    p.add_argument("--method", choices=METHODS, default="auto", help=METHOD_HELP)
    p.add_argument("--timeout", type=_positive_float, metavar="S", default=DEFAULT_VERIFY_TIMEOUT,
                   help=f"seconds for the whole check (default {DEFAULT_VERIFY_TIMEOUT:.0f})")
    p.add_argument("--out", metavar="DIR", help=OUT_HELP)
    p.add_argument("--smt2", metavar="DIR", help="write every z3 query as SMT-LIB2 (each should be unsat)")
    p.add_argument("--format", choices=FORMATS)

    p = add("bound", cmd_bound, "Closed-form CoT lengths of every route, proved against the paper's forms.")
    p.add_argument("machine")
    p.add_argument("--n", type=_n_range, metavar="N|A..B",
                   help="input length, or a range (exact lengths from the formulas at the measured T and reach)")
    p.add_argument("--route", metavar="ROUTE", choices=ROUTES, help="one route (default: every route)")
    p.add_argument("--plot", metavar="FILE.png", help="plot the CoT length of each route over the --n range")
    p.add_argument("--time-bound", type=_nonnegative_int, metavar="T")
    p.add_argument("--output", choices=["accept", "tape"])
    p.add_argument("--format", choices=FORMATS)

    p = add("length", cmd_length, "Exact length complexity of a Boolean target, with witness and certificate.")
    p.add_argument("target", help="parity, majority, and, or, equality, inner-product, threshold-K, tt:<bits>, "
                                  "a .bench circuit or a decision machine")
    p.add_argument("--n", type=_n_range, required=True, metavar="N|A..B", help="input bits, or a range for a series")
    p.add_argument("--class", dest="cls", default="linear", help=f"one of {', '.join(CLASS_NAMES)}")
    p.add_argument("--max-k", type=_nonnegative_int, default=8)
    p.add_argument("--timeout", type=_positive_float, metavar="S")
    p.add_argument("--export-linearlm", metavar="FILE.npz")
    p.add_argument("--max-bytes", type=_nonnegative_int, default=2 * 1024**3)
    p.add_argument("--plot", metavar="FILE.png", help="plot exact values and bounds over the --n range")
    p.add_argument("--certificate", metavar="DIR",
                   help="write the lower bound's refuted query (DIMACS + DRAT proof, or SMT-LIB2 for linear) and "
                        "check it in fresh processes")
    p.add_argument("--smt2", metavar="DIR", help="class linear: write the refuted z3 query as SMT-LIB2 (checked)")

    p = add("census", cmd_census, "Length complexity of every Boolean function of n inputs, by NPN class.")
    p.add_argument("--n", type=_nonnegative_int, required=True, help="input length")
    p.add_argument("--class", dest="cls", default="linear",
                   help=f"an NPN-invariant class among {', '.join(CLASS_NAMES)} (linear, b2)")
    p.add_argument("--db", metavar="FILE", help="SQLite results file (default under the user cache directory)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask distributed scheduler to run the classes on")
    p.add_argument("--sample", type=_nonnegative_int, metavar="K",
                   help="solve K classes drawn at random and estimate the distribution over functions, with 95%% "
                        "intervals and the projected cost of the whole census")
    p.add_argument("--seed", type=_nonnegative_int, help="with --sample: the draw's seed (default 0)")
    p.add_argument("--class-timeout", type=_positive_float, metavar="S",
                   help="with --sample: seconds per class; a class that reaches it is stored as an interval")
    p.add_argument("--max-k", type=_nonnegative_int, metavar="1|2",
                   help="1: decide only length 1 for every class (the first layer, about a minute at n = 5); 2: "
                        "length 1, 2 and >= 3 for every class by composition, no per-class search (minutes at n = 5)")
    p.add_argument("--timeout", type=_positive_float, metavar="S",
                   help="seconds for the whole run (exit 3 past it; decided classes stay in the database)")
    p.add_argument("--layered", action="store_true",
                   help="class linear, n <= 5: lower bounds from the composition layer, one witness per class (the "
                        "default at n = 5; docs/census.md)")
    p.add_argument("--workers", type=_positive_int, metavar="K",
                   help="with the layered census: worker processes (default: the CPU count)")
    p.add_argument("--export", metavar="FILE",
                   help="after the layered census: write every class as CSV (.csv or .csv.gz; docs/census.md)")
    p.add_argument("--check", metavar="FILE",
                   help="re-check a census CSV in fresh processes: every witness re-simulated, every lower bound "
                        "re-derived (composition layer, threshold list, certificates); nothing is solved or stored")

    p = add("learn", cmd_learn, "Learn a linear next-token predictor from CoT samples and verify it.")
    p.add_argument("target", help="parity (cascade CoT), a named function or tt: (minimal CoT), a machine, "
                                  "a .bench circuit, or a cot.jsonl file")
    p.add_argument("--n", type=_nonnegative_int, help="input length")
    p.add_argument("--samples", type=_nonnegative_int, help="training inputs M (required unless --uniform)")
    p.add_argument("--uniform", action="store_true",
                   help="learn one shared (left, middle, right) table and prove it for every length (docs/uniform.md)")
    p.add_argument("--train-n", type=_n_range, metavar="A..B", help="with --uniform: training input lengths")
    p.add_argument("--max-n", type=_nonnegative_int,
                   help="with --uniform: lengths searched for a counterexample (default: B + 4)")
    p.add_argument("--learner", metavar="LEARNER", choices=LEARNERS, default="lp")
    p.add_argument("--no-cot", action="store_true", help="supervise the answer only (one generated token)")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="seed of every sample drawn")
    p.add_argument("--route", metavar="ROUTE", choices=ROUTES,
                   help="the CoT of a machine, one of: %(choices)s (default: tableau; a named function such as "
                        "parity learns from its minimal CoT unless a route is given)")
    p.add_argument("--time-bound", type=_nonnegative_int)
    p.add_argument("--method", choices=METHODS,
                   help="verification (default: exhaustive for machines up to 2^16 inputs, else auto); " + METHOD_HELP)
    p.add_argument("--timeout", type=_positive_float, metavar="S")
    p.add_argument("--jobs", type=_nonnegative_int, help="processes for independent positions")
    p.add_argument("--export-linearlm", metavar="FILE.npz")
    p.add_argument("--max-bytes", type=_nonnegative_int, default=2 * 1024**3)
    p.add_argument("--out", metavar="DIR",
                   help="write predictor.npz (with --uniform: DIR/uniform.npz, the proved tile file)")

    p = add("experiment", cmd_demo, "The paper's experiments: learning curves, trade-off, noise, ...")
    exp = p.add_subparsers(dest="experiment", required=True, parser_class=_Parser)

    def add_exp(name: str, func: Callable[[argparse.Namespace], Report], help_: str) -> argparse.ArgumentParser:
        q = exp.add_parser(name, help=help_, description=help_, formatter_class=_Help)
        q.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
        q.add_argument("--quiet", action="store_true", help="no progress display on stderr")
        q.add_argument("--seed", type=_nonnegative_int, default=0, help="seed of every sample drawn")
        q.add_argument("--plot", metavar="FILE.png|svg|pdf",
                       help=f"where to draw the results (default experiment_{name}.png)")
        q.add_argument("--no-plot", action="store_true", help="draw nothing")
        q.set_defaults(func=func)
        return q

    q = add_exp("samples", cmd_experiment_samples, "Test error against samples, with and without CoT.")
    q.add_argument("targets", nargs="*", default=["parity", "binary_palindrome", "zeros_then_ones"])
    q.add_argument("--n", type=_nonnegative_int, default=8)
    q.add_argument("--samples", type=_int_list, default=[25, 50, 100, 200])
    q.add_argument("--learner", metavar="LEARNER", choices=LEARNERS, default="lp")
    q.add_argument("--route", metavar="ROUTE", choices=ROUTES)
    q = add_exp("tradeoff", cmd_experiment_tradeoff, "K-parity tokens: CoT length against learning cost.")
    q.add_argument("--n", type=_nonnegative_int, default=24)
    q.add_argument("--s", type=_nonnegative_int, default=8, help="hidden parity size")
    q.add_argument("--k", type=_int_list, default=[2, 3, 4, 5, 8])
    q = add_exp("noise", cmd_experiment_noise, "Label noise in CoT tokens: roll-out error against CoT length.")
    q.add_argument("target", nargs="?", default="binary_palindrome")
    q.add_argument("--n", type=_int_list, default=[4, 6, 8])
    q.add_argument("--rates", type=_rate_list, default=[0.0, 0.01, 0.05])
    q.add_argument("--samples", type=_nonnegative_int, default=200)
    q.add_argument("--route", metavar="ROUTE", choices=ROUTES)

    q = add_exp("lengthgen", cmd_experiment_lengthgen,
                "Length generalisation: a tied (uniform) and an untied linear model trained by SGD on short CoTs; "
                "exact match at longer inputs, and the tied weights proved for every length.")
    q.add_argument("--machines", default="binary_increment,binary_palindrome,ternary_increment",
                   help="bundled machines, comma-separated")
    q.add_argument("--train-n", type=_nonnegative_int, default=6, help="train on every input of length 0..N")
    q.add_argument("--eval-n", type=_int_list, default=[6, 12, 24, 48], help="lengths where exact match is measured")
    q.add_argument("--eval-bits", type=_int_list, default=[8, 16, 32, 64],
                   help="arithmetic machines: operand sizes where the decoded answer is checked (100 pairs each)")
    q.add_argument("--steps", type=_positive_int, default=3000, help="Adam steps of the tied model (at most)")
    q.add_argument("--untied-steps", type=_positive_int, default=300, help="Adam steps of the untied model")
    q.add_argument("--untied-d", type=_positive_int, default=16, help="embedding width of the untied model")
    q.add_argument("--lr", type=float, default=0.05, help="the tied model's learning rate")
    q.add_argument("--max-n", type=_nonnegative_int, default=12,
                   help="when the proof fails: input lengths searched for a counterexample")
    q.add_argument("--out", metavar="DIR", help="keep the tied models' files (check them with verify --uniform)")
    q.add_argument("--device", choices=("cpu", "cuda"), default="cpu")

    def torch_flags(q: argparse.ArgumentParser, steps: int, d: int) -> None:
        q.add_argument("--steps", type=_nonnegative_int, default=steps)
        q.add_argument("--batch", type=_nonnegative_int, default=256)
        q.add_argument("--accumulate", type=_nonnegative_int, default=1, help="micro-batches per step")
        q.add_argument("--d", type=_nonnegative_int, default=d, help="embedding width")
        q.add_argument("--lr", type=float, default=1e-3)
        q.add_argument("--device", choices=("cpu", "cuda"), default="cpu")

    q = add_exp("multiply", cmd_experiment_multiply, "Train the paper's linear or MLP predictor on multiplication.")
    q.add_argument("--digits", type=_nonnegative_int, default=2)
    q.add_argument("--model", choices=("linear", "mlp"), default="linear")
    q.add_argument("--cot", choices=("paper", "fine", "none"), default="fine")
    q.add_argument("--eval-pairs", type=_positive_int, default=2000, help="held-out pairs decoded")
    q.add_argument("--checkpoint", metavar="FILE.pt", help="resume from and save to this file")
    torch_flags(q, 1500, 64)
    q = add_exp("text", cmd_experiment_text, "Train a linear language model; perplexity against n-gram baselines.")
    q.add_argument("--corpus", metavar="FILE.txt", help="UTF-8 text (default: Python's pydoc topics)")
    q.add_argument("--context", type=_nonnegative_int, default=64)
    torch_flags(q, 600, 32)

    p = add("benchmark", cmd_demo, "The field's benchmarks, run through the whole pipeline (docs/chomsky.md).")
    bench = p.add_subparsers(dest="benchmark", required=True, parser_class=_Parser)
    q = bench.add_parser("chomsky", formatter_class=_Help,
                         help="Delétang et al.'s 15 Chomsky-hierarchy tasks: learn each tied table, prove it for "
                              "every length, score it by the benchmark's protocol",
                         description="Delétang et al. (ICLR 2023), 15 length-generalisation tasks: for each, learn "
                                     "the tied table from the CoTs of short words, prove it for every length (or "
                                     "give a counterexample), and score the learned and the constructed table by "
                                     "the benchmark's protocol (docs/chomsky.md).")
    q.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    q.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    q.add_argument("--tasks", help="task names, comma-separated (default: all 15)")
    q.add_argument("--train-n", type=_n_range, metavar="A..B",
                   help="training word lengths for every task (default: each task's smallest proved L, 0..L)")
    q.add_argument("--samples", type=_positive_int, metavar="K",
                   help="train on K random words of those lengths (default: every word, or the task's stated sample)")
    q.add_argument("--learner", metavar="LEARNER", choices=LEARNERS, default="sgd")
    q.add_argument("--eval-lengths", type=_int_list, default=list(CHOMSKY_EVAL_LENGTHS),
                   help="test lengths (default: a grid over the benchmark's 41..500)")
    q.add_argument("--eval-samples", type=_positive_int, default=CHOMSKY_EVAL_SAMPLES,
                   help="inputs drawn by the task's sampler per test length")
    q.add_argument("--token-budget", type=_positive_int, default=CHOMSKY_TOKEN_BUDGET,
                   help="generated tokens one table may roll out per task; longer lengths are listed, not scored")
    q.add_argument("--method", choices=METHODS, default="auto", help="the proof's method (uniform lemma)")
    q.add_argument("--seed", type=_nonnegative_int, default=0, help="seed of the training sample and the test inputs")
    q.add_argument("--timeout", type=_positive_float, metavar="S", help="seconds for each proof")
    q.add_argument("--out", metavar="DIR", help="results.json, results.md, scores.svg and DIR/<task>.npz")
    q.set_defaults(func=cmd_benchmark_chomsky)

    add("demo", cmd_demo, "Run the pipeline on a bundled machine and print a short report.")
    add("doctor", cmd_doctor, "Versions of the solvers and libraries, the compiled simulator, the extras present.")
    _finish(parser)
    return parser
