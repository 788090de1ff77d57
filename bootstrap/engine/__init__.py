"""The offline engine: the Pulumi program under recording mocks (see runner.run_stack)."""

from .runner import PROJECT, StackRun, run_stack

__all__ = ["PROJECT", "StackRun", "run_stack"]
