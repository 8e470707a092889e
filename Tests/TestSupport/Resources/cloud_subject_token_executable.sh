#!/bin/sh
# A Google executable credential source for tests
# (https://google.aip.dev/auth/4117): prints the subject token stored in the
# file named by KO_TEST_SUBJECT_TOKEN_FILE, and records the environment the
# caller must provide into KO_TEST_EXECUTABLE_ENV_FILE.
set -eu
{
    echo "AUDIENCE=${GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE:-}"
    echo "TOKEN_TYPE=${GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE:-}"
    echo "INTERACTIVE=${GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE:-}"
    echo "IMPERSONATED_EMAIL=${GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL:-}"
} > "$KO_TEST_EXECUTABLE_ENV_FILE"
token=$(cat "$KO_TEST_SUBJECT_TOKEN_FILE")
expiry=$(( $(date +%s) + 3600 ))
printf '{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt",'
printf '"id_token":"%s","expiration_time":%s}\n' "$token" "$expiry"
