"""Measured performance scripts (not timed tests); each prints ratios measured side by side."""
