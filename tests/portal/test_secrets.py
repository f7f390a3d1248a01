"""No secret in the repository; SECRET_KEY and the signing-key secret come from the environment
or from files outside it."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
AWS_KEY = re.compile(r"\bA(KIA|SIA)[0-9A-Z]{16}\b")
# name = "value" (Python, JSON, YAML, TOML) where the name says secret and the value is long.
ASSIGNED = re.compile(
    r"""(?i)\b(?P<name>[\w-]*(secret|private_?key|api_?key|token|passw(or)?d)[\w-]*)["']?"""
    r"""\s*[:=]\s*[rbuf]?["'](?P<value>[^"'\s]{16,})["']"""
)
# NAME=value in shell, .env and Makefiles; "$..." (read at run time) is fine, and so is a
# folder (PRIVATE_MEDIA_ROOT=/srv/...: where private files live, not a secret).
ENV_LINE = re.compile(
    r"""(?m)^\s*(export\s+)?(?P<name>(?![A-Z_]*_(ROOT|DIR)=)[A-Z_]*(SECRET|TOKEN|PASSWORD|PRIVATE)[A-Z_]*)="""
    r"""["']?(?P<value>[^\s"'$…][^\s"']{11,})"""
)
# A long hex or base64 string on a line that speaks of keys or secrets.
KEYISH_LINE = re.compile(r"(?i)(secret|private|seed|token|api_?key)")
LONG_LITERAL = re.compile(r"""["']([A-Fa-f0-9]{48,}|[A-Za-z0-9+/_-]{40,}={0,2})["']""")
FORBIDDEN_FILES = re.compile(
    r"(^|/)(\.env|id_rsa|id_ed25519|.*\.(pem|key|p12|pfx|jks|keystore|sqlite3))$"
)

# Values that look like secrets but are not, and why.
ALLOWED = {
    # Used only with DEBUG on; settings refuse it when DEBUG is off (tested below).
    ("portal/settings.py", "insecure-local-development-key-do-not-use-in-production"),
    # The demo accounts' published password (README, "Demo accounts").
    ("portal/accounts/demo.py", "portal-demo-2026"),
    # A made-up credential that only configures the S3 storage in a settings probe; signed URLs
    # are computed locally and no request reaches any endpoint.
    ("tests/portal/test_serve_settings.py", "test-secret-key"),
    # The app secret of the local stand-in for WeChat's endpoints; nothing real accepts it.
    ("tests/portal/test_wechat.py", "wx-test-app-secret"),
    # Read back from a temporary file in the test that WECHAT_APP_SECRET_FILE works.
    ("tests/portal/test_wechat_off.py", "a-secret-from-a-file"),
}
# Whole files whose "secrets" are public test vectors.
ALLOWED_FILES = {
    # The W3C Data Integrity EdDSA test vector's key pair, published in the specification.
    "tests/certification/credentials/vc/test_keys.py",
    # This file: the scanner's own made-up samples, and values written to temporary files.
    "tests/portal/test_secrets.py",
}


def tracked_files() -> list[str]:
    try:
        result = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
        )
    except (OSError, subprocess.CalledProcessError) as error:  # pragma: no cover
        pytest.fail(f"git ls-files failed: {error}")
    return [name for name in result.stdout.decode().split("\0") if name]


def findings(name: str, text: str) -> list[str]:
    found = []
    if PEM_PRIVATE.search(text):
        found.append(f"{name}: a PEM private key")
    if AWS_KEY.search(text):
        found.append(f"{name}: an AWS access key id")
    is_test = name.startswith("tests/")
    for match in ASSIGNED.finditer(text):
        value = match["value"]
        if (name, value) in ALLOWED:
            continue
        if is_test and "passw" in match["name"].lower():
            continue  # the test accounts' passwords, made for the test database
        if value.startswith(("${", "{{", "%(")) or "environ" in value:
            continue
        found.append(f"{name}: {match['name']} = {value[:12]}…")
    for match in ENV_LINE.finditer(text):
        if (name, match["value"].strip("\"'")) not in ALLOWED:
            found.append(f"{name}: {match['name']}={match['value'][:12]}…")
    for line in text.splitlines():
        if KEYISH_LINE.search(line):
            for literal in LONG_LITERAL.finditer(line):
                value = literal.group(1)
                if len(set(value)) > 8 and (name, value) not in ALLOWED:
                    found.append(f"{name}: a long key-like string {value[:12]}…")
    return found


def test_no_secret_is_tracked():
    problems = []
    for name in tracked_files():
        if FORBIDDEN_FILES.search(name):
            problems.append(f"{name}: a key, environment or database file")
            continue
        if name in ALLOWED_FILES or name.startswith("locale/"):
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        problems += findings(name, text)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
        'SECRET_KEY = "k9#2hd8Fj3!sl2Kd0cMx72"',
        '"api_key": "sk_live_4eC39HqLyjWDarjtT1zdp7dc"',
        "export PORTAL_SIGNING_KEY_SECRET=d8f7a6s5d4f3g2h1j0k9",
        'seed = "9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d9b1deb4d3b7d4bad"',
    ],
)
def test_the_scanner_finds_what_it_looks_for(text):
    assert findings("portal/example.py", text)


def test_the_scanner_leaves_alone_what_is_read_at_run_time():
    assert not findings("Makefile", 'export SECRET_KEY="$${SECRET_KEY:-$$(python -c x)}"')
    assert not findings("README.md", "export DEBUG=false SECRET_KEY=… ALLOWED_HOSTS=x")
    assert not findings("portal/settings.py", 'SECRET_KEY = secret("SECRET_KEY")')


# -- settings read secrets from the environment or from files ---------------------------------


def settings_in_subprocess(tmp_path, env: dict, expression: str) -> subprocess.CompletedProcess:
    """Import the settings afresh with only ``env`` and print ``expression``."""
    base = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "ALLOWED_HOSTS": "portal.example.org",
    }
    return subprocess.run(
        [sys.executable, "-c", f"import portal.settings as s; print({expression})"],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_secrets_can_come_from_files_outside_the_repository(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("a-secret-from-a-file-0123456789abcdefghijklmnopqrstuvwxyz\n")
    signing_file = tmp_path / "signing_secret"
    signing_file.write_text("the-signing-key-secret-from-a-file-98765\n")
    result = settings_in_subprocess(
        tmp_path,
        {
            "DEBUG": "false",
            "SECRET_KEY_FILE": str(secret_file),
            "PORTAL_SIGNING_KEY_SECRET_FILE": str(signing_file),
        },
        "s.SECRET_KEY, s.PORTAL_SIGNING_KEY_SECRET",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "a-secret-from-a-file-0123456789abcdefghijklmnopqrstuvwxyz",
        "the-signing-key-secret-from-a-file-98765",
    ]


def test_secrets_come_from_the_environment(tmp_path):
    result = settings_in_subprocess(
        tmp_path,
        {"DEBUG": "false", "SECRET_KEY": "x" * 60, "PORTAL_SIGNING_KEY_SECRET": "y" * 40},
        "s.SECRET_KEY == 'x' * 60, s.PORTAL_SIGNING_KEY_SECRET == 'y' * 40",
    )
    assert result.stdout.split() == ["True", "True"], result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {"DEBUG": "false"},
        {"DEBUG": "false", "SECRET_KEY": "insecure-local-development-key-do-not-use-in-production"},
        {"DEBUG": "false", "SECRET_KEY_FILE": "/nonexistent/secret"},
        {"DEBUG": "false", "SECRET_KEY_FILE": "/dev/null"},
    ],
    ids=["missing", "the development key", "an unreadable file", "an empty file"],
)
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, env):
    result = settings_in_subprocess(tmp_path, env, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr
