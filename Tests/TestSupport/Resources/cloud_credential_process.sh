#!/bin/sh
# A credential_process for tests: prints the keys stored in the JSON file
# named by KO_TEST_AWS_KEYS_FILE in the credential_process format
# (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html).
set -eu
if [ "${KO_TEST_CREDENTIAL_PROCESS_FAIL:-}" = 1 ]; then
    echo "mock credential process: refusing on purpose" >&2
    exit 3
fi
python3 - "$KO_TEST_AWS_KEYS_FILE" <<'PY'
import json, sys
keys = json.load(open(sys.argv[1]))
print(json.dumps({"Version": 1, "AccessKeyId": keys["access_key_id"],
                  "SecretAccessKey": keys["secret_access_key"]}))
PY
