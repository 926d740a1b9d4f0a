"""``wfabm analyse``: summary tables, sensitivity indices and plots of an experiment's results.

Everything is computed from the results folder alone (its runs and ``manifest.json``), and
written to ``<folder>/analysis/``:

- ``summary.csv``: each outcome over the runs' last months, by scenario, sample, sector and
  role: runs, mean, sd and the 95 % interval of the mean (Student's t over replicates).
- ``series.parquet``: the same statistics month by month, for the series the runs kept.
- ``differences.csv``: each scenario − the reference scenario, paired by seed
  (:func:`wfabm.batch.compare.paired_comparison`), per sample, when there are several scenarios.
- ``sensitivity.csv``: SALib indices with 95 % confidence intervals, for Morris (μ*, σ) and
  Sobol (S1, ST) designs.
- PNG plots (time series with 95 % bands, the response to the first parameter of a grid or
  Latin design, Morris tornado charts, Sobol bars, the labour-flow network between sectors)
  and ``report.html``, one self-contained page with all of them.

Statistics are taken in numpy in a fixed order, so the same results give the same tables to
the last bit.
"""

from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from wfabm.batch.atomic import write_atomically
from wfabm.batch.charts import (
    axis_label,
    draw_bands,
    fan_plot,
    paired_fan,
    plain_numbers,
    sample_bands,
)
from wfabm.batch.compare import BASELINE, SCENARIO, paired_comparison
from wfabm.batch.convergence import convergence_notes
from wfabm.batch.provenance import commit_text
from wfabm.batch.store import ANALYSIS, MANIFEST, read_manifest, read_runs
from wfabm.config import ConfigError, display_path
from wfabm.core.taxonomy import ARRIVALS, DEPARTURES, SECTORS
from wfabm.outcomes.results import Results
from wfabm.outcomes.statistics import CONFIDENCE

__all__ = [
    "EXPECTED_TOLERANCE",
    "Report",
    "analyse",
    "check_expected",
    "sensitivity_indices",
    "write_expected",
]

EXPECTED_TOLERANCE = {"relative": 1e-6, "absolute": 1e-9}
"""How far a replayed expected summary may move before it counts as changed: the runs are
deterministic, so this only absorbs float formatting and platform rounding."""

_EXPECTED_SECTORS = ("wales", "la", "independent")
_MAX_LINES = 12
_SA_METHODS = ("morris", "sobol")


@dataclass
class Report:
    """What ``wfabm analyse`` found and wrote.

    Attributes:
        root: The results folder.
        manifest: Its manifest.
        summary: Window-summary statistics (``summary.csv``).
        series: Monthly statistics (``series.parquet``), possibly empty.
        differences: Paired differences from the reference scenario, possibly empty.
        sensitivity: SALib indices, possibly empty.
        files: Every file written, in order.
        notes: Things the reader should know (missing runs, skipped analyses).
    """

    root: Path
    manifest: dict
    summary: pl.DataFrame
    series: pl.DataFrame
    differences: pl.DataFrame
    sensitivity: pl.DataFrame
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """A short account of the analysis."""
        spec = self.manifest["spec"]
        lines = [
            f"wfabm analyse: {self.manifest['experiment']} ({spec['design']['method']} design, "
            f"up to {self.summary['runs'].max()} runs per scenario and sample); "
            f"{len(self.files)} files in {display_path(self.root / ANALYSIS)}"
        ]
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


def analyse(
    root: str | Path,
    *,
    outcome: str | None = None,
    sector: str | None = None,
    role: str | None = None,
    reference: str | None = None,
) -> Report:
    """Analyse an experiment's results folder and write ``analysis/`` (see the module docs).

    The spec's ``[analysis]`` table gives the defaults; the arguments override them for
    this analysis only (they are not part of the spec's hash: analysing again never
    touches the runs).

    Args:
        root: The ``--out`` folder of ``wfabm experiment``.
        outcome: The outcome of the sensitivity indices and response plots (``--outcome``).
        sector: The sector analysed (``--sector``).
        role: The role analysed (``--role``).
        reference: The scenario the others are compared with (``--reference``).

    Returns:
        The tables and the files written.

    Raises:
        ConfigError: If the folder is not an experiment's results, or a choice names an
            outcome, sector, role or scenario the folder does not hold.
    """
    root = Path(root)
    manifest = read_manifest(root)
    runs = read_runs(root)
    manifest = with_choices(
        manifest, runs, outcome=outcome, sector=sector, role=role, reference=reference
    )
    summary_rows = runs.filter(pl.col("kind") == "summary")
    keys = ["scenario", "sample", "sector", "role", "outcome"]
    # Runs are in (scenario, sample, replicate) order, so each statistic adds them in
    # replicate order.
    results = Results(summary_rows, runs.filter(pl.col("kind") == "series"))
    report = Report(
        root=root,
        manifest=manifest,
        summary=results.reduce(keys, over=None),
        series=results.reduce([*keys[:2], "month", *keys[2:]], over=None, table="monthly"),
        differences=_differences(summary_rows, manifest),
        sensitivity=pl.DataFrame(),
    )
    expected_runs = manifest["runs"]
    present = runs.select("scenario", "sample", "replicate").unique().height
    if present < expected_runs:
        report.notes.append(
            f"{expected_runs - present} of {expected_runs} runs are missing (unfinished or "
            "failed); statistics use the runs present."
        )
    versions = {(s.get("git_commit"), s.get("wfabm")) for s in manifest["sessions"]}
    if len(versions) > 1:
        report.notes.append(
            f"the runs were made by {len(versions)} versions of wfabm (see the sessions in "
            f"{MANIFEST}); rerun into a new folder for results from one version."
        )
    report.sensitivity = _sensitivity(summary_rows, manifest, report.notes)
    folder = root / ANALYSIS
    folder.mkdir(exist_ok=True)
    _write(report, folder / "summary.csv", report.summary.write_csv)
    if not report.series.is_empty():
        _write(report, folder / "series.parquet", report.series.write_parquet)
    if not report.differences.is_empty():
        _write(report, folder / "differences.csv", report.differences.write_csv)
    if not report.sensitivity.is_empty():
        _write(report, folder / "sensitivity.csv", report.sensitivity.write_csv)
    figures = _plots(report, runs.filter(pl.col("kind") == "flows"))
    figures.extend(_fans(report, runs.filter(pl.col("kind") == "series")))
    for name, png in figures:
        _write(report, folder / name, lambda path, png=png: path.write_bytes(png))
    page = _html(report, figures)
    _write(report, folder / "report.html", lambda path: path.write_text(page, encoding="utf-8"))
    return report


def with_choices(manifest: dict, runs: pl.DataFrame, **choices: str | None) -> dict:
    """The manifest with its spec's ``[analysis]`` changed by the analyse options given.

    Args:
        manifest: The folder's manifest.
        runs: Its runs (:func:`~wfabm.batch.store.read_runs`), to check the choices against.
        **choices: ``outcome``, ``sector``, ``role``, ``reference``; None keeps the spec's.

    Returns:
        A copy; the folder's files are not changed.

    Raises:
        ConfigError: For a choice the folder holds no results for.
    """
    spec = manifest["spec"]
    analysis = dict(spec["analysis"])
    summary = runs.filter(pl.col("kind") == "summary")
    allowed = {
        "outcome": list(spec["outcomes"]["summary"]),
        "sector": summary["sector"].unique(maintain_order=True).to_list(),
        "role": summary["role"].unique(maintain_order=True).to_list(),
        "reference": list(manifest["configs"]),
    }
    for name, value in choices.items():
        if value is None:
            continue
        if value not in allowed[name]:
            raise ConfigError(
                f"--{name} {value}: this results folder holds no results for it; allowed: "
                + ", ".join(allowed[name])
                + "."
            )
        analysis["sensitivity" if name == "outcome" else name] = (
            [value] if name == "outcome" else value
        )
    return {**manifest, "spec": {**spec, "analysis": analysis}}


def _write(report: Report, path: Path, write) -> None:
    report.files.append(write_atomically(path, write))


# --------------------------------------------------------------------------- differences
def _differences(summary_rows: pl.DataFrame, manifest: dict) -> pl.DataFrame:
    scenarios = list(manifest["configs"])
    reference = manifest["spec"]["analysis"]["reference"]
    if len(scenarios) < 2:
        return pl.DataFrame()
    rows = summary_rows.select("scenario", "sample", "seed", "sector", "role", "outcome", "value")
    tables = []
    for scenario in scenarios:
        if scenario == reference:
            continue
        for sample in rows["sample"].unique().sort().to_list():
            pair = rows.filter(
                pl.col("scenario").is_in([reference, scenario]) & (pl.col("sample") == sample)
            )
            if pair["scenario"].n_unique() < 2:
                continue
            labelled = pair.with_columns(
                scenario=pl.when(pl.col("scenario") == reference)
                .then(pl.lit(BASELINE))
                .otherwise(pl.lit(SCENARIO))
            ).drop("sample")
            table = paired_comparison(labelled)
            tables.append(
                table.select(
                    pl.lit(scenario).alias("scenario"),
                    pl.lit(reference).alias("reference"),
                    pl.lit(sample, dtype=pl.Int64).alias("sample"),
                    pl.all(),
                ).rename({"baseline_mean": "reference_mean"})
            )
    return pl.concat(tables) if tables else pl.DataFrame()


# --------------------------------------------------------------------------- sensitivity
def sensitivity_indices(
    method: str,
    problem: dict,
    samples: np.ndarray,
    response: np.ndarray,
    *,
    seed: int,
    levels: int = 4,
    second_order: bool = False,
) -> pl.DataFrame:
    """SALib indices of one response, with 95 % confidence intervals.

    Args:
        method: ``"morris"`` or ``"sobol"``.
        problem: The SALib problem (names and bounds).
        samples: The design matrix, one row per sample.
        response: The outcome of each sample.
        seed: Seed of SALib's bootstrap, for a reproducible interval.
        levels: Morris grid levels of the design.
        second_order: Whether a Sobol design has the second-order samples.

    Returns:
        One row per parameter: ``parameter``, ``index``, ``value``, ``ci_low``,
        ``ci_high`` for the indices ``mu_star`` and ``sigma`` (Morris; σ without an
        interval) or ``S1`` and ``ST`` (Sobol).
    """
    from SALib.analyze import morris, sobol

    if method == "morris":
        result = morris.analyze(
            problem,
            samples,
            response,
            num_levels=levels,
            conf_level=CONFIDENCE,
            seed=seed,
        )
        indices = {"mu_star": "mu_star_conf", "sigma": None}
    else:
        result = sobol.analyze(
            problem,
            response,
            calc_second_order=second_order,
            conf_level=CONFIDENCE,
            seed=seed,
        )
        indices = {"S1": "S1_conf", "ST": "ST_conf"}
    rows = []
    for index, conf in indices.items():
        for i, name in enumerate(problem["names"]):
            value = float(result[index][i])
            half = float(result[conf][i]) if conf else math.nan
            rows.append((name, index, value, value - half, value + half))
    table = pl.DataFrame(
        rows, schema=["parameter", "index", "value", "ci_low", "ci_high"], orient="row"
    )
    return table.with_columns(pl.col("value", "ci_low", "ci_high").fill_nan(None))


def _sensitivity(summary_rows: pl.DataFrame, manifest: dict, notes: list[str]) -> pl.DataFrame:
    spec, design = manifest["spec"], manifest["design"]
    method = design["method"]
    if method not in _SA_METHODS:
        return pl.DataFrame()
    analysis = spec["analysis"]
    problem = design["problem"]
    # SALib analyses the design as sampled (before whole-number rounding).
    samples = np.array(design["matrix"], dtype=float)
    tables = []
    for scenario in manifest["configs"]:
        for outcome in analysis["sensitivity"]:
            rows = summary_rows.filter(
                (pl.col("scenario") == scenario)
                & (pl.col("sector") == analysis["sector"])
                & (pl.col("role") == analysis["role"])
                & (pl.col("outcome") == outcome)
            ).sort("sample", "replicate")
            means = Results(rows).reduce(["sample"], over=None)
            if means.height < len(samples) or means["mean"].null_count():
                notes.append(
                    f"no {method} indices of {outcome} for {scenario}: "
                    f"{len(samples) - means.height} of {len(samples)} samples have no runs."
                )
                continue
            response = means.sort("sample")["mean"].to_numpy()
            table = sensitivity_indices(
                method,
                problem,
                samples,
                response,
                seed=design["seed"],
                levels=spec["design"].get("levels", 4),
                second_order=spec["design"].get("second_order", False),
            )
            notes.extend(
                convergence_notes(
                    table, method, spec["design"].get("samples", 0), f"{outcome} for {scenario}"
                )
            )
            tables.append(
                table.select(
                    pl.lit(scenario).alias("scenario"),
                    pl.lit(analysis["sector"]).alias("sector"),
                    pl.lit(analysis["role"]).alias("role"),
                    pl.lit(outcome).alias("outcome"),
                    pl.lit(method).alias("method"),
                    pl.all(),
                )
            )
    return pl.concat(tables) if tables else pl.DataFrame()


# --------------------------------------------------------------------------- expected summary
def expected_summary(report: Report) -> pl.DataFrame:
    """The rows CI replays compare: all roles in Wales, LAs and independents, every outcome."""
    return (
        report.summary.filter(pl.col("sector").is_in(_EXPECTED_SECTORS) & (pl.col("role") == "all"))
        .select("scenario", "sample", "sector", "role", "outcome", "runs", "mean")
        .sort("scenario", "sample", "sector", "outcome")
    )


def write_expected(report: Report, path: str | Path) -> Path:
    """Write :func:`expected_summary` to a CSV file (full float precision)."""
    table = expected_summary(report)
    return write_atomically(Path(path), table.write_csv)


def check_expected(report: Report, path: str | Path) -> str:
    """Compare :func:`expected_summary` with a checked-in file.

    Args:
        report: The analysis of a replayed experiment.
        path: The expected CSV (:func:`write_expected`).

    Returns:
        An empty string if every value is within :data:`EXPECTED_TOLERANCE`, else a
        readable table of the rows that moved, missing or new.

    Raises:
        ConfigError: If the file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"--expected {display_path(path)}: no such file; write it with --write-expected."
        )
    keys = ["scenario", "sample", "sector", "role", "outcome"]
    expected = pl.read_csv(path, schema_overrides={"mean": pl.Float64, "runs": pl.Int64})
    actual = expected_summary(report)
    joined = expected.join(actual, on=keys, how="full", coalesce=True, suffix="_now")
    relative, absolute = EXPECTED_TOLERANCE["relative"], EXPECTED_TOLERANCE["absolute"]
    was, now = pl.col("mean"), pl.col("mean_now")
    moved = joined.filter(
        was.is_null().xor(now.is_null())
        | ((was - now).abs() > absolute + relative * was.abs())
        | (pl.col("runs") != pl.col("runs_now"))
    )
    if moved.is_empty():
        return ""
    lines = [
        f"{moved.height} expected value(s) in {display_path(path)} moved beyond the tolerance "
        f"(relative {relative:g}, absolute {absolute:g}):",
        f"  {'scenario':<22}{'sample':>7}  {'sector':<12}{'outcome':<14}"
        f"{'expected':>16}{'now':>16}{'change':>12}",
    ]
    for row in moved.iter_rows(named=True):
        before, after = row["mean"], row["mean_now"]
        change = (
            "missing"
            if after is None
            else "new"
            if before is None
            else f"{(after - before) / abs(before):+.2%}"
            if before
            else f"{after - before:+.3g}"
        )
        lines.append(
            f"  {row['scenario']:<22}{row['sample']:>7}  {row['sector']:<12}{row['outcome']:<14}"
            f"{_number(before):>16}{_number(after):>16}{change:>12}"
        )
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


# --------------------------------------------------------------------------- plots
def _plots(report: Report, flows: pl.DataFrame) -> list[tuple[str, bytes]]:
    import matplotlib

    matplotlib.use("Agg")
    figures = []
    analysis = report.manifest["spec"]["analysis"]
    if not report.series.is_empty():
        figures.extend(
            (f"series_{outcome}.png", _series_plot(report, outcome, analysis))
            for outcome in report.series["outcome"].unique(maintain_order=True).to_list()
        )
    design = report.manifest["design"]
    if design["method"] in ("grid", "latin") and design["parameters"]:
        figures.extend(
            (f"response_{outcome}.png", _response_plot(report, outcome, analysis))
            for outcome in analysis["sensitivity"]
        )
    if not report.sensitivity.is_empty():
        for (scenario, outcome, method), table in report.sensitivity.group_by(
            "scenario", "outcome", "method", maintain_order=True
        ):
            figures.append(
                (f"{method}_{scenario}_{outcome}.png", _sensitivity_plot(table, method, outcome))
            )
    if not flows.is_empty():
        figures.extend(
            (
                f"network_{scenario}.png",
                _network_plot(flows.filter(pl.col("scenario") == scenario), scenario),
            )
            for scenario in flows["scenario"].unique(maintain_order=True).to_list()
        )
    return figures


def _fans(report: Report, series_rows: pl.DataFrame) -> list[tuple[str, bytes]]:
    """Fan charts of each scenario minus the reference, one per series outcome."""
    analysis = report.manifest["spec"]["analysis"]
    if series_rows.is_empty() or series_rows["scenario"].n_unique() < 2:
        return []
    where = (pl.col("sector") == analysis["sector"]) & (pl.col("role") == analysis["role"])
    rows = series_rows.filter(where)
    figures = []
    for outcome in rows["outcome"].unique(maintain_order=True).to_list():
        fan = paired_fan(rows.filter(pl.col("outcome") == outcome), analysis["reference"])
        if fan.is_empty():
            continue
        label = f"{analysis['sector']}, {analysis['role']}"
        figure = fan_plot(fan, outcome, label, analysis["reference"])
        figures.append((f"fan_{outcome}.png", _png(figure)))
    return figures


def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _series_plot(report: Report, outcome: str, analysis: dict) -> bytes:
    import matplotlib.pyplot as plt

    rows = report.series.filter(
        (pl.col("outcome") == outcome)
        & (pl.col("sector") == analysis["sector"])
        & (pl.col("role") == analysis["role"])
    )
    samples = report.manifest["design"]["samples"]
    per_sample = 1 < len(samples) <= _MAX_LINES
    figure, axes = plt.subplots(figsize=(8, 4.5))
    if per_sample or len(samples) == 1:
        groups = rows.group_by("scenario", "sample", maintain_order=True)
    else:
        # Too many samples to draw: one band per scenario over every sample and replicate.
        groups = rows.group_by("scenario", maintain_order=True)
    for key, group in groups:
        scenario = key[0]
        label = scenario
        if per_sample:
            values = samples[key[1]]
            label += " " + ", ".join(f"{k.split('.')[-1]}={v:.3g}" for k, v in values.items())
        if len(key) == 1:
            # The spread of the design samples, not an interval of their mean.
            draw_bands(axes, sample_bands(group), f"{scenario} (median of samples)")
            continue
        group = group.sort("month")
        months = group["month"].to_list()
        (line,) = axes.plot(months, group["mean"].to_numpy(), label=label)
        low, high = group["ci_low"].to_numpy(), group["ci_high"].to_numpy()
        if not np.all(np.isnan(low.astype(float))):
            axes.fill_between(months, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    shown = (
        "median, 50% and 90% of design samples"
        if not (per_sample or len(samples) == 1)
        else "mean and 95% interval over replicates"
    )
    axes.set_title(f"{outcome} ({analysis['sector']}, {analysis['role']}): {shown}")
    plain_numbers(axes)
    axes.set_xlabel("month")
    axes.set_ylabel(axis_label(outcome, series=True))
    axes.legend(fontsize="small")
    return _png(figure)


def _response_plot(report: Report, outcome: str, analysis: dict) -> bytes:
    """An outcome against the first varied parameter, mean and 95 % interval per sample."""
    import matplotlib.pyplot as plt

    design = report.manifest["design"]
    parameter = design["parameters"][0]
    values = [sample[parameter] for sample in design["samples"]]
    rows = report.summary.filter(
        (pl.col("outcome") == outcome)
        & (pl.col("sector") == analysis["sector"])
        & (pl.col("role") == analysis["role"])
    )
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for (scenario,), group in rows.group_by("scenario", maintain_order=True):
        group = group.with_columns(
            pl.col("sample").map_elements(values.__getitem__, return_dtype=pl.Float64).alias("x")
        ).sort("x")
        mean = group["mean"].to_numpy()
        low = (group["mean"] - group["ci_low"]).fill_null(0.0).to_numpy()
        high = (group["ci_high"] - group["mean"]).fill_null(0.0).to_numpy()
        style = "o" if len(design["parameters"]) > 1 else "o-"
        axes.errorbar(group["x"].to_numpy(), mean, yerr=[low, high], fmt=style, label=scenario)
    axes.set_xlabel(parameter)
    axes.set_ylabel(axis_label(outcome))
    plain_numbers(axes)
    axes.set_title(
        f"{outcome} ({analysis['sector']}, {analysis['role']}) over the last "
        f"{report.manifest['spec']['outcomes']['window_months']} months: mean and 95% interval"
    )
    axes.legend(fontsize="small")
    return _png(figure)


def _sensitivity_plot(table: pl.DataFrame, method: str, outcome: str) -> bytes:
    import matplotlib.pyplot as plt

    if method == "morris":
        rows = table.filter(pl.col("index") == "mu_star").sort("value")
        sigma = dict(table.filter(pl.col("index") == "sigma").select("parameter", "value").rows())
        figure, (tornado, scatter) = plt.subplots(1, 2, figsize=(11, 0.5 * rows.height + 2.5))
        values = rows["value"].to_numpy()
        errors = (rows["ci_high"] - rows["value"]).to_numpy()
        tornado.barh(rows["parameter"].to_list(), values, xerr=errors, color="tab:blue")
        tornado.set_xlabel("μ* (mean |elementary effect|), 95% interval")
        tornado.set_title(f"Morris screening of {outcome}")
        scatter.scatter(values, [sigma[p] for p in rows["parameter"]])
        for name, x in zip(rows["parameter"], values, strict=True):
            scatter.annotate(name.split(".")[-1], (x, sigma[name]), fontsize="small")
        scatter.set_xlabel("μ*")
        scatter.set_ylabel("σ (interaction or non-linearity)")
        return _png(figure)
    parameters = table.filter(pl.col("index") == "ST").sort("value")["parameter"].to_list()
    figure, axes = plt.subplots(figsize=(8, 0.6 * len(parameters) + 2.5))
    positions = np.arange(len(parameters))
    for offset, index in ((-0.2, "S1"), (0.2, "ST")):
        rows = table.filter(pl.col("index") == index)
        lookup = {r["parameter"]: r for r in rows.iter_rows(named=True)}
        values = np.array([lookup[p]["value"] for p in parameters])
        errors = np.array([lookup[p]["ci_high"] - lookup[p]["value"] for p in parameters])
        axes.barh(positions + offset, values, height=0.4, xerr=errors, label=index)
    axes.set_yticks(positions, parameters)
    axes.set_xlabel("Sobol index, 95% interval")
    axes.set_title(f"Sobol indices of {outcome}: first order (S1) and total (ST)")
    axes.legend()
    return _png(figure)


def _network_plot(flows: pl.DataFrame, scenario: str) -> bytes:
    import matplotlib.pyplot as plt
    import networkx as nx

    runs = flows.select("sample", "replicate").unique().height
    moves = (
        flows.group_by("origin", "destination")
        .agg((pl.col("value").sum() / runs).alias("people"))
        .filter((pl.col("origin") != pl.col("destination")) & (pl.col("people") > 0))
        .sort("origin", "destination")
    )
    graph = nx.DiGraph()
    nodes = [*SECTORS, "arrivals", "departures"]
    graph.add_nodes_from(nodes)
    for row in moves.iter_rows(named=True):
        origin = "arrivals" if row["origin"] in ARRIVALS else row["origin"]
        destination = "departures" if row["destination"] in DEPARTURES else row["destination"]
        weight = graph.get_edge_data(origin, destination, {"people": 0.0})["people"]
        graph.add_edge(origin, destination, people=weight + row["people"])
    positions = nx.circular_layout(nodes)
    heaviest = max((d["people"] for *_, d in graph.edges(data=True)), default=1.0)
    figure, axes = plt.subplots(figsize=(8, 8))
    nx.draw_networkx_nodes(graph, positions, node_color="#cfe3f5", node_size=2200, ax=axes)
    labels = {node: node.replace("_", "\n") for node in nodes}
    nx.draw_networkx_labels(graph, positions, labels=labels, font_size=8, ax=axes)
    edges = list(graph.edges(data=True))
    nx.draw_networkx_edges(
        graph,
        positions,
        edgelist=[(u, v) for u, v, _ in edges],
        width=[0.5 + 8 * d["people"] / heaviest for *_, d in edges],
        alpha=0.6,
        arrowsize=12,
        connectionstyle="arc3,rad=0.12",
        node_size=2200,
        ax=axes,
    )
    largest = sorted(edges, key=lambda e: -e[2]["people"])[:10]
    nx.draw_networkx_edge_labels(
        graph,
        positions,
        edge_labels={(u, v): f"{d['people']:,.0f}" for u, v, d in largest},
        font_size=7,
        connectionstyle="arc3,rad=0.12",
        ax=axes,
    )
    axes.set_title(
        f"Labour flows between sectors, {scenario}: people over the window, mean over runs"
    )
    axes.axis("off")
    return _png(figure)


# --------------------------------------------------------------------------- report page
def _html(report: Report, figures: list[tuple[str, bytes]]) -> str:
    manifest = report.manifest
    spec = manifest["spec"]
    analysis = spec["analysis"]
    headline = report.summary.filter(
        (pl.col("sector") == analysis["sector"]) & (pl.col("role") == analysis["role"])
    ).head(200)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>wfabm experiment {html.escape(manifest['experiment'])}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;}"
        "table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;"
        "padding:2px 6px;text-align:right}img{max-width:100%}</style></head><body>",
        f"<h1>Experiment {html.escape(manifest['experiment'])}</h1>",
        f"<p>{html.escape(spec['experiment'].get('description', ''))}</p>",
        f"<p>Design: {html.escape(spec['design']['method'])}; {manifest['runs']} runs of "
        f"{spec['experiment']['months']} months; root seed {spec['experiment']['seed']}; "
        f"spec hash {html.escape(manifest['hash'])}; {html.escape(commit_text(manifest))}.</p>",
    ]
    parts.extend(f"<p><b>Note:</b> {html.escape(note)}</p>" for note in report.notes)
    parts.append(
        f"<h2>Summary over the last {spec['outcomes']['window_months']} months "
        f"({html.escape(analysis['sector'])}, {html.escape(analysis['role'])})</h2>"
    )
    parts.append(_html_table(headline))
    if not report.differences.is_empty():
        parts.append(f"<h2>Differences from {html.escape(analysis['reference'])}</h2>")
        parts.append(
            _html_table(
                report.differences.filter(
                    (pl.col("sector") == analysis["sector"]) & (pl.col("role") == analysis["role"])
                ).head(200)
            )
        )
    if not report.sensitivity.is_empty():
        parts.append("<h2>Sensitivity indices (95% intervals)</h2>")
        parts.append(_html_table(report.sensitivity))
    parts.append("<h2>Figures</h2>")
    for name, png in figures:
        encoded = base64.b64encode(png).decode("ascii")
        parts.append(
            f"<figure><img alt='{html.escape(name)}' src='data:image/png;base64,{encoded}'>"
            f"<figcaption>{html.escape(name)}</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_table(table: pl.DataFrame) -> str:
    header = "".join(f"<th>{html.escape(name)}</th>" for name in table.columns)
    rows = []
    for row in table.iter_rows():
        cells = "".join(f"<td>{html.escape(_cell(value))}</td>" for value in row)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
