from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "shinchoku.portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        # Publishing renders the portal's pages with its files; it sits below the portal and
        # does not import it, so the portal names its renderer here (imported when first used:
        # a process that never publishes, such as the upload worker, never loads it).
        from shinchoku.publishing.renderers import register_pages

        register_pages("portal", "shinchoku.portal.prerender.render_pages")
