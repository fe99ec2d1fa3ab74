"""What a command produces, before the CLI prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Report:
    """A sub-command's result: the JSON payload (``--json``), the text for people, the
    exit code (docs/contract.md, "Conventions") and, for a non-zero exit, one ``error:`` line."""

    payload: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    exit_code: int = 0
    message: str | None = None
