"""`covernote privacy ...`: Encrypted sensitive fields and key rotation (PRV-7, PRV-11, SEC-2)."""

from __future__ import annotations

from typing import Annotated

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, handles_errors, show
from covernote.privacy.usecases.results_sensitive import KeyRotation, SensitiveReadsLog


def _rotation_summary(d: KeyRotation) -> str:
    lines = [f"primary master key {d['primary_master_key']}"
             + (f" (new: {d['new_master_key']})" if d["new_master_key"] else "")
             + ("  [finished an interrupted rotation]" if d["resumed"] else ""),
             f"  data keys re-wrapped: {d['rewrapped']} in {d['batches']} batch(es)"
             + (f"; changed meanwhile: {d['changed_meanwhile']}" if d["changed_meanwhile"] else ""),
             "  data keys per master key: "
             + (", ".join(f"{k} {n}" for k, n in d["data_keys_by_master_key"].items()) or "none")]
    if d["retired"]:
        lines.append(f"  retired: {', '.join(d['retired'])}")
    if d["old_keys_kept"]:
        lines.append("  old master keys kept: " + ", ".join(f"{k} ({n} in use)" for k, n in d["old_keys_kept"].items()))
    for f in d["failed"]:
        lines.append(f"  FAILED {f['customer_id']} under {f['master_key_id']}: {f['reason']}")
    return "\n".join(lines)


def _reads_summary(d: SensitiveReadsLog) -> str:
    if not d["reads"]:
        return f"no reads of the sensitive data of {d['customer_id']}"
    return "\n".join(f"{r['at']}  {r['user_id']} ({r['role']})  {r['person_ref']}: {', '.join(r['fields'])}"
                     f"  purpose {r['purpose']}" for r in d["reads"])


def register(privacy_app: typer.Typer) -> None:
    """Add this area's commands to `covernote privacy`."""

    @privacy_app.command("rotate-keys")
    @handles_errors
    def rotate_keys(
        retire_old: Annotated[bool, typer.Option("--retire-old", help="Then remove master keys no data key uses")] = False,
        batch: Annotated[int, typer.Option(min=1, max=10_000, help="Data keys re-wrapped per transaction")] = 500,
        rewrap_only: Annotated[bool, typer.Option(
            "--rewrap-only", help="Make no new master key: only finish re-wrapping under the current one")] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Rotate the master key that protects every person's data key (PRV-11). Safe to stop and rerun:
        an interrupted rotation is finished, not started again."""
        from covernote.privacy.usecases import sensitive

        data = sensitive.rotate_keys(context(), operator(), retire_old, batch, new_key=not rewrap_only)
        show(data, as_json, _rotation_summary)

    @privacy_app.command("sensitive-reads")
    @handles_errors
    def sensitive_reads(customer_id: str, as_json: JsonOpt = False) -> None:
        """Who read a customer's sensitive data, when, which fields and why (SEC-2)."""
        from covernote.privacy.usecases import sensitive

        show(sensitive.reads_log(context(), operator(), customer_id), as_json, _reads_summary)
