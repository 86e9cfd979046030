"""Catalogue pages: thin views over ``store.catalogue.selectors``, one module per area.

Each view renders the full page, or for a targeted htmx swap only the fragment that
changes, from the same template's named partial; a boosted navigation and a history
restore get the full page (``integrations.htmx`` decides, for every view).
"""
