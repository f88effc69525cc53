"""The documented production environment (deploy/production.env.example) passes Django's
deployment checks, and each setting comes from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
EXAMPLE = ROOT / "deploy" / "production.env.example"


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    for line in EXAMPLE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    # The example's database and cache are placeholders: checks need none of them reachable.
    env.update(DATABASE_URL="postgres://llct@127.0.0.1:5432/llct", **overrides)
    return env


def run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


SHOW = """
import django, json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
django.setup()
from django.conf import settings as s
from django.core.management import call_command
call_command("check", deploy=True, fail_level="WARNING")
print(json.dumps({
    "cache": s.CACHES["default"]["BACKEND"], "cache_location": s.CACHES["default"].get("LOCATION"),
    "databases": sorted(s.DATABASES), "conn_max_age": s.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": s.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "hsts": s.SECURE_HSTS_SECONDS, "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "proxy": s.SECURE_PROXY_SSL_HEADER, "secure_cookies": s.SESSION_COOKIE_SECURE,
    "csrf_cookie": s.CSRF_COOKIE_SECURE, "origins": s.CSRF_TRUSTED_ORIGINS,
    "mail": s.MAILERS["default"], "static": s.STORAGES["staticfiles"]["BACKEND"],
    "log_format": s.LOGGING["handlers"]["console"]["formatter"],
}))
"""


def test_documented_production_environment_passes_check_deploy():
    result = run(SHOW, production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    shown = json.loads(result.stdout.splitlines()[-1])
    assert shown["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert shown["cache_location"] == "redis://127.0.0.1:6379/1"
    assert shown["conn_max_age"] == 60 and shown["health_checks"] is True
    assert shown["hsts"] == 31536000 and shown["ssl_redirect"] is True
    assert shown["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["secure_cookies"] and shown["csrf_cookie"]
    assert shown["origins"] == ["https://llct.example.vn"]
    assert shown["mail"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["mail"]["OPTIONS"]["host"] == "smtp.example.vn"
    assert shown["mail"]["OPTIONS"]["use_tls"] is True
    assert shown["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shown["log_format"] == "json"


def test_without_cache_url_postgresql_uses_the_database_cache_on_its_own_connection():
    env = production_env()
    del env["CACHE_URL"]
    result = run(SHOW, env)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.splitlines()[-1])
    assert shown["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert shown["databases"] == ["cache", "default"]


def test_an_insecure_environment_fails_check_deploy():
    result = run(SHOW, production_env(SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="false"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr
