"""Benchmarks: each `bench_*.py` module has `main(out_dir)`, prints figures and writes JSON."""
