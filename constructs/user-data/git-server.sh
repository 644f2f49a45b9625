#!/bin/bash
set -euo pipefail
install -d -m 0755 /var/lib/estate
cat > /usr/local/bin/estate-git-provision <<'PROVISION'
#!/bin/bash
set -euo pipefail
if [ -f @MARKER@ ]; then exit 0; fi
say() { echo "estate-git-provision: $*" | tee /dev/console; }
say "provisioning Gitea @GITEA_VERSION@"
dnf install -y -q git sqlite >/dev/null

# @NODE_EXPORTER@

# --- repository volume: wait for the attachment, never reformat a volume with data ---
DEVICE=@DATA_DEVICE@
for _ in $(seq 1 120); do [ -e "$DEVICE" ] && break; sleep 5; done
[ -e "$DEVICE" ] || { echo "repository volume $DEVICE never appeared" >&2; exit 1; }
if ! blkid "$DEVICE" >/dev/null 2>&1; then mkfs -t xfs "$DEVICE"; fi
install -d /var/lib/gitea
UUID=$(blkid -s UUID -o value "$DEVICE")
grep -q "$UUID" /etc/fstab || echo "UUID=$UUID /var/lib/gitea xfs defaults,nofail 0 2" >> /etc/fstab
mountpoint -q /var/lib/gitea || mount /var/lib/gitea
id git >/dev/null 2>&1 || useradd --system --home-dir /var/lib/gitea --shell /bin/bash git
install -d -o git -g git /var/lib/gitea/custom/conf /var/lib/gitea/data /var/lib/gitea/log

# --- Gitea @GITEA_VERSION@ from the region's bucket, installed only if its signature verifies ---
ARTIFACTS=s3://@BACKUP_BUCKET@/@ARTIFACTS_PREFIX@
export GNUPGHOME=$(mktemp -d)
aws s3 cp --only-show-errors "$ARTIFACTS/gitea-@GITEA_VERSION@-linux-amd64" /tmp/gitea
aws s3 cp --only-show-errors "$ARTIFACTS/gitea-@GITEA_VERSION@-linux-amd64.asc" /tmp/gitea.asc
aws s3 cp --only-show-errors "$ARTIFACTS/gitea-signing-key.asc" /tmp/gitea-signing-key.asc
# Whatever key file was staged, only a signature by the key with this full fingerprint passes
# (VALIDSIG ends with the primary key's fingerprint even when a subkey signed).
gpg --batch --import /tmp/gitea-signing-key.asc
gpg --batch --status-fd 1 --verify /tmp/gitea.asc /tmp/gitea | grep -Eq "^\[GNUPG:\] VALIDSIG .* @GITEA_SIGNING_KEY@$"
install -m 0755 /tmp/gitea /usr/local/bin/gitea

if [ ! -f /var/lib/gitea/custom/conf/app.ini ]; then
  cat > /var/lib/gitea/custom/conf/app.ini <<INI
APP_NAME = Estate Git
RUN_USER = git
WORK_PATH = /var/lib/gitea

[server]
HTTP_PORT = @HTTP_PORT@
DISABLE_SSH = true
OFFLINE_MODE = true

[database]
DB_TYPE = sqlite3
PATH = /var/lib/gitea/data/gitea.db

[repository]
ROOT = /var/lib/gitea/data/gitea-repositories

[security]
INSTALL_LOCK = true
SECRET_KEY = $(/usr/local/bin/gitea generate secret SECRET_KEY)
INTERNAL_TOKEN = $(/usr/local/bin/gitea generate secret INTERNAL_TOKEN)

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = true
INI
  chown git:git /var/lib/gitea/custom/conf/app.ini
  chmod 0640 /var/lib/gitea/custom/conf/app.ini
fi

# --- backups, restores and publishing: generations in the region's bucket (git-data.sh) ---
cat > /usr/local/bin/estate-git-data <<'GITDATA'
# @GIT_DATA@
GITDATA
chmod 0755 /usr/local/bin/estate-git-data

# Gitea starts only after a restore that succeeded in this boot (ExecStartPre, as root); a restore
# that fails (the bucket or the posture unreadable) keeps it down and is tried again each minute.
cat > /etc/systemd/system/gitea.service <<'UNIT'
[Unit]
Description=Gitea
After=network-online.target estate-git-provision.service
Requires=estate-git-provision.service
StartLimitIntervalSec=0

[Service]
User=git
Group=git
WorkingDirectory=/var/lib/gitea
Environment=GITEA_WORK_DIR=/var/lib/gitea
ExecStartPre=+/usr/local/bin/estate-git-data restore
ExecStart=/usr/local/bin/gitea web --config /var/lib/gitea/custom/conf/app.ini
TimeoutStartSec=infinity
Restart=always
RestartSec=60

[Install]
WantedBy=multi-user.target
UNIT
cat > /etc/systemd/system/estate-git-backup.service <<'UNIT'
[Unit]
Description=Back up Gitea to the region's bucket (a new generation when the data changed)
Requires=gitea.service
After=gitea.service

[Service]
Type=oneshot
ExecStart=/usr/local/bin/estate-git-data backup
UNIT
# The final backup, the handover, whenever the server stops (a planned switch stops it before the
# new writer starts): stopped after Gitea (the reverse of Before=), so no push lands after it,
# and before the network (the reverse of After=), so the upload still reaches the bucket.
cat > /etc/systemd/system/estate-git-backup-on-stop.service <<'UNIT'
[Unit]
Description=Back up Gitea a last time when the server stops: the handover to the next writer
After=network-online.target
Before=gitea.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecStop=/usr/local/bin/estate-git-data backup --final
TimeoutStopSec=600

[Install]
WantedBy=multi-user.target
UNIT
cat > /etc/systemd/system/estate-git-backup.timer <<'UNIT'
[Unit]
Description=Back up Gitea every @BACKUP_INTERVAL_MINUTES@ minutes

[Timer]
OnBootSec=@BACKUP_INTERVAL_MINUTES@min
OnUnitActiveSec=@BACKUP_INTERVAL_MINUTES@min

[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable gitea.service estate-git-backup.timer estate-git-backup-on-stop.service
install -d -m 0755 /var/lib/estate
touch @MARKER@
say "ready: Gitea @GITEA_VERSION@ installed, data volume mounted"
# Started without waiting: they are ordered after this unit, which is finishing now.
systemctl start --no-block gitea.service estate-git-backup.timer estate-git-backup-on-stop.service
PROVISION
chmod 0755 /usr/local/bin/estate-git-provision
cat > /etc/systemd/system/estate-git-provision.service <<'UNIT'
[Unit]
Description=Provision the Git server (every boot until it has completed once)
Wants=network-online.target
After=network-online.target
StartLimitIntervalSec=0

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/bin/estate-git-provision
TimeoutStartSec=infinity
# A step that failed (an artifact not staged yet, a package mirror down) is tried again.
Restart=on-failure
RestartSec=60
# A stop (the DR switch stopping a mirror minutes after launch) waits for provisioning to end:
# the stop signal is one the script ignores, and nothing is killed after a timeout.
KillSignal=SIGCONT
SendSIGKILL=no
TimeoutStopSec=infinity

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable estate-git-provision.service
systemctl start --no-block estate-git-provision.service
