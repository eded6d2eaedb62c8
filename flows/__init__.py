"""Prefect flows: thin orchestration around ``pipeline.process``."""
