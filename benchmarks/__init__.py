"""Benchmarks: each `bench_*.py` module has a `main(out_dir)` that prints figures and writes JSON."""
