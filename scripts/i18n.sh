#!/usr/bin/env bash
# Refreshes the English catalogue from the Vietnamese source strings and compiles it.
#   bash scripts/i18n.sh
# makemessages walks the current directory, so this runs from the repository root; the
# catalogue lands in LOCALE_PATHS[0] = src/antq/locale/en/LC_MESSAGES/django.po. Then
# translate every new (empty or "#, fuzzy") entry and run the script again to compile:
# tests/core/test_i18n.py fails while any entry is untranslated or the .mo is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
ignore=(--ignore=.venv --ignore=var --ignore=tests --ignore=bench)
ANTQ_DEMO=1 .venv/bin/antq makemessages -l en --no-obsolete --add-location=file "${ignore[@]}"
ANTQ_DEMO=1 .venv/bin/antq compilemessages -l en -l vi "${ignore[@]}"
