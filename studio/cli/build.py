"""`studio build` (being built)."""
