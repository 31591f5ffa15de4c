"""tolkeregister: Nasjonalt tolkeregister: tolker, språk og kvalifikasjonskategorier, retningslinjer og klager."""
