"""The route registry: one :class:`Route` record per way of compiling a machine.

A route is its own module (the compiler, its exact token-count formula, its bound
constants) plus one line in :data:`ROUTES` below. The orchestrator
(:mod:`theorymodel.compile.pipeline`), the bounds (:mod:`proofs_check.certificates.bounds`), the
CLI's choices, the demo and the README's table read from here; nothing else names a
route. docs/extending.md has the recipe.
"""

from __future__ import annotations

from theorymodel.compile.circuit_route import ROUTE as CIRCUIT
from theorymodel.compile.route import DEFAULT_ROUTE, Route
from theorymodel.compile.tableau import ROUTE as TABLEAU
from theorymodel.compile.uniform import ROUTE as UNIFORM
from theorymodel.errors import UsageError

ROUTES: dict[str, Route] = {r.name: r for r in (TABLEAU, CIRCUIT, UNIFORM)}


__all__ = ["DEFAULT_ROUTE", "ROUTES", "Route", "get_route", "register"]


def get_route(name: str) -> Route:
    """The registered route called ``name``.

    Raises
    ------
    UsageError
        For an unknown name (exit 2), listing the routes.
    """
    try:
        return ROUTES[name]
    except KeyError:
        raise UsageError(f"unknown route {name!r}; routes are {', '.join(ROUTES)}") from None


def register(route: Route) -> Route:
    """Add a route at run time (a plug-in, or a test's toy route)."""
    ROUTES[route.name] = route
    return route
