#!/usr/bin/env bash
# The nightly backup (deploy/systemd/portal-backup.timer, as the portal user with /etc/portal/portal.env):
# scripts/backup.sh into BACKUP_ROOT/<timestamp>/, then the backups older than BACKUP_KEEP_DAYS go, then the folder is
# copied off this host when BACKUP_REMOTE names a place (rsync, e.g. backup@10.0.0.9:/srv/backups/portal; the portal
# user's ssh key must be accepted there). The copy keeps what the remote side already has: prune it there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="${BACKUP_ROOT:-/var/backups/portal}"
KEEP="${BACKUP_KEEP_DAYS:-30}"
mkdir -p "$ROOT"
BACKUP_DIR="$ROOT/$(date +%Y%m%d-%H%M%S)" scripts/backup.sh
find "$ROOT" -mindepth 1 -maxdepth 1 -type d -mtime +"$KEEP" -exec rm -rf {} +
if [ -n "${BACKUP_REMOTE:-}" ]; then
  rsync -a --timeout=600 "$ROOT/" "$BACKUP_REMOTE/"
  echo "已复制到 $BACKUP_REMOTE"
fi
