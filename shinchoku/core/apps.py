from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shinchoku.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from shinchoku.core.backup import make_sqlite_files_private

        # The SQLite database and its -wal/-shm files are made 0600 (README "Backup and restore").
        connection_created.connect(make_sqlite_files_private, dispatch_uid="shinchoku-private-sqlite")
