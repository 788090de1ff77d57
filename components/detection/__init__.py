"""Detection that reaches a person: Entra ID logs, alert rules, Sentinel analytics.

`catalog` is pure data (no Pulumi import), shared by the program, the policy pack (which
requires every detection) and the offline KQL check; `component` builds the resources.
"""
