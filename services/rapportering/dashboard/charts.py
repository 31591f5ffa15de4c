"""Server-rendered SVG charts: geometry only (pure functions); the templates draw it and always show the same
numbers in a table beside it."""

from __future__ import annotations

from dataclasses import dataclass

MONTH_ABBR = ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: float | None


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    points: list[Point]
    path: str
    target_y: float | None
    ticks: list[tuple[float, str]]
    """(y, label) for the value axis."""
    months: list[tuple[float, str]]


def cumulative_shares(monthly: dict[int, tuple[int, int]], months: int) -> list[tuple[int, float | None, int, int]]:
    """Month → the year-to-date share after that month (teller and nevner summed), for months 1..``months``."""
    out, num, den = [], 0, 0
    for m in range(1, months + 1):
        n, d = monthly.get(m, (0, 0))
        num, den = num + n, den + d
        out.append((m, num / den if den else None, num, den))
    return out


def line_chart(series: list[tuple[int, float | None]], target: float | None, *, width: int = 320,
               height: int = 140, pad: int = 24, left: int = 44) -> LineChart:
    """The year so far (one point per counted month, shares 0–1) against a horizontal target line."""
    def x(month: int) -> float:
        return round(left + (month - 1) * (width - left - pad) / 11, 1)

    def y(share: float) -> float:
        return round(height - pad - share * (height - 2 * pad), 1)

    points = [Point(x(m), y(v), MONTH_ABBR[m - 1], v) for m, v in series if v is not None]
    path = " ".join(("M" if i == 0 else "L") + f"{p.x},{p.y}" for i, p in enumerate(points))
    return LineChart(width, height, left, points, path, None if target is None else y(target),
                     [(y(t), f"{round(t * 100)} %") for t in (0, 0.5, 1)],
                     [(x(m), MONTH_ABBR[m - 1]) for m in (1, 4, 7, 10, 12)])


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    width: float
    value: float | None
    text: str
    marked: bool = False


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]
    target_x: float | None
    bar_height: int


def bar_chart(rows: list[tuple[str, float | None, str]], target: float | None, *, width: int = 560,
              label_width: int = 150, bar_height: int = 18, gap: int = 6, maximum: float = 1.0,
              marked: str | None = None, text_width: int = 60) -> BarChart:
    """Horizontal bars for values 0–``maximum`` (shares: 0–1; a missing value draws no bar); ``rows`` are
    (label, value, text), with ``text_width`` kept for the text after the longest bar; the row labelled
    ``marked`` gets its own style (its text must say why too)."""
    span = width - label_width - text_width
    scale = maximum if maximum > 0 else 1.0
    bars = [Bar(label, i * (bar_height + gap), 0 if v is None else round(max(0.0, min(v / scale, 1.0)) * span, 1),
                v, text, label == marked) for i, (label, v, text) in enumerate(rows)]
    height = max(1, len(rows)) * (bar_height + gap)
    return BarChart(width, height, label_width, bars,
                    None if target is None else round(label_width + target / scale * span, 1), bar_height)


@dataclass(frozen=True)
class MapArea:
    kode: str
    navn: str
    d: str
    klasse: int | None
    """Colour class 0..MAP_CLASSES-1 (None: no value)."""
    tekst: str
    x: float
    y: float
    label_y: float


@dataclass(frozen=True)
class Choropleth:
    width: float
    height: float
    label_x: float
    areas: list[MapArea]
    legend: list[tuple[int, str]]
    source: str


MAP_CLASSES = 5


def choropleth(values: dict[str, float | None], texts: dict[str, str]) -> Choropleth:
    """The 19 fylker of 2017 (:mod:`rapportering.dashboard.fylkeskart_2017`) coloured by a share 0–1 in five
    classes of 20 points (no value: no class), each with its name and ``texts`` in a column beside the map,
    joined to the fylke by a line, so small fylker stay legible and colour is never the only carrier."""
    from rapportering.dashboard import fylkeskart_2017 as shapes

    order = sorted(shapes.FYLKER.items(), key=lambda item: (item[1]["y"], item[0]))
    step = (shapes.HEIGHT - 16) / (len(order) - 1)
    areas = []
    for i, (code, fylke) in enumerate(order):
        value = values.get(code)
        klasse = None if value is None else min(int(max(value, 0.0) * MAP_CLASSES), MAP_CLASSES - 1)
        areas.append(MapArea(code, fylke["navn"], fylke["d"], klasse, texts.get(code, "ingen data"), fylke["x"],
                             fylke["y"], round(8 + i * step, 1)))
    legend = [(k, f"{k * 100 // MAP_CLASSES}–{(k + 1) * 100 // MAP_CLASSES} %") for k in range(MAP_CLASSES)]
    return Choropleth(shapes.WIDTH + 170, shapes.HEIGHT, shapes.WIDTH + 12, areas, legend, shapes.SOURCE)
