"""Discovering clusters to bring under the baseline (`bootstrap discover`)."""
