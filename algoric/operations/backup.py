"""Backup and restore of the portal: the database and the private files in one archive.

Archive layout (``.tar.gz``)::

    manifest.json            versions, database engine, sha256 and size of every member
    database.dump            PostgreSQL: ``pg_dump --format=custom``
    database.sqlite3         SQLite: a copy made with the online backup API
    private/<path>           every file under PRIVATE_MEDIA_ROOT (agreements, reports…)
    reports/<path>           USAGE_REPORTS_DIR, only when it lies outside PRIVATE_MEDIA_ROOT

PostgreSQL tools are run with argument lists (never a shell string) and the password
goes through ``PGPASSWORD`` in their environment, never on the command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

#: Version of the archive layout; restore refuses other versions.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
#: Longest time one pg_dump or pg_restore may take (seconds).
PG_TIMEOUT_S = 6 * 3600


class BackupError(Exception):
    """The backup or the restore cannot be done; the message says why."""


@dataclass
class RestoreResult:
    engine: str
    files: int
    created_at: str


def _engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"unsupported database engine: {vendor}")
    return vendor


def _pg_env(alias: str) -> tuple[list[str], dict[str, str]]:
    """``(connection arguments, environment)`` for pg_dump / pg_restore / psql."""
    conf = connections[alias].settings_dict
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    args = []
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    args += ["--dbname", str(conf["NAME"])]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)")
    result = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True,  # noqa: S603
                            timeout=PG_TIMEOUT_S, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_roots() -> list[tuple[str, Path]]:
    """``[(prefix in the archive, folder)]`` of the private files."""
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    roots = [("private", private)]
    reports = Path(getattr(settings, "USAGE_REPORTS_DIR", private)).resolve()
    if not reports.is_relative_to(private):
        roots.append(("reports", reports))
    return roots


def _migrations(alias: str) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _dump_database(folder: Path, alias: str) -> tuple[str, str]:
    engine = _engine(alias)
    if engine == "postgresql":
        target = folder / "database.dump"
        args, env = _pg_env(alias)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(target), *args], env)
        with connections[alias].cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return target.name, f"PostgreSQL {version}"
    target = folder / "database.sqlite3"
    connections[alias].ensure_connection()
    source = sqlite3.connect(str(connections[alias].settings_dict["NAME"]))
    try:
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return target.name, f"SQLite {sqlite3.sqlite_version}"


def backup_create(*, output: Path, alias: str = "default") -> dict:
    """Write the database and the private files of the portal to ``output`` (.tar.gz).

    The archive is written beside ``output`` under a temporary name and renamed when
    complete, so a failed backup never leaves a truncated archive under that name.
    Returns the manifest. Raises :class:`BackupError` (tool missing or failing,
    unsupported engine).
    """
    from django.conf import settings as django_settings

    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="algoric-backup-") as tmp:
        folder = Path(tmp)
        db_name, db_version = _dump_database(folder, alias)
        members: dict[str, dict] = {db_name: {"sha256": sha256_file(folder / db_name),
                                              "size": (folder / db_name).stat().st_size}}
        files: list[tuple[str, Path]] = []
        for prefix, root in _file_roots():
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    name = f"{prefix}/{path.relative_to(root).as_posix()}"
                    members[name] = {"sha256": sha256_file(path), "size": path.stat().st_size}
                    files.append((name, path))
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "portal": "algoric-portal",
            "versions": {"python": platform.python_version(), "django": django.get_version(),
                         "database": db_version},
            "database": {"engine": _engine(alias), "file": db_name},
            "migrations": _migrations(alias),
            "private_media_root": str(django_settings.PRIVATE_MEDIA_ROOT),
            "members": members,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = output.with_name(f".{output.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(folder / MANIFEST, arcname=MANIFEST)
                archive.add(folder / db_name, arcname=db_name)
                for name, path in files:
                    archive.add(path, arcname=name, recursive=False)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.load(archive.extractfile(member))
    except (KeyError, ValueError, TypeError) as exc:
        raise BackupError("not a portal backup: manifest.json missing or unreadable") from exc
    if manifest.get("format") != FORMAT_VERSION or not isinstance(manifest.get("members"),
                                                                   dict):
        raise BackupError(f"unsupported backup format: {manifest.get('format')!r}")
    return manifest


def backup_verify(*, archive_path: Path, folder: Path) -> dict:
    """Extract ``archive_path`` into ``folder`` and check it against its manifest.

    Every member must be a regular file listed in the manifest with the same sha256,
    and every listed member must be present; names that leave the folder are
    refused (``tarfile`` data filter). Returns the manifest. Raises
    :class:`BackupError`.
    """
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = _read_manifest(archive)
            listed = set(manifest["members"])
            names = set()
            for member in archive.getmembers():
                if member.name == MANIFEST:
                    continue
                if not member.isfile() or member.name not in listed:
                    raise BackupError(f"unexpected member in the archive: {member.name!r}")
                names.add(member.name)
            missing = listed - names
            if missing:
                raise BackupError(f"members missing from the archive: {sorted(missing)[:5]}")
            archive.extractall(folder, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"cannot read the archive: {exc}") from exc
    for name, expected in manifest["members"].items():
        if sha256_file(folder / name) != expected.get("sha256"):
            raise BackupError(f"checksum mismatch: {name}")
    return manifest


def database_is_empty(alias: str = "default") -> bool:
    """Whether the database holds no account yet (no table, or no user)."""
    user_model = get_user_model()
    connection = connections[alias]
    if user_model._meta.db_table not in connection.introspection.table_names():
        return True
    return not user_model.objects.using(alias).exists()


def _files_present() -> bool:
    return any(root.is_dir() and any(path.is_file() for path in root.rglob("*"))
               for _prefix, root in _file_roots())


def _restore_database(folder: Path, manifest: dict, alias: str) -> None:
    engine = _engine(alias)
    name = manifest["database"]["file"]
    if engine == "postgresql":
        args, env = _pg_env(alias)
        connections[alias].close()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", *args, str(folder / name)], env)
        return
    connections[alias].close()
    source = sqlite3.connect(str(folder / name))
    try:
        # The backup API replaces the live file's content page by page under SQLite's
        # locks: safer than moving a file over a database in WAL mode.
        target = sqlite3.connect(str(connections[alias].settings_dict["NAME"]), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _restore_files(folder: Path) -> int:
    count = 0
    for prefix, root in _file_roots():
        root.mkdir(parents=True, exist_ok=True)
        # Empty the folder's content (not the folder: it may be a mounted volume).
        for child in list(root.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        source = folder / prefix
        if not source.is_dir():
            continue
        for path in sorted(source.rglob("*")):
            if path.is_file():
                target = root / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                count += 1
    return count


def backup_restore(*, archive_path: Path, force: bool = False,
                   alias: str = "default") -> RestoreResult:
    """Restore the database and the private files from an archive of :func:`backup_create`.

    The archive is checked first (:func:`backup_verify`); nothing is touched if it
    fails. Without ``force`` the restore is refused when the database already holds
    accounts or private files exist. PostgreSQL: ``pg_restore --clean --if-exists
    --single-transaction``; SQLite: the online backup API into the configured file.
    The private folders are emptied, then filled from the archive.

    Raises :class:`BackupError` (bad archive, engine mismatch, not empty, tool failure).
    """
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"no such archive: {archive_path}")
    with tempfile.TemporaryDirectory(prefix="algoric-restore-") as tmp:
        folder = Path(tmp)
        manifest = backup_verify(archive_path=archive_path, folder=folder)
        engine = _engine(alias)
        if manifest["database"]["engine"] != engine:
            raise BackupError(f"the archive holds a {manifest['database']['engine']} database;"
                              f" this portal uses {engine}")
        if not force and not (database_is_empty(alias) and not _files_present()):
            raise BackupError("the database or the private files are not empty: "
                              "restore with --force to replace them")
        _restore_database(folder, manifest, alias)
        files = _restore_files(folder)
    return RestoreResult(engine=engine, files=files, created_at=manifest["created_at"])
