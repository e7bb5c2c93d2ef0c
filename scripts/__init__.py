"""Developer commands that are not part of the app (screenshots)."""
