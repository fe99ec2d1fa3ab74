"""Compilers: Turing machine or circuit -> ``CoTProgram`` (docs/paper.md Thm 3.8)."""

from theorymodel.compile.geometry import Geometry
from theorymodel.compile.pipeline import CompileResult, compile_target, resolve_target
from theorymodel.program import Answer, CoTProgram

__all__ = ["Answer", "CoTProgram", "CompileResult", "Geometry", "compile_target", "resolve_target"]
