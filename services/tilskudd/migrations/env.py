from shared.migrations import run_env
from shared.outbox_tables import platform_metadata
from tilskudd.models import metadata

run_env([metadata, platform_metadata])
