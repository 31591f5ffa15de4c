"""rapportering: the steering model as data, live measures, risk and the reports JD pulls."""
