"""``icss certify``, ``icss report verify|diff`` and ``icss keygen``: the harness's command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from icss.spec import load_catalogue

from ._attestations import AttestationFileError, load_attestations
from ._embedded import connect
from ._outcomes import Outcome
from ._report import ReportVerificationError, diff_reports, generate_key, verify_report, write_report
from ._runner import RunConfig, RunResult, run

_out = Console()
_err = Console(stderr=True)
_COLOURS = {
    "pass": "green",
    "fail": "red",
    "error": "yellow",
    "skipped": "grey50",
    "not-applicable": "grey50",
    "attested": "blue",
}


def _summary(result: RunResult) -> Table:
    table = Table(
        "area",
        *(o.value for o in Outcome),
        title=f"ICSS {result.catalogue.version} · {result.config.profile} · level {result.config.level} claimed",
    )
    for area in result.catalogue.areas:
        mine = [r for r in result.indicators if r.indicator.area == area.id]
        counts = [sum(r.outcome is o for r in mine) for o in Outcome]
        table.add_row(
            area.id, *(f"[{_COLOURS[o.value]}]{n}[/]" if n else "·" for o, n in zip(Outcome, counts, strict=True))
        )
    return table


def certify(
    target: Annotated[
        str | None,
        typer.Option(help="Base URL of the service (without /icss/v1). Default: start the embedded reference."),
    ] = None,
    profile: Annotated[str, typer.Option(help="Jurisdiction profile to certify against.")] = "cn",
    level: Annotated[int, typer.Option(min=1, max=3, help="Level claimed.")] = 1,
    credentials: Annotated[
        Path | None,
        typer.Option(
            help="JSON file with the admin client {client_id, client_secret} that may create sandbox tenants."
        ),
    ] = None,
    attestations: Annotated[
        Path | None, typer.Option(help="Attestations file (YAML or JSON, spec/schemas/attestations.schema.json).")
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Folder for report.json, report.html, junit.xml and the signed manifest.")
    ] = Path("reports/latest"),
    workers: Annotated[int, typer.Option(min=1, max=32, help="Checks run in parallel.")] = 2,
    timeout: Annotated[float, typer.Option(help="Seconds allowed for each request.")] = 10.0,
    signing_key: Annotated[
        Path | None, typer.Option(help="The association's Ed25519 key (icss keygen); without it a per-run key signs.")
    ] = None,
) -> None:
    """Certify a target against a profile and level; exit 0 only when the claimed level is achieved."""
    try:
        load_catalogue().profile(profile)
    except KeyError as exc:
        _err.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from None
    try:
        attested = load_attestations(attestations) if attestations else {}
    except AttestationFileError as exc:
        _err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if target is None:
        _err.print("starting the embedded ICSS reference service …")
    with connect(target, credentials, timeout=timeout) as conn:
        config = RunConfig(
            target=conn.target,
            profile=profile,
            level=level,
            credentials=conn.credentials,
            attestations=attested,
            workers=workers,
            embedded=conn.embedded,
        )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_err,
            transient=True,
        ) as progress:
            task = progress.add_task("checks", total=None)

            def listener(event: str, data: Any) -> None:
                if event == "start":
                    progress.update(task, total=data["checks"])
                elif event == "check":
                    progress.update(task, completed=data["done"], description=f"{data['name']} → {data['outcome']}")

            result = run(config, listener)
        doc = write_report(result, out, signing_key)
    _out.print(_summary(result))
    failing = [
        r
        for r in result.indicators
        if r.outcome in (Outcome.FAIL, Outcome.ERROR)
        or (r.outcome is Outcome.SKIPPED and r.indicator.obligation == "must")
    ]
    for r in failing[:25]:
        _out.print(
            f"  [{_COLOURS[r.outcome.value]}]{r.outcome.value:>8}[/] {r.indicator.id} "
            f"{r.indicator.title.en}: {r.message[:160]}",
            highlight=False,
        )
    verdict = "[green]CERTIFIED[/green]" if result.certified else "[red]NOT CERTIFIED[/red]"
    _out.print(
        f"{verdict}: level {doc['level']['achieved']} achieved of {level} claimed · report in {out}/ "
        f"({doc['timings']['total_seconds']} s)"
    )
    raise typer.Exit(0 if result.certified else 1)


report_app = typer.Typer(help="Check and compare certification reports.", no_args_is_help=True)


@report_app.command("verify")
def report_verify(
    folder: Annotated[Path, typer.Argument(help="A report folder written by icss certify.")],
    key: Annotated[
        Path | None, typer.Option(help="The association's public key (.pub); default: the key named in the manifest.")
    ] = None,
) -> None:
    """Verify the signature and every file's digest; exit 1 on any changed byte."""
    try:
        manifest = verify_report(folder, key)
    except ReportVerificationError as exc:
        _err.print(f"[red]✗ {exc}[/red]")
        raise typer.Exit(1) from None
    official = (
        "the key you gave"
        if key
        else (
            "the association's key" if manifest["signer"]["official"] else "a per-run key (not an official signature)"
        )
    )
    _out.print(f"[green]✓[/green] {', '.join(manifest['files'])} unchanged; signed by {official}.")


@report_app.command("diff")
def report_diff(old: Path, new: Path) -> None:
    """List regressions and fixes between two report.json files (or folders)."""

    def load(path: Path) -> dict[str, Any]:
        path = path / "report.json" if path.is_dir() else path
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded

    changes = diff_reports(load(old), load(new))
    for kind, colour in (("regressions", "red"), ("fixes", "green"), ("other", "grey50")):
        for ind, before, after in changes[kind]:
            _out.print(f"[{colour}]{kind[:-1] if kind != 'other' else 'change'}[/] {ind}: {before} → {after}")
    if not any(changes.values()):
        _out.print("no differences in outcomes")
    raise typer.Exit(1 if changes["regressions"] else 0)


def keygen(
    path: Annotated[
        Path, typer.Argument(help="Where to write the private key (PEM); the public key goes to PATH.pub.")
    ],
) -> None:
    """Create the association's Ed25519 signing key for certification reports."""
    if path.exists():
        _err.print(f"[red]{path} exists; refusing to overwrite a key[/red]")
        raise typer.Exit(2)
    public = generate_key(path)
    _out.print(f"private key: {path} (keep secret) · public key: {public} (publish it)")


def coverage(
    write: Annotated[
        bool, typer.Option(help="Refresh reports/coverage-matrix.csv and the checks lists in spec/.")
    ] = False,
    repo: Annotated[Path, typer.Option(help="Repository root (for --write).")] = Path(),
) -> None:
    """Show which checks verify which indicators; --write refreshes the committed matrix."""
    from ._coverage import checks_by_indicator, unknown_indicators, write_coverage

    by_indicator = checks_by_indicator()
    active = load_catalogue().active()
    probed = [i for i in active if i.verification != "attested"]
    covered = [i for i in probed if by_indicator.get(i.id)]
    _out.print(f"{len(covered)}/{len(probed)} automated or hybrid indicators have at least one check")
    for ind in probed:
        if not by_indicator.get(ind.id):
            _out.print(f"  no check yet: {ind.id} (level {ind.level}) {ind.title.en}", highlight=False)
    for check_name, ind_id in unknown_indicators():
        _err.print(f"[red]check {check_name} names unknown indicator {ind_id}[/red]")
    if write:
        for path in write_coverage(repo):
            _out.print(f"updated {path}")
