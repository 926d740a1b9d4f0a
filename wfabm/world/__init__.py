"""World state and the rules that act on it."""
