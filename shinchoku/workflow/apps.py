from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "shinchoku.workflow"
    verbose_name = _("Collection rounds and approvals")
