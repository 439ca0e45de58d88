"""The health-record benchmark (issue 3), run by `scripts/bench --suite record`.

Data set: N synthetic patients (default 1,000), each a copy of Inferno's Synthea-made US Core patient
355 (473 resources: 129 encounters, 140 observations, documents, medicines, …) with new ids, a new
patient ID, name and birth date, and every date moved by a whole number of leap cycles; plus one
patient with ~5,000 resources (for the export) and one ~50 MB bundle (for import memory).

Measured, on SQLite and on a throwaway PostgreSQL, as ../shared/bench-method.md says:
  - `carevault import FOLDER` of the N bundles: resources per CPU-second of the importing process
    (and, on PostgreSQL, of the database server too), beside a raw insert of the very rows the import
    stored (same tables and indexes, one transaction per patient, no parsing or checking), in the same run;
  - peak memory of `carevault import` of the ~50 MB bundle;
  - GET /patients/{id}/results and GET /fhir/Patient/{id}/$everything as the signed-in patient,
    32 connections: wall req/s, p50/p99, requests per server CPU-second;
  - `carevault export` of the ~5,000-resource record: wall and CPU seconds.
"""
import json, os, random, re, shutil, statistics, subprocess, tempfile, time, uuid

SHARED = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared"))
TEMPLATE = os.path.join(SHARED, "test-material/fhir/inferno-reference-server-data/uscore_bundle_patient_355.json")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
YEAR_RE = re.compile(r'(?<=")((?:19|20)\d\d)(?=-\d\d-\d\d)')
GIVEN = ["Ana", "Bo", "Chidi", "Dana", "Eun-ji", "Farah", "Goran", "Hana", "Ivan", "Jae", "Kofi", "Lena", "Mateo", "Noor", "Olu", "Priya"]
FAMILY = ["Adeyemi", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ito", "Jansen", "Kowalski", "Larsen"]


def patient_bundle(template, number, copies=1, mrn=None):
    """One patient's bundle: the template's entries (the non-patient ones `copies` times), all ids new."""
    bundle = json.loads(template)
    entries = bundle["entry"]
    patient = next(e for e in entries if e["resource"]["resourceType"] == "Patient")
    others = [e for e in entries if e is not patient]
    resource = patient["resource"]
    resource["identifier"] = [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                               "system": "urn:carevault:bench", "value": mrn or f"BENCH-{number:05d}"}]
    resource["name"] = [{"family": FAMILY[number % len(FAMILY)], "given": [GIVEN[number % len(GIVEN)]]}]
    resource["birthDate"] = birth_date(number)
    patient_uuid = patient["fullUrl"].split(":")[-1]
    shift = 4 * (number % 5 - 2)  # whole leap cycles keep 29 February valid

    def new_id(copy, old):  # every copy points at the one patient
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{number}:{0 if old == patient_uuid else copy}:{old}"))

    entries = []
    for copy in range(copies):
        text = json.dumps([patient] + others if copy == 0 else others)
        text = UUID_RE.sub(lambda m: new_id(copy, m.group(0)), text)
        text = YEAR_RE.sub(lambda m: str(int(m.group(1)) + shift), text)
        entries += json.loads(text)
    entries[0]["resource"]["birthDate"] = birth_date(number)  # after the date shift: sign-up asks for it
    return json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries})


def birth_date(number):
    return f"{1940 + number % 60}-{1 + number % 12:02d}-{1 + number % 28:02d}"


def write_data_set(folder, patients):
    template = open(TEMPLATE).read()
    os.makedirs(folder + "/patients")
    resources = 0
    for n in range(1, patients + 1):
        text = patient_bundle(template, n)
        resources += text.count('"resourceType"') - 1
        with open(f"{folder}/patients/bench-{n:05d}.json", "w") as f:
            f.write(text)
    big = patient_bundle(template, 900001, copies=11, mrn="BIG-1")
    open(folder + "/big-5000.json", "w").write(big)
    huge = patient_bundle(template, 900002, copies=70, mrn="HUGE-1")
    open(folder + "/huge-50mb.json", "w").write(huge)
    return resources, big.count('"resourceType"') - 1, os.path.getsize(folder + "/huge-50mb.json")


def run_measured(argv, env):
    """Runs a command; returns (stdout, wall s, CPU s, peak RSS KiB) of that process alone (wait4).

    Started through /usr/bin/time's small process rather than forked from this one: a child forked
    from a large Python process starts with the parent's resident pages, which would count as its peak."""
    start = time.monotonic()
    process = subprocess.Popen(["/usr/bin/time", "-f", "maxrss %M"] + argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_chunks = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    err = process.stderr.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{argv[1]} failed: {err[-2000:]}")
    peak = int(re.findall(r"maxrss (\d+)", err)[-1])
    return out_chunks.decode(), wall, usage.ru_utime + usage.ru_stime, peak


def postgres_cpu(pg):
    """CPU seconds used by the PostgreSQL server so far: the postmaster, its reaped children, live backends."""
    ticks = os.sysconf("SC_CLK_TCK")
    pid = int(open(pg.folder + "/data/postmaster.pid").readline())
    total = 0
    for p in [pid] + [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]:
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if p == pid else 0)
    return total / ticks


TABLES = ["fhir_resources", "fhir_resource_codes"]


def raw_insert_sqlite(source_db, scratch):
    """Copies the import's rows into empty tables of the same schema, one transaction per patient."""
    import sqlite3
    src = sqlite3.connect(source_db)
    schema = [row[0] for row in src.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name IN ('fhir_resources','fhir_resource_codes') AND sql IS NOT NULL ORDER BY type DESC")]
    rows = {t: src.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
    scope_of = {(r[0], r[1]): r[2] for r in src.execute("SELECT resource_type, id, patient_scope FROM fhir_resources")}
    columns = {t: len(src.execute(f"SELECT * FROM {t} LIMIT 1").description) for t in TABLES}
    src.close()
    batches = group_by_patient(rows, scope_of)
    path = scratch + "/raw.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for statement in schema:
        db.execute(statement)
    before = time.process_time()
    start = time.monotonic()
    for batch in batches:
        db.execute("BEGIN")
        for table in TABLES:
            db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * columns[table])})", batch[table])
        db.execute("COMMIT")
    cpu, wall = time.process_time() - before, time.monotonic() - start
    db.close()
    return sum(len(b["fhir_resources"]) for b in batches), cpu, wall


def group_by_patient(rows, scope_of):
    by_scope = {}
    for row in rows["fhir_resources"]:
        by_scope.setdefault(row[2], {"fhir_resources": [], "fhir_resource_codes": []})["fhir_resources"].append(row)
    for row in rows["fhir_resource_codes"]:
        by_scope[scope_of[(row[0], row[1])]]["fhir_resource_codes"].append(row)
    return list(by_scope.values())


def raw_insert_postgres(pg):
    """The same for PostgreSQL (psycopg, executemany of INSERTs); CPU = this process + the server."""
    import psycopg
    conninfo = f"host=127.0.0.1 port={pg.port} user=postgres dbname=carevault"
    with psycopg.connect(conninfo) as src:
        rows = {t: src.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
        scope_of = {(r[0], r[1]): r[2] for r in src.execute("SELECT resource_type, id, patient_scope FROM fhir_resources")}
        columns = {t: len(src.execute(f"SELECT * FROM {t} LIMIT 1").description) for t in TABLES}
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-qc", "CREATE DATABASE rawcopy"], check=True, capture_output=True)
    dump = subprocess.run(["pg_dump", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "--schema-only",
                           "-t", "fhir_resources", "-t", "fhir_resource_codes", "carevault"], check=True, capture_output=True, text=True).stdout
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-q", "rawcopy"], input=dump, text=True,
                   check=True, capture_output=True)
    batches = group_by_patient(rows, scope_of)
    with psycopg.connect(f"host=127.0.0.1 port={pg.port} user=postgres dbname=rawcopy") as db:
        server_before, before, start = postgres_cpu(pg), time.process_time(), time.monotonic()
        for batch in batches:
            with db.transaction():
                with db.cursor() as cursor:
                    for table in TABLES:
                        cursor.executemany(f"INSERT INTO {table} VALUES ({','.join(['%s'] * columns[table])})", batch[table])
        client_cpu, wall = time.process_time() - before, time.monotonic() - start
        server_cpu = postgres_cpu(pg) - server_before
    return sum(len(b["fhir_resources"]) for b in batches), client_cpu, server_cpu, wall


def register_patient(server, mrn, birth_date, password):
    """Issues an activation code for an imported patient, registers over HTTP and signs in."""
    import http.cookiejar, urllib.parse, urllib.request
    from_cli = server.cli("patient", "code", "--mrn", mrn)
    code = re.search(r"Activation code: (\S+)", from_cli).group(1)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def form(path, fields):
        page = opener.open(server.base + path).read().decode()
        fields["_csrf"] = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        return opener.open(server.base + path, urllib.parse.urlencode(fields).encode())

    email = f"{mrn.lower()}@example.org"
    form("/register/code", {"code": code, "birthDate": birth_date, "email": email, "password": password})
    home = form("/signin", {"email": email, "password": password})
    path = urllib.parse.urlparse(home.geturl()).path
    session = "; ".join(f"{c.name}={c.value}" for c in jar if c.name == "cv_session")
    return session, path


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def run(kind, binary, args, Server, Postgres, measure, lua, password):
    """The record suite on one database; returns printable Markdown."""
    pg = Postgres() if kind == "postgresql" else None
    server = Server(binary, pg.url if pg else None)
    scratch = tempfile.mkdtemp(prefix="carevault-bench-data-")
    lines = []
    try:
        resources, big_count, huge_size = write_data_set(scratch, args.patients)
        # Import of N patients, one bundle each, from the command line (a process of its own).
        pg_before = postgres_cpu(pg) if pg else 0
        out, wall, cpu, _ = run_measured([binary, "import", scratch + "/patients"], server.env)
        pg_cpu = postgres_cpu(pg) - pg_before if pg else 0
        stored = sum(int(a) + int(b) + int(c) for a, b, c in re.findall(r"(\d+) new, (\d+) updated, (\d+) unchanged", out))
        if stored != resources:
            raise RuntimeError(f"import stored {stored} of {resources} resources")
        if pg:
            raw_count, raw_client, raw_server, raw_wall = raw_insert_postgres(pg)
            raw_cpu = raw_client + raw_server
        else:
            raw_count, raw_cpu, raw_wall = raw_insert_sqlite(server.data + "/carevault.sqlite", scratch)
            raw_client, raw_server = raw_cpu, 0
        import_rate = resources / (cpu + pg_cpu)
        raw_rate = raw_count / raw_cpu
        lines.append(f"Import of {args.patients:,} patients ({resources:,} resources, one bundle each) with `carevault import`:\n")
        lines.append("| | resources | wall s | wall resources/s | CPU s (importer + database server) | resources per CPU-s |")
        lines.append("|---|---|---|---|---|---|")
        lines.append(f"| `carevault import` | {resources:,} | {wall:.1f} | {resources / wall:,.0f} | {cpu:.1f} + {pg_cpu:.1f} | **{import_rate:,.0f}** |")
        lines.append(f"| raw insert of the same rows (ceiling) | {raw_count:,} | {raw_wall:.1f} | {raw_count / raw_wall:,.0f} | "
                     f"{raw_client:.1f} + {raw_server:.1f} | {raw_rate:,.0f} |")
        lines.append(f"\nImport reaches **{100 * import_rate / raw_rate:.0f} %** of the raw insert rate per CPU-second.\n")

        _, big_wall, big_cpu, big_rss = run_measured([binary, "import", scratch + "/big-5000.json"], server.env)
        _, huge_wall, huge_cpu, huge_rss = run_measured([binary, "import", scratch + "/huge-50mb.json"], server.env)
        lines.append(f"One bundle of {big_count:,} resources: {big_wall:.1f} s wall, {big_cpu:.1f} CPU-s, peak RSS {big_rss / 1024:.0f} MiB. "
                     f"One bundle of {huge_size / 1e6:.0f} MB: {huge_wall:.1f} s wall, {huge_cpu:.1f} CPU-s, "
                     f"**peak RSS {huge_rss / 1024:.0f} MiB** of the importing process.\n")

        exports = []
        for i in range(args.runs):
            _, e_wall, e_cpu, _ = run_measured([binary, "export", "--mrn", "BIG-1", "--out", f"{scratch}/export-{i}.zip"], server.env)
            exports.append((e_wall, e_cpu))
        e_wall, e_cpu = statistics.median(e[0] for e in exports), statistics.median(e[1] for e in exports)
        lines.append(f"`carevault export --mrn BIG-1` ({big_count:,} resources, ZIP of {os.path.getsize(scratch + '/export-0.zip') / 1e6:.1f} MB): "
                     f"**{e_wall:.2f} s** wall, {e_cpu:.2f} CPU-s (median of {args.runs}).\n")

        session, home = register_patient(server, "BENCH-00001", birth_date(1), password)
        patient_id = home.rstrip("/").split("/")[-1]
        script = lua({"Cookie": session})
        rows = [measure(server, "GET /static/app.css (ceiling)", server.base + "/static/app.css", args),
                measure(server, "GET lab results page (patient, audited)", f"{server.base}/patients/{patient_id}/results", args, script=script),
                measure(server, "GET /fhir/Patient/{id}/$everything (473 resources)",
                        f"{server.base}/fhir/Patient/{patient_id}/$everything", args, script=script)]
        lines.append(f"Pages as the signed-in patient BENCH-00001, 32 connections (RSS peak {server_peak(server) / 1024:.0f} MiB):\n")
        lines.append("| request | wall req/s | p50 ms | p99 ms | req per server CPU-s | non-2xx/3xx |")
        lines.append("|---|---|---|---|---|---|")
        for r in rows:
            lines.append(f"| {r['name']} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['per_cpu']:,.0f} | {r['errors']} |")
        return "\n".join(lines)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
        if pg:
            pg.stop()


def server_peak(server):
    for line in open(f"/proc/{server.process.pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
