"""kunskapsgraf: knowledge graph and ontology service for Swedish national healthcare knowledge."""

__version__ = "0.1.0"
