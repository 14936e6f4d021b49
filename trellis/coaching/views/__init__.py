"""Coaching pages."""
