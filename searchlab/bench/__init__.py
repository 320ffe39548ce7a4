"""Benchmarks: product features that write tables and plots to results/, never timed assertions in tests."""
