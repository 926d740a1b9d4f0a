"""The view of one local authority: its vacancies, flows to the NHS and across the border."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
import solara

from wfabm.config import load_config
from wfabm.core.taxonomy import DESTINATIONS, ORIGINS, SECTOR_INDEX, WELSH_SOCIAL_CARE
from wfabm.dashboard import app
from wfabm.dashboard.authority_view import authority_flows, paired_authority_difference
from wfabm.dashboard.levers import configure, lever_values
from wfabm.dashboard.replicates import AUTHORITY_VACANCIES, run_replicates
from wfabm.dashboard.simulation import Simulation
from wfabm.dashboard.workshop import Workshop
from wfabm.world.geography import load_geography

S = SECTOR_INDEX
MAY, JUNE = dt.date(2022, 5, 1), dt.date(2022, 6, 1)


def event(month, kind, origin, destination):
    return {
        "month": month,
        "worker_id": 1,
        "kind": kind,
        "origin_employer": origin,
        "destination_employer": destination,
    }


def test_moves_out_of_the_authoritys_social_care_are_counted_by_month():
    # Employers: 0 council in authority 3, 1 provider in 3, 2 NHS Wales in 3, 3 English
    # provider in 9, 4 council in authority 5, 5 English NHS in 9.
    sector = np.array(
        [S["la"], S["independent"], S["nhs"], S["england_independent"], S["la"], S["england_nhs"]]
    )
    authority = np.array([3, 3, 3, 9, 5, 9])
    events = pl.DataFrame(
        [
            event(MAY, "move", 0, 2),  # council -> NHS Wales
            event(MAY, "move", 1, 5),  # provider -> English NHS
            event(JUNE, "move", 1, 3),  # provider -> English provider: across the border
            event(JUNE, "move", 4, 2),  # another authority's council
            event(JUNE, "move", 2, 0),  # from the NHS, not out of social care
            event(JUNE, "move", 0, 1),  # within social care
            event(JUNE, "arrival", -1, 0),
        ]
    )
    flows = authority_flows(events, sector, authority, 3, [MAY, JUNE])
    assert flows["to_nhs"].tolist() == [2, 0]
    assert flows["across_border"].tolist() == [0, 1]


@pytest.fixture(scope="module")
def run():
    simulation = Simulation(configure(lever_values(load_config()), seed=4, horizon=3))
    for _ in range(3):
        simulation.step()
    return simulation


def test_the_authorities_flows_add_up_to_the_runs_flows_out_of_welsh_social_care(run):
    geography = load_geography()
    model = run.model
    total = {"to_nhs": 0, "across_border": 0}
    for index, welsh in enumerate(geography.welsh):
        if welsh:
            flows = authority_flows(
                model.events(), model.employers.sector, model.employers.la, index, run.dates
            )
            for name in total:
                total[name] += int(flows[name].sum())
    matrix = run.flows(cumulative=True)
    origins = [ORIGINS.index(s) for s in WELSH_SOCIAL_CARE]
    nhs = [DESTINATIONS.index(s) for s in ("nhs", "england_nhs")]
    border = [DESTINATIONS.index(s) for s in ("england_la", "england_independent")]
    assert total["to_nhs"] == int(matrix[np.ix_(origins, nhs)].sum())
    assert total["across_border"] == int(matrix[np.ix_(origins, border)].sum())
    assert total["to_nhs"] > 0


def test_the_view_draws_the_authoritys_vacancies_and_flows():
    workshop = Workshop()
    _, rc = solara.render(app.Dashboard(workshop), handle_error=False)
    try:
        workshop.step()
        workshop.view.set("authority")
        titles = {w.layout.title.text for w in rc.find(app.ChartWidget).widgets if w.data}
        assert titles == {
            "Social care vacancies in Powys",
            "Leaving social care in Powys, a month",
        }
    finally:
        rc.close()


def test_the_levers_effect_in_an_authority_is_paired_seed_by_seed():
    base = load_config()
    config = configure(lever_values(base), seed=2, horizon=2, base=base)
    compared = run_replicates(
        config, {"same": config}, replicates=2, months=2, root_seed=2, workers=1
    )
    same = compared.pair("same")
    assert same.lines["scenario"][AUTHORITY_VACANCIES].shape == (2, 2, load_geography().size)
    # The same config on the same seeds: no difference anywhere.
    assert not paired_authority_difference(same, 5).any()
