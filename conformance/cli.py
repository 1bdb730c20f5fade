"""The ``icss`` command: one entry point for the standard, the harness and its reports."""

from __future__ import annotations

import typer

from . import _certify_commands, _evidence_commands, _scripts_commands, _spec_commands

app = typer.Typer(
    name="icss",
    help="ICSS — Intelligent Collection Service Specification (智能催收服务规范).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(_spec_commands.app, name="spec")
app.add_typer(_scripts_commands.app, name="scripts")
app.add_typer(_evidence_commands.app, name="evidence")
app.command()(_certify_commands.certify)
app.add_typer(_certify_commands.report_app, name="report")
app.command()(_certify_commands.keygen)
app.command()(_certify_commands.coverage)


def main() -> None:
    """Console-script entry point."""
    app()
