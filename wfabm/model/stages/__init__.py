"""The stages of a month, one module each."""
