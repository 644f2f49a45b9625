import type { DatabaseEngine } from './database';

/*
 * Boot scripts of the estate's EC2 instances, rendered from typed values. Bash variables use
 * the `$NAME` form only, so `${...}` in these templates is always a TypeScript value.
 */

/** node_exporter release installed on every instance (checksum of the linux-amd64 tarball). */
export const NODE_EXPORTER = {
  version: '1.8.2',
  sha256: '6809dd0b3ec45fd6e992c19071d6b5253aed3ead7bf0686885a51d85c6643c66',
  port: 9100,
} as const;

/** node_exporter's textfile collector folder: metrics the boot scripts' jobs publish. */
export const TEXTFILE_DIR = '/var/lib/node_exporter/textfile';

/** The metric the Git backup job publishes after each upload that reached the bucket. */
export const GIT_BACKUP_METRIC = 'estate_git_backup_last_success_timestamp_seconds';

/** Fingerprint of the key Gitea signs its release binaries with ("Teabot <teabot@gitea.io>"). */
export const GITEA_SIGNING_KEY = '7C9E68152594688862D62AF62D9AE806EC1592E2';

/** Where the boot scripts take node_exporter from: the region's bucket, through its S3 endpoint. */
export const ARTIFACTS_PREFIX = 'artifacts';

/** The key of the node_exporter tarball in the artifacts bucket. */
export function nodeExporterArtifactKey(): string {
  return `${ARTIFACTS_PREFIX}/node_exporter-${NODE_EXPORTER.version}.linux-amd64.tar.gz`;
}

/**
 * Installs and starts node_exporter on port 9100 (shared by every boot script), from the
 * region's bucket (the VPC's S3 endpoint: no internet needed), checksum-verified. Never fatal:
 * a server serves even when the exporter cannot be had, and says so in its boot log.
 */
function nodeExporterSection(artifactBucket: string): string {
  const { version, sha256, port } = NODE_EXPORTER;
  return `
# --- node_exporter ${version} (Prometheus scrapes :${port}), from the region's bucket ---
install_node_exporter() {
  local tarball=/tmp/node_exporter.tar.gz dir=node_exporter-${version}.linux-amd64
  aws s3 cp --only-show-errors "s3://${artifactBucket}/${nodeExporterArtifactKey()}" "$tarball" &&
    echo "${sha256}  $tarball" | sha256sum -c - &&
    tar -xzf "$tarball" -C /tmp &&
    install -m 0755 "/tmp/$dir/node_exporter" /usr/local/bin/node_exporter &&
    install -d -m 0755 ${TEXTFILE_DIR} &&
    cat > /etc/systemd/system/node_exporter.service <<'UNIT' &&
[Unit]
Description=Prometheus node_exporter
After=network-online.target

[Service]
DynamicUser=yes
ExecStart=/usr/local/bin/node_exporter --web.listen-address=:${port} --collector.textfile.directory=${TEXTFILE_DIR}
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
    systemctl daemon-reload &&
    systemctl enable --now node_exporter.service
}
install_node_exporter || echo "node_exporter ${version} not installed (s3://${artifactBucket}/${nodeExporterArtifactKey()} missing or failed its checksum): serving without metrics" >&2
`;
}

/** The database the app uses: found through RDS by identifier, logged into with the estate's secret. */
export interface AppDatabase {
  /** `postgres` or `mysql`. */
  readonly engine: DatabaseEngine;
  /** DB instance identifier of this region's database (its endpoint is looked up at run time). */
  readonly identifier: string;
  /** Database name. */
  readonly name: string;
  /** Port. */
  readonly port: number;
  /** Secrets Manager secret with `username` and `password` (read in the app's own region). */
  readonly secretId: string;
}

/** Values of the app servers' boot script. */
export interface AppUserDataProps {
  /** Port the app listens on. */
  readonly appPort: number;
  /** Path answering 200 while the app and its database are healthy. */
  readonly healthCheckPath: string;
  /** Region, reported by the app. */
  readonly region: string;
  /** The region's bucket holding node_exporter under `artifacts/`. */
  readonly artifactBucket: string;
  /** The region's database. */
  readonly database: AppDatabase;
}

/** The command-line client of each engine (AL2023 packages, from the region's repositories). */
const DB_CLIENT_PACKAGES: Record<DatabaseEngine, string> = { postgres: 'postgresql15', mysql: 'mariadb105' };

/** The reference app (Python standard library, the engine's client for SQL). */
export function appPython(props: AppUserDataProps): string {
  const db = props.database;
  return `import http.server, json, os, socket, subprocess, threading, time

PORT = ${props.appPort}
HEALTH_PATH = ${JSON.stringify(props.healthCheckPath)}
REGION = ${JSON.stringify(props.region)}
ENGINE = ${JSON.stringify(db.engine)}
DB_IDENTIFIER = ${JSON.stringify(db.identifier)}
DB_NAME = ${JSON.stringify(db.name)}
DB_PORT = ${db.port}
SECRET_ID = ${JSON.stringify(db.secretId)}
SQL = {
    "postgres": {
        "ping": "SELECT 1",
        "writer": "SELECT NOT pg_is_in_recovery()",
        "create": "CREATE TABLE IF NOT EXISTS estate_roundtrip (id BIGSERIAL PRIMARY KEY, region TEXT NOT NULL, written_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        "insert": "INSERT INTO estate_roundtrip (region) VALUES ('%s') RETURNING id",
        "read": "SELECT region FROM estate_roundtrip WHERE id = %d",
    },
    "mysql": {
        "ping": "SELECT 1",
        "writer": "SELECT @@global.read_only = 0",
        "create": "CREATE TABLE IF NOT EXISTS estate_roundtrip (id BIGINT AUTO_INCREMENT PRIMARY KEY, region VARCHAR(32) NOT NULL, written_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        "insert": "INSERT INTO estate_roundtrip (region) VALUES ('%s'); SELECT LAST_INSERT_ID()",
        "read": "SELECT region FROM estate_roundtrip WHERE id = %d",
    },
}[ENGINE]
_cache = {}

# --- metrics (Prometheus text format on /metrics): requests and latency per route and status ---
ROUTES = (HEALTH_PATH, "/", "/roundtrip", "/metrics")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_lock = threading.Lock()
_requests = {}
_latency = {}


def observe(method, path, code, seconds):
    route = path if path in ROUTES else "other"
    with _lock:
        _requests[(method, route, code)] = _requests.get((method, route, code), 0) + 1
        counts = _latency.setdefault((method, route), [0] * len(BUCKETS) + [0.0, 0])
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                counts[i] += 1
        counts[-2] += seconds
        counts[-1] += 1


def exposition():
    lines = [
        "# HELP estate_app_requests_total Requests served, by method, route and status code.",
        "# TYPE estate_app_requests_total counter",
    ]
    with _lock:
        for (method, route, code), count in sorted(_requests.items()):
            lines.append('estate_app_requests_total{method="%s",route="%s",code="%d"} %d' % (method, route, code, count))
        lines += [
            "# HELP estate_app_request_duration_seconds Time to serve a request, by method and route.",
            "# TYPE estate_app_request_duration_seconds histogram",
        ]
        for (method, route), counts in sorted(_latency.items()):
            labels = 'method="%s",route="%s"' % (method, route)
            for i, bound in enumerate(BUCKETS):
                lines.append('estate_app_request_duration_seconds_bucket{%s,le="%s"} %d' % (labels, bound, counts[i]))
            lines.append('estate_app_request_duration_seconds_bucket{%s,le="+Inf"} %d' % (labels, counts[-1]))
            lines.append("estate_app_request_duration_seconds_sum{%s} %f" % (labels, counts[-2]))
            lines.append("estate_app_request_duration_seconds_count{%s} %d" % (labels, counts[-1]))
    return "\\n".join(lines) + "\\n"


def aws(*args):
    out = subprocess.run(["aws", *args, "--region", REGION, "--output", "text"], capture_output=True, text=True, timeout=15)
    if out.returncode != 0:
        raise RuntimeError("aws %s failed: %s" % (args[0], out.stderr.strip()))
    return out.stdout.strip()


def connection(refresh):
    """This region's database endpoint (from RDS) and the estate's credentials (its secret)."""
    if refresh or "host" not in _cache:
        _cache["host"] = aws("rds", "describe-db-instances", "--db-instance-identifier", DB_IDENTIFIER, "--query", "DBInstances[0].Endpoint.Address")
        _cache["credentials"] = json.loads(aws("secretsmanager", "get-secret-value", "--secret-id", SECRET_ID, "--query", "SecretString"))
    return _cache["host"], _cache["credentials"]


def run_sql(statement, refresh=False):
    host, credentials = connection(refresh)
    if ENGINE == "postgres":
        command = ["psql", "-h", host, "-p", str(DB_PORT), "-U", credentials["username"], "-d", DB_NAME, "-tAq", "-v", "ON_ERROR_STOP=1", "-c", statement]
        env = dict(os.environ, PGPASSWORD=credentials["password"], PGSSLMODE="require", PGCONNECT_TIMEOUT="3")
    else:
        command = ["mysql", "-h", host, "-P", str(DB_PORT), "-u", credentials["username"], "-D", DB_NAME, "-N", "-B", "--connect-timeout=3", "--ssl", "-e", statement]
        env = dict(os.environ, MYSQL_PWD=credentials["password"])
    out = subprocess.run(command, capture_output=True, text=True, timeout=15, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip() or "the database client failed")
    return out.stdout.strip()


def sql(statement):
    """Runs a statement; after a failure, once more with a fresh endpoint and credentials (a failover, a rotation)."""
    try:
        return run_sql(statement)
    except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired):
        return run_sql(statement, refresh=True)


def is_writer():
    return sql(SQL["writer"]).splitlines()[-1].strip().lower() in ("t", "1", "true")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.timed("GET", self.get)

    def do_POST(self):
        self.timed("POST", self.post)

    def timed(self, method, handler):
        started = time.monotonic()
        self.status = 500
        try:
            handler()
        finally:
            observe(method, self.path, self.status, time.monotonic() - started)

    def send_response(self, code, message=None):
        self.status = code
        super().send_response(code, message)

    def get(self):
        if self.path == "/metrics":
            self.reply(200, exposition(), "text/plain; version=0.0.4")
        elif self.path == HEALTH_PATH:
            # Healthy only while this region's database answers: Route 53 and the load balancer
            # then never send traffic to a region whose database is down.
            try:
                sql(SQL["ping"])
                self.reply(200, "ok\\n", "text/plain")
            except Exception as error:
                self.reply(503, "database unusable: %s\\n" % error, "text/plain")
        elif self.path == "/":
            body = {"service": "estate-app", "region": REGION, "host": socket.gethostname(), "database": DB_IDENTIFIER}
            try:
                body["databaseRole"] = "writer" if is_writer() else "replica"
            except Exception as error:
                body["databaseRole"] = "unreachable"
                body["error"] = str(error)
            self.reply(200, json.dumps(body) + "\\n", "application/json")
        else:
            self.send_error(404)

    def post(self):
        if self.path != "/roundtrip":
            return self.send_error(404)
        # Stores a row and reads it back: the app's data path, end to end.
        try:
            sql(SQL["create"])
            written = int(sql(SQL["insert"] % REGION).splitlines()[-1])
            read = sql(SQL["read"] % written)
            self.reply(200, json.dumps({"region": REGION, "database": DB_IDENTIFIER, "wrote": written, "read": read}) + "\\n", "application/json")
        except Exception as error:
            self.reply(503, json.dumps({"region": REGION, "database": DB_IDENTIFIER, "error": str(error)}) + "\\n", "application/json")

    def reply(self, status, text, content_type):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    bind = (os.environ.get("ESTATE_APP_BIND", "0.0.0.0"), int(os.environ.get("ESTATE_APP_PORT", PORT)))
    http.server.ThreadingHTTPServer(bind, Handler).serve_forever()
`;
}

/**
 * The app server: the reference app, which stores and reads rows in the region's database
 * (endpoint from RDS, credentials from the estate's replicated secret) and is healthy only while
 * that database answers; started before node_exporter, whose absence never stops it. Its SQL
 * client comes from the region's AL2023 repositories.
 */
export function appUserData(props: AppUserDataProps): string {
  return `#!/bin/bash
set -euo pipefail
# --- the app: ${props.healthCheckPath} (healthy while the database answers), /, POST /roundtrip, /metrics ---
dnf install -y -q ${DB_CLIENT_PACKAGES[props.database.engine]} >/dev/null || echo "the ${props.database.engine} client could not be installed: the app reports its database unusable" >&2
install -d -m 0755 /opt/estate-app
cat > /opt/estate-app/app.py <<'PY'
${appPython(props)}PY
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
${nodeExporterSection(props.artifactBucket)}`;
}

/** Values of the Git server's boot script. */
export interface GitUserDataProps {
  /** Gitea release to install. */
  readonly giteaVersion: string;
  /** This server's region. */
  readonly region: string;
  /** The other site's region: its backups arrive in this region's bucket under that prefix. */
  readonly peerRegion: string;
  /** This region's backup bucket. */
  readonly backupBucket: string;
  /** Minutes between backups. */
  readonly backupIntervalMinutes: number;
  /** Device name the repository volume is attached as (`/dev/sdf`). */
  readonly dataDevice: string;
  /** Port Gitea serves HTTP on. */
  readonly httpPort: number;
}

/**
 * The Git server: mounts the repository volume (formatting it only when it has no file
 * system), installs a signature-verified Gitea, restores the peer region's newer backup on
 * boot, and backs up to the region's bucket on a timer. Backups: a consistent SQLite copy plus
 * the repositories and config, as `<region>/latest.tar.gz` (the bucket keeps older versions).
 */
export function gitUserData(props: GitUserDataProps): string {
  const data = '/var/lib/gitea';
  const marker = `/var/lib/estate/git-provisioned-${props.giteaVersion}`;
  // The boot script only installs the provisioning unit and starts it: the unit runs at every
  // boot until it has completed once, and a stop (the DR switch stopping the mirror right after
  // launch) waits for it instead of killing it. Everything it needs comes from the region: the
  // AL2023 repositories and the backup bucket's artifacts/ through the VPC's S3 endpoint.
  return `#!/bin/bash
set -euo pipefail
install -d -m 0755 /var/lib/estate
cat > /usr/local/bin/estate-git-provision <<'PROVISION'
#!/bin/bash
set -euo pipefail
if [ -f ${marker} ]; then exit 0; fi
say() { echo "estate-git-provision: $*" | tee /dev/console; }
say "provisioning Gitea ${props.giteaVersion}"
dnf install -y -q git sqlite >/dev/null
${nodeExporterSection(props.backupBucket)}
# --- repository volume: wait for the attachment, never reformat a volume with data ---
DEVICE=${props.dataDevice}
for _ in $(seq 1 120); do [ -e "$DEVICE" ] && break; sleep 5; done
[ -e "$DEVICE" ] || { echo "repository volume $DEVICE never appeared" >&2; exit 1; }
if ! blkid "$DEVICE" >/dev/null 2>&1; then mkfs -t xfs "$DEVICE"; fi
install -d ${data}
UUID=$(blkid -s UUID -o value "$DEVICE")
grep -q "$UUID" /etc/fstab || echo "UUID=$UUID ${data} xfs defaults,nofail 0 2" >> /etc/fstab
mountpoint -q ${data} || mount ${data}
id git >/dev/null 2>&1 || useradd --system --home-dir ${data} --shell /bin/bash git
install -d -o git -g git ${data}/custom/conf ${data}/data ${data}/log

# --- Gitea ${props.giteaVersion} from the region's bucket, installed only if its signature verifies ---
ARTIFACTS=s3://${props.backupBucket}/${ARTIFACTS_PREFIX}
export GNUPGHOME=$(mktemp -d)
aws s3 cp --only-show-errors "$ARTIFACTS/gitea-${props.giteaVersion}-linux-amd64" /tmp/gitea
aws s3 cp --only-show-errors "$ARTIFACTS/gitea-${props.giteaVersion}-linux-amd64.asc" /tmp/gitea.asc
aws s3 cp --only-show-errors "$ARTIFACTS/gitea-signing-key.asc" /tmp/gitea-signing-key.asc
# Whatever key file was staged, only a signature by the key with this full fingerprint passes
# (VALIDSIG ends with the primary key's fingerprint even when a subkey signed).
gpg --batch --import /tmp/gitea-signing-key.asc
gpg --batch --status-fd 1 --verify /tmp/gitea.asc /tmp/gitea | grep -Eq "^\\[GNUPG:\\] VALIDSIG .* ${GITEA_SIGNING_KEY}$"
install -m 0755 /tmp/gitea /usr/local/bin/gitea

if [ ! -f ${data}/custom/conf/app.ini ]; then
  cat > ${data}/custom/conf/app.ini <<INI
APP_NAME = Estate Git
RUN_USER = git
WORK_PATH = ${data}

[server]
HTTP_PORT = ${props.httpPort}
DISABLE_SSH = true
OFFLINE_MODE = true

[database]
DB_TYPE = sqlite3
PATH = ${data}/data/gitea.db

[repository]
ROOT = ${data}/data/gitea-repositories

[security]
INSTALL_LOCK = true
SECRET_KEY = $(/usr/local/bin/gitea generate secret SECRET_KEY)
INTERNAL_TOKEN = $(/usr/local/bin/gitea generate secret INTERNAL_TOKEN)

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = true
INI
  chown git:git ${data}/custom/conf/app.ini
  chmod 0640 ${data}/custom/conf/app.ini
fi

# --- backup and restore: <region>/latest.tar.gz in this region's bucket ---
cat > /usr/local/bin/estate-git-backup <<'SH'
#!/bin/bash
# Copies the database consistently, then uploads it with the repositories and config. Stages
# on the data volume (/tmp is tmpfs, about half the memory: a large backup would not fit), and
# publishes the time of the last upload that succeeded for Prometheus (alert: backup age).
set -euo pipefail
STAGE=$(mktemp -d ${data}/.backup-staging.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
sqlite3 ${data}/data/gitea.db ".backup '$STAGE/gitea.db'"
date -u +%s > "$STAGE/created-at"
tar -czf "$STAGE/backup.tar.gz" -C ${data} custom data/gitea-repositories -C "$STAGE" gitea.db created-at
aws s3 cp --only-show-errors "$STAGE/backup.tar.gz" s3://${props.backupBucket}/${props.region}/latest.tar.gz \\
  --metadata created-at=$(cat "$STAGE/created-at")
cp "$STAGE/created-at" ${data}/.estate-state-at
install -d -m 0755 ${TEXTFILE_DIR}
printf '# HELP ${GIT_BACKUP_METRIC} When the last Git backup reached the region bucket.\n# TYPE ${GIT_BACKUP_METRIC} gauge\n${GIT_BACKUP_METRIC} %s\n' "$(cat "$STAGE/created-at")" > ${TEXTFILE_DIR}/.estate_git_backup.prom.tmp
mv ${TEXTFILE_DIR}/.estate_git_backup.prom.tmp ${TEXTFILE_DIR}/estate_git_backup.prom
SH
cat > /usr/local/bin/estate-git-restore <<'SH'
#!/bin/bash
# On boot: restores the peer region's backup when it is newer than this server's own data.
set -euo pipefail
KEY=${props.peerRegion}/latest.tar.gz
REMOTE_AT=$(aws s3api head-object --bucket ${props.backupBucket} --key "$KEY" \\
  --query 'Metadata."created-at"' --output text 2>/dev/null || echo 0)
case "$REMOTE_AT" in ''|None|*[!0-9]*) REMOTE_AT=0 ;; esac
LOCAL_AT=$(cat ${data}/.estate-state-at 2>/dev/null || echo 0)
if [ "$REMOTE_AT" -le "$LOCAL_AT" ]; then
  echo "no newer backup from ${props.peerRegion} (remote $REMOTE_AT, local $LOCAL_AT)"
  exit 0
fi
STAGE=$(mktemp -d ${data}/.restore-staging.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
aws s3 cp --only-show-errors "s3://${props.backupBucket}/$KEY" "$STAGE/backup.tar.gz"
tar -xzf "$STAGE/backup.tar.gz" -C "$STAGE"
rm -rf ${data}/custom ${data}/data/gitea-repositories
cp -a "$STAGE/custom" ${data}/custom
install -d ${data}/data
cp -a "$STAGE/data/gitea-repositories" ${data}/data/gitea-repositories
cp "$STAGE/gitea.db" ${data}/data/gitea.db
chown -R git:git ${data}
echo "$REMOTE_AT" > ${data}/.estate-state-at
echo "restored the ${props.peerRegion} backup of $REMOTE_AT"
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
WorkingDirectory=${data}
Environment=GITEA_WORK_DIR=${data}
ExecStart=/usr/local/bin/gitea web --config ${data}/custom/conf/app.ini
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
Description=Back up Gitea every ${props.backupIntervalMinutes} minutes

[Timer]
OnBootSec=${props.backupIntervalMinutes}min
OnUnitActiveSec=${props.backupIntervalMinutes}min

[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable estate-git-restore.service gitea.service estate-git-backup.timer estate-git-backup-on-stop.service
install -d -m 0755 /var/lib/estate
touch ${marker}
say "ready: Gitea ${props.giteaVersion} installed, data volume mounted"
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
`;
}
