from shared.migrations import run_env
from shared.outbox_tables import platform_metadata
from tolkeregister.models import Base

run_env([Base.metadata, platform_metadata])
