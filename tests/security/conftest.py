"""Fixtures of the security tests (password hashing is made fast for the whole suite in tests/conftest.py)."""
