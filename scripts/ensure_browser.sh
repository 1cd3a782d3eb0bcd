#!/bin/sh
# Browser tests need Debian's Chromium and a CJK font; the office-output tests open the
# generated .docx in LibreOffice (Writer without a GUI). Install them only when missing.
set -e
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || missing="$missing fonts-wqy-zenhei"
[ -x /usr/bin/soffice ] || missing="$missing libreoffice-writer-nogui"
[ -z "$missing" ] && exit 0
echo "Installing for the browser and office tests:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends $missing \
  || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends $missing; }
