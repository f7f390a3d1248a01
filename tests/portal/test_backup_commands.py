"""``manage.py backup`` and ``restore`` refuse what they cannot do, clearly and changing nothing.

The real round trip on PostgreSQL is ``tests/services/test_backup.py``.
"""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_backup_on_the_embedded_sqlite_default_says_what_to_do_instead(tmp_path):
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("backup", "--to", str(tmp_path / "backup"))
    assert not (tmp_path / "backup").exists()


def _restore(source, tmp_path, url="postgres://nobody@127.0.0.1:1/portal_restore_x"):
    call_command(
        "restore",
        "--from",
        str(source),
        "--database-url",
        url,
        "--media-root",
        str(tmp_path / "media"),
    )


def test_restore_refuses_an_unfinished_or_damaged_backup_before_connecting(tmp_path):
    source = tmp_path / "backup"
    source.mkdir()
    (source / "database.dump").write_bytes(b"PGDMP")
    with pytest.raises(CommandError, match="not a finished backup"):
        _restore(source, tmp_path)
    (source / "manifest.json").write_text(
        json.dumps(
            {
                "format": 1,
                "database": {"file": "database.dump", "sha256": "0" * 64},
                "media": None,
                "certificates": {},
            }
        )
    )
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        _restore(source, tmp_path)
    with pytest.raises(CommandError, match="postgres://"):
        _restore(source, tmp_path, url="sqlite:///elsewhere.sqlite3")
    assert not (tmp_path / "media").exists()
