"""Pseudonymous person references: a keyed hash, so events never carry an identifier."""

from __future__ import annotations

import hashlib
import hmac


def person_ref(key: str, identifier: str) -> str:
    """A stable reference for one person, meaningless without the key.

    ``identifier`` is the owning service's strongest identifier (DUF-nummer). The same key gives the same
    reference in every service, so settlement and qualification events about one person can be joined.
    """
    digest = hmac.new(key.encode(), b"person:" + identifier.strip().encode(), hashlib.sha256).hexdigest()
    return "p-" + digest[:32]


def family_ref(key: str, family_id: str) -> str:
    """A stable reference for a family (the owning service's family id), meaningless without the key."""
    digest = hmac.new(key.encode(), b"family:" + family_id.strip().encode(), hashlib.sha256).hexdigest()
    return "f-" + digest[:32]
