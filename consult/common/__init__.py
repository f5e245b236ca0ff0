"""Rules and helpers every feature shares: text rules, tokens, audit, spreadsheets, mail."""
