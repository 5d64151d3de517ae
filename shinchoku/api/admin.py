from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shinchoku.api.models import AccessToken
from shinchoku.api.services import access_token_revoke
from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Read-only, with one action: a system administrator revokes a token (audited), e.g. when
    its owner leaves. Tokens are made by their owners only (/account/tokens/)."""

    list_display = [
        "name",
        "user",
        "scope",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    list_filter = ["scope", "revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        actor = Actor(user=request_user(request), label="admin")
        revoked = sum(access_token_revoke(token=token, actor=actor) for token in queryset)
        self.message_user(request, _("%(count)s token(s) revoked.") % {"count": revoked}, messages.SUCCESS)
