"""Prefect flows: thin orchestration around ``pipeline.running.process``."""
