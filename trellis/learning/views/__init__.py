"""Professional-learning pages."""
