from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shinchoku.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from shinchoku.accounts.passwords import remember_password_change_due

        user_logged_in.connect(remember_password_change_due, dispatch_uid="shinchoku_password_change_due")
