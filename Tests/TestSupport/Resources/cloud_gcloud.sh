#!/bin/sh
# Stands in for `gcloud config config-helper --format=json` in tests: prints
# the token stored in $CLOUDSDK_CONFIG/mock_access_token with an expiry an hour
# ahead, as gcloud does, and counts its runs in $CLOUDSDK_CONFIG/mock_runs;
# without that file it fails as gcloud does with no account.
set -eu
if [ "$*" != "config config-helper --format=json" ]; then
    echo "mock gcloud: unexpected arguments: $*" >&2
    exit 2
fi
echo run >> "$CLOUDSDK_CONFIG/mock_runs"
if [ ! -f "$CLOUDSDK_CONFIG/mock_access_token" ]; then
    echo "ERROR: (gcloud.config.config-helper) You do not currently have an active account selected." >&2
    exit 1
fi
token=$(cat "$CLOUDSDK_CONFIG/mock_access_token")
expiry=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"configuration":{"active_configuration":"default"},'
printf '"credential":{"access_token":"%s","token_expiry":"%s"},"sentinels":{}}\n' "$token" "$expiry"
