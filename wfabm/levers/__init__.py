"""Policy levers."""
