"""backup_portal / restore_portal on SQLite and, with DATABASE_URL on PostgreSQL, there."""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from members.models import User

from ..factories import UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def private_root(tmp_path, settings):
    root = tmp_path / "private"
    (root / "agreements" / "signed").mkdir(parents=True)
    (root / "agreements" / "signed" / "a1.pdf").write_bytes(b"%PDF-1.7 signed agreement")
    (root / "reports" / "2025").mkdir(parents=True)
    (root / "reports" / "2025" / "centre-fr.pdf").write_bytes(b"%PDF-1.7 report")
    settings.PRIVATE_MEDIA_ROOT = root
    settings.USAGE_REPORTS_DIR = root / "reports"
    return root


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


@pytest.mark.skipif(POSTGRES, reason="the SQLite path (the PostgreSQL test is below)")
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_and_restore_round_trip(tmp_path, private_root):
    kept = UserFactory(email="kept@example.org")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup_portal", str(archive))

    manifest = manifest_of(archive)
    assert manifest["database"] == {"engine": "sqlite", "file": "database.sqlite3"}
    assert manifest["versions"]["django"] and manifest["migrations"]["members"]
    assert set(manifest["members"]) == {"database.sqlite3", "private/agreements/signed/a1.pdf",
                                        "private/reports/2025/centre-fr.pdf"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["members"].values())

    # Things change after the backup...
    User.objects.filter(pk=kept.pk).delete()
    UserFactory(email="later@example.org")
    (private_root / "agreements" / "signed" / "a1.pdf").write_bytes(b"overwritten")
    (private_root / "stray.txt").write_text("not in the backup")

    # ... a restore over a portal that has accounts needs --force ...
    with pytest.raises(CommandError, match="--force"):
        call_command("restore_portal", str(archive))
    assert User.objects.filter(email="later@example.org").exists()

    call_command("restore_portal", str(archive), "--force")
    connection.close()
    assert list(User.objects.values_list("email", flat=True)) == ["kept@example.org"]
    assert (private_root / "agreements" / "signed" / "a1.pdf").read_bytes() == \
        b"%PDF-1.7 signed agreement"
    assert (private_root / "reports" / "2025" / "centre-fr.pdf").exists()
    assert not (private_root / "stray.txt").exists()


@pytest.mark.django_db
def test_a_tampered_archive_is_refused_before_anything_changes(tmp_path, private_root):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup_portal", str(archive))
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith("a1.pdf"):
                data = b"%PDF-1.7 forged"
                member.size = len(data)
            import io

            target.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="checksum mismatch"):
        call_command("restore_portal", str(tampered), "--force")
    assert (private_root / "agreements" / "signed" / "a1.pdf").read_bytes() == \
        b"%PDF-1.7 signed agreement"


@pytest.mark.django_db
def test_an_archive_with_unlisted_or_escaping_members_is_refused(tmp_path, private_root):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup_portal", str(archive))
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(evil, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
        extra = tmp_path / "x"
        extra.write_text("x")
        target.add(extra, arcname="../outside.txt")
    with pytest.raises(CommandError, match="unexpected member"):
        call_command("restore_portal", str(evil), "--force")
    not_an_archive = tmp_path / "plain.tar.gz"
    not_an_archive.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("restore_portal", str(not_an_archive))
    with pytest.raises(CommandError, match="no such archive"):
        call_command("restore_portal", str(tmp_path / "missing.tar.gz"))


def _psql(database: str, sql: str) -> str:
    conf = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(conf.get("PASSWORD") or "")}
    command = ["psql", "--no-psqlrc", "--tuples-only", "--no-align",
               "--host", str(conf.get("HOST") or "127.0.0.1"),
               "--port", str(conf.get("PORT") or 5432),
               "--username", str(conf.get("USER") or "postgres"),
               "--dbname", database, "--command", sql]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60,
                            check=True)
    return result.stdout.strip()


@pytest.mark.skipif(not POSTGRES, reason="needs DATABASE_URL on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_into_a_scratch_database(tmp_path, private_root):
    UserFactory(email="kept@example.org")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup_portal", str(archive))
    assert manifest_of(archive)["database"]["file"] == "database.dump"

    scratch = f"algoric_restore_{uuid.uuid4().hex[:8]}"
    conf = connection.settings_dict
    _psql("postgres", f'CREATE DATABASE "{scratch}"')
    try:
        user = conf.get("USER") or "postgres"
        password = conf.get("PASSWORD") or ""
        credentials = f"{user}:{password}@" if password else f"{user}@"
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update({
            "DJANGO_SETTINGS_MODULE": "algoric.settings.local",
            "DATABASE_URL": f"postgres://{credentials}{conf.get('HOST') or '127.0.0.1'}:"
                            f"{conf.get('PORT') or 5432}/{scratch}",
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "restored-private"),
            "USAGE_REPORTS_DIR": str(tmp_path / "restored-private" / "reports"),
            "CELERY_BROKER_URL": "",
        })
        command = [sys.executable, "manage.py", "restore_portal", str(archive)]
        first = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True,
                               text=True, timeout=300)
        assert first.returncode == 0, first.stderr  # an empty database needs no --force
        assert _psql(scratch, "SELECT email FROM members_user") == "kept@example.org"
        assert (tmp_path / "restored-private" / "agreements" / "signed" / "a1.pdf").exists()
        again = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True,
                               timeout=300)
        assert again.returncode != 0 and "--force" in again.stderr
        forced = subprocess.run([*command, "--force"], cwd=BASE_DIR, env=env,
                                capture_output=True, text=True, timeout=300)
        assert forced.returncode == 0, forced.stderr
        assert _psql(scratch, "SELECT count(*) FROM members_user") == "1"
    finally:
        _psql("postgres", f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def test_backup_settings_are_documented():
    text = (BASE_DIR / "docs" / "operations.md").read_text()
    for word in ("backup_portal", "restore_portal", "/healthz", "LOG_FORMAT", "--force"):
        assert word in text
    assert settings.PRIVATE_MEDIA_ROOT
