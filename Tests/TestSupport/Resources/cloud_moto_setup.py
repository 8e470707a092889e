#!/usr/bin/env python3
"""Spends moto_server's unauthenticated calls (INITIAL_NO_AUTH_ACTION_COUNT=3)
on IAM CreateUser, PutUserPolicy (allow *) and CreateAccessKey, and writes
the new key as JSON to OUTPUT (mode 0600): from then on moto checks SigV4.

Usage: cloud_moto_setup.py ENDPOINT OUTPUT
"""
import json
import os
import sys

import boto3

endpoint, output = sys.argv[1], sys.argv[2]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="ko-test")
iam.put_user_policy(UserName="ko-test", PolicyName="everything", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}))
key = iam.create_access_key(UserName="ko-test")["AccessKey"]
descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
with os.fdopen(descriptor, "w") as f:
    json.dump({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}, f)
