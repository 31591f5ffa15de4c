"""The checker: SP1–SP3 counted straight from bosetting's database, compared with what rapportering answers.

It never reads rapportering's read model for figures: the expected side is computed from the source rows with
the definition both services use (``shared.settlement_measures``), the actual side is rapportering's API.
"""
