"""tilskudd's events: budget, grant decisions, disbursements, entitlements from settlements."""

from __future__ import annotations
