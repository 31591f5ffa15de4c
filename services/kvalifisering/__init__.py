"""kvalifisering: Opplæring i norsk og samfunnskunnskap, introduksjonsprogrammet, Jobbsjansen og kommuneundersøkelsen."""
