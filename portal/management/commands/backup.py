"""Back up the portal: the PostgreSQL database (``pg_dump`` custom format) and the media folder.

    python manage.py backup --to /backups/portal-2026-05-01

The folder gets ``database.dump``, ``media.tar.gz`` and, written last, ``manifest.json`` with
the SHA-256 and size of both and the certificates counted by status. ``restore`` checks all of
it. The signing keys travel inside the database, encrypted with ``PORTAL_SIGNING_KEY_SECRET``,
which is deliberately *not* in the backup: keep it separately. See ``docs/backup.md``.
"""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from certification.api import certificate_status_counts

DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def libpq_env(settings_dict: dict) -> dict:
    """The environment that points libpq tools (pg_dump, pg_restore, psql) at a database,
    keeping the password out of the command line."""
    env = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    return env


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump) and the media folder into a new folder, "
        "with a manifest of SHA-256 sums. Restore with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", dest="target", required=True, help="a folder that does not exist yet"
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)"
        )

    def handle(self, *args, target, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                "backup works on PostgreSQL only; the embedded SQLite default is a single file "
                f"({connection.settings_dict['NAME']}) you can copy while the portal is stopped."
            )
        target = Path(target).resolve()
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty; back up into a new folder.")
        target.mkdir(parents=True, exist_ok=True)
        started = datetime.datetime.now(datetime.UTC)

        # The database first, then the files: the portal never deletes an issued certificate's
        # PDF, so every file the dump names is in the archive taken after it.
        dump = target / DATABASE_FILE
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [tool("pg_dump"), "--format=custom", "--compress=6", f"--file={dump}"],
            env=libpq_env(connection.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        with connection.cursor() as cursor:
            counts = certificate_status_counts(cursor)
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]

        media = self._media(target)

        manifest = {
            "format": MANIFEST_FORMAT,
            "created_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": {
                "file": DATABASE_FILE,
                "name": connection.settings_dict["NAME"],
                "server_version": server_version,
                "bytes": dump.stat().st_size,
                "sha256": sha256_of(dump),
            },
            "media": media,
            "certificates": counts,
            "signing_keys": "in the database, encrypted with PORTAL_SIGNING_KEY_SECRET "
            "(not in this backup: keep the secret separately)",
        }
        # Written last: a folder without a manifest is an unfinished backup.
        (target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {manifest['database']['name']} ({dump.stat().st_size} bytes) and "
                f"{media['files'] if media else 0} media files to {target}; "
                f"certificates: {counts or 'none'}."
            )
        )

    def _media(self, target: Path) -> dict | None:
        if getattr(settings, "MEDIA_STORAGE", "filesystem") != "filesystem":
            self.stderr.write(
                "Media are kept in object storage (MEDIA_STORAGE); back the bucket up with its "
                "own versioning or replication. Only the database is in this backup."
            )
            return None
        # Both storages, each under its own top folder: "media" (the public pictures) and
        # "private" (certificates, photos, evidence, reports).
        roots = {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}
        archive = target / MEDIA_FILE
        counted = dict.fromkeys(roots, 0)
        with tarfile.open(archive, "w:gz", compresslevel=1) as tar:  # PDFs are compressed
            for top, root in roots.items():
                tar.add(root if root.is_dir() else target, arcname=top, recursive=False)
                if not root.is_dir():
                    continue
                for path in sorted(root.rglob("*")):
                    if path.is_symlink() or not (path.is_file() or path.is_dir()):
                        continue
                    tar.add(path, arcname=f"{top}/{path.relative_to(root)}", recursive=False)
                    counted[top] += path.is_file()
        root, files = roots["media"], counted["media"] + counted["private"]
        return {
            "file": MEDIA_FILE,
            "root": str(root),
            "private_root": str(roots["private"]),
            "files": files,
            "private_files": counted["private"],
            "bytes": archive.stat().st_size,
            "sha256": sha256_of(archive),
        }
