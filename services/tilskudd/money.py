"""Money as integer øre, never float. Amounts come in as text (kroner with up to two decimals, or the letter's
"thousands" and "millions") and are converted with :class:`decimal.Decimal`, exactly."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

ORE_PER_KRONE = 100
_KRONER = re.compile(r"^-?[0-9]{1,13}([.,][0-9]{1,2})?$")
KRONER_PATTERN = r"^-?[0-9]{1,13}([.,][0-9]{1,2})?$"
_UNITS = {"kroner": Decimal(1), "tusen": Decimal(1_000), "mill": Decimal(1_000_000)}


class NotMoney(ValueError):
    """The value is not an exact amount (a float, or text that is not a number)."""


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise NotMoney("money is never a float")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        text = value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise NotMoney("not a number") from exc
    raise NotMoney(f"cannot read money from {type(value).__name__}")


def to_ore(value: object, unit: str = "kroner") -> int:
    """``value`` in ``unit`` (kroner, tusen, mill) as integer øre; refuses floats and fractions of an øre."""
    ore = _decimal(value) * _UNITS[unit] * ORE_PER_KRONE
    if ore != ore.to_integral_value():
        raise NotMoney("fractions of an øre")
    return int(ore)


def parse_kroner(text: str) -> int:
    """User input "1234.50" / "1234,5" → øre; NotMoney if it is not kroner with at most two decimals."""
    if not isinstance(text, str) or not _KRONER.match(text.strip()):
        raise NotMoney("not kroner with at most two decimals")
    return to_ore(text.strip())


def kroner(ore: int) -> str:
    """Øre as kroner text with two decimals ("4000000.00"), exact."""
    if not isinstance(ore, int) or isinstance(ore, bool):
        raise NotMoney("øre are integers")
    sign = "-" if ore < 0 else ""
    whole, rest = divmod(abs(ore), ORE_PER_KRONE)
    return f"{sign}{whole}.{rest:02d}"
