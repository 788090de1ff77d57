"""`platform:waivers`: time-boxed, reasoned exceptions to a control."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from .base import StrictModel
from .governance import ControlId

# A waiver is a debt with a due date, not a setting: it may not run for more than a year.
MAX_WAIVER_DAYS = 366


class Waiver(StrictModel):
    control: ControlId
    # Resource name or URN suffix the waiver is limited to; unset means the whole stack.
    resource: str | None = None
    reason: str = Field(min_length=10)
    expires: dt.date

    @field_validator("expires", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"'{value}' is not a date (expected YYYY-MM-DD)") from None
        return value

    @field_validator("expires")
    @classmethod
    def _bounded(cls, value: dt.date) -> dt.date:
        if value > dt.date.today() + dt.timedelta(days=MAX_WAIVER_DAYS):
            raise ValueError(
                f"{value} is more than {MAX_WAIVER_DAYS} days ahead; waivers are time-boxed"
            )
        return value

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.expires < (today or dt.date.today())

    def covers(self, control: str, resource_urn: str | None) -> bool:
        if control != self.control:
            return False
        if self.resource is None:
            return True
        if resource_urn is None:
            return False
        return resource_urn == self.resource or resource_urn.endswith("::" + self.resource)
