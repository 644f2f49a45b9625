#!/bin/bash
# estate-git-data restore | backup [--final]: the Git server's data across DR switches.
#
# Backups are generations: git/<origin region>/<EEEEEE>-<SSSSSSSSSS>/ in the region's bucket,
# an archive and then its manifest, the manifest written only if absent (an S3 conditional
# write), so a generation is published once and complete only when both are there and the
# archive matches the manifest's checksum. EEEEEE is the epoch: the DR switch count under which
# the publishing server became the writer; SSSSSSSSSS counts every generation ever published.
# Names sort as (epoch, sequence): a generation published by a server that has since been
# superseded (a recovered old primary) is always older than the new writer's.
#
#   restore   at every start, before Gitea: restores the newest complete generation when it is
#             newer than the data held here; never an older, an equal or an empty one over
#             repositories; fails closed (Gitea stays down and the console says why) when the
#             bucket or the posture cannot be read. A server taking over after a switch first
#             waits for the old writer's final backup (planned), then takes the newest complete
#             one and reports what is at risk (unplanned).
#   backup    on the timer: publishes a new generation when the data changed (or the last one is
#             older than @REFRESH_HOURS@ h), only on a server that restored since it started as the
#             writer, and never once a newer writer has published.
#   --final   at stop: always publishes, and marks the generation as the handover.
set -euo pipefail
[ $# -gt 0 ] || set -- usage
HOME_DIR=@GIT_HOME@
STATE=$HOME_DIR/.estate-git
RUN=@RUN_DIR@
BUCKET=@BACKUP_BUCKET@
REGION=@REGION@
PREFIX=git
HANDOVER_WAIT=@HANDOVER_WAIT_SECONDS@
HANDOVER_POLL=@HANDOVER_POLL_SECONDS@
REFRESH_HOURS=@REFRESH_HOURS@
REFRESH_SECONDS=$((REFRESH_HOURS * 3600))
export AWS_DEFAULT_REGION=$REGION AWS_PAGER=''
STAGE=
trap '[ -z "$STAGE" ] || rm -rf "$STAGE"' EXIT

CONSOLE=@CONSOLE@
say() {
  echo "estate-git-data: $*"
  if [ -w "$CONSOLE" ]; then echo "estate-git-data: $*" >"$CONSOLE" 2>/dev/null || true; fi
}
fail() {
  say "UNSERVICEABLE: $*"
  install -d "$STATE"
  echo "$*" >"$STATE/unserviceable"
  exit 1
}
# A refusal is not an error of the job: it is reported (exit 3) and nothing is written.
refuse() {
  say "REFUSED: $*"
  echo "$*" >"$STATE/last-refusal"
  exit 3
}
json() { python3 -c 'import functools,json,sys; v=functools.reduce(lambda a, k: a[k], sys.argv[2:], json.load(open(sys.argv[1]))); print(str(v).lower() if isinstance(v, bool) else v)' "$@"; }
gen_name() { printf '%06d-%010d' "$((10#$1))" "$((10#$2))"; }
seq_of() { echo "$((10#$(cut -d- -f2 <<<"$1")))"; }
repositories_in() { find "$1/data/gitea-repositories" -mindepth 2 -maxdepth 2 -name '*.git' -type d 2>/dev/null | wc -l; }

# The DR posture the regional stack writes (@POSTURE_PARAMETER@): "<active region> <switches>".
posture() {
  local value
  value=$(aws ssm get-parameter --name "@POSTURE_PARAMETER@" --query Parameter.Value --output text) || return 1
  python3 -c 'import json,sys; p=json.loads(sys.argv[1]); print(p["activeRegion"], int(p["switches"]))' "$value"
}

# Every generation with a manifest, newest first: "<generation> <manifest key>".
manifests() {
  local keys
  keys=$(aws s3api list-objects-v2 --bucket "$BUCKET" --prefix "$PREFIX/" \
    --query "Contents[?ends_with(Key, '/manifest.json')].Key" --output text) || return 1
  tr '\t' '\n' <<<"$keys" | grep -E "^$PREFIX/[a-z0-9-]+/[0-9]{6}-[0-9]{10}/manifest.json$" |
    awk -F/ '{ print $3, $0 }' | sort -r -k1,1 || true
}

# The newest complete generation (manifest and archive present), its manifest copied to $1;
# prints its name, or nothing when there is none. A read that fails (not a missing archive) fails.
newest_complete() {
  local out=$1 list gen key archive err
  list=$(manifests) || return 1
  while read -r gen key; do
    [ -n "$gen" ] || continue
    aws s3 cp --only-show-errors "s3://$BUCKET/$key" "$out" || return 1
    archive=$(json "$out" archive)
    if err=$(aws s3api head-object --bucket "$BUCKET" --key "$archive" 2>&1 >/dev/null); then
      echo "$gen"
      return 0
    fi
    case "$err" in *404* | *"Not Found"*) say "generation $gen is not complete yet (no archive): skipped" >&2 ;; *) echo "$err" >&2; return 1 ;; esac
  done <<<"$list"
}

held_generation() { cat "$STATE/generation" 2>/dev/null || echo none; }
# "none" sorts before every generation name.
newer() { [ "$1" != none ] && { [ "$2" = none ] || [[ "$1" > "$2" ]]; }; }

restore() {
  install -d -m 0700 "$STATE"
  install -d -m 0755 "$RUN"
  rm -f "$RUN/writer"
  local active='' switches='' held stage candidate
  read -r active switches < <(posture) || fail "the DR posture (@POSTURE_PARAMETER@) cannot be read: not serving data that may be stale"
  [ -n "$switches" ] || fail "the DR posture (@POSTURE_PARAMETER@) cannot be read: not serving data that may be stale"
  held=$(held_generation)
  stage=$(mktemp -d "$HOME_DIR/.restore-staging.XXXXXX")
  STAGE=$stage
  local adopted
  adopted=$(cat "$STATE/epoch" 2>/dev/null || echo -1)
  local taking_over=false
  if [ "$active" = "$REGION" ] && [ "$adopted" -lt "$switches" ] && [ "$switches" -gt 0 ]; then taking_over=true; fi

  # Taking over after a switch: the old writer's final backup (published at its stop) is awaited.
  local waited=0 final=false start
  start=$(date +%s)
  if $taking_over; then
    while :; do
      candidate=$(newest_complete "$stage/manifest.json") || fail "the backups in s3://$BUCKET cannot be read: not serving data that may be stale"
      if [ -n "$candidate" ] && [ "$(json "$stage/manifest.json" final)" = true ] && [ "$(json "$stage/manifest.json" epoch)" -eq "$((switches - 1))" ]; then
        final=true
        break
      fi
      waited=$(($(date +%s) - start))
      [ "$waited" -lt "$HANDOVER_WAIT" ] || break
      sleep "$HANDOVER_POLL"
    done
  else
    candidate=$(newest_complete "$stage/manifest.json") || fail "the backups in s3://$BUCKET cannot be read: not serving data that may be stale"
  fi

  local outcome=kept atRisk=null
  if [ -z "$candidate" ]; then
    say "no backup in s3://$BUCKET/$PREFIX/: this server's data stays as it is ($held)"
    outcome=none
  elif ! newer "$candidate" "$held"; then
    say "the newest complete backup $candidate is not newer than the data held here ($held): not restored"
    outcome=stale-refused
  else
    local archive sha repos local_repos
    archive=$(json "$stage/manifest.json" archive)
    sha=$(json "$stage/manifest.json" sha256)
    repos=$(json "$stage/manifest.json" repositories)
    local_repos=$(repositories_in "$HOME_DIR")
    if [ "$repos" -eq 0 ] && [ "$local_repos" -gt 0 ]; then
      fail "backup $candidate holds no repository and would replace the $local_repos held here: not restored (restore it by hand if that is meant)"
    fi
    aws s3 cp --only-show-errors "s3://$BUCKET/$archive" "$stage/backup.tar.gz" || fail "backup $candidate cannot be downloaded from s3://$BUCKET: not serving data that may be stale"
    echo "$sha  $stage/backup.tar.gz" | sha256sum -c --status - || fail "backup $candidate does not match its manifest's checksum: not restored"
    install -d "$stage/tree"
    tar -xzf "$stage/backup.tar.gz" -C "$stage/tree"
    [ "$(repositories_in "$stage/tree")" -eq "$repos" ] || fail "backup $candidate holds $(repositories_in "$stage/tree") repositories, its manifest says $repos: not restored"
    # The data held so far is set aside (one previous copy kept), never deleted before the swap.
    rm -rf "$STATE/previous"
    install -d "$STATE/previous"
    for dir in custom data; do
      if [ -e "$HOME_DIR/$dir" ]; then mv "$HOME_DIR/$dir" "$STATE/previous/$dir"; fi
      mv "$stage/tree/$dir" "$HOME_DIR/$dir"
    done
    if [ "$(id -u)" = 0 ]; then chown -R @RUN_USER@:@RUN_USER@ "$HOME_DIR/custom" "$HOME_DIR/data"; fi
    echo "$candidate" >"$STATE/generation"
    cp "$stage/manifest.json" "$STATE/held.json"
    outcome=restored
    say "restored $candidate from $(json "$stage/manifest.json" origin) ($repos repositories, written $(date -u -d "@$(json "$stage/manifest.json" createdAt)" +%FT%TZ))"
  fi
  if $taking_over && ! $final; then
    local since
    since=$(json "$stage/manifest.json" createdAt 2>/dev/null || echo 0)
    atRisk=$since
    say "no final backup from the old writer after $waited s: pushes made there after $(date -u -d "@$since" +%FT%TZ) are at risk (they are in no complete backup this region can read)"
  fi
  if [ "$active" = "$REGION" ]; then
    echo "$switches" >"$STATE/epoch"
    echo "$switches" >"$RUN/writer"
  fi
  rm -f "$STATE/unserviceable"
  python3 -c 'import json,sys; print(json.dumps({"outcome": sys.argv[1], "generation": sys.argv[2], "atRiskSince": None if sys.argv[3] == "null" else int(sys.argv[3]), "finalAwaitedSeconds": int(sys.argv[4]), "writer": sys.argv[5] == sys.argv[6]}))' \
    "$outcome" "$(held_generation)" "$atRisk" "$waited" "$active" "$REGION" >"$STATE/last-restore.json"
}

backup() {
  local final=false
  [ "$1" = --final ] && final=true
  install -d -m 0700 "$STATE"
  # Written only by a restore that succeeded in this boot, on the active region: a mirror, or a
  # server whose restore failed (its data may be stale or empty), never publishes.
  [ -f "$RUN/writer" ] || refuse "this server did not restore as the writer since it started (a mirror, or a failed restore): it publishes nothing"
  local epoch held stage newest
  epoch=$(cat "$RUN/writer")
  held=$(held_generation)
  stage=$(mktemp -d "$HOME_DIR/.backup-staging.XXXXXX")
  STAGE=$stage
  newest=$(newest_complete "$stage/newest.json") || { say "the backups in s3://$BUCKET cannot be read: nothing published"; exit 1; }
  # Anything newer than both what this server holds and the start of its epoch is a newer writer's.
  local floor=$held
  if newer "$(gen_name "$epoch" 0)" "$floor"; then floor=$(gen_name "$epoch" 0); fi
  if [ -n "$newest" ] && newer "$newest" "$floor"; then
    refuse "generation $newest (from $(json "$stage/newest.json" origin)) is newer than this server's data ($held, epoch $epoch): a newer writer took over; nothing published"
  fi

  # The archive: custom/ and every data directory (repositories, attachments, LFS, avatars,
  # packages, JWT keys...) but caches Gitea rebuilds, and a consistent copy of the database.
  install -d "$stage/db"
  sqlite3 "$HOME_DIR/data/gitea.db" ".backup '$stage/db/gitea.db'"
  local fingerprint
  fingerprint=$( (cd "$HOME_DIR" && find ./custom ./data \( -path ./data/gitea.db -o -path ./data/tmp -o -path ./data/indexers -o -path ./data/sessions -o -path ./data/queues \) -prune -o -printf '%p %s %T@\n' | sort; sha256sum <"$stage/db/gitea.db") | sha256sum | cut -c1-64)
  if ! $final && [ "$held" != none ] && [ -f "$STATE/held.json" ] && [ "$(json "$STATE/held.json" fingerprint)" = "$fingerprint" ] &&
    [ "$(($(date +%s) - $(json "$STATE/held.json" createdAt)))" -lt "$REFRESH_SECONDS" ]; then
    say "nothing changed since $held: no new generation"
    publish_metric "$(date +%s)"
    return 0
  fi
  local seq=0
  [ "$held" = none ] || seq=$(seq_of "$held")
  local next
  next=$(gen_name "$epoch" $((seq + 1)))
  tar -czf "$stage/backup.tar.gz" -C "$HOME_DIR" --exclude=./data/gitea.db --exclude=./data/tmp --exclude=./data/indexers \
    --exclude=./data/sessions --exclude=./data/queues ./custom ./data -C "$stage/db" --transform 's,^\./gitea\.db$,./data/gitea.db,' ./gitea.db
  local sha bytes repos now archive
  sha=$(sha256sum "$stage/backup.tar.gz" | cut -c1-64)
  bytes=$(stat -c %s "$stage/backup.tar.gz")
  repos=$(repositories_in "$HOME_DIR")
  now=$(date +%s)
  archive="$PREFIX/$REGION/$next/backup-$(cut -c1-16 <<<"$sha").tar.gz"
  python3 -c 'import json,sys; a=sys.argv; print(json.dumps({"generation": a[1], "epoch": int(a[2]), "seq": int(a[3]), "origin": a[4], "createdAt": int(a[5]), "archive": a[6], "sha256": a[7], "bytes": int(a[8]), "repositories": int(a[9]), "final": a[10] == "true", "fingerprint": a[11]}))' \
    "$next" "$epoch" $((seq + 1)) "$REGION" "$now" "$archive" "$sha" "$bytes" "$repos" "$final" "$fingerprint" >"$stage/manifest.json"
  aws s3api put-object --bucket "$BUCKET" --key "$archive" --body "$stage/backup.tar.gz" >/dev/null ||
    { say "the archive of $next could not be uploaded: nothing published"; exit 1; }
  local err
  if ! err=$(aws s3api put-object --bucket "$BUCKET" --key "$PREFIX/$REGION/$next/manifest.json" --body "$stage/manifest.json" --if-none-match '*' 2>&1 >/dev/null); then
    case "$err" in *PreconditionFailed*) refuse "generation $next was published by another writer: nothing published" ;; esac
    say "the manifest of $next could not be written ($err): nothing published"
    exit 1
  fi
  echo "$next" >"$STATE/generation"
  cp "$stage/manifest.json" "$STATE/held.json"
  say "published $next ($repos repositories, $bytes bytes$($final && echo ', final: the handover'))"
  publish_metric "$now"
}

# node_exporter's textfile collector: when the data last reached a published generation.
publish_metric() {
  install -d -m 0755 @TEXTFILE_DIR@
  printf '# HELP @GIT_BACKUP_METRIC@ When the Git data last reached a published backup generation.\n# TYPE @GIT_BACKUP_METRIC@ gauge\n@GIT_BACKUP_METRIC@ %s\n' "$1" >@TEXTFILE_DIR@/.estate_git_backup.prom.tmp
  mv @TEXTFILE_DIR@/.estate_git_backup.prom.tmp @TEXTFILE_DIR@/estate_git_backup.prom
}

case "$1 $#" in
  "restore 1") restore ;;
  "backup 1") backup '' ;;
  "backup 2") backup "$2" ;;
  *) echo "usage: estate-git-data restore | backup [--final]" >&2; exit 2 ;;
esac
