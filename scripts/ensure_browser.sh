#!/bin/sh
# Browser tests need Debian's Chromium and a CJK font. Install them only when missing.
set -e
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || missing="$missing fonts-wqy-zenhei"
[ -z "$missing" ] && exit 0
echo "Installing for the browser tests:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends $missing \
  || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends $missing; }
