from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "shinchoku.hearings"
    verbose_name = _("Mid-year hearing")
