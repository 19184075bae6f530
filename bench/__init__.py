"""Benchmarks: `.venv/bin/python -m bench.NAME` prints one JSON object as its last line and writes bench/results/NAME.json."""
