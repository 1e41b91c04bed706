"""The suite's results as one table: memfeed, its baseline from the same run, and the ratio.

Every ratio is memfeed's cost over the baseline's: latency over latency, or, for throughput, the
baseline's rate over memfeed's (time per item over time per item). 1.0 is the baseline; higher is
costlier.
"""

from __future__ import annotations

from typing import Any

from tests.bench.suite_common import ratio

Row = tuple[str, str, float | None, float | None, float | None]


def _latency_rows(section: str, what: str, ours: dict[str, Any], base: dict[str, Any],
                  quantiles: tuple[str, ...]) -> list[Row]:
    return [(section, f"{what} {q} ms", ours.get(f"{q}_ms"), base.get(f"{q}_ms"),
             ratio(ours.get(f"{q}_ms", 0), base.get(f"{q}_ms", 0)))
            for q in quantiles]


def rows(results: dict[str, Any]) -> list[Row]:
    table: list[Row] = []
    if ingestion := results.get("ingestion"):
        ours, base = ingestion["memfeed"], ingestion["baseline"]
        clients = results["settings"]["concurrency"]
        table.append(("ingestion", f"add/feedback req/s, {clients} clients", ours["requests_per_second"],
                      base["requests_per_second"], ratio(base["requests_per_second"], ours["requests_per_second"])))
        table += _latency_rows("ingestion", "latency", ours, base, ("p50", "p99"))
    if pipeline := results.get("pipeline"):
        ours, base = pipeline["memfeed"], pipeline["baseline"]
        table.append(("pipeline", f"burst of {ours['burst']['jobs']}: jobs/s", ours["burst"]["jobs_per_second"],
                      base["burst"]["jobs_per_second"],
                      ratio(base["burst"]["jobs_per_second"], ours["burst"]["jobs_per_second"])))
        for q in ("p50", "p95"):
            key = f"latency_{q}_ms"
            table.append(("pipeline", f"burst: POST→completed {q} ms", ours["burst"][key], base["burst"][key],
                          ratio(ours["burst"][key], base["burst"][key])))
        table += _latency_rows("pipeline", "one at a time: POST→completed", ours["one_at_a_time"],
                               base["one_at_a_time"], ("p50", "p95"))
    for size, figures in results.get("search", {}).items():
        section = f"search {int(size):,}"
        table += _latency_rows(section, "search/memory vs Edge", figures["memfeed"], figures["baseline_edge"],
                               ("p50", "p99"))
        if local := figures.get("reference_qdrant_client_local"):
            table += _latency_rows(section, "qdrant-client local vs Edge", local, figures["baseline_edge"],
                                   ("p50", "p99"))
    if analyzer := results.get("analyzer"):
        base = analyzer["baseline_one_embedding"]
        for name in ("rules_only", "with_embeddings"):
            table += _latency_rows("analyzer", f"{name} vs 1 embedding", analyzer[name], base, ("p50",))
    if memory := results.get("memory"):
        for process, baseline in (("api", "bare_api"), ("worker", "noop_worker")):
            ours, base = memory.get(f"{process}_peak_rss_mb"), memory.get(f"{baseline}_peak_rss_mb")
            table.append(("memory", f"{process} peak RSS MB vs {baseline}", ours, base, ratio(ours or 0, base or 0)))
        if (analysis := memory.get("analysis_worker_peak_rss_mb")) is not None:
            base = memory.get("noop_worker_peak_rss_mb")
            table.append(("memory", "analysis worker peak RSS MB vs noop_worker", analysis, base,
                          ratio(analysis, base or 0)))
    return table


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def render(results: dict[str, Any]) -> str:
    header = f"{'benchmark':<16}{'measure':<46}{'memfeed':>12}{'baseline':>12}{'ratio':>8}"
    lines = [header, "-" * len(header)]
    for section, measure, ours, base, factor in rows(results):
        lines.append(f"{section:<16}{measure:<46}{_cell(ours):>12}{_cell(base):>12}{_cell(factor):>8}")
    return "\n".join(lines)
