"""Statistical disclosure control: what an external reader (JD) may see of a report.

Every figure an external reader can get goes through ``protect``; the result is stored with the version at
publish time and served as it is (JSON, Excel, JSON-stat, diffs). Pure functions; no I/O.

Method
------
*Cells.* A report's person counts form one table: settled persons by kommune, fylke and the country, each by
K, M, ``totalt`` and EM (``enslige_mindrearige``; no country EM); and per SP measured from events the
``teller`` and ``nevner`` for all and by kjønn, and the count shown beside it (persons outside the
letter's population, e.g. family-reunified persons beside SP1–SP3); and the key figures that count persons
(``nokkeltall`` of assignments and requirements with ``personer``: O5–O7's monthly progress, R10's counts),
each ``antall`` and its ``nevner``; and the grants paid under the special criterion on post 60 (section
4.1). Places requested and decided (``anmodning_og_vedtak``) are municipal
decisions, not persons, and are published as they are; so are SPs that count municipalities, agencies or
register entries (SP6, SP7, SP10, SP11: ``subjekt`` other than ``person``).

*Linked tables.* The reports of one year that an external reader sees together are one system: every
published version of the half-year report (1.1–30.6) and of the annual report (1.1–31.12). Within a
version: K + M = totalt in every row; kommuner sum to their fylke and fylker to the country (K, M, totalt, EM);
EM ≤ totalt; SP teller and nevner for K + M = all; the links each SP's definition states (``koblinger`` in
the report, from the engine): nevner + the count beside = the country's K, M, totalt (SP1, SP2) or Σ fylke EM
(SP3); teller ≤ another SP's teller (SP1 ≤ SP2);
and the complement ``nevner − teller`` (persons not settled in time) is a derived cell. Between any two
versions A, B of the year the difference B − A of every cell is a derived cell (year − half-year is the
second half-year; version 2 − version 1 is the correction). A key figure's complement ``nevner − antall`` is
a derived cell too. Monthly reports hold no settlement statistics; their key figures are protected within the
version (primary, complement), and each monthly version is its own system.

*Primary suppression.* Every published count from 1 to ``threshold − 1`` (``IMDI_PRIKKING_TERSKEL``, default
5), totals and numerators included; every derived cell (complement, period or version difference) whose
absolute value is in that range is protected too, which hides one of its published terms. Zeros are shown.

*Secondary suppression.* Iterate to a fixed point over all linear relations: a relation with exactly one
unknown (hidden or derived) protected cell gets one more hidden cell, chosen among the cells of the version
being published (published versions never change): the smallest cell ≥ threshold, else the smallest
non-zero one, else a zero.

*Audit.* The attacker's problem is then solved exactly: for each unknown protected cell, minimise and
maximise it over all non-negative integer solutions of every relation above (``scipy.optimize.milp``,
HiGHS), with the published figures of every linked version fixed. The protection interval: the feasible
range must span at least ``threshold − 1`` (so at least ``threshold`` possible values, never one). A cell
that fails gets a partner hidden next to it (the nearest visible cell of the version being published, by the
same preference), and the fixed point and the audit run again until every cell passes.

*Rendering.* A hidden count is ``null`` and listed in the row's ``prikket``; a share is hidden with its teller
or nevner; a projection and the computed risk's wording (which restate the share) are hidden when the SP's
total teller or nevner is; what is still reachable (``mulig_i_ar``) is hidden then too, and when any count of
waiting persons in it is from 1 to ``threshold − 1``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

Key = tuple  # (layer, kind, *ids)
COLS = ("K", "M", "totalt", "enslige_mindrearige")
SEX = ("K", "M")


# --- the cells of one report -----------------------------------------------------------------------------
def cells(content: dict[str, Any]) -> dict[tuple, int | None]:
    """Every person count of a report rendering (``None`` where that rendering hides it)."""
    out: dict[tuple, int | None] = {}
    stats = content.get("bosettingsstatistikk")
    if stats:
        for r in stats["etter_kommune"]:
            out.update({("k", r["kommunenummer"], c): r[c] for c in COLS})
        for r in stats["etter_fylke"]:
            out.update({("f", r["fylkesnummer"], c): r[c] for c in COLS})
        out.update({("l", c): stats["bosatte_etter_kjonn"][c] for c in ("K", "M", "totalt")})
    for sp in _sps(content):
        v = sp["verdi"]
        for g, cell in {"alle": v, **v["etter_kjonn"]}.items():
            out[("sp", sp["id"], g, "t")], out[("sp", sp["id"], g, "n")] = cell["teller"], cell["nevner"]
        beside = v.get("utenfor_populasjonen")
        if beside is not None:
            for g, count in {"alle": beside["antall"], **beside["etter_kjonn"]}.items():
                out[("b", sp["id"], g)] = count
    for post in _grant_posts(content):
        out[("g", post["kapittel"], post["post"])] = post["saerskilt_kriterium"]
    for objekt, periode, f in _figures(content):
        key = ("n", objekt, periode, f["navn"], f["dimensjon"], f["kategori"])
        out[(*key, "a")] = f["antall"]
        if "nevner" in f.get("prikket", []) or f["nevner"] is not None:
            out[(*key, "d")] = f["nevner"]
    return out


def _grant_posts(content: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Budget posts that count persons: grants paid under the special criterion (post 60, section 4.1)."""
    for chapter in (content.get("budsjett") or {}).get("kapitler", []):
        for post in chapter["poster"]:
            if "saerskilt_kriterium" in post:
                yield {"kapittel": chapter["kapittel"], **post}


def _figures(content: dict[str, Any]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """The key figures that count persons (assignments' and requirements' ``nokkeltall``)."""
    for section in (*content.get("oppdrag", []), *content.get("rapporteringskrav", [])):
        figures = section.get("nokkeltall")
        if figures:
            for f in figures["tall"]:
                if f["personer"]:
                    yield section["id"], figures["periode"], f


def _links(content: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each SP's links to the report's other tables, as its definition in the engine states them."""
    return {sp["id"]: sp.get("koblinger") or {} for sp in _sps(content)}


def _sps(content: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The SPs with data that count persons (municipalities, agencies and register entries are not
    protected: SP6, SP7, SP10, SP11)."""
    for goal in content.get("mal", []):
        for sp in goal["styringsparametere"]:
            if sp["verdi"].get("status") == "data" and sp.get("subjekt", "person") == "person":
                yield sp


def _kommune_fylke(content: dict[str, Any]) -> dict[str, str]:
    stats = content.get("bosettingsstatistikk") or {"etter_kommune": []}
    return {r["kommunenummer"]: r["fylkesnummer"] for r in stats["etter_kommune"]}


# --- the linked system -----------------------------------------------------------------------------------
class System:
    """Values, relations (Σ coef·cell = 0, or ≥ 0) and which cells are published, over linked versions."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.values: dict[Key, int] = {}
        self.published: set[Key] = set()
        self.listed: set[Key] = set()  # row totals of listed rows: at least one person
        self.absent: set[Key] = set()  # not in that version at all (no row): known zeros, nothing to hide
        self.eq: list[dict[Key, int]] = []
        self.ge: list[dict[Key, int]] = []
        self.layers: list[str] = []

    def add_layer(self, name: str, content: dict[str, Any]) -> None:
        self.layers.append(name)
        values = cells(content)
        for key, v in values.items():
            self.values[(name, *key)] = v
            self.published.add((name, *key))
            if key[0] in ("k", "f", "l") and key[-1] == "totalt":
                self.listed.add((name, *key))
        self._within(name, set(values), _kommune_fylke(content), _links(content))

    def _within(self, L: str, keys: set[tuple], fylke_of: dict[str, str], links: dict[str, dict[str, str]]) -> None:
        rows = [k[:-1] for k in keys if k[0] in ("k", "f", "l") and k[-1] == "totalt"]
        for row in rows:
            self.eq.append({(L, *row, "K"): 1, (L, *row, "M"): 1, (L, *row, "totalt"): -1})
            if row[0] != "l":
                self.ge.append({(L, *row, "totalt"): 1, (L, *row, "enslige_mindrearige"): -1})
        fylker = sorted({k[1] for k in keys if k[0] == "f"})
        for f in fylker:
            for c in COLS:
                self.eq.append({(L, "f", f, c): -1, **{(L, "k", k, c): 1 for k, ff in fylke_of.items() if ff == f}})
        if fylker:
            for c in ("K", "M", "totalt"):
                self.eq.append({(L, "l", c): -1, **{(L, "f", f, c): 1 for f in fylker}})
        for sp in sorted({k[1] for k in keys if k[0] == "sp"}):
            if ("sp", sp, "K", "t") in keys:
                for part in ("t", "n"):
                    self.eq.append({(L, "sp", sp, "alle", part): -1, **{(L, "sp", sp, s, part): 1 for s in SEX}})
            self._sp_links(L, keys, sp, links.get(sp, {}), fylker)
        for key in sorted(k[:-1] for k in keys if k[0] == "n" and k[-1] == "d"):
            complement = (L, "nc", *key[1:])  # the persons counted in the denominator and not in the figure
            self.values[complement] = self.values[(L, *key, "d")] - self.values[(L, *key, "a")]
            self.eq.append({(L, *key, "d"): 1, (L, *key, "a"): -1, complement: -1})

    def _sp_links(self, L: str, keys: set[tuple], sp: str, link: dict[str, str], fylker: list[str]) -> None:
        """An SP's cells against the settlement statistics (its population and those beside it add up to a
        column there) and against another SP (its hits are among that one's)."""
        statistic, within = link.get("statistikk"), link.get("treff_innenfor")
        if ("b", sp, "alle") in keys:
            self.eq.append({(L, "b", sp, "alle"): -1, **{(L, "b", sp, s): 1 for s in SEX}})
        for g in (g for g in ("alle", *SEX) if ("sp", sp, g, "t") in keys):
            t, n = (L, "sp", sp, g, "t"), (L, "sp", sp, g, "n")
            complement = (L, "c", sp, g)
            self.values[complement] = self.values[n] - self.values[t]
            self.eq.append({n: 1, t: -1, complement: -1})
            beside = {(L, "b", sp, g): 1} if ("b", sp, g) in keys else {}
            if statistic == "totalt" and ("l", "totalt") in keys:
                self.eq.append({n: 1, **beside, (L, "l", "totalt" if g == "alle" else g): -1})
            if within and ("sp", within, g, "t") in keys:
                self.ge.append({(L, "sp", within, g, "t"): 1, t: -1})
        if statistic == "enslige_mindrearige" and fylker:
            beside = {(L, "b", sp, "alle"): 1} if ("b", sp, "alle") in keys else {}
            self.eq.append({(L, "sp", sp, "alle", "n"): 1, **beside,
                            **{(L, "f", f, "enslige_mindrearige"): -1 for f in fylker}})

    def link(self, a: str, b: str) -> None:
        """Every cell's difference between two versions of the year is a derived cell."""
        keys = {k[1:] for k in self.published if k[0] in (a, b)}
        for key in sorted(keys):
            if key[0] not in ("k", "f", "l", "sp", "b", "n", "g"):
                continue
            for layer in (a, b):
                if (layer, *key) not in self.values:
                    self.values[(layer, *key)] = 0
                    self.published.add((layer, *key))
                    self.absent.add((layer, *key))
            d = ("d", a, b, *key)
            self.values[d] = self.values[(b, *key)] - self.values[(a, *key)]
            self.eq.append({(b, *key): 1, (a, *key): -1, d: -1})

    def sensitive(self, key: Key) -> bool:
        v = self.values[key]
        return 0 < abs(v) < self.threshold


# --- suppression -----------------------------------------------------------------------------------------
def protect(content: dict[str, Any], linked: list[tuple[dict[str, Any], dict[str, Any]]], threshold: int,
            ) -> dict[str, Any]:
    """The external rendering of ``content``, given the (unsuppressed, as published) pairs of every other
    published version of the same year."""
    system = System(threshold)
    hidden: set[Key] = set()
    for i, (full, shown) in enumerate(linked):
        name = f"v{i}"
        system.add_layer(name, full)
        hidden |= {(name, *k) for k, v in cells(shown).items() if v is None}
    system.add_layer("ny", content)
    for i, a in enumerate(system.layers):
        for b in system.layers[i + 1:]:
            system.link(a, b)
    hidden |= {k for k in system.published if k[0] == "ny" and system.sensitive(k)}
    hidden = suppress(system, hidden, "ny")
    return render(content, {k[1:] for k in hidden if k[0] == "ny"}, threshold)


def suppress(system: System, hidden: set[Key], free: str) -> set[Key]:
    """Secondary suppression to a fixed point, audited with MILP until every protected cell is safe."""
    hidden = set(hidden)
    by_cell: dict[Key, list[dict[Key, int]]] = {}
    for rel in system.eq:
        for key in rel:
            by_cell.setdefault(key, []).append(rel)
    cache: dict = {}
    while True:
        _fixed_point(system, hidden, free)
        failing = audit(system, hidden, cache)
        if not failing:
            return hidden
        added = {p for cell in failing if (p := _nearest_partner(system, hidden, free, cell, by_cell))}
        if not added:
            raise RuntimeError("disclosure control cannot protect the table: no cell left to suppress")
        hidden |= added


def _unknown(system: System, hidden: set[Key], key: Key) -> bool:
    return key in hidden or key not in system.published


def _protected(system: System, hidden: set[Key], key: Key) -> bool:
    return key in hidden or (key not in system.published and system.sensitive(key))


def _fixed_point(system: System, hidden: set[Key], free: str) -> None:
    changed = True
    while changed:
        changed = False
        for rel in system.eq:
            unknown = [k for k in rel if _unknown(system, hidden, k)]
            if len(unknown) == 1 and _protected(system, hidden, unknown[0]):
                partner = _choose(system, hidden, free, rel)
                if partner is not None:
                    hidden.add(partner)
                    changed = True


def _choose(system: System, hidden: set[Key], free: str, candidates: Iterable[Key]) -> Key | None:
    """The cell to hide beside another: the smallest ≥ threshold, else the smallest non-zero, else a zero."""
    open_ = [k for k in candidates
             if k[0] == free and k in system.published and k not in hidden and k not in system.absent]
    if not open_:
        return None
    t = system.threshold
    return min(open_, key=lambda k: (0 if system.values[k] >= t else 1 if system.values[k] > 0 else 2,
                                     system.values[k], k))


def _nearest_partner(system: System, hidden: set[Key], free: str, cell: Key,
                     by_cell: dict[Key, list[dict[Key, int]]]) -> Key | None:
    """Breadth-first through the relations from ``cell`` over unknown cells to a visible cell to hide."""
    seen, frontier = {cell}, [cell]
    while frontier:
        nearby = {k for c in frontier for rel in by_cell.get(c, []) for k in rel} - seen
        choice = _choose(system, hidden, free, nearby)
        if choice is not None:
            return choice
        seen |= nearby
        frontier = [k for k in nearby if _unknown(system, hidden, k)]
    return None


# --- audit -----------------------------------------------------------------------------------------------
def audit(system: System, hidden: set[Key], cache: dict | None = None) -> list[Key]:
    """Protected unknown cells whose feasible integer range is narrower than ``threshold − 1``.

    The unknowns fall apart into independent groups (cells linked through relations); each group is its own
    small integer programme, and a group already audited (same cells) is not solved again."""
    cache = {} if cache is None else cache
    rows = [(rel, 0.0, 0.0) for rel in system.eq] + [(rel, 0.0, np.inf) for rel in system.ge]
    groups = _components(system, hidden, rows)
    failing = []
    for cells_, members in groups:
        signature = frozenset(cells_)
        if signature not in cache:
            cache[signature] = _audit_group(system, hidden, sorted(cells_), [rows[r] for r in members])
        failing += cache[signature]
    return failing


def _components(system: System, hidden: set[Key], rows: list) -> list[tuple[set[Key], list[int]]]:
    parent: dict[Key, Key] = {}

    def find(k: Key) -> Key:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    touching = []
    for rel, _, _ in rows:
        unknown = [k for k in rel if _unknown(system, hidden, k)]
        touching.append(unknown)
        for k in unknown[1:]:
            parent[find(k)] = find(unknown[0])
        if unknown:
            find(unknown[0])
    for k in hidden:
        find(k)
    groups: dict[Key, tuple[set[Key], list[int]]] = {}
    for k in parent:
        groups.setdefault(find(k), (set(), []))[0].add(k)
    for r, unknown in enumerate(touching):
        if unknown:
            groups[find(unknown[0])][1].append(r)
    return [g for g in groups.values() if any(_protected(system, hidden, k) for k in g[0])]


def _audit_group(system: System, hidden: set[Key], unknown: list[Key], rows: list) -> list[Key]:
    index = {k: i for i, k in enumerate(unknown)}
    A = lil_matrix((max(len(rows), 1), len(unknown)))
    lo, hi = np.zeros(max(len(rows), 1)), np.zeros(max(len(rows), 1))
    for r, (rel, a, b) in enumerate(rows):
        const = 0.0
        for key, coef in rel.items():
            if key in index:
                A[r, index[key]] = coef
            else:
                const += coef * system.values[key]
        lo[r], hi[r] = a - const, b - const
    constraints = LinearConstraint(A.tocsr(), lo, hi)
    bounds = Bounds(np.array([_lower_bound(system, k) for k in unknown]), np.full(len(unknown), np.inf))
    integral = np.ones(len(unknown))
    need = system.threshold - 1 - 1e-6
    protected = [index[k] for k in unknown if _protected(system, hidden, k)]
    # every solution seen widens the known spread of every cell: the true figures are one, and the
    # optimum for one cell often certifies many others, so most cells need no programme of their own
    truth = np.array([float(system.values[k]) for k in unknown])
    seen_lo, seen_hi = truth.copy(), truth.copy()

    def solve(c: np.ndarray) -> float | None:
        res = milp(c, constraints=constraints, bounds=bounds, integrality=integral)
        if res.status == 2:
            raise RuntimeError(f"disclosure audit: the linked tables are inconsistent ({res.message})")
        if res.status != 0:
            return None  # unbounded: as wide as it gets
        np.minimum(seen_lo, res.x, out=seen_lo)
        np.maximum(seen_hi, res.x, out=seen_hi)
        return float(res.fun)

    for sign in (1.0, -1.0):
        weights = np.zeros(len(unknown))
        weights[protected] = sign
        solve(weights)
    failing = []
    for j in protected:
        if seen_hi[j] - seen_lo[j] >= need:
            continue
        c = np.zeros(len(unknown))
        c[j] = -1
        if solve(c) is None or seen_hi[j] - seen_lo[j] >= need:
            continue
        c[j] = 1
        solve(c)
        if seen_hi[j] - seen_lo[j] < need:
            failing.append(unknown[j])
    return failing


def _lower_bound(system: System, key: Key) -> float:
    """What a reader knows without the figures: counts are ≥ 0, a listed row has a person, a version
    difference may be negative only where a correction removed persons."""
    if key in system.listed:
        return min(1.0, system.values[key])
    return -np.inf if system.values[key] < 0 else 0.0


# --- rendering -------------------------------------------------------------------------------------------
def render(content: dict[str, Any], hidden: set[tuple], threshold: int) -> dict[str, Any]:
    """``content`` with the hidden cells as ``null`` (listed in ``prikket``) and what restates them removed."""
    out = copy.deepcopy(content)
    stats = out.get("bosettingsstatistikk")
    if stats:
        for kind, rows, id_ in (("k", stats["etter_kommune"], "kommunenummer"),
                                ("f", stats["etter_fylke"], "fylkesnummer")):
            for r in rows:
                _hide(r, [c for c in COLS if (kind, r[id_], c) in hidden])
        _hide(stats["bosatte_etter_kjonn"], [c for c in ("K", "M", "totalt") if ("l", c) in hidden])
        stats["prikking"] = {"terskel": threshold, "metode": METHOD.format(lav=threshold - 1)}
    for sp in _sps(out):
        v = sp["verdi"]
        for g, cell in {"alle": v, **v["etter_kjonn"]}.items():
            gone = [p for p, part in (("teller", "t"), ("nevner", "n")) if ("sp", sp["id"], g, part) in hidden]
            if gone:
                _hide(cell, gone + ["andel"])
        beside = v.get("utenfor_populasjonen")
        if beside is not None:
            if ("b", sp["id"], "alle") in hidden:
                _hide(beside, ["antall"])
            _hide(beside["etter_kjonn"], [g for g in SEX if ("b", sp["id"], g) in hidden])
        outlook = sp.get("mulig_i_ar")
        if outlook and (v.get("prikket") or any(0 < (outlook[k] or 0) < threshold
                                                for k in ("venter", "innenfor_frist", "forbi_frist", "trengs_i_tide"))):
            sp["mulig_i_ar"] = None  # it restates the share, or counts too few waiting persons to publish
        if v.get("prikket"):
            sp["framskriving"] = None
            sp["risiko"]["beregnet"]["begrunnelse"] = ("Begrunnelsen er prikket fordi den gjengir en prikket "
                                                       "andel.")
    for chapter in (out.get("budsjett") or {}).get("kapitler", []):
        for post in chapter["poster"]:
            if ("g", chapter["kapittel"], post["post"]) in hidden:
                _hide(post, ["saerskilt_kriterium"])
    for objekt, periode, f in _figures(out):
        key = ("n", objekt, periode, f["navn"], f["dimensjon"], f["kategori"])
        gone = [c for c, part in (("antall", "a"), ("nevner", "d")) if (*key, part) in hidden]
        if gone:
            _hide(f, gone + ["andel"])
    return out


def _hide(row: dict[str, Any], columns: list[str]) -> None:
    if columns:
        for c in columns:
            row[c] = None
        row["prikket"] = sorted(set(row.get("prikket", [])) | set(columns))


METHOD = ("Antall fra 1 til {lav} er prikket (også totaler, tellere og nevnere), og flere tall er "
          "sekundærprikket slik at ingen prikket verdi kan avgrenses til færre enn {lav} + 1 mulige verdier, "
          "heller ikke sammen med halvårs- og årsrapportens øvrige publiserte versjoner.")
