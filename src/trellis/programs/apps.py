from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProgramsConfig(AppConfig):
    name = "trellis.programs"
    label = "programs"
    verbose_name = "Programs"

    def ready(self) -> None:
        from .signals import sync_templates_after_migrate

        post_migrate.connect(
            sync_templates_after_migrate,
            sender=self,
            dispatch_uid="trellis.programs.sync_builtin_templates",
        )
