"""Co-planning: the strategy as a versioned document, amended section by section."""
