"""Human review of generated data: Prodigy-compatible export, import of reviewed answers, and a
"needs review" subset per round."""
