"""RFC 9457 problem documents: the only shape an error leaves the service in.

Every failure path raises :class:`Problem`; the handlers installed by :func:`install` turn it,
FastAPI's own validation errors and anything unexpected into ``application/problem+json`` —
never a stack trace, and never personal data from the request.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_BASE = "https://icss.example.org/problems/"
MEDIA_TYPE = "application/problem+json"

_log = logging.getLogger("icss.reference")

#: kind -> (status, title). Kinds are the stable ``type`` URIs of spec/openapi.yaml.
KINDS: dict[str, tuple[int, str]] = {
    "malformed-body": (400, "The request body is not well-formed JSON"),
    "unauthenticated": (401, "Authentication is required"),
    "forbidden": (403, "This role or principal may not do that"),
    "not-found": (404, "No such resource"),
    "method-not-allowed": (405, "Method not allowed"),
    "conflict": (409, "The request conflicts with the resource's state"),
    "contact-denied": (409, "Contact is not allowed now"),
    "retention-hold": (409, "The record is under a retention hold"),
    "idempotency-key-reused": (422, "The idempotency key was used for a different request"),
    "payload-too-large": (413, "The request body is too large"),
    "unsupported-media-type": (415, "Send application/json"),
    "validation-failed": (422, "The request does not match its schema"),
    "unauthorized-charge": (422, "The charge is not authorised by the agreement or by law"),
    "rate-limited": (429, "Too many requests"),
    "internal-error": (500, "Internal error"),
    "not-implemented": (501, "Not implemented by this service yet"),
    "sandbox-disabled": (403, "The sandbox is disabled on this deployment"),
}


class Problem(Exception):  # noqa: N818 - named after the RFC 9457 object it becomes
    """An error that becomes a problem document; ``extra`` adds extension members."""

    def __init__(self, kind: str, detail: str | None = None, *, status: int | None = None, **extra: Any) -> None:
        default_status, title = KINDS[kind]
        status = status or default_status
        super().__init__(detail or title)
        self.kind = kind
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra

    def document(self, instance: str | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = {"type": PROBLEM_BASE + self.kind, "title": self.title, "status": self.status}
        if self.detail:
            doc["detail"] = self.detail
        if instance:
            doc["instance"] = instance
        # problem.schema.json: the code is the kind with hyphens as underscores (contact_denied).
        doc["code"] = self.kind.replace("-", "_")
        doc.update(self.extra)
        return doc


def _path_template(request: Request) -> str:
    names = {str(v): k for k, v in request.path_params.items()}
    return "/".join(f"{{{names[s]}}}" if s in names else s for s in request.url.path.split("/"))


def problem_response(problem: Problem, request: Request | None = None) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="icss"'} if problem.status == 401 else None
    if problem.status == 429 and "retry_after" in problem.extra:
        headers = {"Retry-After": str(problem.extra["retry_after"])}
    # The path as sent (percent-encoded), so the instance is a valid URI reference whatever was requested;
    # path parameters appear by name, never by value: an identifier sent may be personal data (DS-06).
    instance = quote(_path_template(request), safe="/-._~") if request is not None else None
    return JSONResponse(problem.document(instance), status_code=problem.status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    """Route every error of ``app`` through problem documents."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)  # noqa: S101 - registered for Problem only
        return problem_response(exc, request)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it only
        kind = {401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed"}.get(
            exc.status_code, "validation-failed" if 400 <= exc.status_code < 500 else "internal-error"
        )
        return problem_response(Problem(kind), request)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it only
        # Parameters (path/query/header) that fail FastAPI's own parsing. Echo locations, never values.
        errors = [
            {"pointer": "/" + "/".join(str(p) for p in err.get("loc", ())), "message": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
        problem = Problem("validation-failed", "invalid request parameters", status=400, errors=errors)
        return problem_response(problem, request)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # The route's template, not the path: an id in the path may be personal data (DS-06), and
        # never the exception's text, which may quote a value.
        _log.error("unhandled %s on %s %s", type(exc).__name__, request.method, _path_template(request))
        return problem_response(Problem("internal-error"), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)
