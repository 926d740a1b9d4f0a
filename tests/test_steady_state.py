"""The steady-state check: the baseline with every driver frozen stays where it starts.

``configs/checks/steady_state.toml`` runs the baseline under the burn-in's own steady
conditions (no pay uplifts, no growth in posts or typical earnings, today's levers, the age
profile held, the overseas route not recruiting). A run from it continues the burn-in, so
if the burn-in reached the model's stationary state, each of ten years has Welsh headcount
within 2 %, and vacancy rate, leaver rate and burnout within 5 %, of the ten-year mean
(the credible-baseline criteria). Two seeds.
"""

from __future__ import annotations

import pytest

from wfabm.config import load_config
from wfabm.model import WorkforceModel
from wfabm.outcomes.summary import yearly_wales

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("seed", [20220401, 7])
def test_steady_state_config_holds_for_ten_years(seed):
    config = load_config("checks/steady_state")
    assert config["run"]["burn_in_months"] > 0
    model = WorkforceModel(config, seed=seed, record_events=False).run(120)
    years = yearly_wales(model.metrics)
    assert years.height == 10
    bands = {"headcount": 0.02, "vacancy_rate": 0.05, "leaver_rate": 0.05, "burnout": 0.05}
    for column, band in bands.items():
        values = years[column].to_numpy()
        deviation = abs(values / values.mean() - 1.0).max()
        assert deviation <= band, (column, [round(float(v), 4) for v in values])
