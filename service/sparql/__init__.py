"""The public SPARQL endpoint below HTTP: safety checks (``safety``), formats and content
negotiation (``formats``), which graphs anonymous readers see (``visibility``), and queries run
in worker processes that can be killed (``executor``, ``worker``).

Kept import-free on purpose: worker processes import ``service.sparql.worker`` and nothing else.
"""
