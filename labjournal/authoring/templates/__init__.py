"""Default note templates for `labjournal new` (the journal's own `notes/_templates/` take precedence)."""
