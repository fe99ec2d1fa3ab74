"""sympy closed forms of the compilers' CoT lengths, and proofs that they meet the
paper's forms (poly(T) for machines; one token per gate for circuits).

The exact length of each route is a sympy expression in ``n, T, L, R`` (L, R the head's
reach, S = L + R + 1 the tape width it uses) with the machine's ``|Q|`` and ``|Γ|``
substituted. It is checked against the built program, then proved ``<= c*T*S + k*n``
and ``<= c'*T**2 + k*n`` for every admissible integer value (T >= 1, 0 <= L, R <= T,
n >= 0), with the constants shown.

The proof: the closed form is a piecewise polynomial (its pieces are where T <= L,
T <= R, or not). On each piece the variables are rewritten as sums of fresh
non-negative integers, and the bound minus the formula is expanded in the basis of
falling factorials ``x(x-1)...(x-j+1)``, which are >= 0 at non-negative integers; all
coefficients >= 0 proves the inequality on that piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

import sympy

from theorymodel.compile.geometry import G_, L_, NATURAL_WIDTH, Q_, R_, T_, W_, n_
from theorymodel.compile.routes import get_route
from theorymodel.errors import ResourceLimitError, UsageError, input_space

MAX_SERIES = 1000  # lengths in one ``bound --n A..B`` range

S_ = sympy.Symbol("S", integer=True, positive=True)


def _falling_coefficients_nonnegative(poly_expr: sympy.Expr, variables: list[sympy.Symbol]) -> bool:
    """True when every coefficient in the falling-factorial basis is >= 0 (so the
    polynomial is >= 0 at all non-negative integers)."""
    expr = sympy.expand(poly_expr)
    if expr.free_symbols - set(variables):
        return False
    if not variables or expr.is_number:
        return bool(expr >= 0)
    poly = sympy.Poly(expr, *variables)
    falling: dict[tuple[int, ...], sympy.Rational] = {}
    for monom, coeff in poly.terms():
        # x^k = sum_j S(k, j) x^(j falling): Stirling numbers of the second kind, all >= 0
        expansions = [[(j, sympy.functions.combinatorial.numbers.stirling(k, j)) for j in range(k + 1)]
                      for k in monom]
        for combo in product(*expansions):
            key = tuple(j for j, _ in combo)
            weight = sympy.Integer(1)
            for _, s in combo:
                weight *= s
            if weight:
                falling[key] = falling.get(key, 0) + coeff * weight
    return all(c >= 0 for c in falling.values())


def _pieces() -> list[tuple[dict, list[sympy.Symbol]]]:
    """Substitutions covering every admissible (T, L, R, n) by fresh variables >= 0."""
    u, a, b, d, lo, r = sympy.symbols("u a b d l r", integer=True, nonnegative=True)
    return [
        ({L_: u + 1, R_: u + 1, T_: u + 1}, [u, n_]),                      # L = R = T
        ({L_: lo, R_: lo + 1 + a, T_: lo + 1 + a}, [lo, a, n_]),               # L < T = R
        ({L_: r + 1 + a, R_: r, T_: r + 1 + a}, [r, a, n_]),               # R < T = L
        ({L_: lo, R_: lo + d, T_: lo + d + 1 + b}, [lo, d, b, n_]),            # L <= R < T
        ({L_: r + d + 1, R_: r, T_: r + d + 2 + b}, [r, d, b, n_]),        # R < L < T
    ]


def prove_upper_bound(formula: sympy.Expr, bound: sympy.Expr) -> bool:
    """formula <= bound for all integers T >= 1, 0 <= L, R <= T, n >= 0 (sufficient test)."""
    for subs, variables in _pieces():
        diff = sympy.piecewise_fold((bound - formula).subs(subs, simultaneous=True))
        if not _nonnegative(diff, variables, depth=4):
            return False
    return True


def _nonnegative(expr: sympy.Expr, variables: list[sympy.Symbol], depth: int) -> bool:
    """expr >= 0 at every non-negative integer point. A piece condition the falling-
    factorial test cannot decide is split on one of its variables: v = 0, or v = v' + 1."""
    expr = sympy.piecewise_fold(expr)
    for p in expr.atoms(sympy.Piecewise):
        for value, cond in p.args:
            if _always(cond, variables):
                expr = expr.xreplace({p: value})
                break
            if _never(cond, variables):
                continue
            if depth == 0:
                return False
            v = sorted(cond.free_symbols & set(variables), key=str)[0]
            w = sympy.Symbol(v.name + "_", integer=True, nonnegative=True)
            rest = [x for x in variables if x != v]
            return (_nonnegative(expr.subs(v, 0), rest, depth - 1)
                    and _nonnegative(expr.subs(v, w + 1), [*rest, w], depth - 1))
        else:
            return False
        return _nonnegative(expr, variables, depth)
    return _falling_coefficients_nonnegative(expr, variables)


def _always(cond: sympy.Basic, variables) -> bool:
    if cond == sympy.true:
        return True
    if cond == sympy.false:
        return False
    if isinstance(cond, (sympy.LessThan, sympy.StrictLessThan, sympy.GreaterThan, sympy.StrictGreaterThan)):
        diff = sympy.expand(cond.gts - cond.lts)  # gts >= lts
        if isinstance(cond, (sympy.StrictLessThan, sympy.StrictGreaterThan)):
            diff -= 1
        return _falling_coefficients_nonnegative(diff, variables)
    return False


def _never(cond: sympy.Basic, variables) -> bool:
    if cond == sympy.false:
        return True
    if isinstance(cond, (sympy.LessThan, sympy.StrictLessThan, sympy.GreaterThan, sympy.StrictGreaterThan)):
        return _always(cond.negated, variables)
    return False


@dataclass
class RouteBound:
    route: str
    cot_tokens: int
    formula: sympy.Expr
    formula_light_cone: sympy.Expr
    bounds: dict[str, tuple[sympy.Expr, bool]]
    matches_build: bool

    def to_json(self) -> dict:
        ts_bound, ts_holds = self.bounds["T*S"]
        t2_bound, t2_holds = self.bounds["T^2"]
        return {
            "cot_tokens": self.cot_tokens,
            "formula": str(self.formula),
            "formula_light_cone": str(self.formula_light_cone),
            "bound": str(ts_bound),
            "holds": bool(ts_holds and t2_holds),
            "bounds": {"T*S": {"bound": str(ts_bound), "holds": ts_holds},
                       "T^2": {"bound": str(t2_bound), "holds": t2_holds}},
            "matches_build": self.matches_build,
            "paper_form": "poly(T): O(T*S) <= O(T^2)",
        }


def route_bound(route: str, output: str, n_states: int, n_symbols: int) -> tuple[sympy.Expr, dict]:
    """The route's formula (machine constants substituted) and its two proved bounds."""
    chosen = get_route(route)  # an unknown route is refused, never treated as another
    # a fixed-width route's W is its natural width here: the smallest that holds the run
    f = chosen.formula(output).subs({Q_: n_states, G_: n_symbols, W_: NATURAL_WIDTH})
    # the answer window's Max(R, n - 1) <= R + n: bound it first (stated in the output)
    f_upper = f.replace(sympy.Max, lambda *args: sum(sympy.Max(a, 0) for a in args)).subs(
        sympy.Max(n_ - 1, 0), n_)
    f_upper = f_upper.replace(sympy.Max, lambda a, b: a)
    c, k = chosen.bound_constants(n_states, n_symbols)
    # fixed-width rows also span the whole input, which the head may never read: width S + n
    extra = n_ if chosen.window_holds_input else 0
    S = L_ + R_ + 1
    bound_ts = c * T_ * (S + extra) + k * n_
    bound_t2 = 3 * c * T_ * (T_ + extra) + k * n_
    holds_ts = prove_upper_bound(f_upper, bound_ts)
    holds_t2 = prove_upper_bound(f_upper, bound_t2)
    shown = {"T*S": (c * T_ * (S_ + extra) + k * n_, holds_ts), "T^2": (3 * c * T_ * (T_ + extra) + k * n_, holds_t2)}
    return f, shown


def bound_report(target: Any, n_range: tuple[int, int] | None, *, routes: list[str] | None = None,
                 time_bound: int | None = None, output: str | None = None, plot: str | None = None
                 ) -> tuple[dict[str, Any], str, bool]:
    """``theorymodel bound``: per route, the exact CoT length (the build counted against the
    formula at the last n), and the two bounds proved for every admissible value; over a
    range of n, the formula's value at each n's measured T and reach (and a plot).

    Returns (payload, text, every bound holds and every build matches its formula).
    """
    from theorymodel.circuits import Circuit
    from theorymodel.compile.geometry import evaluate_formula
    from theorymodel.compile.pipeline import MAX_ENUMERATED_INPUTS, compile_target, measure
    from theorymodel.compile.routes import ROUTES

    if isinstance(target, Circuit):
        res = compile_target(target, n=None, route="circuit")
        gates = res.program.meta["gates"]
        copies = res.program.cot_tokens - gates
        circuit = {"machine": target.name, "n": len(target.inputs), "time_bound": None, "routes": {"circuit": {
            "cot_tokens": res.program.cot_tokens, "formula": f"{gates} + {copies}",
            "bound": "gates + outputs read by other gates", "holds": res.program.cot_tokens == gates + copies,
            "paper_form": "one token per threshold gate (Thm 3.8)"}}}
        return circuit, (f"{target.name}: {res.program.cot_tokens} CoT tokens = {gates} threshold gates"
                         f" + {copies} output copies"), True
    if n_range is None:
        raise UsageError("--n is required for a machine")
    names = routes or list(ROUTES)
    lo, hi = n_range
    # refused before any input is run: a range of more lengths than a table shows, or a last
    # length whose inputs cannot be enumerated (nor counted) without a time bound
    if hi - lo + 1 > MAX_SERIES:
        raise ResourceLimitError(f"--n {lo}..{hi} asks for {hi - lo + 1} lengths; the cap is {MAX_SERIES}",
                                 limit="size-cap", details={"lengths": hi - lo + 1, "cap": MAX_SERIES})
    count = input_space(len(target.input_symbols), hi)
    if time_bound is None and count > MAX_ENUMERATED_INPUTS:
        from theorymodel.compile.pipeline import enumeration_limit

        raise enumeration_limit(len(target.input_symbols), hi, count)
    Q, G = len(target.states), len(target.tape_symbols)
    series = []
    for n in range(lo, hi):  # the range's other lengths: formulas at the measured geometry
        geometry, _ = measure(target, n, time_bound, 1_000_000)
        out = output or ("accept" if target.final_states else "tape")
        series.append({"n": n, "T": geometry.T, **{r: evaluate_formula(get_route(r).formula(out), geometry, Q, G)
                                                   for r in names}})
    result: dict[str, dict[str, Any]] = {}
    time_bound_n = 0
    for route in names:
        res = compile_target(target, n=hi, route=route, time_bound=time_bound, output=output)
        g = res.machine_geometry
        time_bound_n = g.T
        formula, bounds = route_bound(route, res.program.meta["output"], Q, G)
        value = evaluate_formula(formula, g, Q, G)
        ts, ts_ok = bounds["T*S"]
        t2, t2_ok = bounds["T^2"]
        result[route] = {
            "cot_tokens": res.program.cot_tokens,
            "formula": str(formula),
            "bound": str(ts),
            "holds": bool(ts_ok and t2_ok),
            "bounds": {"T*S": {"bound": str(ts), "holds": ts_ok}, "T^2": {"bound": str(t2), "holds": t2_ok}},
            "formula_value": value,
            "matches_build": value == res.program.cot_tokens,
            "reach": {"L": g.L, "R": g.R, "S": g.width},
            "paper_form": "poly(T): O(T*S) <= O(T^2) tokens" if not get_route(route).window_holds_input
            else "poly(T, n): O(T*(S+n)) tokens (rows span the input)",
            **({"width": g.row_width} if get_route(route).window_holds_input else {}),
        }
    series.append({"n": hi, "T": time_bound_n, **{r: result[r]["cot_tokens"] for r in names}})
    payload: dict[str, Any] = {"machine": target.name, "n": hi if lo == hi else [lo, hi], "time_bound": time_bound_n,
                               "routes": result}
    if lo != hi:
        payload["series"] = series
    lines = [f"{target.name}, n = {hi}, T = {time_bound_n}"]
    for route, r in result.items():
        lines.append(f"  {route:8} {r['cot_tokens']:>10,} tokens = formula ({r['matches_build']}); "
                     f"<= {r['bounds']['T*S']['bound']} ({r['bounds']['T*S']['holds']}), "
                     f"<= {r['bounds']['T^2']['bound']} ({r['bounds']['T^2']['holds']})")
    if lo != hi:
        lines.append("  n    T  " + "  ".join(f"{r:>10}" for r in names))
        lines += [f"  {row['n']:<3} {row['T']:>4}  " + "  ".join(f"{row[r]:>10,}" for r in names) for row in series]
    if plot:
        from theorymodel.plotting import plot_rows

        rows = [{"n": row["n"], "route": r, "cot_tokens": row[r]} for row in series for r in names]
        plot_rows(rows, "n", "cot_tokens", ["route"], plot, title=f"{target.name}: CoT tokens per route", logy=True)
        payload["written"] = [plot]
    holds = all(r["holds"] and r["matches_build"] for r in result.values())
    return payload, "\n".join(lines), holds
