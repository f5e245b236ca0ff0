"""The moderation desk: every item waiting for a moderator's decision, in one place."""
