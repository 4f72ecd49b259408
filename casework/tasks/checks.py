"""Verification checks and sweeps."""
