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

# --- backup and restore: <region>/latest.tar.gz in this region's bucket ---
cat > /usr/local/bin/estate-git-backup <<'SH'
#!/bin/bash
# Copies the database consistently, then uploads it with the repositories and config. Stages
# on the data volume (/tmp is tmpfs, about half the memory: a large backup would not fit), and
# publishes the time of the last upload that succeeded for Prometheus (alert: backup age).
set -euo pipefail
STAGE=$(mktemp -d /var/lib/gitea/.backup-staging.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
sqlite3 /var/lib/gitea/data/gitea.db ".backup '$STAGE/gitea.db'"
date -u +%s > "$STAGE/created-at"
tar -czf "$STAGE/backup.tar.gz" -C /var/lib/gitea custom data/gitea-repositories -C "$STAGE" gitea.db created-at
aws s3 cp --only-show-errors "$STAGE/backup.tar.gz" s3://@BACKUP_BUCKET@/@REGION@/latest.tar.gz \
  --metadata created-at=$(cat "$STAGE/created-at")
cp "$STAGE/created-at" /var/lib/gitea/.estate-state-at
install -d -m 0755 @TEXTFILE_DIR@
printf '# HELP @GIT_BACKUP_METRIC@ When the last Git backup reached the region bucket.
# TYPE @GIT_BACKUP_METRIC@ gauge
@GIT_BACKUP_METRIC@ %s
' "$(cat "$STAGE/created-at")" > @TEXTFILE_DIR@/.estate_git_backup.prom.tmp
mv @TEXTFILE_DIR@/.estate_git_backup.prom.tmp @TEXTFILE_DIR@/estate_git_backup.prom
SH
cat > /usr/local/bin/estate-git-restore <<'SH'
#!/bin/bash
# On boot: restores the peer region's backup when it is newer than this server's own data.
set -euo pipefail
KEY=@PEER_REGION@/latest.tar.gz
REMOTE_AT=$(aws s3api head-object --bucket @BACKUP_BUCKET@ --key "$KEY" \
  --query 'Metadata."created-at"' --output text 2>/dev/null || echo 0)
case "$REMOTE_AT" in ''|None|*[!0-9]*) REMOTE_AT=0 ;; esac
LOCAL_AT=$(cat /var/lib/gitea/.estate-state-at 2>/dev/null || echo 0)
if [ "$REMOTE_AT" -le "$LOCAL_AT" ]; then
  echo "no newer backup from @PEER_REGION@ (remote $REMOTE_AT, local $LOCAL_AT)"
  exit 0
fi
STAGE=$(mktemp -d /var/lib/gitea/.restore-staging.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
aws s3 cp --only-show-errors "s3://@BACKUP_BUCKET@/$KEY" "$STAGE/backup.tar.gz"
tar -xzf "$STAGE/backup.tar.gz" -C "$STAGE"
rm -rf /var/lib/gitea/custom /var/lib/gitea/data/gitea-repositories
cp -a "$STAGE/custom" /var/lib/gitea/custom
install -d /var/lib/gitea/data
cp -a "$STAGE/data/gitea-repositories" /var/lib/gitea/data/gitea-repositories
cp "$STAGE/gitea.db" /var/lib/gitea/data/gitea.db
chown -R git:git /var/lib/gitea
echo "$REMOTE_AT" > /var/lib/gitea/.estate-state-at
echo "restored the @PEER_REGION@ backup of $REMOTE_AT"
SH
chmod 0755 /usr/local/bin/estate-git-backup /usr/local/bin/estate-git-restore

cat > /etc/systemd/system/estate-git-restore.service <<'UNIT'
[Unit]
Description=Restore the peer region's newer Git backup
After=network-online.target local-fs.target estate-git-provision.service
Requires=estate-git-provision.service
Before=gitea.service

[Service]
Type=oneshot
ExecStart=/usr/local/bin/estate-git-restore

[Install]
WantedBy=multi-user.target
UNIT
cat > /etc/systemd/system/gitea.service <<'UNIT'
[Unit]
Description=Gitea
After=network-online.target estate-git-restore.service
Requires=estate-git-restore.service

[Service]
User=git
Group=git
WorkingDirectory=/var/lib/gitea
Environment=GITEA_WORK_DIR=/var/lib/gitea
ExecStart=/usr/local/bin/gitea web --config /var/lib/gitea/custom/conf/app.ini
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
cat > /etc/systemd/system/estate-git-backup.service <<'UNIT'
[Unit]
Description=Back up Gitea to the region's bucket
Requires=gitea.service
After=gitea.service

[Service]
Type=oneshot
ExecStart=/usr/local/bin/estate-git-backup
UNIT
# A last backup whenever the server stops (a planned failback stops it): stopped before Gitea
# and the network (the reverse of After=), so the upload can still reach the bucket.
cat > /etc/systemd/system/estate-git-backup-on-stop.service <<'UNIT'
[Unit]
Description=Back up Gitea once more when the server stops
After=network-online.target gitea.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecStop=/usr/local/bin/estate-git-backup
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
systemctl enable estate-git-restore.service gitea.service estate-git-backup.timer estate-git-backup-on-stop.service
install -d -m 0755 /var/lib/estate
touch @MARKER@
say "ready: Gitea @GITEA_VERSION@ installed, data volume mounted"
# Started without waiting: they are ordered after this unit, which is finishing now.
systemctl start --no-block estate-git-restore.service gitea.service estate-git-backup.timer estate-git-backup-on-stop.service
PROVISION
chmod 0755 /usr/local/bin/estate-git-provision
cat > /etc/systemd/system/estate-git-provision.service <<'UNIT'
[Unit]
Description=Provision the Git server (every boot until it has completed once)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/bin/estate-git-provision
TimeoutStartSec=infinity
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
