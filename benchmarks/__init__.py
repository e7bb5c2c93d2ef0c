"""Benchmarks, stress and crash scripts: each starts what it needs on loopback and stops it again."""
