"""send_round_reminders: before the deadline, when late, once a day, only to sections that have not submitted."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Municipality, Section
from shinchoku.workflow.models import CollectionRound, Reminder
from shinchoku.workflow.services import round_close, round_request_submit

from .conftest import DEADLINE


@pytest.fixture
def addressed(staff, section_head, department_head, planner):  # type: ignore[no-untyped-def]
    """Everyone has an e-mail address; only the section's staff and head are reminded."""
    for user in (staff, section_head, department_head, planner):
        user.email = f"{user.username}@city.example"
        user.save()
    return staff


def run(day: date) -> str:
    out = StringIO()
    call_command("send_round_reminders", "--today", day.isoformat(), stdout=out, stderr=StringIO())
    return out.getvalue()


def recipients_of(subject_part: str) -> list[set[str]]:
    return [set(m.to) for m in mail.outbox if subject_part in m.subject]


def test_nothing_is_sent_long_before_the_deadline(collection_round: CollectionRound, addressed) -> None:  # type: ignore[no-untyped-def]
    run(DEADLINE - timedelta(days=4))
    assert mail.outbox == []


def test_before_the_deadline_the_staff_and_head_of_the_section_are_reminded(
    collection_round: CollectionRound, addressed, section: Section
) -> None:  # type: ignore[no-untyped-def]
    output = run(DEADLINE - timedelta(days=3))
    assert len(mail.outbox) == 1  # the other two sections have nobody with an address
    message = mail.outbox[0]
    assert set(message.to) == {"staff@city.example", "section_head@city.example"}
    assert collection_round.title in message.subject
    assert section.name in message.body and f"/m/midori/rounds/{collection_round.pk}/" in message.body
    assert "令和8年5月20日" in message.subject + message.body  # Japanese, the city's language, in 和暦
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.sent_on) == (Reminder.Kind.BEFORE_DEADLINE, DEADLINE - timedelta(days=3))
    assert "1 sent" in output and "2 without recipients" in output


def test_the_deadline_day_is_still_before_the_deadline(collection_round: CollectionRound, addressed) -> None:  # type: ignore[no-untyped-def]
    run(DEADLINE)
    assert Reminder.objects.get().kind == Reminder.Kind.BEFORE_DEADLINE


def test_after_the_deadline_the_reminder_says_late(collection_round: CollectionRound, addressed) -> None:  # type: ignore[no-untyped-def]
    run(DEADLINE + timedelta(days=1))
    assert Reminder.objects.get().kind == Reminder.Kind.LATE
    with override_settings(LANGUAGE_CODE="en"):
        run(DEADLINE + timedelta(days=2))
    assert "Late" in mail.outbox[-1].subject


def test_running_twice_the_same_day_sends_nothing_twice(collection_round: CollectionRound, addressed) -> None:  # type: ignore[no-untyped-def]
    day = DEADLINE - timedelta(days=1)
    run(day)
    output = run(day)
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1
    assert "0 sent, 1 already sent today" in output
    # The next day is another day.
    run(day + timedelta(days=1))
    assert len(mail.outbox) == 2


def test_sections_that_submitted_get_no_mail(
    collection_round: CollectionRound, addressed, section: Section
) -> None:  # type: ignore[no-untyped-def]
    round_request_submit(request=collection_round.requests.get(section=section), actor=Actor(user=addressed))
    run(DEADLINE + timedelta(days=1))
    assert mail.outbox == []


def test_closed_rounds_send_nothing(collection_round: CollectionRound, addressed, planner) -> None:  # type: ignore[no-untyped-def]
    round_close(collection_round=collection_round, actor=Actor(user=planner))
    run(DEADLINE + timedelta(days=1))
    assert mail.outbox == []


def test_former_and_inactive_members_are_not_mailed(
    collection_round: CollectionRound, addressed, section_head
) -> None:  # type: ignore[no-untyped-def]
    section_head.memberships.update(valid_to=DEADLINE - timedelta(days=30))
    run(DEADLINE)
    assert recipients_of("") == [{"staff@city.example"}]
    addressed.is_active = False
    addressed.save()
    run(DEADLINE + timedelta(days=1))
    assert len(mail.outbox) == 1


def test_each_section_gets_its_own_mail(
    collection_round: CollectionRound, addressed, sibling_section: Section, municipality: Municipality
) -> None:  # type: ignore[no-untyped-def]
    from conftest import _member

    colleague = _member("zaisei", municipality, "section_staff", section=sibling_section)
    colleague.email = "zaisei@city.example"
    colleague.save()
    run(DEADLINE)
    assert sorted(map(sorted, recipients_of(""))) == [
        ["section_head@city.example", "staff@city.example"],
        ["zaisei@city.example"],
    ]


def test_a_failed_mail_is_retried_by_the_next_run(
    collection_round: CollectionRound, addressed, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from django.core.mail import EmailMessage

    def broken(self, fail_silently=False):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    with pytest.raises(CommandError):
        run(DEADLINE)
    assert Reminder.objects.count() == 0
    monkeypatch.undo()
    run(DEADLINE)
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1


def test_reminders_are_audited(collection_round: CollectionRound, addressed) -> None:  # type: ignore[no-untyped-def]
    from shinchoku.core.models import AuditEvent

    run(DEADLINE)
    event = AuditEvent.objects.get(field="kind", new_value="before_deadline")
    assert (
        event.actor_label == "send_round_reminders"
        and event.municipality_id == collection_round.municipality_id
    )


def test_a_bad_date_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_round_reminders", "--today", "2026/05/01")


def test_the_reminder_unique_constraint_holds(collection_round: CollectionRound) -> None:
    from django.db import IntegrityError, transaction

    request = collection_round.requests.first()
    Reminder.objects.create(request=request, kind="late", sent_on=DEADLINE, recipients="a@example.jp")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(request=request, kind="late", sent_on=DEADLINE, recipients="a@example.jp")
