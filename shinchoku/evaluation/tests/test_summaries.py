"""The fingerprint under which judged years are kept: what changes which year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shinchoku.evaluation.summaries import fingerprint
from shinchoku.evaluation.tests.test_pages import declare
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Indicator, Measurement

pytestmark = pytest.mark.django_db


def test_what_a_change_touches(municipality: Municipality, department: Department, section: Section) -> None:
    earlier = declare(municipality, department, section, goals=1, year=2023)
    declare(municipality, department, section, goals=1, year=2024)
    before = fingerprint(municipality)

    # A new actual of 2024 changes 2024 and the years after it, not 2023 (a year reads the
    # actuals of itself and the years before it only).
    indicator = Indicator.objects.filter(goals__declaration__fiscal_year=2024).first()
    assert indicator is not None
    Measurement.objects.filter(indicator=indicator, fiscal_year=2024).delete()
    Measurement.objects.create(indicator=indicator, fiscal_year=2024, value=Decimal(5))
    after = fingerprint(municipality)
    assert after.of_year(2023) == before.of_year(2023)
    assert after.of_year(2024) != before.of_year(2024) and after.of_year(2025) != before.of_year(2025)

    # A goal that names an indicator in 2023 changes every year: an indicator no goal names is
    # a plan's, judged wherever it has figures.
    plan_indicator = Indicator.objects.create(municipality=municipality, name="来館者数")
    changed = fingerprint(municipality)
    earlier.goals.get(number=1).indicators.add(plan_indicator)
    linked = fingerprint(municipality)
    assert linked.of_year(2024) != changed.of_year(2024)


def test_an_update_committed_out_of_clock_order_is_seen(
    municipality: Municipality, department: Department, section: Section
) -> None:
    """Two updates whose clocks disagree with their commit order leave MAX(updated_at) as it was;
    the sum of versions still moves."""
    declare(municipality, department, section, goals=1, year=2024)
    measurement = Measurement.objects.filter(indicator__municipality=municipality).first()
    assert measurement is not None
    before = fingerprint(municipality)
    stamp = measurement.updated_at
    Measurement.objects.filter(pk=measurement.pk).update(
        value=Decimal(3), version=measurement.version + 1, updated_at=stamp
    )
    assert fingerprint(municipality).of_year(measurement.fiscal_year) != before.of_year(
        measurement.fiscal_year
    )
