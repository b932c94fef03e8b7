"""Benchmarks: measurements of flip-async's speed, overhead and memory, never assertions. Run with `make bench`."""
