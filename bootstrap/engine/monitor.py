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
        return entry


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
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
            )
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn == self._stack_urn:
            self.stack_outputs = struct_to_plain(request.outputs)
        return super().RegisterResourceOutputs(request)
