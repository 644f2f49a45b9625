# --- node_exporter @NODE_EXPORTER_VERSION@ (Prometheus scrapes :@NODE_EXPORTER_PORT@), from the region's bucket ---
install_node_exporter() {
  local tarball=/tmp/node_exporter.tar.gz dir=node_exporter-@NODE_EXPORTER_VERSION@.linux-amd64
  aws s3 cp --only-show-errors "s3://@ARTIFACT_BUCKET@/@ARTIFACT_KEY@" "$tarball" &&
    echo "@NODE_EXPORTER_SHA256@  $tarball" | sha256sum -c - &&
    tar -xzf "$tarball" -C /tmp &&
    install -m 0755 "/tmp/$dir/node_exporter" /usr/local/bin/node_exporter &&
    install -d -m 0755 @TEXTFILE_DIR@ &&
    cat > /etc/systemd/system/node_exporter.service <<'UNIT' &&
[Unit]
Description=Prometheus node_exporter
After=network-online.target

[Service]
DynamicUser=yes
ExecStart=/usr/local/bin/node_exporter --web.listen-address=:@NODE_EXPORTER_PORT@ --collector.textfile.directory=@TEXTFILE_DIR@
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
    systemctl daemon-reload &&
    systemctl enable --now node_exporter.service
}
install_node_exporter || echo "node_exporter @NODE_EXPORTER_VERSION@ not installed (s3://@ARTIFACT_BUCKET@/@ARTIFACT_KEY@ missing or failed its checksum): serving without metrics" >&2
