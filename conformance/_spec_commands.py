"""``icss spec …``: read, check and export the standard from the command line."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from icss.spec import Catalogue, Indicator, load_catalogue, validate_spec

app = typer.Typer(help="Read, check and export the ICSS standard.", no_args_is_help=True)
_out = Console()
_err = Console(stderr=True)


@app.command()
def validate() -> None:
    """Check every spec file against its schema and the sanity rules; exit 1 on any problem."""
    problems = validate_spec()
    if problems:
        for problem in problems:
            _err.print(f"[red]✗[/red] {problem}", highlight=False)
        _err.print(f"[red]{len(problems)} problem(s) in the spec.[/red]")
        raise typer.Exit(1)
    cat = load_catalogue()
    _out.print(
        f"[green]✓[/green] ICSS {cat.version}: {len(cat.active())} active indicators, "
        f"{len(cat.profiles)} profiles, {len(cat.parameters)} parameters — all valid. ({cat.digest[:19]}…)"
    )


def _lookup(cat: Catalogue, indicator_id: str) -> Indicator:
    try:
        return cat.indicator(indicator_id.upper())
    except KeyError as exc:
        _err.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from None


@app.command()
def show(
    indicator_id: Annotated[str, typer.Argument(help="Indicator id, e.g. CP-01.")],
    profile: Annotated[str | None, typer.Option(help="Resolve parameters for this profile only.")] = None,
    lang: Annotated[str, typer.Option(help="zh, en or both.")] = "both",
) -> None:
    """Print one indicator with its parameters resolved for every profile (or one)."""
    cat = load_catalogue()
    ind = _lookup(cat, indicator_id)
    langs = ("zh", "en") if lang == "both" else (lang,)
    _out.print(f"[bold]{ind.id}[/bold]  level {ind.level} · {ind.obligation} · {ind.verification} · {ind.status}")
    for code in langs:
        _out.print(f"[bold]{ind.title.get(code)}[/bold]")
        _out.print(ind.statement.get(code), highlight=False)
    if ind.parameters:
        profiles = [cat.profile(profile)] if profile else list(cat.profiles.values())
        table = Table("parameter", *(p.id for p in profiles))
        for name in ind.parameters:
            table.add_row(name, *(_display(p.parameters[name].value) for p in profiles))
        _out.print(table)
    _out.print("[bold]References[/bold]")
    for ref in ind.references:
        _out.print(f"  • {ref.source} {ref.section} [{ref.jurisdiction}, {ref.status}]", highlight=False)
    if ind.operations:
        _out.print("[bold]Decided through[/bold] " + ", ".join(ind.operations))


def _display(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return str(value)


@app.command()
def stats() -> None:
    """Count indicators by area, level, obligation and verification method."""
    cat = load_catalogue()
    active = cat.active()
    table = Table("area", "", "total", "L1", "L2", "L3", "automated", "hybrid", "attested")
    for area in cat.areas:
        inds = [i for i in area.indicators if i.active]
        lv = Counter(i.level for i in inds)
        ver = Counter(i.verification for i in inds)
        table.add_row(
            area.id,
            area.title.en,
            str(len(inds)),
            *(str(lv[n]) for n in (1, 2, 3)),
            *(str(ver[v]) for v in ("automated", "hybrid", "attested")),
        )
    _out.print(table)
    probed = sum(i.probed for i in active)
    must = sum(i.obligation == "must" for i in active)
    _out.print(
        f"{len(active)} active · {must} must / {len(active) - must} should · "
        f"{probed} probed by the harness ({probed / max(len(active), 1):.0%})"
    )


def export_rows(cat: Catalogue, profile_id: str) -> list[dict[str, Any]]:
    """The active catalogue as flat records, parameters resolved for ``profile_id``."""
    profile = cat.profile(profile_id)
    rows = []
    for ind in cat.active():
        rows.append(
            {
                "id": ind.id,
                "area": ind.area,
                "level": ind.level,
                "obligation": ind.obligation,
                "verification": ind.verification,
                "title_zh": ind.title.zh,
                "title_en": ind.title.en,
                "statement_zh": ind.statement.zh,
                "statement_en": ind.statement.en,
                "parameters": {
                    name: {
                        "value": profile.parameters[name].value,
                        "basis": profile.parameters[name].basis,
                        "defined_in": profile.parameters[name].defined_in,
                    }
                    for name in ind.parameters
                },
                "references": [f"{r.source} {r.section} [{r.jurisdiction}, {r.status}]" for r in ind.references],
                "operations": list(ind.operations),
                "checks": list(ind.checks),
            }
        )
    return rows


@app.command()
def export(
    fmt: Annotated[Literal["json", "csv"], typer.Option("--format", help="json or csv.")] = "json",
    profile: Annotated[str, typer.Option(help="Profile whose parameter values are filled in.")] = "cn",
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Export the whole active catalogue, resolved for a profile."""
    cat = load_catalogue()
    try:
        rows = export_rows(cat, profile)
    except KeyError as exc:
        _err.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from None
    if fmt == "json":
        text = json.dumps(
            {"icss_version": cat.version, "spec_digest": cat.digest, "profile": profile, "indicators": rows},
            ensure_ascii=False,
            indent=2,
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        header = [k for k in rows[0] if k != "parameters"] + ["parameters"] if rows else []
        writer.writerow(header)
        for row in rows:
            params = "; ".join(f"{k}={_display(v['value'])}" for k, v in row["parameters"].items())
            writer.writerow(
                ["; ".join(row[k]) if isinstance(row[k], list) else row[k] for k in header if k != "parameters"]
                + [params]
            )
        text = buffer.getvalue()
    if out:
        out.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
        _err.print(f"wrote {len(rows)} indicators to {out}")
    else:
        typer.echo(text)
