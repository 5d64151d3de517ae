from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shinchoku.core.audit import Actor, apply_changes, serialize
from shinchoku.core.models import AuditEvent
from shinchoku.organizations.models import Section


def test_apply_changes_records_only_changed_fields_and_bumps_version(section: Section, actor: Actor) -> None:
    before = AuditEvent.objects.count()
    changes = apply_changes(section, {"name": "企画政策課", "kana": "きかくせいさくか"}, actor=actor)
    assert list(changes) == ["kana"]
    section.refresh_from_db()
    assert section.version == 2
    events = list(AuditEvent.objects.all()[: AuditEvent.objects.count() - before])
    assert [(e.field, e.old_value, e.new_value, e.actor_label) for e in events] == [
        ("kana", "", "きかくせいさくか", "tests")
    ]


def test_apply_changes_without_change_writes_nothing(section: Section, actor: Actor) -> None:
    before = AuditEvent.objects.count()
    assert apply_changes(section, {"name": section.name}, actor=actor) == {}
    assert AuditEvent.objects.count() == before
    section.refresh_from_db()
    assert section.version == 1


def test_serialize_treats_equal_decimals_as_equal() -> None:
    # A value read back from the database has the column's scale; it is not a change.
    assert serialize(Decimal("81.200000")) == serialize(Decimal("81.2")) == "81.2"
    assert serialize(Decimal("1000000000.000000")) == "1000000000"


def test_audit_events_cannot_be_changed_or_deleted(section: Section) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.new_value = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(new_value="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_actor_needs_a_user_or_label() -> None:
    with pytest.raises(ValueError):
        Actor()


@pytest.fixture
def superuser_client(db: None) -> Client:
    user = get_user_model().objects.create_superuser("root", password="not-used-pass-123")
    client = Client()
    client.force_login(user)
    return client


def test_admin_edit_is_audited_with_old_and_new_value(superuser_client: Client, section: Section) -> None:
    url = f"/admin/organizations/section/{section.pk}/change/"
    page = superuser_client.get(url)
    assert page.status_code == 200
    response = superuser_client.post(
        url,
        {
            "name": "企画課",
            "kana": "",
            "municipality": section.municipality_id,
            "department": section.department_id,
            "valid_from": "",
            "valid_to": "",
            "position": 0,
            "aliases-TOTAL_FORMS": 0,
            "aliases-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(field="name").first()
    assert event is not None
    assert (event.old_value, event.new_value, event.actor.username) == ("企画政策課", "企画課", "root")


def test_admin_cannot_edit_or_delete_audit_events(superuser_client: Client, section: Section) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    assert superuser_client.get("/admin/core/auditevent/").status_code == 200
    assert superuser_client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    assert (
        superuser_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"new_value": "x"}).status_code
        == 403
    )
    assert superuser_client.get("/admin/core/auditevent/add/").status_code == 403
