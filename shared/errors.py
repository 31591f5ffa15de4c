"""Domain errors: what a service layer raises when a request cannot be carried out. They name no HTTP status;
``shared.problems`` maps them, in one place, to problem+json at the edge."""

from __future__ import annotations

from typing import Any

INVALID_DETAIL = "Forespørselen inneholder ugyldige data. Ingenting er lagret."


class DomainError(Exception):
    """``detail`` is the Norwegian text the caller sees; ``slug`` names the problem type; ``extra`` adds fields
    to the problem document (never personal data)."""

    def __init__(self, detail: str, *, slug: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.slug = slug
        self.extra = extra


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class Conflict(DomainError):
    """The request clashes with what is stored (a duplicate, an identifier already in use)."""


class Forbidden(DomainError):
    """The caller may not do this."""


class Invalid(DomainError):
    """The request's data break a rule; ``feil`` lists the fields and why. Nothing is stored."""

    def __init__(self, feil: list[dict[str, str]], detail: str = INVALID_DETAIL) -> None:
        super().__init__(detail, slug="ugyldige-data", feil=feil)

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        return cls([{"felt": field, "melding": message}])


class Precondition(DomainError):
    """The request's precondition does not hold (a stale If-Match)."""


class PreconditionRequired(DomainError):
    """The change needs a precondition the request did not give (If-Match)."""
