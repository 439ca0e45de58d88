"""Before/after of the record's one door (issue 18), run by `scripts/bench --suite door --compare OLD_BINARY`.

Both binaries serve the same record (Inferno's Synthea patient 355, 473 resources, one bundle), each
on a fresh data folder, and are measured in one run, alternating A B A B, as ../shared/bench-method.md
says: the patient's home, the lab results page and GET /fhir/Patient/{id}/$everything as the
signed-in patient, 32 connections; requests per server CPU-second (the figure that does not depend on
what else the machine is doing), wall req/s and p50/p99 beside it.
"""
import os, shutil, statistics, tempfile


def serve(binary, kind, Server, Postgres, register_patient, patient_bundle, template, password):
    pg = Postgres() if kind == "postgresql" else None
    server = Server(binary, pg.url if pg else None)
    folder = tempfile.mkdtemp(prefix="carevault-bench-door-")
    open(folder + "/p.json", "w").write(patient_bundle(template, 1, mrn="DOOR-1"))
    server.cli("import", folder + "/p.json")
    shutil.rmtree(folder, ignore_errors=True)
    session, home = register_patient(server, "DOOR-1", "1941-02-02", password)
    return server, pg, session, home


def run(kind, before, after, args, Server, Postgres, measure, lua, register_patient, patient_bundle, template, password):
    rounds = {"before": [], "after": []}
    for _ in range(2):  # A B A B
        for label, binary in (("before", before), ("after", after)):
            server, pg, session, home = serve(binary, kind, Server, Postgres, register_patient, patient_bundle, template, password)
            try:
                patient = home.rstrip("/").split("/")[-1]
                script = lua({"Cookie": session})
                rounds[label].append([
                    measure(server, "GET patient home", server.base + home, args, script=script),
                    measure(server, "GET lab results page", f"{server.base}/patients/{patient}/results", args, script=script),
                    measure(server, "GET /fhir/Patient/{id}/$everything (473 resources)", f"{server.base}/fhir/Patient/{patient}/$everything",
                            args, script=script),
                ])
            finally:
                server.stop()
                if pg:
                    pg.stop()
    lines = ["| request | before: req per server CPU-s | after: req per server CPU-s | change | before / after wall req/s | "
             "before / after p50 ms | non-2xx/3xx |", "|---|---|---|---|---|---|---|"]
    for i, name in enumerate(r["name"] for r in rounds["before"][0]):
        def med(label, key):
            return statistics.median(round_[i][key] for round_ in rounds[label])
        b, a = med("before", "per_cpu"), med("after", "per_cpu")
        errors = sum(round_[i]["errors"] for label in rounds for round_ in rounds[label])
        lines.append(f"| {name} | {b:,.0f} | {a:,.0f} | {100 * (a - b) / b:+.1f} % | {med('before', 'rps'):,.0f} / {med('after', 'rps'):,.0f} | "
                     f"{med('before', 'p50'):.2f} / {med('after', 'p50'):.2f} | {errors} |")
    return "\n".join(lines)
