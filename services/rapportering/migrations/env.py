from rapportering.models import metadata
from shared.migrations import run_env
from shared.outbox_tables import platform_metadata

run_env([metadata, platform_metadata])
