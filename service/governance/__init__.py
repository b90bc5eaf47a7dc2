"""Governance: who may do what (roles and hashed tokens), decisions about sources, the audit
trail, regional supplements awaiting re-confirmation, and what is visible to whom.

Nothing here knows HTTP: the API (``service.api.routes.governance``, ``register``, ``audit``)
and the CLI call these functions.
"""
