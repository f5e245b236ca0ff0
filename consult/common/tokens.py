"""Unguessable tokens for tracking links and anonymous supporters."""

import secrets


def new_tracking_token() -> str:
    """A 256-bit URL-safe token: the private link to a proposal's journey."""
    return secrets.token_urlsafe(32)
