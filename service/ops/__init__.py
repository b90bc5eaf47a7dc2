"""Operations: backups and restores, canonical fingerprints of the store, rate limits,
structured logs and metrics. Nothing here knows HTTP; ``service.api.middleware`` and
``service.api.routes.metrics`` put these on the wire."""
