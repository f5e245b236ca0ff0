"""Public pages that gather every feature: home and statistics."""
