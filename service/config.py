"""Settings: the only place the environment is read.

Every setting is an environment variable prefixed ``KUNSKAPSGRAF_`` (``KUNSKAPSGRAF_DATA_DIR``,
``KUNSKAPSGRAF_STORE`` ...). Invalid values fail loudly at start-up, not at first use.

>>> Settings(store="memory").store
'memory'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Runtime configuration of the service, the CLI and the tests."""

    model_config = SettingsConfigDict(env_prefix="KUNSKAPSGRAF_", extra="forbid", frozen=True)

    data_dir: Path = Field(
        default=PROJECT_DIR / "var",
        description="Directory for the embedded store (and later the search index).",
    )
    store: Literal["oxigraph", "memory"] = Field(
        default="oxigraph",
        description="Store backend: 'oxigraph' (embedded, on disk under data_dir) or "
        "'memory' (embedded, in memory; for tests and notebooks).",
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
    harvest_timeout_s: float = Field(
        default=20,
        gt=0,
        description="Timeout of every request the pull harvesters make (seconds): for the "
        "connection, for each read, and for the whole response.",
    )

    @property
    def store_path(self) -> Path:
        """Where the embedded on-disk store lives."""
        return self.data_dir / "oxigraph"
