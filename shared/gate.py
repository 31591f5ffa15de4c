"""The gate in front of every API route that takes a body: the bearer token is checked before a byte of the
body is read, and the body is capped while it streams.

FastAPI reads a JSON body before it runs the route's dependencies, so without this an unauthenticated client
could make a service buffer any amount of data. Ordinary bodies may be ``IMDI_MAX_BODY_BYTES`` (1 MiB), bulk
imports (paths with ``/import/``) ``IMDI_MAX_IMPORT_BYTES`` (1 GiB); more is 413. The token check is the one
the routes use (:func:`shared.auth.current_principal`); the routes still check their scopes.
"""

from __future__ import annotations

from fastapi.security import HTTPBearer
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import current_principal
from shared.problems import Problem, problem_response
from shared.settings import ServiceSettings

WITHOUT_BODY = {"GET", "HEAD", "OPTIONS"}
_bearer = HTTPBearer(auto_error=False)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Forespørselen er større enn {limit / 1024 ** 2:g} MiB.")


class RequestGate:
    def __init__(self, app: ASGIApp, *, settings: ServiceSettings) -> None:
        self.app = app
        self.settings = settings

    def limit(self, path: str) -> int:
        return self.settings.max_import_bytes if "/import/" in path else self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or not _may_have_body(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)  # headers only: the body is not touched here
        limit = self.limit(scope["path"])
        try:
            await current_principal(request, await _bearer(request))
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise Problem(413, BodyTooLarge(limit).detail)
        except Problem as exc:
            response = problem_response(exc.status, exc.detail, title=exc.title, slug=exc.slug,
                                        instance=scope["path"], headers=exc.headers, **exc.extra)
            await response(scope, receive, send)
            return
        await self.app(scope, capped(receive, limit), send)


def _may_have_body(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    return scope["method"] not in WITHOUT_BODY or b"content-length" in headers or b"transfer-encoding" in headers


def capped(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises :class:`BodyTooLarge` once more than ``limit`` body bytes have arrived."""
    received = 0

    async def receive_capped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return receive_capped
