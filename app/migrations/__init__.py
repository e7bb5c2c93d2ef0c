"""Alembic's scripts for Butaca's schema: env.py, the revision template and versions/. app/migrate.py runs them."""
