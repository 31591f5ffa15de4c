"""tilskudd: Budsjettramme per kapittel og post, tilskuddsordninger, tilsagn, utbetalinger og prognose."""
