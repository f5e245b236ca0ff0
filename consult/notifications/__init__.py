"""E-mail notifications: an outbox written with each event, delivered after commit."""
