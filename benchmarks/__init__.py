"""Side-by-side benchmarks of this engine against its peers (run: python3 benchmarks/run.py)."""
