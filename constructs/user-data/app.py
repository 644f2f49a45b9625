import http.server, json, os, socket, subprocess, threading, time

# @SETTINGS@
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
    return "\n".join(lines) + "\n"


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
                self.reply(200, "ok\n", "text/plain")
            except Exception as error:
                self.reply(503, "database unusable: %s\n" % error, "text/plain")
        elif self.path == "/":
            body = {"service": "estate-app", "region": REGION, "host": socket.gethostname(), "database": DB_IDENTIFIER}
            try:
                body["databaseRole"] = "writer" if is_writer() else "replica"
            except Exception as error:
                body["databaseRole"] = "unreachable"
                body["error"] = str(error)
            self.reply(200, json.dumps(body) + "\n", "application/json")
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
            self.reply(200, json.dumps({"region": REGION, "database": DB_IDENTIFIER, "wrote": written, "read": read}) + "\n", "application/json")
        except Exception as error:
            self.reply(503, json.dumps({"region": REGION, "database": DB_IDENTIFIER, "error": str(error)}) + "\n", "application/json")

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
