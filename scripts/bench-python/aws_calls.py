"""Makes a Gantry function's AWS calls with boto3, for the cold-start comparison of scripts/bench.

Each program beside this one is the Python twin of one Gantry function: at import (a Python Lambda's init) it builds
the boto3 clients the Java function builds at init, and then makes, through them, the calls the Java function made
for the same event, in the same order and with the same parameters, as the bench's loopback recorded them. The bench
checks afterwards that the loopback saw the same operations, answered the same way, from both.

A twin does none of the function's own work (parsing, planning, deciding): its time is what Python and boto3 alone
cost for those calls, which only flatters Python. See docs/decisions/0029-cold-start-comparison.md.

Usage: python3 <function>.py EVENT_FILE CALLS_FILE, with AWS_ENDPOINT_URL, AWS_REGION and credentials in the
environment. Debian's boto3 predates AWS_ENDPOINT_URL, so it is passed to every client explicitly.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.exceptions
from botocore import xform_name

ENDPOINT = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
REGION = os.environ["AWS_REGION"]
# The Java functions' retry mode; boto3's default (legacy) would retry some calls more often.
CONFIG = botocore.config.Config(retries={"mode": "standard", "max_attempts": 3})

# The calls this boto3's model could not make (an operation or parameter newer than it), sent signed all the same.
_outside_model = []


def clients(*services):
    """The clients a function builds at init, one per service, as its Java wiring builds them."""
    return {service: boto3.client(service, region_name=REGION, endpoint_url=ENDPOINT, config=CONFIG)
            for service in services}


def main(built):
    """Reads the event, as a handler must before it acts, and makes the recorded calls through the clients ``built``."""
    if len(sys.argv) != 3:
        sys.exit("usage: %s EVENT_FILE CALLS_FILE" % os.path.basename(sys.argv[0]))
    with open(sys.argv[1], encoding="utf-8") as f:
        event = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        calls = json.load(f)
    for number, call in enumerate(calls, 1):
        status = make(call, built, event)
        if status != call["status"]:
            sys.exit("call %d, %s %s, was answered %s; the function's was answered %s"
                     % (number, call["service"], call["operation"], status, call["status"]))
    print(json.dumps({"calls": len(calls), "outsideBoto3Model": _outside_model}), flush=True)
    # The bench times the event to this line, not to the interpreter's teardown after it (decision 29).
    print(os.environ.get("GANTRY_BENCH_HANDLED", "handled"), file=sys.stderr, flush=True)


def make(call, built, event):
    """One call as the function made it; returns the HTTP status it was answered with."""
    service, operation = call["service"], call["operation"]
    if service == "slack":
        # The Slack Web API and response URLs, which no AWS SDK speaks: plain HTTP, as a Python function would.
        return _http(call["method"], ENDPOINT + call["path"], call["body"], call["contentType"])
    if service == "ecr-blob":
        return _http("GET", ENDPOINT + call["path"], "", None)
    if service == "s3":
        return _get_artifact(call, event)
    client = built.get(service)
    if client is None:
        sys.exit("the function called %s %s, but this twin builds no %s client: add it to the twin's clients"
                 % (service, operation, service))
    params = _params(call, client)
    try:
        if params is None:
            return _raw(client, call)
        getattr(client, xform_name(operation))(**params)
        return 200
    except botocore.exceptions.ParamValidationError:
        # A parameter newer than this boto3's model: the same request, signed and sent by botocore all the same.
        return _raw(client, call)
    except botocore.exceptions.ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"]


def _params(call, client):
    """The call's parameters for boto3, or None when this boto3 does not know the operation."""
    model = client.meta.service_model
    if call["operation"] not in model.operation_names:
        return None
    if call["target"]:
        return json.loads(call["body"]) if call["body"] else {}
    form = dict(urllib.parse.parse_qsl(call["body"], keep_blank_values=True))
    form.pop("Action", None)
    form.pop("Version", None)
    return _from_query(form, model.operation_model(call["operation"]).input_shape)


def _from_query(form, shape):
    """The AWS query protocol's flattened form (``AlarmNames.member.1=...``) back into boto3's parameters."""
    tree = {}
    for key, value in form.items():
        node = tree
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _shaped(tree, shape)


def _shaped(value, shape):
    if shape.type_name == "structure":
        return {name: _shaped(value[name], shape.members[name]) for name in value if name in shape.members}
    if shape.type_name == "list":
        items = value.get("member", value)
        return [_shaped(items[index], shape.member) for index in sorted(items, key=int)]
    if shape.type_name in ("integer", "long"):
        return int(value)
    if shape.type_name in ("double", "float"):
        return float(value)
    if shape.type_name == "boolean":
        return value == "true"
    return value


def _raw(client, call):
    _outside_model.append(call["service"] + " " + call["operation"])
    headers = {"Content-Type": call["contentType"]}
    if call["target"]:
        headers["X-Amz-Target"] = call["target"]
    request = botocore.awsrequest.AWSRequest(method=call["method"], url=ENDPOINT + call["path"],
                                             data=call["body"].encode("utf-8"), headers=headers)
    signing_name = client.meta.service_model.signing_name
    botocore.auth.SigV4Auth(client._request_signer._credentials, signing_name, REGION).add_auth(request)
    response = client._endpoint.http_session.send(request.prepare())
    json.loads(response.content or b"{}")
    return response.status_code


def _get_artifact(call, event):
    """S3 with the job's own credentials, by a client built for the read, as the Java function reads artifacts."""
    credentials = event["CodePipeline.job"]["data"]["artifactCredentials"]
    path_style = CONFIG.merge(botocore.config.Config(s3={"addressing_style": "path"}))
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=ENDPOINT, config=path_style,
                      aws_access_key_id=credentials["accessKeyId"],
                      aws_secret_access_key=credentials["secretAccessKey"],
                      aws_session_token=credentials["sessionToken"])
    bucket, key = urllib.parse.unquote(call["path"].split("?", 1)[0]).lstrip("/").split("/", 1)
    try:
        s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return 200
    except botocore.exceptions.ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"]


def _http(method, url, body, content_type):
    request = urllib.request.Request(url, data=body.encode("utf-8") if body else None, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
