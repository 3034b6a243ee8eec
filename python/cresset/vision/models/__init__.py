"""Filled by the issue-5 work."""
