"""Names the model uses for sectors, roles, services, contracts and flow kinds.

Every table the model writes uses these names, so analyses and dashboards can rely on them.
"""

from __future__ import annotations

SECTORS: tuple[str, ...] = (
    "la",
    "independent",
    "nhs",
    "england_la",
    "england_independent",
    "england_nhs",
    "agency",
)
"""Employer sectors. ``la`` and ``independent`` are Welsh social care; ``agency`` is Welsh
staffing agencies; ``nhs`` is NHS Wales; the ``england_*`` sectors sit in the English border
authorities."""

WELSH_SOCIAL_CARE: tuple[str, ...] = ("la", "independent", "agency")
"""Sectors counted as the Welsh social care workforce (the 84,134 of the 2022 collection)."""

ROLES: tuple[str, ...] = (
    "care_worker",
    "senior_care_worker",
    "residential_child_care_worker",
    "social_worker",
    "occupational_therapist",
    "amhp",
    "registered_manager",
    "healthcare_assistant",
    "nurse",
    "deputy_manager",
    "ancillary_worker",
    "administrator",
)
"""Worker roles. ``amhp`` is a social worker holding an approved mental health professional
warrant. ``deputy_manager`` covers deputy and other managers, team leaders and supervisors;
``ancillary_worker`` domestic, catering, laundry and maintenance staff, drivers and activity
workers; ``administrator`` office and administrative staff. ``nurse`` works in the NHS and,
in smaller numbers, in independent care homes."""

SERVICES: tuple[str, ...] = (
    "residential",
    "domiciliary",
    "supported_living",
    "day_services",
    "childrens_residential",
    "social_work",
    "health",
    "staffing_agency",
)
"""Workplace service types. ``social_work`` is a social work or therapy team (statutory or
third sector), ``health`` an NHS team."""

ARRIVALS: tuple[str, ...] = ("entrant", "graduate", "overseas")
"""Kinds of arrival from outside the modelled market (returners count as entrants)."""

DEPARTURES: tuple[str, ...] = ("retired", "left_sector")
"""Kinds of departure from the modelled market."""

ORIGINS: tuple[str, ...] = SECTORS + ARRIVALS
DESTINATIONS: tuple[str, ...] = SECTORS + DEPARTURES

SECTOR_INDEX = {name: i for i, name in enumerate(SECTORS)}
ROLE_INDEX = {name: i for i, name in enumerate(ROLES)}
SERVICE_INDEX = {name: i for i, name in enumerate(SERVICES)}

N_SECTORS = len(SECTORS)
N_ROLES = len(ROLES)

LA, INDEPENDENT, NHS, ENGLAND_LA, ENGLAND_INDEPENDENT, ENGLAND_NHS, AGENCY = range(N_SECTORS)
(
    CARE_WORKER,
    SENIOR_CARE_WORKER,
    RCC_WORKER,
    SOCIAL_WORKER,
    OCCUPATIONAL_THERAPIST,
    AMHP,
    REGISTERED_MANAGER,
    HEALTHCARE_ASSISTANT,
    NURSE,
    DEPUTY_MANAGER,
    ANCILLARY_WORKER,
    ADMINISTRATOR,
) = range(N_ROLES)

ENGLISH_SECTORS = (ENGLAND_LA, ENGLAND_INDEPENDENT, ENGLAND_NHS)
INDEPENDENT_SECTORS = (INDEPENDENT, ENGLAND_INDEPENDENT)

# Indices of the arrival and departure kinds among flow origins and destinations.
ENTRANT, GRADUATE, OVERSEAS = (N_SECTORS + i for i in range(len(ARRIVALS)))
RETIRED, LEFT_SECTOR = (N_SECTORS + i for i in range(len(DEPARTURES)))
NHS_SECTORS = (NHS, ENGLAND_NHS)
WELSH_EMPLOYERS = (LA, INDEPENDENT, AGENCY)
"""Welsh social care employers (the sectors Welsh care policy reaches)."""

WELSH_CARE_ROLES: tuple[str, ...] = tuple(
    r for r in ROLES if r not in ("healthcare_assistant", "nurse")
)
"""Social care roles: every role but the NHS's own staff groups. Local authorities and
independent providers on both sides of the border employ them (nurses also work in
independent care homes: see :data:`WELSH_SOCIAL_CARE_ROLES`)."""

WELSH_SOCIAL_CARE_ROLES: tuple[str, ...] = (*WELSH_CARE_ROLES, "nurse")
"""Roles found in the Welsh social care workforce (the 84,134): the social care roles and
the nurses employed by care homes."""
