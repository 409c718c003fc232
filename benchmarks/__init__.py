"""Benchmarks: scripts that generate data with ground truth and print figures (not tests)."""
