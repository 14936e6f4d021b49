"""The page benchmarks' table in bench/README.md, and the targets each figure is checked against."""

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- page-results -->", "<!-- /page-results -->"
P95_LIMIT_MS = 50
FLOOR_FACTOR = 3
MAX_QUERIES = 15
GROWTH_FACTOR = 1.5
MIN_RPS = 150


def _pages(entries: list[dict], scale: str, database: str) -> dict[str, dict]:
    return {
        e["page"]: e
        for e in entries
        if e["scale"] == scale and e["database"] == database and not e["page"].startswith("load")
    }


def _load(entries: list[dict], scale: str, database: str) -> dict | None:
    return next(
        (e for e in entries if e["scale"] == scale and e["database"] == database and e["page"].startswith("load")),
        None,
    )


def _databases(entries: list[dict]) -> list[str]:
    return sorted({e["database"] for e in entries})


def misses(entries: list[dict], database: str) -> list[str]:
    """Every target the region-scale figures miss, in words (empty when all are met)."""
    region, district = _pages(entries, "region", database), _pages(entries, "district", database)
    out = []
    for name, e in region.items():
        if e["p95_ms"] >= P95_LIMIT_MS:
            out.append(f"{name}: p95 {e['p95_ms']} ms is not under {P95_LIMIT_MS} ms")
        if e["p95_ms"] > FLOOR_FACTOR * e["floor_ms"]:
            out.append(f"{name}: p95 {e['p95_ms']} ms is over {FLOOR_FACTOR}× its floor ({e['floor_ms']} ms)")
        if e["queries"] > MAX_QUERIES:
            out.append(f"{name}: {e['queries']} queries (at most {MAX_QUERIES})")
        if name in district:
            if district[name]["queries"] != e["queries"]:
                out.append(f"{name}: {district[name]['queries']} queries at district scale, {e['queries']} at region")
            if e["p95_ms"] > GROWTH_FACTOR * district[name]["p95_ms"]:
                out.append(f"{name}: region p95 is over {GROWTH_FACTOR}× district ({district[name]['p95_ms']} ms)")
    load = _load(entries, "region", database)
    if load and (load["errors"] or load["rps"] <= MIN_RPS):
        out.append(f"load: {load['rps']} requests/s with {load['errors']} errors (need > {MIN_RPS} and 0)")
    return out


def table(entries: list[dict]) -> str:
    lines = []
    for database in _databases(entries):
        district, region = _pages(entries, "district", database), _pages(entries, "region", database)
        lines += [
            f"**{database}**",
            "",
            "| page | district p50 / p95 ms | region p50 / p95 ms | region: in SQL ms | region floor ms "
            "| p95 ÷ floor | queries (district / region) |",
            "|---|---|---|---|---|---|---|",
        ]
        for name in list(dict.fromkeys([*district, *region])):
            d, r = district.get(name), region.get(name)
            ratio = f"{r['p95_ms'] / r['floor_ms']:.1f}" if r and r["floor_ms"] else "–"
            lines.append(
                f"| {name} | {_pair(d)} | {_pair(r)} | {r.get('sql_ms', '–') if r else '–'} | "
                f"{r['floor_ms'] if r else '–'} | {ratio} | "
                f"{d['queries'] if d else '–'} / {r['queries'] if r else '–'} |"
            )
        lines.append("")
        for scale in ("district", "region"):
            load = _load(entries, scale, database)
            if load:
                lines.append(
                    f"Load at {scale} scale ({load['gunicorn']}, {load['tool']}, {load['connections']} connections, "
                    f"{load['duration_s']:.0f} s): {load['rps']:.0f} requests/s, p95 {load['p95_ms']:.0f} ms, "
                    f"{load['errors']} errors."
                )
        lines.append("")
        missed = misses(entries, database)
        lines.append("Targets at region scale: " + ("all met." if not missed else "missed: " + "; ".join(missed) + "."))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _pair(e: dict | None) -> str:
    return f"{e['p50_ms']} / {e['p95_ms']}" if e else "–"


def write_readme(entries: list[dict]) -> None:
    text = README.read_text()
    head, _sep, rest = text.partition(BEGIN)
    _old, _sep, tail = rest.partition(END)
    README.write_text(f"{head}{BEGIN}\n{table(entries)}{END}{tail}")


def summary(entries: list[dict]) -> str:
    return table(entries)
