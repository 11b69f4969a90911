#!/usr/bin/env bash
# make bundle: dist/portal-<version>.tar.gz, an offline release — the app source, the collected static files (no
# npm on the server), the wheels of every pinned runtime dependency for this Python, and install.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' portal/__init__.py)"
NAME="portal-$VERSION"
BUILD="$(mktemp -d)"
trap 'rm -rf "$BUILD"' EXIT
ROOT="$BUILD/$NAME"
mkdir -p "$ROOT/app" dist

# The source: tracked and new (not ignored) files, as they are in the work tree; no tests, benchmarks or docs.
git ls-files -z --cached --others --exclude-standard \
  | grep -zv -E '^(tests|bench|docs|\.ci|node_modules|\.venv)(/|$)|^package(-lock)?\.json$|^requirements-(dev|bench)\.txt$' \
  | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' \
  | tar --null -T - -cf - | tar -C "$ROOT/app" -xf -

# The static files, collected with the production storage (hashed names, precompressed .gz).
DJANGO_SETTINGS_MODULE=portal.settings.production SECRET_KEY="bundle-$(head -c 32 /dev/urandom | base64)" \
  PERSONAL_DATA_KEY="bundle-personal-$(head -c 32 /dev/urandom | base64)" \
  ALLOWED_HOSTS=bundle STATIC_ROOT="$ROOT/app/staticfiles" \
  "$PY" manage.py collectstatic --noinput -v0

# The wheels of every pinned runtime dependency (and theirs), built by the servers' Python: the system python3
# (Debian 12: 3.11.2), not this venv's — dependencies differ by version (redis needs async-timeout below 3.11.3).
# BUNDLE_PYTHON=python3.12 make bundle for another target.
BUNDLE_PYTHON="${BUNDLE_PYTHON:-$(command -v /usr/bin/python3 || echo "$PY")}"
start=$(date +%s)
"$BUNDLE_PYTHON" -m venv "$BUILD/wheel-venv"
"$BUILD/wheel-venv/bin/pip" wheel --quiet --disable-pip-version-check -r requirements.txt -w "$ROOT/wheels"
echo "wheels: $(ls "$ROOT/wheels" | wc -l) for $("$BUNDLE_PYTHON" --version) in $(( $(date +%s) - start )) s"

cp deploy/install.sh "$ROOT/install.sh"
echo "$VERSION" > "$ROOT/VERSION"
"$BUNDLE_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' > "$ROOT/PYTHON_VERSION"
tar -C "$BUILD" -czf "dist/$NAME.tar.gz" "$NAME"
echo "dist/$NAME.tar.gz ($(du -h "dist/$NAME.tar.gz" | cut -f1))"
