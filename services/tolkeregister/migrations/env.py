from shared.migrations import run_env
from shared.outbox_tables import platform_metadata

run_env([platform_metadata])
