"""The FastAPI application of the reference service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from icss.spec import openapi_document, schema

from . import _handlers as _handlers  # importing registers the operation handlers
from ._config import Settings
from ._context import ServiceContext
from ._problems import Problem, problem_response
from ._problems import install as install_problems
from ._routing import BASE_PATH, mount


def create_app(settings: Settings | None = None, context: ServiceContext | None = None) -> FastAPI:
    """Build the service; it opens (and migrates) its database on creation."""
    ctx = context or ServiceContext.start(settings or Settings.from_env())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.db.dispose()

    app = FastAPI(
        title="ICSS reference service",
        version=ctx.catalogue.version,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_problems(app)

    served = _served_openapi()

    async def openapi_json(_request: Request) -> Response:
        return JSONResponse(served)

    async def schema_json(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            return JSONResponse(schema(name))
        except KeyError:
            return problem_response(Problem("not-found", f"no schema {name}"), request)

    # The interface is the spec's document itself, served as-is: the code cannot drift from it. Its
    # relative refs ("schemas/debtor.schema.json") resolve against the routes below.
    app.add_api_route(BASE_PATH + "/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
    app.add_api_route(BASE_PATH + "/schemas/{name}", schema_json, methods=["GET"], include_in_schema=False)
    mount(app, ctx)
    _handlers.scripts.install_stream(app)
    return app


def _served_openapi() -> dict[str, Any]:
    return openapi_document()
