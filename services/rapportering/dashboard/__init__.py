"""The dashboard: server-rendered pages over rapportering's read model, for IMDi, JD and municipalities."""
