"""The EvoKD round loop: settings, run state, filters, steps and the runner."""
