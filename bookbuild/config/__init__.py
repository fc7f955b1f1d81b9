"""Configuration: `_quarto.yml` read into a `Book`, options checked against Quarto's schema."""
