"""All of a section's entries of a request in one form: the batch save and the drafts (issue 10).

The form posts ``text-<pk>`` and ``version-<pk>`` for each entry it sends (with JavaScript,
only the changed ones). ``entries_save`` writes them in one transaction through
``progress_entry_update``, each checked against its version: when one of them was changed
(or deleted) by someone else since the page was rendered, nothing is written and every such
entry is reported, with the other person's text.

Drafts (``EntryDraft``) keep what a person typed and has not saved yet, on the server:
see the model for why not in the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from shinchoku.core.audit import Actor
from shinchoku.progress.models import ProgressEntry
from shinchoku.progress.services import progress_entry_update
from shinchoku.workflow.conflicts import ConflictError
from shinchoku.workflow.forms import EntryForm
from shinchoku.workflow.models import EntryDraft, RoundRequest

_TEXT = re.compile(r"^text-(\d+)$")


@dataclass(frozen=True)
class PostedEntry:
    pk: int
    text: str
    version: int | None


@dataclass
class BatchOutcome:
    """What a batch save did, or why it wrote nothing."""

    saved: list[ProgressEntry] = field(default_factory=list)
    conflicts: dict[int, ConflictError] = field(default_factory=dict)
    missing: list[PostedEntry] = field(default_factory=list)  # deleted meanwhile (or not the section's)
    errors: dict[int, str] = field(default_factory=dict)
    posted: dict[int, PostedEntry] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.conflicts or self.missing or self.errors)


def posted_entries(data: QueryDict) -> dict[int, PostedEntry]:
    """The entries a form sent, by pk (``version`` None when missing or not a number)."""
    found: dict[int, PostedEntry] = {}
    for name in data:
        match = _TEXT.match(name)
        if not match:
            continue
        pk = int(match.group(1))
        raw = data.get(f"version-{pk}", "")
        version = int(raw) if raw.isdigit() and int(raw) >= 1 else None
        found[pk] = PostedEntry(pk=pk, text=data.get(name, ""), version=version)
    return found


def request_entries(request: RoundRequest, pks: list[int] | None = None) -> dict[int, ProgressEntry]:
    """The entries of the request's guideline and year its section is responsible for."""
    if request.round.plan_id is None:
        return {}
    entries = ProgressEntry.objects.filter(
        row__initiative__plan_id=request.round.plan_id,
        row__fiscal_year=request.round.fiscal_year,
        responsibles__section_id=request.section_id,
    )
    if pks is not None:
        entries = entries.filter(pk__in=pks)
    return {e.pk: e for e in entries.distinct()}


def _validate(posted: PostedEntry) -> tuple[str, str]:
    """The cleaned text, or an error message (the single-entry form's rules)."""
    if not posted.text.strip():
        return "", _("An entry needs a text; to remove it, delete it.")
    form = EntryForm({"text": posted.text, "version": posted.version or ""})
    if form.is_valid():
        return form.cleaned_data["text"], ""
    if "version" in form.errors:
        return "", _("Reload the page and try again.")
    return "", " ".join(str(m) for m in form.errors.get("text", []))


class _RollBack(Exception):
    """Undo the whole batch (raised inside the transaction, caught outside it)."""


def entries_save(*, request: RoundRequest, data: QueryDict, user: User, actor: Actor) -> BatchOutcome:
    """Write every changed entry of ``data`` in one transaction, or none of them.

    An entry whose text is what is saved now is left alone (no change, no conflict), so a
    form sent whole (without JavaScript) only conflicts on the entries it really changes.
    The author's drafts of the saved entries are removed with the save.
    """
    outcome = BatchOutcome(posted=posted_entries(data))
    entries = request_entries(request, list(outcome.posted))
    changes: list[tuple[ProgressEntry, str, int]] = []
    for pk, posted in sorted(outcome.posted.items()):
        entry = entries.get(pk)
        if entry is None:
            outcome.missing.append(posted)
            continue
        text, error = _validate(posted)
        if error:
            outcome.errors[pk] = error
            continue
        if text == entry.text.strip():
            continue
        assert posted.version is not None
        changes.append((entry, text, posted.version))
    if not outcome.ok:
        return outcome
    try:
        with transaction.atomic():
            for entry, text, version in changes:  # in pk order: two batches lock in the same order
                try:
                    outcome.saved.append(
                        progress_entry_update(entry=entry, text=text, expected_version=version, actor=actor)
                    )
                except ConflictError as conflict:
                    if text == conflict.current["text"].strip():
                        continue  # they wrote exactly this: nothing to save
                    outcome.conflicts[entry.pk] = conflict
            if outcome.conflicts:
                raise _RollBack
            EntryDraft.objects.filter(user=user, entry_id__in=list(outcome.posted)).delete()
    except _RollBack:
        outcome.saved = []
    return outcome


# --- drafts --------------------------------------------------------------------------------


def drafts_keep(*, request: RoundRequest, data: QueryDict, user: User) -> list[int]:
    """Keep (or update) the user's draft of each posted entry; the pks kept.

    A text equal to the saved one removes the draft (the person typed it back).
    """
    posted = posted_entries(data)
    entries = request_entries(request, list(posted))
    kept = []
    with transaction.atomic():
        # The entries' rows are locked, as a save locks them: a draft sent while the same text
        # is being saved (Ctrl+Enter sends both) waits for the save and then finds its text
        # saved, instead of surviving it with the version it was typed on.
        current = dict(
            ProgressEntry.objects.select_for_update().filter(pk__in=list(entries)).values_list("pk", "text")
        )
        for pk, item in posted.items():
            entry = entries.get(pk)
            if entry is not None and pk in current:
                entry.text = current[pk]
            if entry is None or len(item.text) > 20000:
                continue
            if item.text.strip() == entry.text.strip():
                EntryDraft.objects.filter(user=user, entry=entry).delete()
                continue
            EntryDraft.objects.update_or_create(
                user=user,
                entry=entry,
                defaults={"text": item.text, "base_version": item.version or entry.version},
            )
            kept.append(pk)
    return kept


def drafts_discard(*, request: RoundRequest, user: User) -> int:
    """Remove the user's drafts of the request's entries; how many there were."""
    pks = list(request_entries(request))
    deleted, _ = EntryDraft.objects.filter(user=user, entry_id__in=pks).delete()
    return deleted


def drafts_of(user: User, entries: list[ProgressEntry]) -> dict[int, EntryDraft]:
    """The user's own drafts of ``entries`` (nobody else's, ever)."""
    if not entries:
        return {}
    return {d.entry_id: d for d in EntryDraft.objects.filter(user=user, entry__in=entries)}


def annotate_entries(
    entries: list[ProgressEntry],
    *,
    drafts: dict[int, EntryDraft] | None = None,
    outcome: BatchOutcome | None = None,
    conflict: ConflictError | None = None,
    conflict_entry: int | None = None,
    mine: str = "",
) -> None:
    """Set what each entry's box shows: ``box_text``, ``box_version``, ``draft``, ``conflict``, ``error``, ``unsaved``.

    Precedence: the text just posted (a refused save), then the author's draft, then the saved text.
    """
    for entry in entries:
        attrs: dict[str, Any] = {
            "box_text": entry.text,
            "box_version": entry.version,
            "draft": None,
            "conflict": None,
            "error": "",
        }
        draft = (drafts or {}).get(entry.pk)
        if draft is not None:
            attrs.update(box_text=draft.text, box_version=draft.base_version, draft=draft)
        if outcome is not None and entry.pk in outcome.posted:
            posted = outcome.posted[entry.pk]
            attrs.update(box_text=posted.text, box_version=posted.version or entry.version)
            if entry.pk in outcome.conflicts:
                theirs = outcome.conflicts[entry.pk]
                attrs.update(conflict=theirs, box_version=theirs.version)
            attrs["error"] = outcome.errors.get(entry.pk, "")
        if conflict is not None and conflict_entry == entry.pk:
            attrs.update(conflict=conflict, box_text=mine, box_version=conflict.version)
        # A box showing anything but the saved text is sent by the next save (entries.js).
        attrs["unsaved"] = attrs["box_text"] != entry.text
        for name, value in attrs.items():
            setattr(entry, name, value)
