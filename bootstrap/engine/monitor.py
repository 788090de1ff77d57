"""A mock resource monitor that records the whole resource graph, as the real engine sees it.

The SDK's MockMonitor keeps only outputs; a plan needs the parent, the dependencies and the
inputs with secrets masked, so registrations are captured here before the mocks answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.mocks import MockMonitor

from .wire import struct_to_plain


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    provider: str | None = None
    # Preview fidelity only: what the provider reported (AnalyzeStack's properties) and
    # which resources each input property came from (AnalyzeStack's propertyDependencies).
    outputs: dict[str, Any] | None = None
    property_dependencies: dict[str, list[str]] | None = None

    def as_plan_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "inputs": self.inputs,
        }
        if self.dependencies:
            entry["dependencies"] = self.dependencies
        if self.outputs is not None:
            entry["outputs"] = self.outputs
        if self.property_dependencies:
            entry["propertyDependencies"] = self.property_dependencies
        return entry


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: Any, preview: bool = False) -> None:
        super().__init__(mocks)
        self.preview = preview
        self.recorded: list[RecordedResource] = []
        self.stack_outputs: dict[str, Any] = {}
        self._stack_urn: str | None = None

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self._stack_urn = response.urn
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent or None,
                custom=bool(request.custom),
                inputs=struct_to_plain(request.object),
                dependencies=sorted(set(request.dependencies)),
                provider=request.provider or None,
                **(self._preview_view(request, response) if self.preview else {}),
            )
        )
        return response

    @staticmethod
    def _preview_view(request: Any, response: Any) -> dict[str, Any]:
        custom = bool(request.custom) and request.type != "pulumi:pulumi:Stack"
        return {
            "outputs": struct_to_plain(response.object) if custom else None,
            "property_dependencies": {
                key: sorted(set(value.urns))
                for key, value in sorted(request.propertyDependencies.items())
                if value.urns
            },
        }

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn == self._stack_urn:
            self.stack_outputs = struct_to_plain(request.outputs)
        return super().RegisterResourceOutputs(request)
