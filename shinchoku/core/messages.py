"""Messages a person reads, translated when they are shown rather than when they are made.

An upload is read in a worker process (``shinchoku.imports.worker``) and what it
says is kept with the upload and shown later, maybe to someone who reads another
language. So a reader's refusal is not a sentence but a :class:`Message`: the
English template (the msgid of the catalogs) and its parameters, kept as JSON and
rendered with ``gettext`` where it is shown. ``str()`` renders it in the active
language; :attr:`Message.english` is the English, for logs and ``str()`` of errors.

Write one with the marker function, imported as ``_`` so that ``makemessages``
extracts the template::

    from shinchoku.core.messages import message as _

    raise ImportFormatError(_("goal %(number)s has no title", number=number), source=source)

A parameter is a plain value or another Message (translated with it). Literal
percent signs are written ``%%``, in the template and in its translations: a
template is always rendered with ``%``. Every template written this way must have a
Japanese translation (``shinchoku/core/tests/test_messages.py`` checks the catalog).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

__all__ = ["Message", "MessageError", "message"]


@dataclass(frozen=True)
class Message:
    """An English template (a msgid) and its parameters; rendered in the active language by ``str()``."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.render()

    @property
    def english(self) -> str:
        """The message as written in the code, untranslated: for logs and ``str()`` of errors."""
        return self.render(translate=False)

    def render(self, *, translate: bool = True) -> str:
        template = gettext(self.template) if translate else self.template
        params = {
            name: value.render(translate=translate) if isinstance(value, Message) else value
            for name, value in self.params.items()
        }
        try:
            return template % params
        except (KeyError, TypeError, ValueError):
            # A translation that does not fit its parameters: the English, never an error page.
            if translate:
                return self.render(translate=False)
            return template

    def to_json(self) -> dict[str, Any]:
        return {"message": self.template, "params": {k: _param_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        params = data.get("params") or {}
        return cls(
            str(data["message"]),
            {
                name: cls.from_json(value) if isinstance(value, Mapping) and "message" in value else value
                for name, value in params.items()
            },
        )

    @classmethod
    def verbatim(cls, text: str) -> Message:
        """A text that has no template (an old stored reason, a library's own words): shown as it is."""
        return cls(text.replace("%", "%%"))


def message(template: str, /, **params: Any) -> Message:
    """The marker: ``_("… %(name)s …", name=value)`` (imported as ``_``; ``makemessages`` extracts it)."""
    return Message(template, params)


def _param_json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_json()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class MessageError(Exception):
    """An error that a person reads: ``message`` is translated where it is shown; ``str()`` is English."""

    def __init__(self, message: Message):
        self.message = message
        super().__init__(message.english)
