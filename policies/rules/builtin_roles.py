"""Kubernetes' built-in user-facing ClusterRoles, as the API server assembles them.

Source: kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go
(`system:aggregate-to-admin`, `system:aggregate-to-edit`, `system:aggregate-to-view`;
`admin`, `edit` and `view` are aggregations of those, `edit` carrying the
aggregate-to-admin label and `view` the aggregate-to-edit one; `cluster-admin` is `*`).
The current aggregate-to-edit also grants `create` on `pods/eviction` and on
`serviceaccounts/token`, and no longer writes `endpoints` (CVE-2021-25740).

Only what the roles grant by themselves: aggregated additions from extensions (Flux's
flux-edit / flux-view, CSI drivers) exist only where those install them, so a tenant role
that relies on them may grant less on a real cluster (issue 11, finding 7). The escalation
rights that matter here (impersonate, serviceaccounts/token, roles and bindings) all come
from these built-in parts.
"""

from __future__ import annotations

from components.tenancy import READ, READ_WRITE, WRITE, Rule

_AGGREGATE_TO_VIEW: tuple[Rule, ...] = (
    Rule(
        ("",),
        (
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/status",
        ),
        READ,
    ),
    Rule(
        ("",),
        (
            "bindings",
            "events",
            "limitranges",
            "namespaces/status",
            "pods/log",
            "pods/status",
            "replicationcontrollers/status",
            "resourcequotas",
            "resourcequotas/status",
        ),
        READ,
    ),
    Rule(("",), ("namespaces",), READ),
    Rule(
        ("apps",),
        (
            "controllerrevisions",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
        ),
        READ,
    ),
    Rule(("autoscaling",), ("horizontalpodautoscalers", "horizontalpodautoscalers/status"), READ),
    Rule(("batch",), ("cronjobs", "cronjobs/status", "jobs", "jobs/status"), READ),
    Rule(("policy",), ("poddisruptionbudgets", "poddisruptionbudgets/status"), READ),
    Rule(("networking.k8s.io",), ("ingresses", "ingresses/status", "networkpolicies"), READ),
)

_AGGREGATE_TO_EDIT: tuple[Rule, ...] = (
    Rule(
        ("",),
        ("pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"),
        READ,
    ),
    Rule(("",), ("serviceaccounts",), ("impersonate",)),
    Rule(("",), ("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"), WRITE),
    Rule(("",), ("pods/eviction",), ("create",)),
    Rule(
        ("",),
        (
            "configmaps",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
            "services/proxy",
        ),
        WRITE,
    ),
    Rule(("",), ("serviceaccounts/token",), ("create",)),
    Rule(
        ("apps",),
        (
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ),
        WRITE,
    ),
    Rule(("autoscaling",), ("horizontalpodautoscalers",), WRITE),
    Rule(("batch",), ("cronjobs", "jobs"), WRITE),
    Rule(("policy",), ("poddisruptionbudgets",), WRITE),
    Rule(("networking.k8s.io",), ("ingresses", "networkpolicies"), WRITE),
)

_AGGREGATE_TO_ADMIN: tuple[Rule, ...] = (
    Rule(("authorization.k8s.io",), ("localsubjectaccessreviews",), ("create",)),
    Rule(("rbac.authorization.k8s.io",), ("rolebindings", "roles"), READ_WRITE),
)

VIEW = _AGGREGATE_TO_VIEW
EDIT = _AGGREGATE_TO_EDIT + VIEW
ADMIN = _AGGREGATE_TO_ADMIN + EDIT

BUILTIN_CLUSTER_ROLES: dict[str, tuple[Rule, ...]] = {
    "cluster-admin": (Rule(("*",), ("*",), ("*",)),),
    "admin": ADMIN,
    "edit": EDIT,
    "view": VIEW,
}

# The labels that aggregate a ClusterRole into the built-in ones, and what each built-in
# aggregation already holds (a custom aggregated role selecting these gets the parts too).
AGGREGATION_LABELS: dict[str, tuple[Rule, ...]] = {
    "rbac.authorization.k8s.io/aggregate-to-admin": _AGGREGATE_TO_ADMIN + EDIT,
    "rbac.authorization.k8s.io/aggregate-to-edit": _AGGREGATE_TO_EDIT + VIEW,
    "rbac.authorization.k8s.io/aggregate-to-view": _AGGREGATE_TO_VIEW,
}
