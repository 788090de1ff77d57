"""The Pulumi CLI knows where the state is: PULUMI_BACKEND_URL or Pulumi.yaml `backend.url`.

Both are how the CLI picks a backend without `pulumi login` state on the machine
(pulumi/pulumi: the PULUMI_BACKEND_URL environment variable, and the project's
`backend.url`). CI sets PULUMI_BACKEND_URL from the variables the program publishes.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import DoctorContext, Item, project_backend_url

ORDER = 30


def check(context: DoctorContext) -> Iterator[Item]:
    from_env = context.environ.get("PULUMI_BACKEND_URL", "").strip()
    from_project = project_backend_url(context.project())
    current = from_env or from_project
    where = "PULUMI_BACKEND_URL" if from_env else "Pulumi.yaml backend.url"
    expected = {s.name: s.config.state.backend_url for s in context.stacks if s.config.state}
    if not current:
        url = next(iter(expected.values()), "azblob://<container>?storage_account=<account>")
        yield Item(
            "missing",
            None,
            "no backend URL: neither PULUMI_BACKEND_URL nor Pulumi.yaml backend.url is set",
            fix=f'export PULUMI_BACKEND_URL="{url}" && pulumi login "$PULUMI_BACKEND_URL"',
        )
        return
    if expected and current not in expected.values():
        yield Item(
            "missing",
            None,
            f"{where} is {current}, which is no stack's platform:state",
            fix=f'export PULUMI_BACKEND_URL="{next(iter(expected.values()))}"',
        )
        return
    for stack, url in expected.items():
        if url == current:
            yield Item("ok", stack, f"backend {url} ({where})")
        else:
            yield Item(
                "check",
                stack,
                f"its state is {url}, not {current}: switch before running pulumi for it",
                fix=f'export PULUMI_BACKEND_URL="{url}"',
            )
