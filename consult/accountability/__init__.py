"""The region's answers and each proposal's journey: responses, tracking."""
