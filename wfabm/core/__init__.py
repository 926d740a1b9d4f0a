"""Core types: the taxonomy, the schema language, the reference data."""
