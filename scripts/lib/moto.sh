# Shared by scripts/test and the bench scripts: the pinned Python tools in a venv and a
# moto server on a free loopback port, with the AWS SDK pointed at it. Source it from the
# project root after defining `step`.

MOTO_VERSION=5.2.5
CFN_LINT_VERSION=1.58.0
VENV=${BERTH_VENV:-.venv}
case "$VENV" in /*) ;; *) VENV="$PWD/$VENV" ;; esac

step "python tools (moto[server]==$MOTO_VERSION, cfn-lint==$CFN_LINT_VERSION) in $VENV"
if ! "$VENV/bin/python" - "$MOTO_VERSION" "$CFN_LINT_VERSION" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(0 if (version("moto"), version("cfn-lint")) == (sys.argv[1], sys.argv[2]) else 1)
PY
then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" "cfn-lint==$CFN_LINT_VERSION"
fi
export BERTH_CFN_LINT="$VENV/bin/cfn-lint"

step "moto server on 127.0.0.1"
# Nothing but the loopback endpoint set below may steer the AWS SDK: service-specific
# endpoint variables win over AWS_ENDPOINT_URL, the ignore flag drops it, and the
# developer's ~/.aws files can name endpoints and profiles of their own.
for v in $(env | sed -n 's/^\(AWS_ENDPOINT_URL_[A-Za-z0-9_]*\)=.*/\1/p'); do
  echo "refusing to run: $v is set (it would send that service's calls past the local moto server); unset it"; exit 1
done
if [ -n "${AWS_IGNORE_CONFIGURED_ENDPOINT_URLS+x}" ]; then
  echo "refusing to run: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set (the AWS SDK would ignore the local endpoint); unset it"; exit 1
fi
AWS_EMPTY_DIR=$(mktemp -d -t berth-aws.XXXXXX)
: >"$AWS_EMPTY_DIR/config"
: >"$AWS_EMPTY_DIR/credentials"
export AWS_CONFIG_FILE="$AWS_EMPTY_DIR/config" AWS_SHARED_CREDENTIALS_FILE="$AWS_EMPTY_DIR/credentials"
MOTO_PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
MOTO_LOG=$(mktemp -t berth-moto.XXXXXX.log)
# moto records every request it receives (as the real SDK sent it) for tests that check
# what went over the wire (BERTH_MOTO_RECORDING).
BERTH_MOTO_RECORDING="$AWS_EMPTY_DIR/requests.jsonl"
export BERTH_MOTO_RECORDING
# moto fixes a service's rollout state at creation: with running tasks it is COMPLETED,
# which the rollout feedback of deploy/hotswap waits for (the failure paths are tested
# with the scripted fake).
MOTO_ECS_SERVICE_RUNNING=${MOTO_ECS_SERVICE_RUNNING:-5} \
  MOTO_ENABLE_RECORDING=True MOTO_RECORDER_FILEPATH="$BERTH_MOTO_RECORDING" \
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!
cleanup() { kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; rm -rf "$AWS_EMPTY_DIR"; }
trap cleanup EXIT
for _ in $(seq 1 150); do
  if curl -fs -o /dev/null "http://127.0.0.1:$MOTO_PORT/moto-api/"; then break; fi
  if ! kill -0 "$MOTO_PID" 2>/dev/null; then echo "moto_server died:"; cat "$MOTO_LOG"; exit 1; fi
  sleep 0.2
done
curl -fs -o /dev/null "http://127.0.0.1:$MOTO_PORT/moto-api/" || { echo "moto_server is not answering"; cat "$MOTO_LOG"; exit 1; }
echo "moto_server (pid $MOTO_PID) listening on 127.0.0.1:$MOTO_PORT, log $MOTO_LOG"
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE

