"""The product catalog in Chroma: ingestion, hybrid retrieval and the typed records the agent reads."""
