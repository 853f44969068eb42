"""Benchmarks run against PostgreSQL at city scale: `python -m bench.<name> --help`."""
