"""Settings: the only place the environment is read.

Every setting is an environment variable prefixed ``KUNSKAPSGRAF_`` (``KUNSKAPSGRAF_DATA_DIR``,
``KUNSKAPSGRAF_STORE`` ...). Invalid values fail loudly at start-up, not at first use.

>>> Settings(store="memory").store
'memory'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parents[1]


class PrincipalSetting(BaseModel):
    """One configured token holder: a role, its scope and the SHA-256 of the token."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=100)
    role: Literal[
        "administrator", "information-architect", "source-ingester", "region-editor", "reader"
    ]
    source: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    region: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    token_sha256: str = Field(alias="tokenSha256", pattern=r"^[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _scoped(self) -> PrincipalSetting:
        # A scope is required exactly where the role is scoped, so a typo cannot widen it.
        if (self.role == "source-ingester") != (self.source is not None):
            raise ValueError("role source-ingester needs 'source', other roles must not have it")
        if (self.role == "region-editor") != (self.region is not None):
            raise ValueError("role region-editor needs 'region', other roles must not have it")
        return self


class Settings(BaseSettings):
    """Runtime configuration of the service, the CLI and the tests."""

    model_config = SettingsConfigDict(env_prefix="KUNSKAPSGRAF_", extra="forbid", frozen=True)

    data_dir: Path = Field(
        default=PROJECT_DIR / "var",
        description="Directory for the embedded store (and later the search index).",
    )
    store: Literal["oxigraph", "memory", "remote"] = Field(
        default="oxigraph",
        description="Store backend: 'oxigraph' (embedded, on disk under data_dir), "
        "'memory' (embedded, in memory; for tests and notebooks) or 'remote' (any SPARQL 1.1 "
        "server at remote_query_url / remote_update_url / remote_store_url).",
    )
    host: str = Field(default="127.0.0.1", description="Address `kunskapsgraf serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `kunskapsgraf serve` uses.")
    ontology_dir: Path = Field(
        default=PROJECT_DIR / "ontology",
        description="The OWL concept model (*.ttl) with the SKOS vocabularies in vocabularies/.",
    )
    shapes_dir: Path = Field(
        default=PROJECT_DIR / "shapes",
        description="The information specification: SHACL shapes (*.ttl).",
    )
    demo_dir: Path = Field(
        default=PROJECT_DIR / "data" / "demo",
        description="The demo corpus that `kunskapsgraf load-demo` loads.",
    )
    tokens: dict[str, str] = Field(
        default_factory=dict,
        description='Write tokens as JSON, one per scope: {"nkk": "<token>", '
        '"region-12": "<token>"}. A token may write to that one source only (a region\'s '
        "supplements live in its source region-<länskod>). Empty: no writes at all.",
    )
    principals: list[PrincipalSetting] = Field(
        default_factory=list,
        description='Who may do what, as JSON: a list of {"id", "role", "source" or '
        '"region", "tokenSha256"}. Roles: administrator, information-architect, '
        "source-ingester (one source), region-editor (one region), reader. Only the SHA-256 "
        "of each token is configured; `kunskapsgraf token` makes a token and its entry.",
    )
    max_body_bytes: int = Field(
        default=10_000_000, ge=1, description="Largest request body the API accepts (bytes)."
    )
    mappings_dir: Path = Field(
        default=PROJECT_DIR / "mappings",
        description="Per-source mappings from native formats to RDF.",
    )
    shared_data_dir: Path = Field(
        default=PROJECT_DIR.parent / "shared" / "data",
        description="Third-party data (terminologies, real feeds) read at import and test time.",
    )
    search_max_limit: int = Field(
        default=100, ge=1, le=1000, description="Largest page size a search request may ask for."
    )
    search_index_dir: Path | None = Field(
        default=None,
        description="Where the on-disk search index (tantivy) lives; default data_dir/"
        "search-index. The in-memory store keeps its index in RAM.",
    )
    search_facet_cache_size: int = Field(
        default=1024,
        ge=0,
        description="Facet counts kept in memory for this many distinct searches (query, "
        "filters, day); every index write empties the cache. 0 turns it off.",
    )
    search_max_query_chars: int = Field(
        default=200, ge=10, le=2000, description="Longest search query accepted (characters)."
    )
    harvest_timeout_s: float = Field(
        default=20,
        gt=0,
        description="Timeout of every request the pull harvesters make (seconds): for the "
        "connection, for each read, and for the whole response.",
    )
    sparql_warm_up: bool = Field(
        default=True,
        description="Prepare the SPARQL snapshot and one worker process at start-up, so the "
        "first public query does not wait for a cold worker.",
    )
    harvest_scheduler: bool = Field(
        default=False,
        description="Run scheduled harvests inside the service: every minute, each source "
        "whose ks:schedule (cron, Swedish time) has come round is harvested. Off by default; "
        "with it off, run `kunskapsgraf harvest --due` from cron.",
    )
    remote_query_url: str = Field(
        default="http://127.0.0.1:7878/query",
        description="SPARQL 1.1 query endpoint of the remote store (store=remote).",
    )
    remote_update_url: str = Field(
        default="http://127.0.0.1:7878/update",
        description="SPARQL 1.1 update endpoint of the remote store (store=remote).",
    )
    remote_store_url: str = Field(
        default="http://127.0.0.1:7878/store",
        description="SPARQL 1.1 Graph Store Protocol endpoint of the remote store (store=remote).",
    )
    remote_timeout_s: float = Field(
        default=60, gt=0, description="Timeout of each request to the remote store (seconds)."
    )
    sparql_timeout_s: float = Field(
        default=10,
        gt=0,
        description="Hard time limit of one public /sparql query (seconds); the worker running "
        "it is killed and the caller gets 503.",
    )
    sparql_workers: int = Field(
        default=2, ge=1, le=32, description="Worker processes that run public SPARQL queries."
    )
    sparql_worker_nice: int = Field(
        default=19,
        ge=0,
        le=19,
        description="CPU priority of the SPARQL workers (nice level; 19 = lowest): the API's "
        "searches win the cores while a heavy query runs.",
    )
    sparql_worker_memory_mb: int = Field(
        default=4096,
        ge=0,
        description="Address space one SPARQL worker may use (MiB; 0: no limit). A query that "
        "needs more ends its worker and the caller gets 503.",
    )
    sparql_max_query_chars: int = Field(
        default=20_000, ge=100, description="Longest query text /sparql accepts (characters)."
    )
    sparql_max_result_bytes: int = Field(
        default=20_000_000,
        ge=1_000,
        description="Largest serialised result /sparql returns (bytes); larger results are "
        "refused with 400 (use LIMIT).",
    )
    base_iri: str = Field(
        default="https://kunskapsgraf.se/",
        description="Base of the identifiers that dereference here (/id/..., /vocab/..., "
        "/ont/...); HTML pages link to them by path, so they also work at http://127.0.0.1:8000.",
    )

    rate_limit_per_minute: int = Field(
        default=600,
        ge=0,
        description="Requests per minute one client address may make to /api and /sparql "
        "(0: no limit). Over it: 429 with Retry-After. Per API process.",
    )
    token_rate_limit_per_minute: int = Field(
        default=300,
        ge=0,
        description="Requests per minute one known token (write or admin) may make to /api and "
        "/sparql, counted per token instead of per address (0: no limit).",
    )
    rate_limit_burst: int = Field(
        default=60,
        ge=1,
        description="Requests a caller may make at once before the per-minute rate applies.",
    )
    admin_token: str | None = Field(
        default=None,
        description="Token for the operator endpoints (/admin/backup). Unset: they refuse.",
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="Logs of `kunskapsgraf serve`: one JSON object per line, or plain text.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Lowest level that is logged."
    )

    @property
    def store_path(self) -> Path:
        """Where the embedded on-disk store lives."""
        return self.data_dir / "oxigraph"
