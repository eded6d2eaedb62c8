"""citydocs pipeline: bytes → pages of words → clean blocks → document kind → record."""

__version__ = "0.1.0"
