"""Amounts in the document's own style (issue 10): one rule, one filter, the exact value kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shinchoku.core.figures import Figure, format_amount
from shinchoku.core.templatetags.japanese import amount


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("1000000000", "円", "10億円"),  # seed 000: 10億円
        ("26910000000", "円", "269億1,000万円"),
        ("17546000", "円", "1,754万6,000円"),
        ("10000", "円", "1万円"),
        ("9800", "円", "9,800円"),
        ("4500000", "件", "450万件"),  # seed 000: 450万件
        ("4238714", "件", "4,238,714件"),  # seed 000: 4,238,714件
        ("25000", "回", "25,000回"),
        ("10000", "点", "10,000点"),
        ("81.2", "%", "81.2%"),
        ("-548000000", "円", "▲5億4,800万円"),
    ],
)
def test_the_amount_rule_follows_the_documents(value: str, unit: str, shown: str) -> None:
    assert format_amount(Figure(Decimal(value), unit)) == shown


def test_approximate_amounts_keep_their_qualifier() -> None:
    assert format_amount(Figure(Decimal("1277000000"), "円", approximate=True)) == "約12億7,700万円"


def test_the_filter_keeps_the_exact_value_on_hover() -> None:
    assert amount(Decimal("1000000000.000000"), "円") == (
        '<data value="1000000000" title="1,000,000,000円">10億円</data>'
    )
    assert amount("4238714", "件") == '<data value="4238714">4,238,714件</data>'
    assert amount(None, "円") == "—"
