"""Exits from the modelled market: retirement, and leaving the sector.

Leaving works through intent. Each worker's probability of intending to leave within a year
is a logit of burnout (odds ratio 3.55 from the nursing meta-analysis in
``behaviour_anchors.csv``), workload, pay against the outside option (a weak effect:
leaving a profession is far less pay-sensitive than changing employer), terms without the
NHS pension and sick pay, zero-hours contracts, being new, being young, and the going rate
of one's job below typical earnings. Those who intend to leave do so with odds 5.68 times
those who do not, where that intent leaves out the pay below typical earnings (a reason to
move to a better-paid job, not out of work); on top of that, burnout adds its own hazard of
leaving the sector (``exits.leave_burnout`` a year at full burnout, as the monthly hazard
:func:`monthly_burnout_hazard`, applied in the model's exits stage).
"""

from __future__ import annotations

import numpy as np


def expit(x: np.ndarray) -> np.ndarray:
    """Logistic function, computed in single precision (ample for probabilities, and faster)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float32)))


def retirement_table(mean_age: float, sd: float, max_months: int = 32767) -> np.ndarray:
    """Monthly retirement probability by age in months (a lookup table).

    Retirement ages follow a logistic distribution with the given mean and standard
    deviation; its hazard is ``F(age) / s`` per year, with ``s = sd * sqrt(3) / pi``.
    Everyone still working at 75 retires.

    Args:
        mean_age: Mean retirement age, years.
        sd: Standard deviation of retirement ages, years.
        max_months: Length of the table.

    Returns:
        Probability of retiring this month, indexed by age in months.
    """
    age = np.arange(max_months + 1) / 12.0
    scale = sd * np.sqrt(3.0) / np.pi
    cdf = expit((age - mean_age) / scale)
    monthly = 1.0 - np.exp(-cdf / scale / 12.0)
    return np.where(age >= 75.0, 1.0, monthly)


def intent_log_odds(
    base: np.ndarray,
    burnout: np.ndarray,
    excess_workload: np.ndarray,
    static: np.ndarray,
    coef: dict,
) -> np.ndarray:
    """Log-odds of intending to leave the sector within a year, before the pay-gap term.

    The intent to leave is the logistic of these log-odds plus the term for pay below typical
    earnings (``exits.intent_pay_gap``, by cell); the hazard of leaving the labour market
    reads the logistic of these log-odds alone (``WorkforceModel.step``).


    ``logit(I) = base + b_burnout * burnout + b_workload * excess + static`` where ``base``
    holds the role's constant, ``b_pay * log(pay / outside option)`` and the term for terms
    without the NHS pension and sick pay, and ``static`` the terms for zero-hours contracts,
    a first year with the employer and being under 25.

    Args:
        base: Role constant plus the pay and terms terms, per worker.
        burnout: Burnout.
        excess_workload: Workload above the worker's tolerance (>= 0).
        static: Zero-hours, new-starter and under-25 terms, per worker.
        coef: The ``[exits]`` config table.

    Returns:
        Log-odds (single precision if the inputs are).
    """
    log_odds = base + static
    log_odds += coef["intent_burnout"] * burnout
    log_odds += coef["intent_workload"] * excess_workload
    return log_odds


def monthly_leave_hazards(
    leave_base: np.ndarray, odds_ratio: float
) -> tuple[np.ndarray, np.ndarray]:
    """Monthly probabilities of leaving for those not intending to, and for those intending to.

    The yearly probability ``p0`` of those not intending to leave comes from the config; for
    those intending to leave the odds are ``odds_ratio`` times higher. Each is turned into a
    constant monthly probability ``1 - (1 - p) ** (1 / 12)``, and a worker with intent ``I``
    leaves in a month with probability ``m0 * (1 - I) + m1 * I``.

    Args:
        leave_base: Yearly probability ``p0`` by role.
        odds_ratio: Odds ratio of leaving for those intending to.

    Returns:
        ``(m0, m1)`` monthly probabilities by role.
    """
    odds = leave_base / (1.0 - leave_base) * odds_ratio
    intending = odds / (1.0 + odds)
    return (
        1.0 - (1.0 - leave_base) ** (1.0 / 12.0),
        1.0 - (1.0 - intending) ** (1.0 / 12.0),
    )


def monthly_burnout_hazard(leave_burnout: float) -> float:
    """Monthly hazard of leaving the sector at full burnout, from its yearly probability.

    Args:
        leave_burnout: Probability of leaving within a year at full burnout
            (``exits.leave_burnout``).

    Returns:
        The probability of leaving within one month, ``1 - (1 - p) ** (1 / 12)``.
    """
    return 1.0 - (1.0 - leave_burnout) ** (1.0 / 12.0)
