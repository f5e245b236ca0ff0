"""Business rules as plain functions: no Flask imports; sessions are passed in, never committed."""
