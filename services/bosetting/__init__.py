"""bosetting: settlement cases from decision to settled, requests and municipal decisions."""
