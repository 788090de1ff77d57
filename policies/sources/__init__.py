"""Readers that turn plan files and manifests into plan resources for the evaluator."""
