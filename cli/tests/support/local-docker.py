# A stand-in for the docker CLI in the tests of `berth run --local` (there is no Docker
# engine here). The test copies it next to a `script.json` that says what each
# container does. Every invocation is recorded as one JSON line in `docker.log`:
# its arguments, and the values of the variables it was asked to pass through from its
# own environment (`--env NAME` without a value), which is how berth hands over secrets.
#
# Containers live as files in `state/` beside the script:
#   run --detach --name N ... starts N (prints an id);
#   wait N    waits until N exits (after `script.json`'s "after" seconds, with its
#             "exit" code) or is stopped (then 143), and prints the code;
#   logs --follow N  prints the container's scripted "logs", then waits until it exits;
#   inspect --format F N  prints "<status> <health>" (health from the script, default
#             "healthy");
#   stop N.., rm --force N..  stop and remove; network/volume create/rm and build succeed.
import json, os, sys, time

here = os.path.dirname(os.path.abspath(__file__))
state = os.path.join(here, "state")
os.makedirs(state, exist_ok=True)
args = sys.argv[1:]
passed = {}
for i, a in enumerate(args[:-1]):
    if a == "--env" and "=" not in args[i + 1]:
        passed[args[i + 1]] = os.environ.get(args[i + 1])
with open(os.path.join(here, "docker.log"), "a") as log:
    log.write(json.dumps({"args": args, "env": passed}) + "\n")

try:
    with open(os.path.join(here, "script.json")) as f:
        script = json.load(f)
except FileNotFoundError:
    script = {}


def short(name):
    # berth-<run id>-<container>
    parts = name.split("-", 2)
    return parts[2] if len(parts) == 3 else name


def path(name):
    return os.path.join(state, name)


def read(name):
    try:
        with open(path(name)) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return None


def write(name, s):
    tmp = path(name) + ".tmp"
    with open(tmp, "w") as f:
        json.dump(s, f)
    os.replace(tmp, path(name))


def status(name):
    s = read(name)
    if s is None:
        return None, None
    cfg = script.get(short(name), {})
    if s["status"] == "running" and "exit" in cfg and time.time() >= s["started"] + cfg.get("after", 0):
        s["status"], s["code"] = "exited", cfg["exit"]
        write(name, s)
    return s["status"], s.get("code")


cmd = args[0] if args else ""
if cmd == "run":
    name = args[args.index("--name") + 1]
    write(name, {"status": "running", "started": time.time()})
    print("c0ffee" + name)
elif cmd == "wait":
    name = args[1]
    deadline = time.time() + 60
    while time.time() < deadline:
        st, code = status(name)
        if st is None:
            print(f"Error response from daemon: No such container: {name}", file=sys.stderr)
            sys.exit(1)
        if st != "running":
            print(code)
            break
        time.sleep(0.02)
elif cmd == "logs":
    name = args[-1]
    for line in script.get(short(name), {}).get("logs", []):
        print(line, flush=True)
    deadline = time.time() + 60
    while time.time() < deadline and status(name)[0] == "running":
        time.sleep(0.02)
elif cmd == "inspect":
    name = args[-1]
    st, _ = status(name)
    print(f"{st} {script.get(short(name), {}).get('health', 'healthy')}")
elif cmd == "stop":
    for name in [a for a in args[1:] if a.startswith("berth-")]:
        s = read(name)
        if s and s["status"] == "running":
            s["status"], s["code"] = "exited", 143
            write(name, s)
elif cmd == "rm":
    for name in [a for a in args[1:] if a.startswith("berth-")]:
        if os.path.exists(path(name)):
            os.remove(path(name))
elif cmd in ("network", "volume", "build"):
    print("ok")
else:
    print(f"stand-in docker: unexpected command {cmd!r}", file=sys.stderr)
    sys.exit(1)
