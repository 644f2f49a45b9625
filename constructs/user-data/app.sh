#!/bin/bash
set -euo pipefail
# --- the app: @HEALTH_PATH@ (healthy while the database answers), /, POST /roundtrip, /metrics ---
dnf install -y -q @DB_CLIENT_PACKAGE@ >/dev/null || echo "the @ENGINE@ client could not be installed: the app reports its database unusable" >&2
install -d -m 0755 /opt/estate-app
cat > /opt/estate-app/app.py <<'PY'
# @APP_PY@
PY
cat > /etc/systemd/system/estate-app.service <<'UNIT'
[Unit]
Description=Estate app
After=network-online.target

[Service]
DynamicUser=yes
StateDirectory=estate-app
Environment=HOME=/var/lib/estate-app
ExecStart=/usr/bin/python3 /opt/estate-app/app.py
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now estate-app.service

# @NODE_EXPORTER@
