"""People's accounts: login, registration, password reset, their data, roles."""
