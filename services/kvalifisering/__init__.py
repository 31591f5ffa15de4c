"""kvalifisering: Norwegian and social-studies training, the introduction programme, Jobbsjansen and
the municipality survey."""
