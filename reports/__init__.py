"""Indicators for the city and the ESF-funded project."""
