"""Compilers: Turing machine or circuit -> ``CoTProgram`` (docs/paper.md Thm 3.8).
Names load on first use (theorymodel/_lazy.py)."""

from typing import TYPE_CHECKING

from theorymodel._lazy import lazy_exports

if TYPE_CHECKING:
    from theorymodel.compile.geometry import Geometry
    from theorymodel.compile.pipeline import CompileResult, compile_target, resolve_target
    from theorymodel.program import Answer, CoTProgram

__all__ = ["Answer", "CoTProgram", "CompileResult", "Geometry", "compile_target", "resolve_target"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "Geometry": "theorymodel.compile.geometry", "CompileResult": "theorymodel.compile.pipeline",
    "compile_target": "theorymodel.compile.pipeline", "resolve_target": "theorymodel.compile.pipeline",
    "Answer": "theorymodel.program", "CoTProgram": "theorymodel.program",
})
