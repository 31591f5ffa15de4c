"""A report's other forms: Excel (one sheet per part, Norwegian headers, numbers as numbers) and the
settlement statistics as JSON-stat 2.0."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

PCT = "0.0%"
STATUS = {"gronn": "Grønn", "gul": "Gul", "rod": "Rød", "ingen_data": "Ingen data"}


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]], percent_cols: tuple[int, ...] = ()):
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            _as_text(cell)
    for col in percent_cols:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
            cell.number_format = PCT
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, min(60, len(header) + 4))
    return ws


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell) -> None:
    """Free text is text: a string a spreadsheet would take as a formula is stored as a quoted string."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def excel(content: dict[str, Any]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    meta = content["rapport"]
    _sheet(wb, "Rapport", ["Felt", "Verdi"], [
        ["Rapport", meta["tittel"]], ["Type", meta["type"]], ["Periode", meta["periode"]],
        ["Telletidspunkt", meta["telletidspunkt"]], ["Frist", meta["frist"]],
        ["Styringsdokument", meta["styringsdokument"]]])
    if "mal" in content:
        rows = []
        for goal in content["mal"]:
            for sp in goal["styringsparametere"]:
                v, f, r = sp["verdi"], sp["framskriving"] or {}, sp["risiko"]
                own = r["virksomhetens_vurdering"] or {}
                rows.append([goal["id"], sp["id"], sp["tekst"], v["teller"], v["nevner"], v["andel"],
                             sp["resultatkrav"]["verdi"], sp["maleutgangspunkt"]["verdi"], f.get("verdi"), f.get("lav"),
                             f.get("hoy"), STATUS[r["beregnet"]["status"]], r["beregnet"]["begrunnelse"],
                             STATUS.get(own.get("status"), None), own.get("tiltak"),
                             sp["resultatkrav"].get("kilde"), (sp.get("toleranse") or {}).get("kilde")])
        _sheet(wb, "Styringsparametere", ["Mål", "SP", "Styringsparameter", "Teller", "Nevner", "Andel", "Resultatkrav",
                                          "Måleutgangspunkt", "Framskrevet", "Framskrevet lav", "Framskrevet høy",
                                          "Beregnet risiko", "Begrunnelse", "Virksomhetens vurdering", "Tiltak",
                                          "Kilde for resultatkravet", "Kilde for toleransen"],
               rows, percent_cols=(5, 8, 9, 10))
        by_sex = []
        for goal in content["mal"]:
            for sp in goal["styringsparametere"]:
                for sex, cell in sorted((sp["verdi"].get("etter_kjonn") or {}).items()):
                    by_sex.append([sp["id"], {"K": "Kvinner", "M": "Menn"}[sex], cell["teller"], cell["nevner"],
                                   cell["andel"]])
        _sheet(wb, "SP etter kjønn", ["SP", "Kjønn", "Teller", "Nevner", "Andel"], by_sex, percent_cols=(4,))
    _sheet(wb, "Oppdrag", ["Oppdrag", "Tittel", "Start", "Frist", "Beregnet risiko", "Begrunnelse", "Kilde for start",
                           "Kilde for frist"],
           [[o["id"], o["tittel"], o["start"], o["frist"], STATUS[o["risiko"]["beregnet"]["status"]],
             o["risiko"]["beregnet"]["begrunnelse"], (o.get("kilde") or {}).get("start"),
             (o.get("kilde") or {}).get("frist")] for o in content["oppdrag"]])
    _sheet(wb, "Milepæler", ["Oppdrag", "Milepæl", "Tekst", "Frist", "Ferdig", "Framdrift (%)", "Dato", "Kommentar"],
           [[o["id"], m["id"], m["tekst"], m["frist"], "Ja" if m["ferdig"] else "Nei", m["fremdrift"], m["dato"],
             m["kommentar"]] for o in content["oppdrag"] for m in o["milepaeler"]])
    if "budsjett" in content:
        b = content["budsjett"]
        _sheet(wb, "Budsjett", ["Kapittel", "Post", "Navn", f"Tildelt ({b['enhet']})", "Forbruk", "Prognose"],
               [[k["kapittel"], p["post"], p["navn"], p["tildelt"], p["forbruk"], p["prognose"]]
                for k in b["kapitler"] for p in k["poster"]])
    if "rapporteringskrav" in content:
        _sheet(wb, "Rapporteringskrav", ["Krav", "Mål", "Tekst", "Virksomhetens tekst"],
               [[r["id"], r["mal"], r["tekst"], r["virksomhetens_tekst"]] for r in content["rapporteringskrav"]])
    if "bosettingsstatistikk" in content:
        s = content["bosettingsstatistikk"]
        _sheet(wb, "Bosatte etter fylke", ["Fylkesnummer", "Fylke", "Kvinner", "Menn", "Totalt", "Enslige mindreårige"],
               [[r["fylkesnummer"], r["fylkesnavn"], r["K"], r["M"], r["totalt"], r["enslige_mindrearige"]]
                for r in s["etter_fylke"]])
        _sheet(wb, "Bosatte etter kommune", ["Kommunenummer", "Kommune", "Kvinner", "Menn", "Totalt",
                                             "Enslige mindreårige"],
               [[r["kommunenummer"], r["kommunenavn"], r["K"], r["M"], r["totalt"], r["enslige_mindrearige"]]
                for r in s["etter_kommune"]])
        _sheet(wb, "Anmodning og vedtak", ["Kommunenummer", "Kommune", "Anmodet", "Anmodet EM", "Vedtatt",
                                           "Vedtatt EM", "Differanse", "Differanse EM"],
               [[r["kommunenummer"], r["kommunenavn"], r["anmodet"], r["anmodet_em"], r["vedtatt"], r["vedtatt_em"],
                 r["differanse"], r["differanse_em"]] for r in s["anmodning_og_vedtak"]["kommuner"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def jsonstat(content: dict[str, Any], level: str) -> dict[str, Any]:
    """Persons settled by region and kjønn as a JSON-stat 2.0 dataset (suppressed cells: null, status '..')."""
    stats = content["bosettingsstatistikk"]
    rows = stats["etter_kommune" if level == "kommune" else "etter_fylke"]
    key, name = ("kommunenummer", "kommunenavn") if level == "kommune" else ("fylkesnummer", "fylkesnavn")
    sexes = [("K", "Kvinner"), ("M", "Menn"), ("totalt", "Begge kjønn")]
    values, status = [], {}
    for r in rows:
        for sex, _ in sexes:
            v = r.get(sex)
            if v is None:
                status[str(len(values))] = ".."
            values.append(v)
    return {
        "version": "2.0", "class": "dataset",
        "label": f"Bosatte flyktninger etter {level} og kjønn, {stats['periode']['fra']}–{stats['periode']['til']}",
        "source": "IMDi (imdi-styring)", "updated": content["rapport"]["telletidspunkt"],
        "id": ["region", "kjonn"], "size": [len(rows), len(sexes)], "role": {"geo": ["region"]},
        "dimension": {
            "region": {"label": "Kommune" if level == "kommune" else "Fylke", "category": {
                "index": {r[key]: i for i, r in enumerate(rows)}, "label": {r[key]: r[name] for r in rows}}},
            "kjonn": {"label": "Kjønn", "category": {"index": {s: i for i, (s, _) in enumerate(sexes)},
                                                     "label": dict(sexes)}},
        },
        "value": values, **({"status": status} if status else {}),
        "extension": {"prikking": stats.get("prikking")},
    }
