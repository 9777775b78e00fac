"""`studio init` (being built)."""
