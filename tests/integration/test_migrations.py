"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from covernote.store.db import make_engine
from covernote.store.tables import metadata


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migrations_match_the_declared_schema(request, backend):
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


@pytest.fixture
def fresh_url(request, tmp_path):  # type: ignore[no-untyped-def]
    """An empty database of its own: an SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    import os
    import secrets

    base = os.environ.get("COVERNOTE_TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL tier skipped: set COVERNOTE_TEST_DATABASE_URL")
    schema = f"cn_mig_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.mark.parametrize("fresh_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_issue14_0019_keeps_existing_documents_valid_as_their_policys(fresh_url):  # type: ignore[no-untyped-def]
    """Issue 14, DOC-1: migration 0019 gives every document an owner; one issued before it belongs to its policy
    (owner_kind 'policy', owner_id its policy id), with its renditions and paper copies, and the new unique key
    (owner, kind, subject) still refuses a second copy of it."""
    import sqlalchemy as sa

    from covernote.store.db import upgrade

    upgrade(fresh_url, "0018")
    engine = make_engine(fresh_url)
    at = "2026-12-07 10:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO customers (id, name, email, address, postcode, created_at) VALUES "
                             "('cus_1', 'Ann Example', 'ann@example.org', '1 High Street', 'LS1 4AB', :at)"),
                     {"at": at})
        conn.execute(sa.text("INSERT INTO policies (id, number, customer_id, product_code, auto_renew, taken_out_on, "
                             "payment_token, created_at, version, current_term_end) VALUES ('pol_1', 'CN1', 'cus_1', "
                             "'ECO', false, '2026-12-07', 'tok_visa', :at, 1, '2027-12-07')"), {"at": at})
        conn.execute(sa.text(
            "INSERT INTO documents (id, policy_id, customer_id, kind, subject, term_no, title, template, "
            "template_version, product_ref, created_at, created_by) VALUES ('doc_1', 'pol_1', 'cus_1', "
            "'certificate', 'txn_1', 1, 'Certificate', 'certificate', 'v', 'ECO@1', :at, 'usr_1')"), {"at": at})
        conn.execute(sa.text(
            "INSERT INTO document_renditions (document_id, format, policy_id, customer_id, media_type, sha256, size, "
            "content, template_version, created_at) VALUES ('doc_1', 'pdf', 'pol_1', 'cus_1', 'application/pdf', "
            "'s', 4, :content, 'v', :at)"), {"content": b"%PDF", "at": at})
        conn.execute(sa.text(
            "INSERT INTO print_requests (id, document_id, policy_id, customer_id, large_print, status, "
            "requested_at, requested_by) VALUES ('prt_1', 'doc_1', 'pol_1', 'cus_1', false, 'requested', :at, "
            "'usr_1')"), {"at": at})
    upgrade(fresh_url)
    with engine.begin() as conn:
        for table in ("documents", "document_renditions", "print_requests"):
            row = conn.execute(sa.text(f"SELECT owner_kind, owner_id, policy_id FROM {table}")).one()
            assert tuple(row) == ("policy", "pol_1", "pol_1"), table
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO documents (id, owner_kind, owner_id, policy_id, customer_id, kind, subject, title, "
            "template, template_version, created_at, created_by) VALUES ('doc_2', 'policy', 'pol_1', 'pol_1', "
            "'cus_1', 'certificate', 'txn_1', 'Certificate', 'certificate', 'v', :at, 'usr_1')"), {"at": at})
    engine.dispose()
