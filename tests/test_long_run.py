"""Long-run plausibility of the baseline: every year 2022-2031 stays within the evidence.

The credible-baseline criteria: in every model year of the ten (April to March), the Welsh
care-worker leaver rate stays within 15-32 % a year and the Welsh social care vacancy rate
within 5-14 %, and mean burnout in year 10 is within 0.8-1.25 of year 1. The 2022-2025
drivers run as they happened (pay uplifts, the visa numbers and the route's closure in
July 2025). Two seeds.
"""

from __future__ import annotations

import pytest

from wfabm.model import WorkforceModel
from wfabm.outcomes.summary import yearly_wales

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("seed", [20220401, 7])
def test_baseline_stays_plausible_in_every_year(seed):
    model = WorkforceModel(seed=seed, record_events=False).run()
    years = yearly_wales(model.metrics)
    assert years.height == 10
    leaving = yearly_wales(model.metrics, "care_worker")["leaver_rate"].to_list()
    vacancies = years["vacancy_rate"].to_list()
    assert all(0.15 <= rate <= 0.32 for rate in leaving), leaving
    assert all(0.05 <= rate <= 0.14 for rate in vacancies), vacancies
    burnout = years["burnout"].to_list()
    assert 0.8 <= burnout[-1] / burnout[0] <= 1.25, burnout
