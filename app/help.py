"""``--help`` without Typer's type noise: no ``<bool>`` after flags, no ``<list[Path]>``, no
``{pdfs}...``, and docstrings re-flowed so the terminal wraps them, not the source file."""

from __future__ import annotations

import inspect
import re
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup


def _reflow(text: str | None) -> str | None:
    """Join the lines of each paragraph: the source's line breaks are not the terminal's."""
    if not text:
        return text
    paragraphs = re.split(r"\n\s*\n", inspect.cleandoc(text))
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def _tidy(param: Any) -> None:
    """Show a value's name (``DIR``, ``N``) only where one is expected; flags show nothing."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
    elif isinstance(param, TyperArgument):
        name = (param.metavar or param.name or "").upper()
        many = "..." if param.nargs != 1 else ""
        param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
        param._usage_display_name = lambda: (  # type: ignore[method-assign]
            f"{name}{many}" if param.required else f"[{name}]{many}"
        )
        param.metavar = f"{name}{many}"


class _Tidied:
    """What a command and the group both do to their help: text reflowed, metavars plain."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _reflow(self.help)  # type: ignore[attr-defined]
        for param in self.params:  # type: ignore[attr-defined]
            _tidy(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            _tidy(option)
        return option


class Command(_Tidied, TyperCommand):
    """A command whose ``--help`` reads cleanly."""


class Group(_Tidied, TyperGroup):
    """The ``citydocs`` group, its ``--help`` reading cleanly too."""
