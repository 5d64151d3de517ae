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

        # A revision published here shows at once on this process's citizens' pages (the shared
        # cache in front of Django, shinchoku.wsgi); other processes see it within its seconds.
        from django.db import transaction
        from django.db.models.signals import post_save

        from shinchoku.core import shared_cache
        from shinchoku.publishing.models import Artefact, Publication

        def forget(**kwargs: object) -> None:
            transaction.on_commit(shared_cache.clear)

        post_save.connect(forget, sender=Publication, weak=False, dispatch_uid="shared_cache_publication")
        post_save.connect(forget, sender=Artefact, weak=False, dispatch_uid="shared_cache_artefact")
