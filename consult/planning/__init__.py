"""Planners' views of the analysis: coverage, gaps, report, exports."""
