"""Budget and spend to Excel, in the letter's structure: chapter, post, binding (openpyxl). Amounts are written
as exact decimals of kroner (from integer øre) with a kroner format; the cells carry no float arithmetic of ours."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tilskudd.figures import Figures
from tilskudd.frame import Line, budget

HEADERS = ["Kapittel", "Post", "Binding", "Navn", "Ramme (kr)", "Bevilget (kr)", "Utbetalt (kr)", "Forpliktet (kr)",
           "Prognose resten av året (kr)", "Prognose for året (kr)", "Gjenstående ramme (kr)"]
MONEY = "#,##0.00"


def _kr(ore: int | None) -> Decimal | None:
    return None if ore is None else Decimal(ore).scaleb(-2)


def workbook(year: int, as_of: date, figures: dict[str, Figures]) -> bytes:
    """``figures``: line id → its figures as of ``as_of``, for every line of the year's frame."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Forbruk"
    ws.append([f"Budsjett og forbruk {year} per {as_of.isoformat()}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for k in budget(year).kapitler:
        ws.append([k.kapittel, None, None, k.navn, _kr(k.sum.ore)])
        ws.cell(ws.max_row, 4).font = Font(bold=True)
        for p in k.poster:
            for line_id in [f"{k.kapittel}.{p.post}"] + [f"{k.kapittel}.{p.post}/{b.id}" for b in p.bindinger]:
                _row(ws, figures[line_id])
    for row in ws.iter_rows(min_row=3, min_col=5, max_col=11):
        for cell in row:
            cell.number_format = MONEY
    for column, width in zip("ABCDEFGHIJK", (9, 6, 26, 60, 18, 18, 18, 18, 22, 20, 20), strict=True):
        ws.column_dimensions[column].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(ws, f: Figures) -> None:
    line: Line = f.line
    ws.append([line.kapittel, line.post, line.binding, line.navn, _kr(line.belop_ore), _kr(line.bevilget_ore),
               _kr(f.utbetalt), _kr(f.forpliktet), _kr(f.prognose_rest), _kr(f.prognose_ar),
               None if line.belop_ore is None else _kr(line.belop_ore - f.forpliktet)])
    if line.binding is not None:
        ws.cell(ws.max_row, 4).alignment = Alignment(indent=2)
