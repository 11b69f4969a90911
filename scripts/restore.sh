#!/usr/bin/env bash
# make restore BACKUP=backups/<timestamp>: loads a backup made by scripts/backup.sh into DATABASE_URL (replacing
# what is there) and puts the uploaded files back into MEDIA_ROOT.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${BACKUP:?请指定备份目录，例如 make restore BACKUP=backups/20270115-020000}"
: "${DATABASE_URL:?请设置 DATABASE_URL（PostgreSQL）}"
[ -f "$BACKUP/db.dump" ] || { echo "找不到 $BACKUP/db.dump：这不是 make backup 生成的备份目录。" >&2; exit 2; }
MEDIA_ROOT="${MEDIA_ROOT:-media}"

# --clean --if-exists: a restore over an existing database replaces it; one transaction: all or nothing.
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$BACKUP/db.dump"
if [ -f "$BACKUP/media.tar.gz" ]; then
  mkdir -p "$MEDIA_ROOT"
  tar -xzf "$BACKUP/media.tar.gz" -C "$MEDIA_ROOT"
fi
echo "恢复完成：$BACKUP → 数据库与上传文件"
