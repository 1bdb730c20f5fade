"""``icss-reference``: run the reference service."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="The ICSS reference collection service.", no_args_is_help=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port; 0 picks a free one.")] = 8000,
    data_dir: Annotated[Path | None, typer.Option(help="Where the SQLite file and keys live.")] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.")] = 1,
) -> None:
    """Start the service on the embedded SQLite default (or ICSS_DATABASE_URL)."""
    import os

    import uvicorn

    if data_dir is not None:
        os.environ["ICSS_DATA_DIR"] = str(data_dir)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        "icss.reference._app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,  # access logs carry paths with ids; the audit log is the record of access
    )


@app.command()
def version() -> None:
    """Print the service and ICSS versions."""
    from importlib.metadata import version as dist_version

    from icss.spec import load_catalogue

    typer.echo(f"icss-reference {dist_version('icss')} implementing ICSS {load_catalogue().version}")


def main() -> None:
    app()
