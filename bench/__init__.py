"""Benchmarks of the book build: scenarios on the thesis, the naive baseline, scaling."""
