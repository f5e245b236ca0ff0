"""Proposals from every channel: the one constructor, search, supports, comments."""
