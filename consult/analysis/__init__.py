"""Themes and objective mapping: the one door to nlp, runs, decisions, similarity."""
