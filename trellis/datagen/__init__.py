"""Realistic data at district and region scale, written in bulk, for the page benchmarks (bench/)."""
