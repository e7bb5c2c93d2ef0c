"""Every visible string of the app, one module per area; each key maps to its (Spanish, English) pair.

A new area is a new module here and one line in AREAS: pairs keep both languages side by side, so a key cannot
exist in one language and not the other.
"""

from __future__ import annotations

from . import accounts, admin, catalog, common, plans, player, profile, search, series, vocabulary

AREAS = (common, accounts, catalog, player, plans, profile, series, search, admin, vocabulary)
