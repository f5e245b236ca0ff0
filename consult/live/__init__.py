"""Live sessions in the room: phones, moderation queue, projector, event streams."""
