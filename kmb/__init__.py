"""Composition root: settings, command line, application wiring."""
