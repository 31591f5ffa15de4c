"""imdi-styring's shared library: the only code the five services have in common.

Settings, database and unit of work, the CloudEvents envelope and event registry, the transactional
outbox and its relay, the idempotent consumer, problem+json errors, auth, health and metrics.
"""
