#!/usr/bin/env bash
# The nightly drift review's notification on Gitea (no issue API a runner is given): drift or an
# error is published to the estate's alert topic (ALERT_TOPIC_ARN, the region's alerts topic the
# on-call already subscribes to), with the report; a review in sync publishes nothing. A missing
# report (the review could not even start) is an error. Usage: drift-sns.sh [reports-dir]
set -euo pipefail
reports="${1:-reports}"
topic="${ALERT_TOPIC_ARN:?ALERT_TOPIC_ARN is not set: name the alert topic the drift review notifies}"
if [ -f "$reports/drift.json" ]; then
  outcome=$(node -p "require('./$reports/drift.json').outcome" 2>/dev/null || echo error)
else
  outcome=error
fi
if [ "$outcome" = "in sync" ]; then
  echo "drift-sns: in sync, nothing published"
  exit 0
fi
message=$(mktemp)
if [ -f "$reports/drift.md" ]; then cat "$reports/drift.md" > "$message"; else echo "The drift review wrote no report: it failed before planning (see the run's log)." > "$message"; fi
aws sns publish --topic-arn "$topic" --subject "Nightly drift review: $outcome" --message "file://$message" >/dev/null
echo "drift-sns: $outcome, published to $topic"
