"""Circuit file formats: ISCAS-85 ``.bench``, ASCII AIGER ``.aag``, Graphviz DOT, and
construction from sympy Boolean expressions.

``.bench`` extension for threshold and constant gates (written by us, read back)::

    G5 = THRESHOLD(2, 1*G1, 1*G2, -1*G3)     # 1 iff G1 + G2 - G3 >= 2
    G6 = CONST(1)
"""

from __future__ import annotations

import re
from pathlib import Path

import sympy
from sympy.logic import boolalg

from theorymodel.circuits.model import Circuit, Gate
from theorymodel.errors import CircuitError, FormatError, ResourceLimitError

MAX_WEIGHT = 1 << 40  # |threshold weight|: sums stay exact in int64 and in every solver


def _small_int(text: str, lineno: int) -> int:
    digits = text.strip().lstrip("+-").lstrip("0")
    if len(digits) > len(str(MAX_WEIGHT)):  # refused before int() reads it (Python caps that at 4300 digits)
        raise FormatError(f".bench line {lineno}: a weight of {len(digits)} digits is larger than 2^40 in magnitude")
    try:
        value = int(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise FormatError(f".bench line {lineno}: thresholds and weights are integers, got {shown!r}") from None
    if abs(value) > MAX_WEIGHT:
        raise FormatError(f".bench line {lineno}: weight {value} is larger than 2^40 in magnitude")
    return value


_BENCH_OPS = {"AND", "OR", "NAND", "NOR", "XOR", "XNOR", "NOT", "BUF", "BUFF", "THRESHOLD", "CONST"}
_LINE_IO = re.compile(r"^(INPUT|OUTPUT)\s*\(\s*([^()\s]+)\s*\)$", re.IGNORECASE)
_LINE_GATE = re.compile(r"^([^=\s]+)\s*=\s*([A-Za-z]+)\s*\((.*)\)$")


def parse_bench(text: str, *, name: str = "circuit") -> Circuit:
    """Read ISCAS-85 ``.bench`` (plus our THRESHOLD/CONST extension)."""
    inputs: list[str] = []
    outputs: list[str] = []
    gates: dict[str, Gate] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = _LINE_IO.match(line)
        if m:
            (inputs if m.group(1).upper() == "INPUT" else outputs).append(m.group(2))
            continue
        m = _LINE_GATE.match(line)
        if not m:
            raise FormatError(f".bench line {lineno}: cannot parse {line!r}")
        target, op, args = m.group(1), m.group(2).upper(), m.group(3)
        if op == "DFF":
            raise FormatError(f".bench line {lineno}: DFF found; only combinational circuits are supported")
        if op not in _BENCH_OPS:
            raise FormatError(f".bench line {lineno}: unknown gate type {m.group(2)!r}")
        if target in gates:
            raise FormatError(f".bench line {lineno}: {target!r} is defined twice")
        parts = [a.strip() for a in args.split(",") if a.strip()]
        try:
            if op == "CONST":
                if len(parts) != 1 or parts[0] not in ("0", "1"):
                    raise FormatError(f".bench line {lineno}: CONST takes 0 or 1")
                gates[target] = Gate("CONST", value=int(parts[0]))
            elif op == "THRESHOLD":
                if not parts:
                    raise FormatError(f".bench line {lineno}: THRESHOLD needs a threshold")
                weights, fanins = [], []
                for term in parts[1:]:
                    w, _, sig = term.partition("*")
                    if not sig:
                        raise FormatError(f".bench line {lineno}: threshold terms are weight*signal")
                    weights.append(_small_int(w, lineno))
                    fanins.append(sig.strip())
                gates[target] = Gate.threshold_gate(fanins, weights, _small_int(parts[0], lineno))
            else:
                gates[target] = Gate("BUF" if op == "BUFF" else op, tuple(parts))
        except ValueError:
            raise FormatError(f".bench line {lineno}: weights and thresholds are integers") from None
        except CircuitError as exc:
            raise FormatError(f".bench line {lineno}: {exc}") from None
    if not inputs and not gates:
        raise FormatError(".bench file defines no inputs and no gates")
    if not outputs:
        raise FormatError(".bench file declares no OUTPUT")
    return Circuit(inputs=inputs, gates=gates, outputs=outputs, name=name)


def to_bench(circuit: Circuit) -> str:
    lines = [f"# {circuit.name}"]
    lines += [f"INPUT({i})" for i in circuit.inputs]
    lines += [f"OUTPUT({o})" for o in circuit.outputs]
    for name, g in circuit.gates.items():
        if g.op == "CONST":
            lines.append(f"{name} = CONST({g.value})")
        elif g.op == "THRESHOLD":
            terms = "".join(f", {w}*{f}" for w, f in zip(g.weights, g.fanins, strict=True))
            lines.append(f"{name} = THRESHOLD({g.threshold}{terms})")
        else:
            lines.append(f"{name} = {g.op}({', '.join(g.fanins)})")
    return "\n".join(lines) + "\n"


# -- ASCII AIGER ----------------------------------------------------------------------
MAX_AAG = 10_000_000  # header counts
MAX_AIG_INPUTS = 1 << 16  # inputs of a binary AIGER file (declared by the header alone)
# AND gates of an AIGER file: binary AIGER packs one in 2 bytes, so a file under the 16 MiB
# read cap could declare 8 million, each parsed as a gate object (a million take minutes);
# the largest EPFL benchmark has 214,335
MAX_AIGER_ANDS = 1 << 18


def _check_and_count(n_and: int, kind: str) -> None:
    """Refuse (exit 3) an AIGER file whose header declares more AND gates than
    :data:`MAX_AIGER_ANDS`, before any gate is read."""
    if n_and > MAX_AIGER_ANDS:
        raise ResourceLimitError(f".{kind} declares {n_and:,} AND gates; the cap is {MAX_AIGER_ANDS:,}",
                                 limit="size-cap", details={"and_gates": n_and, "cap": MAX_AIGER_ANDS})


def _aiger_header(line: str, kind: str) -> tuple[int, int, int, int]:
    """``kind M I L O A`` of an AIGER file (ASCII ``aag`` or binary ``aig``): (M, I, O, A);
    latches are refused (combinational circuits only)."""
    header = line.split()
    if len(header) < 6 or header[0] != kind:
        raise FormatError(f".{kind} must start with '{kind} M I L O A'")
    try:
        if any(len(field) > 20 for field in header[1:6]):  # far beyond the cap: not read as a number at all
            raise FormatError(f".{kind} header fields must lie in 0..{MAX_AAG}")
        max_var, n_in, n_latch, n_out, n_and = map(int, header[1:6])
    except ValueError:
        raise FormatError(f".{kind} header fields must be integers") from None
    if min(max_var, n_in, n_latch, n_out, n_and) < 0 or max(max_var, n_in, n_out, n_and) > MAX_AAG:
        raise FormatError(f".{kind} header fields must lie in 0..{MAX_AAG}")
    if n_latch:
        raise FormatError(f".{kind} has latches; only combinational circuits are supported")
    return max_var, n_in, n_out, n_and


def parse_aag(text: str, *, name: str = "circuit") -> Circuit:
    """Read ASCII AIGER (combinational: no latches). Negated literals become NOT gates."""
    lines = text.splitlines()
    if not lines:
        raise FormatError(".aag file is empty")
    max_var, n_in, n_out, n_and = _aiger_header(lines[0], "aag")
    body = lines[1:]
    if len(body) < n_in + n_out + n_and:  # one line per input, output and AND gate
        raise FormatError(f".aag declares {n_in} inputs, {n_out} outputs and {n_and} AND gates, more than its "
                          f"{len(body)} lines after the header: the file is truncated")
    _check_and_count(n_and, "aag")

    def ints(line: str, count: int, where: int) -> list[int]:
        try:
            vals = [int(v) for v in line.split()]
        except ValueError:
            shown = line if len(line) <= 60 else line[:60] + "..."
            raise FormatError(f".aag line {where}: expected integers, got {shown!r}") from None
        if len(vals) != count or any(v < 0 for v in vals):
            raise FormatError(f".aag line {where}: expected {count} non-negative integers")
        return vals

    in_lits = [ints(body[k], 1, k + 2)[0] for k in range(n_in)]
    out_lits = [ints(body[n_in + k], 1, n_in + k + 2)[0] for k in range(n_out)]
    ands = [ints(body[n_in + n_out + k], 3, n_in + n_out + k + 2) for k in range(n_and)]
    symbols: dict[str, str] = {}
    for line in body[n_in + n_out + n_and:]:
        if line.strip() == "c":
            break
        m = re.match(r"^([io])(\d+)\s+(.+)$", line.strip())
        if m:
            symbols[f"{m.group(1)}{m.group(2)}"] = m.group(3)
    var_name: dict[int, str] = {}
    inputs = []
    for k, lit in enumerate(in_lits):
        if lit < 2 or lit % 2:
            raise FormatError(f".aag input literal {lit} must be even and >= 2")
        if lit // 2 in var_name:
            raise FormatError(f".aag input literal {lit} is defined twice")
        var_name[lit // 2] = symbols.get(f"i{k}", f"i{k}")
        inputs.append(var_name[lit // 2])
    for lhs, _, _ in ands:
        if lhs < 2 or lhs % 2:
            raise FormatError(f".aag and-gate literal {lhs} must be even and >= 2")
        if lhs // 2 in var_name:
            raise FormatError(f".aag variable {lhs // 2} is defined twice")
        var_name[lhs // 2] = f"a{lhs // 2}"
    used = [lit // 2 for lit in (*in_lits, *out_lits, *(v for a in ands for v in a))]
    if used and max(used) > max_var:
        raise FormatError(f".aag uses variable {max(used)}, more than the header's M = {max_var}")
    gates: dict[str, Gate] = {}

    def signal(lit: int) -> str:
        var = lit // 2
        if var == 0:
            cname = f"const{lit}"
            gates.setdefault(cname, Gate("CONST", value=lit))
            return cname
        if var not in var_name:
            raise FormatError(f".aag literal {lit} refers to undefined variable {var}")
        if lit % 2 == 0:
            return var_name[var]
        nname = f"n{var}"
        gates.setdefault(nname, Gate("NOT", (var_name[var],)))
        return nname

    for lhs, r0, r1 in ands:
        gates[var_name[lhs // 2]] = Gate("AND", (signal(r0), signal(r1)))
    outputs = []
    for k, lit in enumerate(out_lits):
        sig = signal(lit)
        label = symbols.get(f"o{k}")
        if label and label not in gates and label not in inputs:
            gates[label] = Gate("BUF", (sig,))
            sig = label
        outputs.append(sig)
    return Circuit(inputs=inputs, gates=gates, outputs=outputs, name=name)


def to_aag(circuit: Circuit) -> str:
    """Write ASCII AIGER: every gate is decomposed into 2-input ANDs and negations.

    AIGER has no threshold gate, so a circuit with THRESHOLD gates raises
    :class:`FormatError` (write ``.bench`` instead).
    """
    lit: dict[str, int] = {}
    next_var = 1
    for i in circuit.inputs:
        lit[i] = 2 * next_var
        next_var += 1
    ands: list[tuple[int, int, int]] = []

    def new_and(a: int, b: int) -> int:
        nonlocal next_var
        if a == 0 or b == 0:
            return 0
        if a == 1:
            return b
        if b == 1:
            return a
        out = 2 * next_var
        next_var += 1
        ands.append((out, a, b))
        return out

    def and_all(items: list[int]) -> int:
        acc = 1
        for it in items:
            acc = new_and(acc, it)
        return acc

    def xor2(a: int, b: int) -> int:
        return new_and(new_and(a, b) ^ 1, new_and(a ^ 1, b ^ 1) ^ 1)

    for name, g in circuit.gates.items():
        args = [lit[f] for f in g.fanins]
        if g.op == "CONST":
            out = g.value
        elif g.op == "BUF":
            out = args[0]
        elif g.op == "NOT":
            out = args[0] ^ 1
        elif g.op in ("AND", "NAND"):
            out = and_all(args) ^ (g.op == "NAND")
        elif g.op in ("OR", "NOR"):
            out = and_all([a ^ 1 for a in args]) ^ 1 ^ (g.op == "NOR")
        elif g.op in ("XOR", "XNOR"):
            out = 0
            for a in args:
                out = xor2(out, a) if out not in (0, 1) else (a if out == 0 else a ^ 1)
            out ^= g.op == "XNOR"
        else:
            raise FormatError("AIGER cannot express THRESHOLD gates; write .bench instead")
        lit[name] = out
    outs = [lit[o] for o in circuit.outputs]
    lines = [f"aag {next_var - 1} {len(circuit.inputs)} 0 {len(outs)} {len(ands)}"]
    lines += [str(lit[i]) for i in circuit.inputs]
    lines += [str(o) for o in outs]
    lines += [f"{a} {b} {c}" for a, b, c in ands]
    lines += [f"i{k} {i}" for k, i in enumerate(circuit.inputs)]
    lines += [f"o{k} {o}" for k, o in enumerate(circuit.outputs)]
    lines += ["c", circuit.name]
    return "\n".join(lines) + "\n"


# -- DOT --------------------------------------------------------------------------------
def to_dot(circuit: Circuit) -> str:
    def q(s: str) -> str:
        return '"' + s.replace('"', '\\"') + '"'

    lines = [f"digraph {q(circuit.name)} {{", "  rankdir=LR;"]
    for i in circuit.inputs:
        lines.append(f"  {q(i)} [shape=box];")
    for name, g in circuit.gates.items():
        label = g.op if g.op != "THRESHOLD" else f"≥{g.threshold}"
        if g.op == "CONST":
            label = str(g.value)
        lines.append(f"  {q(name)} [label={q(name + chr(10) + label)}];")
        for k, f in enumerate(g.fanins):
            attr = f" [label={q(str(g.weights[k]))}]" if g.op == "THRESHOLD" else ""
            lines.append(f"  {q(f)} -> {q(name)}{attr};")
    for k, o in enumerate(circuit.outputs):
        lines.append(f"  {q('out' + str(k))} [shape=plaintext]; {q(o)} -> {q('out' + str(k))};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- sympy ------------------------------------------------------------------------------
_SYMPY_OPS = {
    boolalg.And: "AND", boolalg.Or: "OR", boolalg.Not: "NOT", boolalg.Xor: "XOR",
    boolalg.Nand: "NAND", boolalg.Nor: "NOR", boolalg.Xnor: "XNOR",
}


def from_sympy(exprs, *, inputs=None, name: str = "circuit") -> Circuit:
    """Build a circuit from sympy Boolean expressions (one output per expression).

    ``exprs`` is one expression, a list, or a dict ``output name -> expression``.
    Shared sub-expressions become shared gates. Implies, Equivalent and ITE are
    rewritten into the basic gates. Walks the expression iteratively.
    """
    if isinstance(exprs, dict):
        items = list(exprs.items())
    elif isinstance(exprs, (list, tuple)):
        items = [(f"out{k}", e) for k, e in enumerate(exprs)]
    else:
        items = [("out0", exprs)]
    items = [(k, sympy.sympify(e)) for k, e in items]
    symbols = sorted({s for _, e in items for s in e.free_symbols}, key=str)
    if inputs is None:
        inputs = [str(s) for s in symbols]
    else:
        inputs = [str(s) for s in inputs]
        missing = {str(s) for s in symbols} - set(inputs)
        if missing:
            raise CircuitError(f"expression uses {sorted(missing)[0]!r}, not among the inputs")
    gates: dict[str, Gate] = {}
    node: dict[sympy.Basic, str] = {}

    def add(gate: Gate) -> str:
        gname = f"g{len(gates)}"
        gates[gname] = gate
        return gname

    def lower(e: sympy.Basic) -> sympy.Basic:
        if isinstance(e, boolalg.Implies):
            return boolalg.Or(boolalg.Not(e.args[0], evaluate=False), e.args[1], evaluate=False)
        if isinstance(e, boolalg.Equivalent):
            a = e.args
            if len(a) == 2:
                return boolalg.Xnor(a[0], a[1], evaluate=False)
            return boolalg.And(*[boolalg.Xnor(a[0], b, evaluate=False) for b in a[1:]], evaluate=False)
        if isinstance(e, boolalg.ITE):
            c, t, f = e.args
            return boolalg.Or(boolalg.And(c, t, evaluate=False),
                              boolalg.And(boolalg.Not(c, evaluate=False), f, evaluate=False),
                              evaluate=False)
        return e

    for _, root in items:
        stack = [(root, False)]
        while stack:
            e, expanded = stack.pop()
            if e in node:
                continue
            if isinstance(e, sympy.Symbol):
                node[e] = str(e)
                continue
            if e in (sympy.true, sympy.false):
                node[e] = add(Gate("CONST", value=int(bool(e))))
                continue
            low = lower(e)
            if low is not e:
                if expanded:
                    node[e] = node[low]
                else:
                    stack += [(e, True), (low, False)]
                continue
            op = _SYMPY_OPS.get(type(e))
            if op is None:
                raise CircuitError(f"unsupported sympy Boolean function {type(e).__name__}")
            if not expanded:
                stack.append((e, True))
                stack += [(a, False) for a in e.args]
                continue
            node[e] = add(Gate(op, tuple(node[a] for a in e.args)))
    outputs = []
    for out_name, e in items:
        sig = node[e]
        if out_name not in gates and out_name not in inputs:
            gates[out_name] = Gate("BUF", (sig,))
            sig = out_name
        outputs.append(sig)
    return Circuit(inputs=inputs, gates=gates, outputs=outputs, name=name)


def parse_aig(data: bytes, *, name: str = "circuit") -> Circuit:
    """Read binary AIGER (``aig M I L O A``, what py-aiger and ABC write): inputs are
    implicit, outputs are ASCII lines, and each AND gate is two variable-length deltas
    ``lhs - rhs0`` and ``rhs0 - rhs1``. It is rewritten as ASCII AIGER and read by
    :func:`parse_aag`, so both share every check."""
    end = data.find(b"\n")
    if end < 0:
        raise FormatError(".aig file has no header line")
    try:
        header = data[:end].decode("ascii")
    except UnicodeDecodeError:
        raise FormatError(".aig header is not ASCII") from None
    max_var, n_in, n_out, n_and = _aiger_header(header, "aig")
    if n_in > MAX_AIG_INPUTS:  # inputs take no bytes in binary AIGER: only this cap bounds them
        raise ResourceLimitError(f".aig declares {n_in} inputs; the cap is {MAX_AIG_INPUTS}", limit="size-cap",
                                 details={"inputs": n_in, "cap": MAX_AIG_INPUTS})
    pos = end + 1
    if 2 * (n_out + n_and) > len(data) - pos:  # each output line and each AND gate takes at least two bytes
        raise FormatError(f".aig declares {n_out} outputs and {n_and} AND gates, more than its "
                          f"{len(data) - pos} bytes after the header can hold")
    _check_and_count(n_and, "aig")
    outputs = []
    for _ in range(n_out):
        nl = data.find(b"\n", pos)
        if nl < 0:
            raise FormatError(".aig file is truncated in its outputs")
        outputs.append(data[pos:nl].decode("ascii", "replace").strip())
        pos = nl + 1

    def varint() -> int:
        nonlocal pos
        value, shift = 0, 0
        while True:
            if pos >= len(data):
                raise FormatError(".aig file is truncated in its AND gates")
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
            if shift > 63:
                raise FormatError(".aig has a delta longer than 64 bits")

    ands = []
    for k in range(n_and):
        lhs = 2 * (n_in + k + 1)
        rhs0 = lhs - varint()
        rhs1 = rhs0 - varint()
        if rhs0 < 0 or rhs1 < 0:
            raise FormatError(f".aig AND gate {lhs} has a negative operand")
        ands.append(f"{lhs} {rhs0} {rhs1}")
    rest = data[pos:].decode("utf-8", "replace")
    lines = [f"aag {max_var} {n_in} 0 {n_out} {n_and}", *(str(2 * (i + 1)) for i in range(n_in)), *outputs, *ands]
    return parse_aag("\n".join(lines) + "\n" + rest, name=name)


def load_circuit(path: str | Path) -> Circuit:
    """Read a ``.bench``, ``.aag`` or binary ``.aig`` file (binary AIGER is also told by its
    ``aig`` header, whatever the file is called)."""
    from theorymodel.io import MAX_FILE_BYTES, read_bytes
    from theorymodel.machines.formats import read_text

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".aig" or suffix not in (".bench", ".aag"):
        data = read_bytes(p, cap=MAX_FILE_BYTES)
        if suffix == ".aig" or data.startswith(b"aig "):
            return parse_aig(data, name=p.stem)
    text = read_text(p)
    if suffix == ".bench":
        return parse_bench(text, name=p.stem)
    if suffix == ".aag":
        return parse_aag(text, name=p.stem)
    raise FormatError(f"{p}: circuit files are .bench, .aag or .aig")


def is_circuit_path(spec: str) -> bool:
    if Path(spec).suffix.lower() in (".bench", ".aag", ".aig"):
        return True
    try:  # binary AIGER under another name: told by its header
        with open(spec, "rb") as fh:
            return Path(spec).is_file() and fh.read(4) == b"aig "
    except OSError:
        return False
