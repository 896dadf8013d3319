"""`covernote documents ...`: policy documents (DOC-1, CMP-4): list a policy's, write one to a file as PDF,
HTML or plain text (large print too), issue the due ones (the daily job), and the print queue of paper
copies."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from covernote.documents.usecases import documents, printing
from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, handles_errors, show
from covernote.interfaces.progress import terminal_progress


def _list_summary(data: dict[str, Any]) -> str:
    lines = [f"Documents of policy {data['number']} ({len(data['documents'])}"
             f"{', ' + str(data['issued_now']) + ' issued now' if data['issued_now'] else ''})"]
    lines += [f"  {d['id']}  term {d['term']}  {d['created_at'][:16]}  {d['title']}" for d in data["documents"]]
    return "\n".join(lines)


def _request_summary(r: dict[str, Any]) -> str:
    where = r["addressee"]
    to = f" to {where['name']}, {where['address']}, {where['postcode']}" if where else ""
    return (f"{r['id']}  {r['status']:9}  {r['document_title']}{' (large print)' if r['large_print'] else ''}"
            f"  asked {r['requested_at'][:16]}{to}")


def _queue_summary(q: dict[str, Any]) -> str:
    return "\n".join(_request_summary(r) for r in q["items"]) or "no paper copies waiting"


def register(app: typer.Typer, jobs_app: typer.Typer) -> None:
    """Add `covernote documents` and `covernote jobs documents-issue`."""
    docs_app = typer.Typer(help="Policy documents: certificates, schedules, letters (DOC-1).", no_args_is_help=True)
    app.add_typer(docs_app, name="documents")

    @docs_app.command("list")
    @handles_errors
    def list_(policy_id: Annotated[str, typer.Argument(help="Policy id or number")], as_json: JsonOpt = False) -> None:
        """A policy's documents, issuing first any its history calls for that are not issued yet."""
        show(documents.list_documents(context(), operator(), policy_id), as_json, _list_summary)

    @docs_app.command("get")
    @handles_errors
    def get(document_id: Annotated[str, typer.Argument(help="Document id")],
            fmt: Annotated[str, typer.Option("--format", help="pdf, html or txt")] = "pdf",
            large_print: Annotated[bool, typer.Option("--large-print", help="The large-print PDF or HTML (CMP-4)")] = False,
            out: Annotated[Path | None, typer.Option("--out", help="Write to this file (required for pdf)")] = None) -> None:
        """Write a document's bytes exactly as issued (the same bytes every time) to a file, or print HTML or
        plain text."""
        documents.check_format(fmt, large_print)
        if out is None and fmt == "pdf":
            fail("a PDF is written to a file", [("--out", "give the file to write, e.g. --out certificate.pdf")])
        f = documents.get_document(context(), operator(), document_id, fmt, large_print)
        if out is None:
            sys.stdout.buffer.write(f.content)
            sys.stdout.flush()
            return
        try:
            out.write_bytes(f.content)
        except OSError as exc:
            fail("the output file cannot be written", [("--out", f"{out}: {exc.strerror or exc}")])
        typer.echo(f"wrote {out} ({len(f.content):,} bytes, sha256 {f.sha256})")

    @docs_app.command("paper-copy")
    @handles_errors
    def paper_copy(document_id: Annotated[str, typer.Argument(help="Document id")],
                   large_print: Annotated[bool, typer.Option("--large-print", help="In large print (CMP-4)")] = False,
                   as_json: JsonOpt = False) -> None:
        """Ask for a paper copy of a document, posted to the policyholder."""
        show(printing.request_paper_copy(context(), operator(), document_id, large_print), as_json, _request_summary)

    @docs_app.command("print-queue")
    @handles_errors
    def queue(status: Annotated[str, typer.Option(help="requested, printed, posted or cancelled")] = "requested",
              limit: Annotated[int, typer.Option(help="At most this many")] = 50,
              offset: Annotated[int, typer.Option(help="Skip this many first")] = 0,
              as_json: JsonOpt = False) -> None:
        """The paper copies asked for, oldest first, with where each goes."""
        show(printing.print_queue(context(), operator(), status, limit, offset), as_json, _queue_summary)

    @docs_app.command("mark")
    @handles_errors
    def mark(request_id: Annotated[str, typer.Argument(help="Print request id")],
             status: Annotated[str, typer.Argument(help="printed, posted or cancelled")],
             as_json: JsonOpt = False) -> None:
        """Mark a paper copy printed, or posted, or cancel one not yet posted."""
        if status not in ("printed", "posted", "cancelled"):
            fail("unknown status", [("status", "use printed, posted or cancelled")])
        show(printing.mark_print_request(context(), operator(), request_id, status), as_json,  # type: ignore[arg-type]
             _request_summary)

    @docs_app.command("issue")
    @handles_errors
    def issue(as_json: JsonOpt = False) -> None:
        """Issue every document that policy transactions and renewal invitations call for and that nobody has
        listed yet (the daily job does this too)."""
        with terminal_progress() as progress:
            result = documents.issue_due(context(), operator(), progress=progress)
        show(result, as_json,
             lambda r: f"issued {r['issued']} documents for {r['policies']} policies"
                       + "".join(f"\n  failed {pid}: {why}" for pid, why in r["failed"].items()))

    @jobs_app.command("documents-issue")
    @handles_errors
    def issue_job(as_json: JsonOpt = False) -> None:
        """Issue the documents due (as `covernote documents issue`; one of the daily jobs)."""
        issue(as_json)
