"""Django's own messages that our pages show but Django's Vietnamese catalogue does not yet
translate (new in 6.1). Listed here so `makemessages` puts them in our catalogue, which
Django consults before its own (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = [
    gettext_noop("- Select an option -"),
]
