"""Territorial meetings: registry, attendance, minutes, fast entry, imports, exports."""
