"""Benchmark workloads: each builds the same computation in every engine from one seed."""
