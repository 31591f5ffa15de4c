"""The analyst attacking published statistics: a seeded dataset generator with many small cells, and an
attacker that turns everything an external reader saw into linear constraints and bounds every hidden cell
with integer programming (scipy.optimize.milp, HiGHS).

This is deliberately independent of ``rapportering.disclosure``: it knows only the published shapes.

Cells are keyed ``(layer, *cell)``; a layer is one table the reader saw (a report version, or a live period).
Relations the attacker uses, per layer: K + M = totalt for every kommune, fylke and the country; kommuner sum to
their fylke and fylker to the country (K, M, totalt; EM by fylke); EM ≤ totalt; a row that is listed has at
least one person; each SP: K + M = all (teller and nevner), teller ≤ nevner, SP1 teller ≤ SP2 teller; SP1's and
SP2's nevner = persons settled (country K, M, totalt); SP3's nevner = EM settled (sum over fylker); a visible
share with a hidden teller or nevner gives teller = share · nevner. Between layers: the annual figures are at
least every half-year version's, a later half-year version at least an earlier one's (a live half-year H2 gives
year = H1 + H2 exactly). Non-negativity and integrality throughout.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from shared.geo import kommuner_2017

BIG = ["0301", "1201", "1103"]
COLS = ("K", "M", "totalt", "enslige_mindrearige")


# --- the dataset -----------------------------------------------------------------------------------------
def small_kommuner(rng: random.Random, n: int) -> list[str]:
    pool = sorted(k for k, v in kommuner_2017().items() if v.fylkesnummer in ("01", "11", "12", "14", "20")
                  and k not in BIG)
    return rng.sample(pool, n)


def person(rng: random.Random, seed: int, n: int, kommune: str, settled: date, kjonn: str, em: bool) -> dict:
    vedtak = max(date(2016, 6, 1), settled - timedelta(days=rng.randrange(15, 420)))
    return {"ekstern_id": f"S{seed}-{n}", "duf_nummer": f"2016{seed % 100:02d}{n:06d}", "kjonn": kjonn,
            "fodselsar": 2002 if em else 1985, "enslig_mindrearig": em, "kategori": "asyl",
            "vedtaksdato": vedtak.isoformat(), "bosettingsdato": settled.isoformat(), "kommunenummer": kommune}


def settlement_dataset(seed: int, n_small: int = 14) -> tuple[list[dict], list[dict]]:
    """(base, correction): many kommuner with 1–4 persons in a half-year, often one kjønn only, EM among them;
    a few large ones. The correction adds first-half-year persons (a new version of the half-year report)."""
    rng = random.Random(seed)
    small = small_kommuner(rng, n_small)
    base, fix, n = [], [], 0

    def add(out: list, kommune: str, half: int, count: int, one_sex: bool, em_share: float) -> None:
        nonlocal n
        sex = rng.choice("KM")
        for _ in range(count):
            month = rng.randint(1, 6) if half == 1 else rng.randint(7, 12)
            settled = date(2017, month, rng.randint(1, 28))
            n += 1
            out.append(person(rng, seed, n, kommune, settled, sex if one_sex else rng.choice("KM"),
                              rng.random() < em_share))

    for k in small:
        for half in (1, 2):
            add(base, k, half, rng.choice([0, 1, 1, 2, 3, 4]), rng.random() < 0.6, 0.3)
    for k in BIG:
        for half in (1, 2):
            add(base, k, half, rng.randint(8, 25), False, 0.15)
    for k in rng.sample(small, 3) + [BIG[0]]:
        add(fix, k, 1, rng.randint(1, 3), True, 0.3)
    return base, fix


# --- the attacker ----------------------------------------------------------------------------------------
@dataclass
class Layer:
    name: str
    period: str  # "H1", "year" or "H2"
    order: int  # publication order within its period
    cells: dict[tuple, int | None] = field(default_factory=dict)
    shares: dict[tuple, float] = field(default_factory=dict)
    hidden: set[tuple] = field(default_factory=set)  # what this rendering itself left out


def report_layer(name: str, period: str, order: int, content: dict) -> Layer:
    """The cells of one report rendering as the reader got it (None = hidden)."""
    layer = Layer(name, period, order)
    stats = content.get("bosettingsstatistikk") or {}
    for r in stats.get("etter_kommune", []):
        for c in COLS:
            layer.cells[("k", r["kommunenummer"], c)] = r.get(c)
    for r in stats.get("etter_fylke", []):
        for c in COLS:
            layer.cells[("f", r["fylkesnummer"], c)] = r.get(c)
    for c in ("K", "M", "totalt"):
        if "bosatte_etter_kjonn" in stats:
            layer.cells[("l", c)] = stats["bosatte_etter_kjonn"].get(c)
    for goal in content.get("mal", []):
        for sp in goal["styringsparametere"]:
            v = sp["verdi"]
            if v.get("status") != "data":
                continue
            groups = {"alle": v, **(v.get("etter_kjonn") or {})}
            for g, cell in groups.items():
                layer.cells[("sp", sp["id"], g, "t")] = cell.get("teller")
                layer.cells[("sp", sp["id"], g, "n")] = cell.get("nevner")
                if cell.get("andel") is not None:
                    layer.shares[("sp", sp["id"], g)] = cell["andel"]
    layer.hidden = {k for k, v in layer.cells.items() if v is None}
    return layer


def diff_cells(changes: list[dict], old: dict, new: dict) -> tuple[dict[tuple, int | None], dict[tuple, int | None]]:
    """The values a version diff shows, as cells of the older and the newer version."""
    before, after = {}, {}
    for change in changes:
        for content, value, out in ((old, change["fra"], before), (new, change["til"], after)):
            key = _cell_at(content, change["sti"].strip("/").split("/"))
            if key is not None and (value is None or isinstance(value, int)):
                out[key] = value
    return before, after


def _cell_at(content: dict, path: list[str]) -> tuple | None:
    try:
        if path[:2] in (["bosettingsstatistikk", "etter_kommune"], ["bosettingsstatistikk", "etter_fylke"]):
            row = content["bosettingsstatistikk"][path[1]][int(path[2])]
            kind, id_ = ("k", row["kommunenummer"]) if path[1] == "etter_kommune" else ("f", row["fylkesnummer"])
            return (kind, id_, path[3])
        if path[:2] == ["bosettingsstatistikk", "bosatte_etter_kjonn"]:
            return ("l", path[2])
        if path[0] == "mal" and path[4] == "verdi":
            sp = content["mal"][int(path[1])]["styringsparametere"][int(path[3])]["id"]
            part = {"teller": "t", "nevner": "n"}.get(path[-1])
            group = path[6] if path[5] == "etter_kjonn" else "alle"
            return ("sp", sp, group, part) if part else None
    except (KeyError, IndexError, ValueError):
        return None
    return None


def merge(layer: Layer, cells: dict[tuple, int | None]) -> None:
    """Another rendering of the same table (JSON-stat, Excel, a diff, a live reading): what it shows is known."""
    for key, value in cells.items():
        if value is not None:
            layer.cells[key] = value
        else:
            layer.cells.setdefault(key, None)


def jsonstat_cells(doc: dict, level: str) -> dict[tuple, int | None]:
    regions = sorted(doc["dimension"]["region"]["category"]["index"].items(), key=lambda kv: kv[1])
    sexes = sorted(doc["dimension"]["kjonn"]["category"]["index"].items(), key=lambda kv: kv[1])
    out = {}
    for (region, i) in regions:
        for (sex, j) in sexes:
            out[(level, region, sex)] = doc["value"][i * len(sexes) + j]
    return out


def live_cells(value: dict) -> dict[tuple, int | None]:
    """A live measure reading mapped onto report cells (nevner by kommune/fylke = persons settled)."""
    sp = value["styringsparameter"]
    out: dict[tuple, int | None] = {("sp", sp, "alle", "t"): value["teller"], ("sp", sp, "alle", "n"): value["nevner"]}
    col = "enslige_mindrearige" if sp == "SP3" else "totalt"
    for dim, cells in (value.get("fordeling") or {}).items():
        for key, c in cells.items():
            if dim == "kjonn":
                out[("sp", sp, key, "t")], out[("sp", sp, key, "n")] = c["teller"], c["nevner"]
            elif dim in ("kommune", "fylke"):
                out[("k" if dim == "kommune" else "f", key, col)] = c["nevner"]
    return out


class Attack:
    def __init__(self, layers: list[Layer]) -> None:
        self.layers = layers
        self.index: dict[tuple, int] = {}
        self.eq: list[tuple[dict[int, float], float, float]] = []

    def var(self, layer: Layer, key: tuple) -> int | float:
        """A known value, or the index of an unknown."""
        value = layer.cells.get(key, 0)
        if value is not None:
            return float(value)
        return self.index.setdefault((layer.name, *key), len(self.index))

    def relate(self, terms: list[tuple[float, Layer, tuple]], lo: float, hi: float) -> None:
        """lo ≤ Σ coef·cell ≤ hi."""
        row: dict[int, float] = {}
        const = 0.0
        for coef, layer, key in terms:
            v = self.var(layer, key)
            if isinstance(v, int):
                row[v] = row.get(v, 0.0) + coef
            else:
                const += coef * v
        if row:
            self.eq.append((row, lo - const, hi - const))

    def within(self, L: Layer) -> None:
        keys = set(L.cells)
        kommuner = {k[1] for k in keys if k[0] == "k"}
        fylker = {k[1] for k in keys if k[0] == "f"}
        rows = [("k", k) for k in kommuner] + [("f", f) for f in fylker] + [("l",)]
        for row in rows:
            if (*row, "totalt") not in keys or (*row, "K") not in keys:
                continue
            self.relate([(1, L, (*row, "K")), (1, L, (*row, "M")), (-1, L, (*row, "totalt"))], 0, 0)
            self.relate([(1, L, (*row, "totalt"))], 1, np.inf)
            if row[0] != "l":
                self.relate([(1, L, (*row, "totalt")), (-1, L, (*row, "enslige_mindrearige"))], 0, np.inf)
        by_fylke: dict[str, list[str]] = {}
        for k in kommuner:
            by_fylke.setdefault(kommuner_2017()[k].fylkesnummer, []).append(k)
        for f, ks in by_fylke.items():
            for c in COLS:
                self.relate([(1, L, ("k", k, c)) for k in ks] + [(-1, L, ("f", f, c))], 0, 0)
        if ("l", "totalt") in keys:
            for c in ("K", "M", "totalt"):
                self.relate([(1, L, ("f", f, c)) for f in fylker] + [(-1, L, ("l", c))], 0, 0)
        sps = {k[1] for k in keys if k[0] == "sp"}
        for sp in sps:
            for part in ("t", "n"):
                if ("sp", sp, "K", part) in keys:
                    self.relate([(1, L, ("sp", sp, "K", part)), (1, L, ("sp", sp, "M", part)),
                                 (-1, L, ("sp", sp, "alle", part))], 0, 0)
            for g in ("alle", "K", "M"):
                if ("sp", sp, g, "n") not in keys:
                    continue
                self.relate([(1, L, ("sp", sp, g, "n")), (-1, L, ("sp", sp, g, "t"))], 0, np.inf)
                share = L.shares.get(("sp", sp, g))
                if share is not None:
                    self.relate([(1, L, ("sp", sp, g, "t")), (-share, L, ("sp", sp, g, "n"))], -1e-3, 1e-3)
                country = ("l", "totalt" if g == "alle" else g)
                if sp in ("SP1", "SP2") and country in keys:
                    self.relate([(1, L, ("sp", sp, g, "n")), (-1, L, country)], 0, 0)
                if sp == "SP1" and ("sp", "SP2", g, "t") in keys:
                    self.relate([(1, L, ("sp", "SP2", g, "t")), (-1, L, ("sp", "SP1", g, "t"))], 0, np.inf)
        if "SP3" in sps and fylker and ("l", "totalt") in keys:
            self.relate([(1, L, ("f", f, "enslige_mindrearige")) for f in fylker]
                        + [(-1, L, ("sp", "SP3", "alle", "n"))], 0, 0)

    def between(self, small: Layer, large: Layer) -> None:
        """Every figure of ``large`` is at least the same figure of ``small`` (a sub-period or earlier version)."""
        for key in small.cells:
            self.relate([(1, large, key), (-1, small, key)], 0, np.inf)

    def exact_sum(self, parts: list[Layer], whole: Layer) -> None:
        """whole = Σ parts where every part shows the cell or (a live breakdown) omits its region: zero."""
        def known(p: Layer, key: tuple) -> bool:
            return key in p.cells or (key[0] in ("k", "f") and not any(k[:2] == key[:2] for k in p.cells))

        for key in whole.cells:
            if all(known(p, key) for p in parts):
                self.relate([(1, p, key) for p in parts] + [(-1, whole, key)], 0, 0)

    def build(self) -> None:
        for L in self.layers:
            self.within(L)
        h1 = sorted((L for L in self.layers if L.period == "H1"), key=lambda L: L.order)
        years = [L for L in self.layers if L.period == "year"]
        for a, b in zip(h1, h1[1:], strict=False):
            self.between(a, b)
        for y in years:
            for a in h1:
                self.between(a, y)
        h2 = [L for L in self.layers if L.period == "H2"]
        if h2 and h1 and years:
            self.exact_sum([h1[-1], h2[0]], max(years, key=lambda L: L.order))

    def matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        A = np.zeros((len(self.eq), len(self.index)))
        lo, hi = np.zeros(len(self.eq)), np.zeros(len(self.eq))
        for i, (row, a, b) in enumerate(self.eq):
            for j, coef in row.items():
                A[i, j] = coef
            lo[i], hi[i] = a, b
        return A, lo, hi

    def holds_for(self, truth: dict[tuple, int]) -> bool:
        """The constraints are the analyst's knowledge: the true figures must satisfy them."""
        A, lo, hi = self.matrix()
        x = np.zeros(len(self.index))
        for key, j in self.index.items():
            x[j] = truth[key]
        y = A @ x
        return bool(np.all(y >= lo - 1e-6) and np.all(y <= hi + 1e-6))

    def ranges(self, need: float) -> dict[tuple, tuple[float, float]]:
        """For every hidden cell, bounds on its value over all integer solutions: exact (min, max) where the
        range is narrower than ``need``, else two feasible values at least ``need`` apart (every solution the
        solver finds widens what is known of every cell; most cells need no programme of their own)."""
        self.build()
        n = len(self.index)
        if n == 0:
            return {}
        A, lo, hi = self.matrix()
        constraints = LinearConstraint(A, lo, hi)
        seen_lo, seen_hi = np.full(n, np.inf), np.full(n, -np.inf)
        exact: dict[int, list[float]] = {}

        def solve(c: np.ndarray) -> float | None:
            res = milp(c, constraints=constraints, integrality=np.ones(n), bounds=Bounds(0, np.inf))
            if res.status == 2:
                raise AssertionError("the attacker's constraints are infeasible: the model is wrong")
            if res.status != 0:
                return None
            np.minimum(seen_lo, res.x, out=seen_lo)
            np.maximum(seen_hi, res.x, out=seen_hi)
            return float(res.fun)

        solve(np.ones(n))
        solve(-np.ones(n))
        for j in range(n):
            if seen_hi[j] - seen_lo[j] >= need:
                continue
            c = np.zeros(n)
            c[j] = -1
            top = solve(c)
            if top is None:
                seen_hi[j] = np.inf
                continue
            c[j] = 1
            exact[j] = [solve(c), -top]
        out = {}
        for key, j in self.index.items():
            low, high = exact.get(j, (seen_lo[j], seen_hi[j]))
            out[key] = (round(low), high if np.isinf(high) else round(high))
        return out
