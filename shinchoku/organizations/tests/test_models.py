import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import (
    Department,
    Membership,
    Municipality,
    Role,
    Section,
    SuccessionKind,
    local_government_code_check_digit,
    validate_local_government_code,
)
from shinchoku.organizations.selectors import resolve_section, section_lookup
from shinchoku.organizations.services import (
    SectionResolver,
    UnknownSectionsError,
    looks_like_section,
    section_create,
    section_succeed,
)


@pytest.mark.parametrize(("code", "digit"), [("14214", 0), ("13101", 6), ("01100", 2), ("47201", 8)])
def test_check_digit_of_real_codes(code: str, digit: int) -> None:
    # 伊勢原市 142140, 千代田区 131016, 札幌市 011002, 那覇市 472018
    assert local_government_code_check_digit(code) == digit


@pytest.mark.parametrize("bad", ["142141", "14214", "1421400", "14214a"])
def test_invalid_codes_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        validate_local_government_code(bad)


def test_municipality_str_and_unique_code(municipality: Municipality) -> None:
    assert str(municipality) == "架空県みどり市"
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(code="992011", name="x", prefecture="y", slug="x")


def test_valid_range_is_checked_by_the_database(municipality: Municipality) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(municipality=municipality, name="旧部", valid_from=2020, valid_to=2019)


def test_valid_in_filters_by_fiscal_year(
    municipality: Municipality, department: Department, actor: Actor
) -> None:
    old = section_create(
        municipality=municipality, department=department, name="広報広聴課", valid_to=2017, actor=actor
    )
    new = section_create(
        municipality=municipality, department=department, name="広報戦略課", valid_from=2018, actor=actor
    )
    assert list(Section.objects.filter(pk__in=[old.pk, new.pk]).valid_in(2017)) == [old]
    assert list(Section.objects.filter(pk__in=[old.pk, new.pk]).valid_in(2018)) == [new]


def test_resolve_section_by_alias_and_spelling(
    municipality: Municipality, department: Department, actor: Actor
) -> None:
    section_create(
        municipality=municipality,
        department=department,
        name="人権・広聴相談課",
        aliases=["広聴相談課"],
        actor=actor,
    )
    lookup = section_lookup(municipality)
    assert resolve_section(lookup, "人権・広聴相談課").name == "人権・広聴相談課"  # type: ignore[union-attr]
    assert resolve_section(lookup, "広聴相談課").name == "人権・広聴相談課"  # type: ignore[union-attr]
    # Full-width brackets and PDF spaces do not make another section.
    assert resolve_section(lookup, "（人権・広聴 相談課）").name == "人権・広聴相談課"  # type: ignore[union-attr]
    assert resolve_section(lookup, "存在しない課") is None


def test_a_reused_name_resolves_to_the_section_of_that_year(
    municipality: Municipality, department: Department, actor: Actor
) -> None:
    first = section_create(
        municipality=municipality, department=department, name="企画課", valid_to=2015, actor=actor
    )
    second = section_create(
        municipality=municipality, department=department, name="企画課", valid_from=2020, actor=actor
    )
    lookup = section_lookup(municipality)
    assert resolve_section(lookup, "企画課", 2014) == first
    assert resolve_section(lookup, "企画課", 2021) == second
    assert resolve_section(lookup, "企画課", 2016) == first  # nearest in time


def test_succession_links_old_and_new_sections(
    municipality: Municipality, department: Department, actor: Actor
) -> None:
    old = section_create(
        municipality=municipality, department=department, name="広報広聴課", valid_to=2017, actor=actor
    )
    new = section_create(
        municipality=municipality, department=department, name="広報戦略課", valid_from=2018, actor=actor
    )
    section_succeed(
        predecessor=old, successor=new, kind=SuccessionKind.RENAMED, fiscal_year=2018, actor=actor
    )
    assert [s.successor for s in old.successions_out.all()] == [new]
    with pytest.raises(IntegrityError), transaction.atomic():
        section_succeed(
            predecessor=new, successor=new, kind=SuccessionKind.RENAMED, fiscal_year=2019, actor=actor
        )


def test_resolver_refuses_unknown_sections_unless_asked(
    municipality: Municipality, section: Section, actor: Actor
) -> None:
    resolver = SectionResolver(municipality, 2024)
    with pytest.raises(UnknownSectionsError) as error:
        resolver.ensure(["企画政策課", "新設課", "別の課"], actor=actor, create_missing=False)
    assert error.value.names == ["別の課", "新設課"]
    assert not Section.objects.filter(name="新設課").exists()
    created = resolver.ensure(["新設課"], actor=actor, create_missing=True)
    assert created["新設課"].municipality == municipality


@pytest.mark.parametrize(
    ("name", "expected"),
    [("市民協働課", True), ("秘書室", True), ("市野球協会学童部", False), ("国際交流委員会", False)],
)
def test_section_or_outside_body(name: str, expected: bool) -> None:
    assert looks_like_section(name) is expected


def test_membership_scope_is_required_for_section_roles(municipality: Municipality) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("staff1")
    membership = Membership(user=user, municipality=municipality, role=Role.SECTION_STAFF)
    with pytest.raises(ValidationError):
        membership.clean()
