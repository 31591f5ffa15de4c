"""RFC 9457 problem details (``application/problem+json``) with Norwegian titles and details."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared import errors
from shared.dates import InvalidPeriod
from shared.db import Conflict

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://imdi-styring/problemer/"

TITLES = {
    400: "Ugyldig forespørsel",
    401: "Ikke autentisert",
    403: "Ingen tilgang",
    404: "Fant ikke ressursen",
    405: "Metoden er ikke tillatt",
    406: "Formatet kan ikke leveres",
    409: "Konflikt",
    412: "Ressursen er endret av andre",
    413: "Forespørselen er for stor",
    415: "Ukjent innholdstype",
    422: "Ugyldige data",
    428: "Mangler If-Match",
    500: "Intern feil",
    503: "Tjenesten er ikke klar",
}

# pydantic error types → Norwegian messages. Our own validators raise Norwegian text (value_error).
MESSAGES = {
    "missing": "Feltet mangler.",
    "extra_forbidden": "Ukjent felt.",
    "date_parsing": "Ugyldig dato (bruk ÅÅÅÅ-MM-DD).",
    "date_from_datetime_parsing": "Ugyldig dato (bruk ÅÅÅÅ-MM-DD).",
    "date_type": "Ugyldig dato (bruk ÅÅÅÅ-MM-DD).",
    "string_pattern_mismatch": "Ugyldig format.",
    "string_type": "Må være tekst.",
    "string_too_short": "Teksten er for kort.",
    "string_too_long": "Teksten er for lang.",
    "literal_error": "Ugyldig verdi.",
    "enum": "Ugyldig verdi.",
    "bool_parsing": "Må være true eller false.",
    "bool_type": "Må være true eller false.",
    "int_parsing": "Må være et heltall.",
    "int_type": "Må være et heltall.",
    "greater_than_equal": "Verdien er for liten.",
    "less_than_equal": "Verdien er for stor.",
    "json_invalid": "Ugyldig JSON.",
    "model_attributes_type": "Må være et JSON-objekt.",
    "dict_type": "Må være et JSON-objekt.",
    "uuid_parsing": "Ugyldig id.",
}


# the one mapping from domain errors (raised by service layers) to HTTP statuses
DOMAIN_STATUS: dict[type[errors.DomainError], int] = {
    errors.NotFound: 404, errors.Conflict: 409, errors.Forbidden: 403, errors.Invalid: 422,
    errors.Precondition: 412, errors.PreconditionRequired: 428,
}


def domain_status(exc: errors.DomainError) -> int:
    return next(status for kind, status in DOMAIN_STATUS.items() if isinstance(exc, kind))


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, title: str | None = None, slug: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or TITLES.get(status, "Feil")
        self.slug = slug
        self.headers = headers
        self.extra = extra


def problem_response(status: int, detail: str, *, title: str | None = None, slug: str | None = None,
                     instance: str | None = None, headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug if slug else "about:blank",
        "title": title or TITLES.get(status, "Feil"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body",)]
        if e.get("type") == "value_error":
            msg = str(e.get("ctx", {}).get("error", e.get("msg", "")))
        else:
            msg = MESSAGES.get(e.get("type", ""), "Ugyldig verdi.")
        out.append({"felt": ".".join(loc) or "(hele forespørselen)", "melding": msg})
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, title=exc.title, slug=exc.slug,
                                instance=request.url.path, headers=exc.headers, **exc.extra)

    @app.exception_handler(errors.DomainError)
    async def _domain(request: Request, exc: errors.DomainError) -> JSONResponse:
        return problem_response(domain_status(exc), exc.detail, slug=exc.slug, instance=request.url.path,
                                **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(422, errors.INVALID_DETAIL, slug="ugyldige-data", instance=request.url.path,
                                feil=validation_errors(list(exc.errors())))

    @app.exception_handler(InvalidPeriod)
    async def _period(request: Request, exc: InvalidPeriod) -> JSONResponse:
        return problem_response(422, "Forespørselen inneholder ugyldige data.", slug="ugyldige-data",
                                instance=request.url.path, feil=[{"felt": "periode", "melding": str(exc)}])

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem_response(409, "En annen forespørsel lagret de samme dataene samtidig. Ingenting er lagret "
                                "av denne; hent dataene på nytt og prøv igjen.", slug="samtidig-endring",
                                instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        default = {404: "Ressursen finnes ikke.", 405: "Metoden støttes ikke for denne adressen."}
        return problem_response(exc.status_code, detail or default.get(exc.status_code, TITLES.get(
            exc.status_code, "Feil")), instance=request.url.path, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
        return problem_response(500, "Det oppstod en uventet feil. Ingenting er lagret.",
                                instance=request.url.path)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": TITLES[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status in (401, 403, 422)
}
