"""What ``make serve`` needs before Django starts: its PostgreSQL database and its secrets.

    python -m portal.serve database-ensure postgres://postgres@127.0.0.1:5432/portal_serve
    python -m portal.serve secret-key var/serve/secret_key    # prints the key, made once
    python -m portal.serve secret-key var/serve/signing_key_secret   # the signing keys' own

Neither loads Django settings (the database may not exist yet, and the key is what settings
need). ``bench/load.py`` and the services tests use the same functions.
"""

import argparse
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def database_ensure(url: str) -> bool:
    """Create the PostgreSQL database ``url`` names if it is missing; True if it was made."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name:
        raise ValueError(f"no database name in {url!r}")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return not exists


def secret_key(path: str | Path, *, first_from: str | Path | None = None) -> str:
    """The key kept in ``path``; a new random one, readable by its owner only, if none.

    ``first_from`` names an older key file whose value ``path`` starts with, if that file
    exists when ``path`` does not: a ``var/serve`` made before the signing-key secret had a
    file of its own sealed its keys with the ``SECRET_KEY`` there, and must keep opening
    them."""
    path = Path(path)
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    earlier = Path(first_from) if first_from else None
    if earlier is not None and earlier.exists() and earlier.read_text().strip():
        key = earlier.read_text().strip()
    else:
        key = secrets.token_urlsafe(50)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m portal.serve", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("database-ensure").add_argument("url")
    secret = commands.add_parser("secret-key")
    secret.add_argument("path")
    secret.add_argument("--first-from", default=None)
    args = parser.parse_args(argv)
    if args.command == "database-ensure":
        made = database_ensure(args.url)
        print(f"{'created' if made else 'found'} database {urlparse(args.url).path.lstrip('/')}")
    else:
        sys.stdout.write(secret_key(args.path, first_from=args.first_from))


if __name__ == "__main__":
    main()
