#!/usr/bin/env bash
# CI: install dist/portal-<version>.tar.gz as a server would — a fresh venv, no access to the package index — then
# `manage.py check --deploy` with the production settings and the migrations against a throwaway SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
BUNDLE="${1:-dist/portal-$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' portal/__init__.py).tar.gz}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
tar -C "$WORK" -xzf "$BUNDLE"
cat > "$WORK/portal.env" <<ENV
DJANGO_SETTINGS_MODULE=portal.settings.production
SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '/+=')
PERSONAL_DATA_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '/+=')
ALLOWED_HOSTS=portal.example.org
DATABASE_URL=sqlite:///$WORK/db.sqlite3
MEDIA_ROOT=$WORK/media
ENV
# No index: pip may only use the bundle's wheels (an unreachable index, should --no-index ever be dropped).
env -i PATH="/usr/bin:/bin" HOME="$WORK" PIP_NO_INDEX=1 PIP_INDEX_URL=http://127.0.0.1:9/ PIP_CONFIG_FILE=/dev/null \
  "$WORK"/portal-*/install.sh --prefix "$WORK/opt" --env-file "$WORK/portal.env" --check --migrate --activate
test "$(readlink "$WORK/opt/current")" = "$(ls -d "$WORK"/opt/releases/*)"
test -f "$WORK/opt/current/staticfiles/staticfiles.json"
test ! -e "$WORK/opt/current/node_modules"
echo "bundle_check: $BUNDLE installs offline, passes check --deploy and migrates"
