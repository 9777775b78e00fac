"""`studio render` (being built)."""
