from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: middleware, caches, registries. No models."""

    name = "algoric.core"
    label = "algoric_core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from celery.signals import task_postrun
        from django.db import connections
        from django.db.backends.signals import connection_created

        from .table_versions import flush_all_pending, install, pause_during_migrations

        pause_during_migrations()
        task_postrun.connect(flush_all_pending, dispatch_uid="algoric-table-versions", weak=False)
        connection_created.connect(install, dispatch_uid="algoric-table-versions")
        for connection in connections.all(initialized_only=True):
            install(connection=connection)
