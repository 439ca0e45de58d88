"""FHIR validation: import the Synthea fixture, sign in as its patient, download Patient/$everything,
and validate the Bundle and every resource with an R4 validator (fhirkit-rs, exact R4 4.0.1).

Usage: validate_everything.py PATH/TO/carevault
"""
import json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.parse, urllib.request, http.cookiejar

import fhirkit

BINARY = sys.argv[1]
FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "CareVaultServerTests", "Fixtures", "synthea-buster-hoeger.json")
PASSWORD = "a long enough passphrase"


def main():
    data = tempfile.mkdtemp(prefix="carevault-fhir-")
    env = dict(os.environ, CAREVAULT_DATA_DIR=data)
    env.pop("DATABASE_URL", None)
    subprocess.run([BINARY, "import", FIXTURE], env=env, check=True, capture_output=True)
    bundle_in = json.load(open(FIXTURE))
    patient = next(e["resource"] for e in bundle_in["entry"] if e["resource"]["resourceType"] == "Patient")
    mrn = next(i["value"] for i in patient["identifier"] if any(c.get("code") == "MR" for c in i.get("type", {}).get("coding", [])))
    code = re.search(r"Activation code: (\S+)", subprocess.run([BINARY, "patient", "code", "--mrn", mrn], env=env, check=True,
                                                               capture_output=True, text=True).stdout).group(1)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([BINARY, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    passed = failed = 0
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

        def form(path, fields):
            page = opener.open(base + path).read().decode()
            fields["_csrf"] = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
            return opener.open(base + path, urllib.parse.urlencode(fields).encode())

        form("/register/code", {"code": code, "birthDate": patient["birthDate"], "email": "fhir@example.org", "password": PASSWORD})
        home = form("/signin", {"email": "fhir@example.org", "password": PASSWORD})
        patient_id = home.geturl().rstrip("/").split("/")[-1]
        bundle = json.loads(opener.open(f"{base}/fhir/Patient/{patient_id}/$everything").read())
        for resource in [bundle] + [e["resource"] for e in bundle["entry"]]:
            try:
                issues = fhirkit.validate(resource)
            except Exception as error:  # fhirkit raises on invalid input
                issues = [str(error)]
            if issues:
                failed += 1
                print(f"invalid {resource['resourceType']}/{resource.get('id')}: {issues}", file=sys.stderr)
            else:
                passed += 1
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)
    print(f"fhir: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
