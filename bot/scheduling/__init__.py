"""Scheduling: the clock, the dispatcher and the step-down policy."""
