#!/bin/sh
# Stands in for `gcloud config config-helper --format=json` in tests: prints
# the token stored in $CLOUDSDK_CONFIG/mock_access_token with an expiry an hour
# ahead, as gcloud does, and counts its runs in $CLOUDSDK_CONFIG/mock_runs.
set -eu
if [ "$*" != "config config-helper --format=json" ]; then
    echo "mock gcloud: unexpected arguments: $*" >&2
    exit 2
fi
echo run >> "$CLOUDSDK_CONFIG/mock_runs"
token=$(cat "$CLOUDSDK_CONFIG/mock_access_token")
expiry=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"configuration":{"active_configuration":"default"},'
printf '"credential":{"access_token":"%s","token_expiry":"%s"},"sentinels":{}}\n' "$token" "$expiry"
