#!/usr/bin/env bash
# 服务型党组织建设平台：离线安装（在解压后的发布包目录里运行，服务器无需联网）。
#
#   sudo ./install.sh [--prefix /opt/portal] [--env-file /etc/portal/portal.env] [--check] [--migrate] [--activate]
#
# 总是做：把程序装到 PREFIX/releases/<版本>/，建 .venv 并只从包里的 wheels/ 安装依赖（pip --no-index）。
#   --env-file  载入运行环境（数据库、密钥等），--check / --migrate 需要它
#   --check     manage.py check --deploy（生产设置的安全检查，有警告即失败）
#   --migrate   manage.py migrate（数据库迁移）与 calendar_fill（节假日）
#   --activate  把 PREFIX/current 指向这个版本（systemd 服务从 current 启动；之后 systemctl restart）
# 升级顺序：备份 → ./install.sh --env-file … --check → ./install.sh --env-file … --migrate --activate → 重启服务。
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION="$(cat "$HERE/VERSION")"
PREFIX=/opt/portal
ENV_FILE=""
CHECK=0 MIGRATE=0 ACTIVATE=0
PYTHON="${PYTHON:-python3}"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --env-file) ENV_FILE="$2"; shift 2 ;;
    --check) CHECK=1; shift ;;
    --migrate) MIGRATE=1; shift ;;
    --activate) ACTIVATE=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "未知参数：$1（--help 查看用法）" >&2; exit 2 ;;
  esac
done

# The wheels were built for one Python (major.minor): a different one would need the index.
WANT="$(cat "$HERE/PYTHON_VERSION")"
HAVE="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$WANT" != "$HAVE" ]; then
  echo "本安装包为 Python $WANT 构建，而 $PYTHON 是 Python $HAVE：请用 PYTHON=python$WANT ./install.sh，或用 Python $HAVE 重新 make bundle。" >&2
  exit 2
fi

RELEASE="$PREFIX/releases/$VERSION"
echo "== 安装 $VERSION 到 $RELEASE"
mkdir -p "$RELEASE"
# The program and the collected static files; the wheels stay in the bundle.
tar -C "$HERE/app" -cf - . | tar -C "$RELEASE" -xf -
if [ ! -x "$RELEASE/.venv/bin/python" ]; then
  "$PYTHON" -m venv "$RELEASE/.venv"
fi
PIP_NO_INDEX=1 "$RELEASE/.venv/bin/pip" install --quiet --disable-pip-version-check --no-index \
  --find-links "$HERE/wheels" -r "$RELEASE/requirements.txt"
echo "== 依赖已安装（离线）"

manage() { (cd "$RELEASE" && "$RELEASE/.venv/bin/python" manage.py "$@"); }
if [ -n "$ENV_FILE" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
if [ $((CHECK + MIGRATE)) -gt 0 ] && [ -z "$ENV_FILE" ] && [ -z "${DJANGO_SETTINGS_MODULE:-}" ]; then
  echo "--check、--migrate 需要运行环境：--env-file /etc/portal/portal.env" >&2
  exit 2
fi
if [ "$CHECK" = 1 ]; then
  echo "== manage.py check --deploy"
  manage check --deploy --fail-level WARNING
fi
if [ "$MIGRATE" = 1 ]; then
  echo "== manage.py migrate"
  manage migrate --noinput
  manage calendar_fill
fi
if [ "$ACTIVATE" = 1 ]; then
  ln -sfn "$RELEASE" "$PREFIX/current.new"
  mv -T "$PREFIX/current.new" "$PREFIX/current"
  echo "== $PREFIX/current → $RELEASE；请重启：systemctl restart portal-web portal-worker portal-beat"
fi
echo "== 完成：$(manage version)"
