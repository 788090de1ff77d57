"""`bootstrap doctor`: what a stack still needs before its first real `pulumi up`.

Offline and credential-free. Each check is a small plug-in module in
bootstrap/doctor/checks/ with an `ORDER` and a `check(context)` generator of `Item`s;
a later issue adds an item by adding a module (see checks/__init__.py).
"""

from .model import DoctorContext, Item, Status

__all__ = ["DoctorContext", "Item", "Status"]
