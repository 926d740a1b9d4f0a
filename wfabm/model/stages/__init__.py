"""The stages of the month, one module each; every stage takes ``(state, now)``."""
