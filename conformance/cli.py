"""The ``icss`` command: one entry point for the standard, the harness and its reports."""

from __future__ import annotations

import typer

from . import _spec_commands

app = typer.Typer(
    name="icss",
    help="ICSS — Intelligent Collection Service Specification (智能催收服务规范).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(_spec_commands.app, name="spec")


def main() -> None:
    """Console-script entry point."""
    app()
