"""A fake ``sacctmgr`` and ``sacct`` for the unit tests: one Python script, installed on
PATH under both names, that keeps the cluster's associations in a JSON state file.

State (``FAKE_SLURM_STATE``, JSON): ``tres`` (list of names), ``assoc`` (``{account:
{"limits": "cpu=6", "users": [...]}}``), ``jobs`` (accounts with jobs, for ``sacct
--accounts``), ``sacct_output`` (text printed by a collection), and the faults
``fail`` (exit 1 with a message), ``fail_on`` (fail when the joined arguments contain
this text), ``sleep`` (seconds to sleep first). Every call is appended to ``calls``
with its arguments and its ``TZ``.
"""

SCRIPT = r'''#!{python}
import json, os, sys, time
path = os.environ["FAKE_SLURM_STATE"]
with open(path) as f:
    state = json.load(f)
name = os.path.basename(sys.argv[0])
args = sys.argv[1:]
state.setdefault("calls", []).append({{"command": name, "args": args,
                                       "tz": os.environ.get("TZ", "")}})
def save():
    with open(path, "w") as f:
        json.dump(state, f)
save()
time.sleep(state.get("sleep", 0))
joined = " ".join(args)
if state.get("fail") or (state.get("fail_on") and state["fail_on"] in joined):
    print("sacctmgr: error: Problem talking to the database: Connection refused", file=sys.stderr)
    sys.exit(1)
def opt(prefix):
    for a in args:
        if a.lower().startswith(prefix.lower() + "="):
            return a.split("=", 1)[1]
    return None
assoc = state.setdefault("assoc", {{}})
if name == "sacct":
    if "--accounts" in args:
        account = args[args.index("--accounts") + 1]
        if account in state.get("jobs", []):
            print("42")
    else:
        sys.stdout.write(state.get("sacct_output", ""))
    sys.exit(0)
if args[:4] == ["-n", "-P", "show", "tres"]:
    for t in state.get("tres", ["cpu", "mem", "energy", "node", "billing"]):
        kind, _, sub = t.partition("/")
        print(f"{{kind}}|{{sub}}")
elif args[:4] == ["-n", "-P", "show", "assoc"]:
    print("root||")
    print("root|root|")
    for account, a in sorted(assoc.items()):
        print(f"{{account}}||{{a['limits']}}")
        for user in sorted(a["users"]):
            print(f"{{account}}|{{user}}|")
elif args[:3] == ["-i", "add", "account"]:
    if args[3] in assoc:
        print(" Nothing new added."); sys.exit(1)
    assoc[args[3]] = {{"limits": opt("GrpTRESMins") or "", "users": []}}
elif args[:3] == ["-i", "modify", "account"]:
    assoc[opt("name")]["limits"] = opt("GrpTRESMins")
elif args[:3] == ["-i", "add", "user"]:
    users = assoc[opt("Account")]["users"]
    if args[3] in users:
        print(" Nothing new added."); sys.exit(1)
    users.append(args[3])
elif args[:3] == ["-i", "remove", "user"]:
    assoc[opt("account")]["users"].remove(opt("name"))
elif args[:3] == ["-i", "remove", "account"]:
    del assoc[opt("name")]
else:
    print("fake sacctmgr: unknown command " + joined, file=sys.stderr); sys.exit(2)
save()
'''


def install(folder, python: str) -> None:
    """Write the fake as ``folder/sacctmgr`` and ``folder/sacct``, executable."""
    for name in ("sacctmgr", "sacct"):
        target = folder / name
        target.write_text(SCRIPT.format(python=python))
        target.chmod(0o755)
