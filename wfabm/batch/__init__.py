"""Many runs: the run entry point, the executor, the store, experiments."""
