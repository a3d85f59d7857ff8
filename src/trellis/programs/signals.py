"""Keep the built-in templates in the database in step with the files, after every migrate."""

import logging

from django.db import DEFAULT_DB_ALIAS

logger = logging.getLogger(__name__)


def sync_templates_after_migrate(
    sender, *, apps=None, using=DEFAULT_DB_ALIAS, verbosity=1, plan=None, **kwargs
):
    """post_migrate handler: upsert the built-in ProgramTemplate rows from template_library/.

    Uses the migration state's model, so it works whatever migrations are applied; does
    nothing when the table does not exist at that state (migrating backwards).
    """
    from .services import sync_builtin_templates

    try:
        template_model = (apps or sender.apps).get_model("programs", "ProgramTemplate")
    except LookupError:
        return
    keys = sync_builtin_templates(template_model=template_model, using=using)
    if verbosity >= 2:
        print(f"  Synced {len(keys)} built-in program templates.")
