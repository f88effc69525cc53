"""Compile the .po catalogues to .mo with Babel, so that a fresh machine needs no gettext tools."""

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/django.po to django.mo"

    def handle(self, *args: Any, **options: Any) -> None:
        # The project catalogue, then each app's own (new apps keep their strings beside them).
        bases = [Path(p) for p in settings.LOCALE_PATHS]
        bases += [
            Path(c.path) / "locale" for c in apps.get_app_configs() if c.name.startswith("llct.")
        ]
        for base in bases:
            for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=po_path.parts[-3])
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                self.stdout.write(f"compiled {po_path}")
