"""How much input the readers accept: generous for real files, small for an attack.

Each limit is far above what the repository's own files need and low enough that the
slowest parser path (ruamel.yaml's round-trip comment handling grows faster than linear)
stays under a second at the limit. The README lists them.
"""

KIB = 1024
MIB = 1024 * KIB

# Stack files: the shipped ones are 2-4 KB.
STACK_FILE_LIMIT = 512 * KIB
# Human-owned kustomizations the renderer nudges (gitops/*/overlays/*/kustomization.yaml).
OWNED_FILE_LIMIT = 512 * KIB
# One manifest file: a large CRD bundle is a few MB; etcd stores objects up to 1.5 MiB.
MANIFEST_FILE_LIMIT = 8 * MIB
# What one `kubectl kustomize` may print before it is stopped.
KUSTOMIZE_OUTPUT_LIMIT = 64 * MIB
# A plan, preview or stack export: about 1.5 KB per resource, so ~150,000 resources.
PLAN_FILE_LIMIT = 256 * MIB

# Nesting of YAML and JSON documents. Kubernetes objects with CRD schemas reach ~30
# levels; every reader and the code after it stays far from Python's recursion limit.
MAX_DEPTH = 100
# Nodes a YAML file may reach through aliases (anchors reused), counted as expanded:
# legitimate reuse stays in the hundreds, a 1 KB "billion laughs" reaches 10**9.
MAX_ALIASED_NODES = 100_000
