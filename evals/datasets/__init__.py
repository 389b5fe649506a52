"""Streaming readers for the formats evaluation data comes in."""
