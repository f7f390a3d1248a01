"""Restore a ``backup`` folder into a fresh PostgreSQL database and an empty media folder.

    python manage.py restore --from /backups/portal-2026-05-01 \\
        --database-url postgres://portal@db.example.org:5432/portal_restored \\
        --media-root /srv/portal/media-restored

Checks the manifest's SHA-256 sums first, creates the database when it does not exist (and
refuses one that already has tables), runs ``pg_restore`` in one transaction, unpacks the media
and compares the certificates counted by status with the manifest. It never touches the
database or media folder the running site is configured with unless you name them. The private
files (certificates, photos, evidence) go to ``--private-media-root`` (by default the media
root's name + ``-private``). Then point ``DATABASE_URL``, ``MEDIA_ROOT`` and
``PRIVATE_MEDIA_ROOT`` at the copy and run ``manage.py certificates_check``.
"""

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import environ
import psycopg
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

from certification.api import certificate_status_counts

from .backup import (
    DATABASE_FILE,
    MANIFEST_FILE,
    MANIFEST_FORMAT,
    libpq_env,
    sha256_of,
    tool,
)


def _connect(db: dict, name: str):
    return psycopg.connect(
        dbname=name,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
        connect_timeout=10,
    )


class Command(BaseCommand):
    help = (
        "Restore a folder made by `manage.py backup` into a fresh PostgreSQL database and an "
        "empty media folder, after checking its SHA-256 sums."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, help="the backup folder")
        parser.add_argument(
            "--database-url",
            required=True,
            help="postgres://user:password@host:port/name of a new or empty database",
        )
        parser.add_argument(
            "--media-root", required=True, help="a folder that does not exist yet, or is empty"
        )
        parser.add_argument(
            "--private-media-root",
            help="where the private files go (certificates, photos, evidence): a folder that "
            "does not exist yet, or is empty; default: the media root's name + '-private'",
        )

    def handle(self, *args, source, database_url, media_root, private_media_root=None, **options):
        db = environ.Env.db_url_config(database_url)
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("--database-url must be a postgres:// URL")
        source = Path(source)
        manifest = self._manifest(source)
        media_root = Path(media_root).resolve()
        private_root = Path(private_media_root or f"{media_root}-private").resolve()
        for folder in (media_root, private_root):
            if manifest["media"] and folder.exists() and any(folder.iterdir()):
                raise CommandError(f"{folder} is not empty; restore media into a new folder.")

        self._database_fresh(db)
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [
                tool("pg_restore"),
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={db['NAME']}",
                str(source / DATABASE_FILE),
            ],
            env=libpq_env(db),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        files = self._media(source, manifest, media_root, private_root)

        with _connect(db, db["NAME"]) as connection, connection.cursor() as cursor:
            counts = certificate_status_counts(cursor)
        if counts != manifest["certificates"]:
            raise CommandError(
                f"The restored database has certificates {counts}, the backup recorded "
                f"{manifest['certificates']}."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} into {db['NAME']} "
                f"({files} media files in {media_root}); certificates: {counts or 'none'}.\n"
                f"Next: DATABASE_URL=… MEDIA_ROOT={media_root} "
                f"PRIVATE_MEDIA_ROOT={private_root} manage.py migrate, then "
                "manage.py certificates_check (with the same PORTAL_SIGNING_KEY_SECRET)."
            )
        )

    def _manifest(self, source: Path) -> dict:
        path = source / MANIFEST_FILE
        if not path.is_file():
            raise CommandError(f"{source} has no {MANIFEST_FILE}: not a finished backup.")
        manifest = json.loads(path.read_text())
        if manifest.get("format") != MANIFEST_FORMAT:
            raise CommandError(f"Unknown backup format {manifest.get('format')!r}.")
        for part in filter(None, (manifest["database"], manifest["media"])):
            file = source / part["file"]
            if not file.is_file():
                raise CommandError(f"{file} is missing.")
            if sha256_of(file) != part["sha256"]:
                raise CommandError(f"{file} does not match its SHA-256 in the manifest.")
        return manifest

    def _database_fresh(self, db: dict) -> None:
        """Create the database, or make sure the existing one has no tables."""
        name = db["NAME"]
        with _connect(db, "postgres") as server:
            exists = server.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                return
        with _connect(db, name) as connection:
            tables = connection.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()[0]
        if tables:
            raise CommandError(
                f"Database {name} already has {tables} tables; restore into a new database."
            )

    def _media(self, source: Path, manifest: dict, media_root: Path, private_root: Path) -> int:
        if not manifest["media"]:
            self.stderr.write("This backup has no media (they were in object storage).")
            return 0
        targets = {"media": media_root, "private": private_root}
        files = 0
        media_root.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=media_root.parent) as unpack:
            with tarfile.open(source / manifest["media"]["file"], "r:gz") as tar:
                tar.extractall(unpack, filter="data")  # no absolute paths, links out, devices
            for top, folder in targets.items():
                if not (Path(unpack) / top).is_dir():
                    continue  # a backup made before private files had their own folder
                folder.parent.mkdir(parents=True, exist_ok=True)
                if folder.exists():
                    folder.rmdir()  # empty, checked above
                shutil.move(Path(unpack) / top, folder)
                files += sum(1 for path in folder.rglob("*") if path.is_file())
        if files != manifest["media"]["files"]:
            raise CommandError(
                f"{files} media files unpacked, the backup recorded {manifest['media']['files']}."
            )
        return files
