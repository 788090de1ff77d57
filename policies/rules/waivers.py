"""Waivers are debts with a due date: an expired one is itself a violation."""

from __future__ import annotations

import datetime as dt

from ..settings import PolicySettings
from .base import Findings, stack_rule
from .view import StackView


def waivers_not_expired(_: StackView, settings: PolicySettings) -> Findings:
    today = dt.date.today()
    for waiver in settings.waivers:
        try:
            expires = dt.date.fromisoformat(waiver.expires)
        except ValueError:
            yield f"waiver for {waiver.control} has no valid expiry date ({waiver.expires})", None
            continue
        if expires < today:
            scope = f" on {waiver.resource}" if waiver.resource else ""
            yield (
                (
                    f"waiver for {waiver.control}{scope} expired on {waiver.expires} "
                    f"({waiver.reason})"
                ),
                None,
            )


RULES = [stack_rule("GOV-WVR-01", waivers_not_expired)]
