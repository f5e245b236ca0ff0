"""The site's administration of consultations: texts, phases, frameworks and objectives."""
