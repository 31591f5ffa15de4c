"""Synthetic persons: names from small lists, DUF-nummer, fødselsnummer and D-nummer that python-stdnum accepts.

Every identifier is made, never sampled from real data. A fødselsnummer (or D-nummer: the day plus 40) is the
birth date (DDMMYY), an individual number whose range gives the century (000–499: 1900–1999, 500–999:
2000–2039) and whose last digit gives the sex (odd: male), and two check digits computed by python-stdnum;
individual numbers whose check digit would be 10 are skipped, as the registry does.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum.no import fodselsnummer

from shared.dates import age_on

GIVEN_K = ("Amal", "Aisha", "Fatima", "Hawa", "Layla", "Mariam", "Nour", "Rahel", "Saba", "Samira", "Selam",
           "Yasmin", "Zainab", "Hiba", "Asmara", "Dalia", "Farida", "Helen", "Lina", "Ruth")
GIVEN_M = ("Abdi", "Ahmad", "Ali", "Amanuel", "Bilal", "Daniel", "Dawit", "Faisal", "Hamid", "Hassan", "Ibrahim",
           "Jamal", "Karim", "Mohammed", "Musa", "Omar", "Rami", "Samuel", "Tesfay", "Yonas")
FAMILY = ("Abdullahi", "Al-Hassan", "Berhane", "Darwish", "Ghebre", "Haddad", "Hussein", "Kahsay", "Karimi",
          "Mahmoud", "Mohamud", "Nasser", "Rahimi", "Said", "Tekle", "Warsame", "Yusuf", "Zaher", "Ahmadi",
          "Mengistu")

_DUF_STEP = 48_271  # odd and not a multiple of 5: i ↦ i·step mod 10⁸ is a bijection, so DUF-nummer never repeat


def name(rng: random.Random, kjonn: str, family_name: str | None = None) -> str:
    given = rng.choice(GIVEN_K if kjonn == "K" else GIVEN_M)
    return f"{given} {family_name or rng.choice(FAMILY)}"


def duf_nummer(serial: int, year: int) -> str:
    """The ``serial``-th DUF-nummer of a run: 12 digits, the first four the year of the first application."""
    return f"{year:04d}{serial * _DUF_STEP % 100_000_000:08d}"


def birth_date(rng: random.Random, on: date, age_min: int, age_max: int) -> date:
    """A birth date such that the person is between ``age_min`` and ``age_max`` years old on ``on``."""
    age = rng.randint(age_min, age_max)
    born = on - timedelta(days=round(age * 365.25) + rng.randint(0, 364))
    while age_on(on, born, None) > age_max:
        born += timedelta(days=30)
    while age_on(on, born, None) < age_min:
        born -= timedelta(days=30)
    return born


def identity_number(rng: random.Random, born: date, kjonn: str, d_nummer: bool) -> str:
    """A valid fødselsnummer (or D-nummer) for a person born on ``born`` of sex ``kjonn`` (K/M)."""
    if not 1900 <= born.year <= 2039:
        raise ValueError("fødselsnummer covers births 1900–2039 only")
    low = 0 if born.year < 2000 else 500
    day = born.day + (40 if d_nummer else 0)
    stem = f"{day:02d}{born.month:02d}{born.year % 100:02d}"
    parity = 1 if kjonn == "M" else 0
    while True:
        individual = rng.randrange(low, low + 500)
        individual += (individual % 2) != parity
        if individual >= low + 500:
            continue
        first = fodselsnummer.calc_check_digit1(f"{stem}{individual:03d}")
        second = fodselsnummer.calc_check_digit2(f"{stem}{individual:03d}{first}")
        if len(first) == 1 and len(second) == 1:
            return f"{stem}{individual:03d}{first}{second}"
