# A stand-in for the docker CLI in berth's tests (there is no Docker engine here).
#
# The test copies this file next to a log, with a shebang naming the Python of the
# project's venv (which has boto3, installed with moto). It records every invocation as
# one JSON line in `docker.log` beside itself, and behaves like docker where berth can
# tell:
#   build  checks that the Dockerfile (--file) and the context exist, prints build steps;
#   login  reads the password from stdin and refuses an empty one;
#   push   plays the registry: puts an image manifest with that tag into ECR through
#          the ECR API at AWS_ENDPOINT_URL (moto, loopback only), so DescribeImages
#          finds it, as after a real push.
# A file `fail-<command>` beside the script makes that command fail with some output.
import json, os, sys, hashlib

here = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
command = args[0] if args else ""
stdin = sys.stdin.read() if command == "login" else None
with open(os.path.join(here, "docker.log"), "a") as log:
    log.write(json.dumps({"args": args, "stdin": bool(stdin)}) + "\n")

if os.path.exists(os.path.join(here, "fail-" + command)):
    print("Step 1/2 : FROM public.ecr.aws/nginx/nginx:latest")
    print("ERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2", file=sys.stderr)
    sys.exit(1)

if command == "build":
    dockerfile = args[args.index("--file") + 1]
    context = args[-1]
    if not os.path.isdir(context) or not os.path.isfile(dockerfile):
        print(f"unable to prepare context: {context} / {dockerfile} not found", file=sys.stderr)
        sys.exit(1)
    with open(dockerfile) as f:
        steps = [l for l in f.read().splitlines() if l.strip() and not l.startswith("#")]
    for i, step in enumerate(steps, 1):
        print(f"Step {i}/{len(steps)} : {step}")
    print("Successfully tagged " + args[args.index("--tag") + 1])
elif command == "login":
    # Kept beside the stand-in (never in the project or the assembly) so a test can
    # check that the password berth was given reaches no output and no file of its own.
    with open(os.path.join(here, "login.stdin"), "w") as f:
        f.write(stdin or "")
    if not stdin:
        print("Error: Cannot perform an interactive login from a non TTY device", file=sys.stderr)
        sys.exit(1)
    print("Login Succeeded")
elif command == "push":
    # Loopback only, checked strictly (no user info, path or other scheme), and the
    # endpoint handed to boto3 itself: no environment variable or config file of the
    # developer's can send this call elsewhere.
    import ipaddress
    from urllib.parse import urlsplit
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    try:
        url = urlsplit(endpoint)
        host = url.hostname or ""
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        plain = (url.scheme == "http" and url.username is None and url.password is None
                 and url.port is not None and url.path in ("", "/") and not url.query
                 and not url.fragment and "@" not in url.netloc)
    except ValueError:
        loopback = plain = False
    if not (loopback and plain):
        print(f"refusing to talk to {endpoint!r}: loopback only", file=sys.stderr)
        sys.exit(1)
    ref = args[1]
    repo_uri, tag = ref.rsplit(":", 1)
    repo = repo_uri.split("/", 1)[1]
    import boto3
    digest = "sha256:" + hashlib.sha256(ref.encode()).hexdigest()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2, "digest": digest},
        "layers": [],
    }
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    boto3.client("ecr", region_name=region, endpoint_url=endpoint).put_image(repositoryName=repo, imageManifest=json.dumps(manifest), imageTag=tag)
    print(f"{tag}: digest: {digest} size: 2")
elif command == "tag":
    pass
else:
    print(f"fake docker: unexpected command {command!r}", file=sys.stderr)
    sys.exit(1)
