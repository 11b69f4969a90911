#!/usr/bin/env bash
# make backup: the PostgreSQL database (pg_dump, custom format) and the uploaded files (visit photos, reports),
# into backups/<timestamp>/ (or BACKUP_DIR). Needs DATABASE_URL pointing at PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?请设置 DATABASE_URL（PostgreSQL），例如 postgres://postgres@127.0.0.1:5432/portal}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "备份需要 PostgreSQL：DATABASE_URL 不是 postgres:// 地址。" >&2; exit 2 ;;
esac
MEDIA_ROOT="${MEDIA_ROOT:-media}"
BACKUP_DIR="${BACKUP_DIR:-backups/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$BACKUP_DIR"

# Custom format: compressed, restorable table by table, and pg_restore can --clean an existing database.
pg_dump --format=custom --no-owner --no-privileges --file="$BACKUP_DIR/db.dump" "$DATABASE_URL"
if [ -d "$MEDIA_ROOT" ]; then
  tar -czf "$BACKUP_DIR/media.tar.gz" -C "$MEDIA_ROOT" .
fi
echo "备份完成：$BACKUP_DIR"
