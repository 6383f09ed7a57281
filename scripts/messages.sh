#!/usr/bin/env bash
# Refreshes the translation catalogues (locale/<lang>/LC_MESSAGES/django.po) from the code's marked messages,
# then compiles them. Translate the new, empty msgstr entries; tests/test_translations.py fails until every
# message has a translation. Extra arguments go to makemessages (e.g. -l fr to start a new language).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv
use_local_environment
ensure_gettext
languages=()
for dir in locale/*/; do languages+=(-l "$(basename "$dir")"); done
"$PY" manage.py makemessages "${languages[@]}" "$@" --no-obsolete --add-location=file \
  --ignore=.venv --ignore=tests --ignore=bench --ignore=scripts --ignore=staticfiles
compile_messages
