#!/usr/bin/env bash
# Audits the locked dependencies (requirements/base.txt and requirements/dev.txt) for known
# vulnerabilities with pip-audit, against PyPI's vulnerability data or else OSV.
#
#   bash scripts/audit-deps.sh          audit; exit 0 clean, 1 vulnerable (or audit failed),
#                                       3 no vulnerability service reachable
#   bash scripts/audit-deps.sh --probe  only tell whether a service is reachable (0 or 3)
#
# pip-audit by itself reports "No known vulnerabilities found" and exits 0 when it could not
# look a single package up (a registry mirror without PyPI's JSON API answers 404 for every
# package): this script probes the service first and runs pip-audit with --strict, so a
# package that could not be audited fails the audit instead of passing it.
#
# Advisories the project accepts are listed in docs/security.md under the heading
# "## Accepted advisories", one per list item starting with the id in backticks:
#   - `GHSA-xxxx-xxxx-xxxx` (package x.y): why it does not apply, until when.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
PYPI_URL=https://pypi.org  # where pip-audit looks; it honours HTTPS_PROXY, as does the probe
OSV_URL=https://api.osv.dev
TIMEOUT=${ANTQ_AUDIT_TIMEOUT:-15}

# Which service answers with vulnerability data: "pypi", "osv" or nothing.
service=$("$PYTHON" - "$PYPI_URL" "$OSV_URL" "$TIMEOUT" <<'EOF'
import json
import sys
import urllib.request

pypi, osv, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])


def answers(request: urllib.request.Request, key: str) -> bool:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return key in json.load(response)
    except Exception:
        return False


# Django 3.2.0 has known advisories: a service that knows them answers with the key.
if answers(urllib.request.Request(f"{pypi}/pypi/django/3.2/json"), "vulnerabilities"):
    print("pypi")
else:
    query = {"package": {"name": "django", "ecosystem": "PyPI"}, "version": "3.2"}
    request = urllib.request.Request(
        f"{osv}/v1/query",
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
    )
    if answers(request, "vulns"):
        print("osv")
EOF
)

if [ -z "$service" ]; then
  cat >&2 <<EOF
The dependencies could not be audited: neither PyPI's vulnerability data ($PYPI_URL/pypi/...)
nor OSV ($OSV_URL) answered from this machine. Run this script on a machine that reaches
one of them. No offline copy of a current advisory database is available from the package
registries this project may use (see docs/security.md).
EOF
  exit 3
fi
if [ "${1:-}" = "--probe" ]; then
  echo "$service"
  exit 0
fi

ignores=()
if [ -f docs/security.md ]; then
  while read -r id; do
    ignores+=(--ignore-vuln "$id")
  done < <(awk '/^## /{on = ($0 ~ /^## Accepted advisories/)} on' docs/security.md |
           sed -nE 's/^[-*] `([A-Za-z]+-[A-Za-z0-9:-]+)`.*/\1/p')
fi

echo "Auditing requirements/base.txt and requirements/dev.txt against $service…"
exec "$PYTHON" -m pip_audit --strict --no-deps --disable-pip --progress-spinner off \
  --vulnerability-service "$service" --timeout "$TIMEOUT" \
  -r requirements/base.txt -r requirements/dev.txt ${ignores[@]+"${ignores[@]}"}
