#!/usr/bin/env bash
# The nightly drift review's notification on GitHub: one open issue, "Nightly drift review",
# carries the latest report. Drift or an error opens it (or adds the report to it as a comment);
# a review in sync closes it. A missing report (the review could not even start) is an error.
# Needs gh on PATH and GH_TOKEN with issues: write. Usage: drift-issue.sh [reports-dir]
set -euo pipefail
reports="${1:-reports}"
title='Nightly drift review'
run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
if [ -f "$reports/drift.json" ]; then
  outcome=$(node -p "require('./$reports/drift.json').outcome" 2>/dev/null || echo error)
else
  outcome=error
fi
body=$(mktemp)
{
  echo "Run: $run_url"
  echo
  if [ -f "$reports/drift.md" ]; then cat "$reports/drift.md"; else echo "The drift review wrote no report: it failed before planning (see the run's log)."; fi
} > "$body"
existing=$(gh issue list --state open --search "\"$title\" in:title" --json number --jq '.[0].number // empty')
if [ "$outcome" = "in sync" ]; then
  if [ -n "$existing" ]; then gh issue close "$existing" --comment "In sync again: $run_url"; fi
  echo "drift-issue: in sync${existing:+, closed #$existing}"
  exit 0
fi
if [ -n "$existing" ]; then
  gh issue comment "$existing" --body-file "$body"
  echo "drift-issue: $outcome, reported on #$existing"
else
  gh issue create --title "$title" --body-file "$body"
  echo "drift-issue: $outcome, opened an issue"
fi
