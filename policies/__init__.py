"""The secure baseline as code: a CrossGuard policy pack and its in-process evaluator.

Importing this package never starts a server: `policies/__main__.py` alone constructs the
`PolicyPack` (whose constructor serves gRPC forever). Everything else - the catalog, the
policy objects, the evaluator - is plain, importable Python.
"""
