"""Catalogue pages: thin views over ``store.catalogue.selectors``, one module per area.

Each view renders the full page, or only the fragment that changes when the request
comes from htmx (``request.htmx``), from the same template's named partial.
"""
