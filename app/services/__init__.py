"""Business rules as plain functions over a Session: no UI framework imports, so scripts, tests and CLIs share them."""
