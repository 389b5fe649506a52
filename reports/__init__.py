"""Reports over scored runs: comparison tables (and, later, leaderboards, paper tables, gates)."""
