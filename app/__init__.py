"""Butaca: a self-hostable video streaming platform (NiceGUI + SQLModel)."""
