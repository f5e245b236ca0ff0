"""Strategies as data: consultations, phases, objectives, territories, their labels."""
