"""Issued invoices cannot change in the database either (triggers).

PostgreSQL: an issued invoice's number, dates, parties and totals cannot be updated, nor
the row deleted; lines of an issued invoice cannot be added, changed or deleted.
SQLite: the same for updates and added or changed lines (its test flush deletes rows,
so deletions are guarded by the models only). Payment status and the PDF stay writable.
"""

from django.db import migrations

FROZEN = ["number", "kind", "organisation_id", "issued_on", "due_on", "total_net",
          "total_vat", "total_gross", "seller", "buyer", "credited_invoice_id",
          "period_start", "period_end", "language"]

POSTGRESQL = """
CREATE OR REPLACE FUNCTION billing_invoice_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'invoice % is issued: it cannot be deleted', OLD.number;
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status <> 'draft' AND (NEW.status = 'draft' OR %(changed)s) THEN
    RAISE EXCEPTION 'invoice % is issued: it cannot change', OLD.number;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoice_immutable BEFORE UPDATE OR DELETE ON billing_invoice
  FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable();

CREATE OR REPLACE FUNCTION billing_invoiceline_fixed() RETURNS trigger AS $$
DECLARE
  parent_status varchar;
BEGIN
  SELECT status INTO parent_status FROM billing_invoice
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
  IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
    RAISE EXCEPTION 'the lines of an issued invoice cannot change';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoiceline_fixed BEFORE INSERT OR UPDATE OR DELETE
  ON billing_invoiceline FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_fixed();
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS billing_invoiceline_fixed ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoiceline_fixed();
DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_immutable();
"""

SQLITE = [
    """CREATE TRIGGER billing_invoice_immutable BEFORE UPDATE ON billing_invoice
       WHEN OLD.status <> 'draft' AND (NEW.status = 'draft' OR %(changed)s)
       BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot change'); END""",
    """CREATE TRIGGER billing_invoiceline_insert BEFORE INSERT ON billing_invoiceline
       WHEN (SELECT status FROM billing_invoice WHERE id = NEW.invoice_id) <> 'draft'
       BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice cannot change'); END""",
    """CREATE TRIGGER billing_invoiceline_update BEFORE UPDATE ON billing_invoiceline
       WHEN (SELECT status FROM billing_invoice WHERE id = OLD.invoice_id) <> 'draft'
       BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice cannot change'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS billing_invoice_immutable",
                  "DROP TRIGGER IF EXISTS billing_invoiceline_insert",
                  "DROP TRIGGER IF EXISTS billing_invoiceline_update"]


def _changed() -> str:
    return " OR ".join(f"NEW.{name} IS DISTINCT FROM OLD.{name}" for name in FROZEN)


def _changed_sqlite() -> str:
    return " OR ".join(f"NEW.{name} IS NOT OLD.{name}" for name in FROZEN)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL.replace("%(changed)s", _changed()), params=None)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement.replace("%(changed)s", _changed_sqlite()))


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [("billing", "0001_invoices_quotes_payments")]

    operations = [migrations.RunPython(install, uninstall)]
