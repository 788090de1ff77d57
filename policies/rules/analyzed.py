"""The inputs the engine handed the pack for each resource, kept for its stack policies.

Under the Pulumi CLI a stack policy (AnalyzeStack) sees each resource's *outputs*. At a first
`pulumi preview` azure-native leaves out the path parameters (`pricingName`, `configName`,
`resourceName`, ...) and reports read-only outputs such as `name` as unknown (see
bootstrap/engine/preview.py), so a stack policy cannot tell which Defender plan a
`Pricing` is from its outputs alone.

The engine hands the same pack every resource's checked *inputs* first: Analyze runs when
each resource is registered, AnalyzeStack only after the last step of the preview or update
(pulumi/pulumi @ 1b5949891b3c, pkg/resource/deploy/step_generator.go `analyzeAll` passes
`Properties: inputs`; pkg/resource/deploy/deployment_executor.go calls `AnalyzeResources`
once every step has run). The pack's resource policies record those inputs here by URN
(policies/pack.py), and the offline evaluator records every plan entry's inputs the same
way before it runs stack policies, so a stack policy can read what the program asked for
where the outputs do not tell (StackView.value).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any


class AnalyzedInputs:
    """URN -> inputs (as the policy saw them, unknown-checking proxy included).

    Thread-safe: the pack's gRPC server answers Analyze calls on several threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_urn: dict[str, Any] = {}

    def record(self, urn: str, props: Any) -> None:
        if urn:
            with self._lock:
                self._by_urn[urn] = props

    def replace(self, by_urn: Mapping[str, Any]) -> None:
        """The offline evaluator's whole plan at once (a plan never mixes with another)."""
        with self._lock:
            self._by_urn = dict(by_urn)

    def get(self, urn: str) -> Any | None:
        with self._lock:
            return self._by_urn.get(urn)


ANALYZED_INPUTS = AnalyzedInputs()

__all__ = ["ANALYZED_INPUTS", "AnalyzedInputs"]
