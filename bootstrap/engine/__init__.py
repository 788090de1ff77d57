"""The offline engine: the Pulumi program under recording mocks (see runner.run_stack)."""

from .runner import StackRun, run_stack

__all__ = ["StackRun", "run_stack"]
