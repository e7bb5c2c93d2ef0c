"""Reusable UI pieces: they draw the data they are given."""
