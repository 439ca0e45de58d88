"""A throwaway CareVault for the FHIR checks: imports the Synthea fixture, starts the server on a free
port, registers and signs in its patient. Used by validate_everything.py and smart_health_link.py."""
import json, os, re, shutil, socket, subprocess, tempfile, time, urllib.parse, urllib.request, http.cookiejar

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "CareVaultServerTests", "Fixtures", "synthea-buster-hoeger.json")
PASSWORD = "a long enough passphrase"


class Portal:
    def __init__(self, binary):
        self.data = tempfile.mkdtemp(prefix="carevault-fhir-")
        env = dict(os.environ, CAREVAULT_DATA_DIR=self.data)
        env.pop("DATABASE_URL", None)
        subprocess.run([binary, "import", FIXTURE], env=env, check=True, capture_output=True)
        bundle_in = json.load(open(FIXTURE))
        self.patient = next(e["resource"] for e in bundle_in["entry"] if e["resource"]["resourceType"] == "Patient")
        mrn = next(i["value"] for i in self.patient["identifier"] if any(c.get("code") == "MR" for c in i.get("type", {}).get("coding", [])))
        code = re.search(r"Activation code: (\S+)", subprocess.run([binary, "patient", "code", "--mrn", mrn], env=env, check=True,
                                                                   capture_output=True, text=True).stdout).group(1)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        env["CAREVAULT_PUBLIC_URL"] = self.base
        self.server = subprocess.Popen([binary, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.form("/register/code", {"code": code, "birthDate": self.patient["birthDate"], "email": "fhir@example.org", "password": PASSWORD})
        home = self.form("/signin", {"email": "fhir@example.org", "password": PASSWORD})
        self.patient_id = home.geturl().rstrip("/").split("/")[-1]

    def form(self, path, fields, page_path=None):
        """Posts `fields` (a dict, or a list of pairs) to `path` with the CSRF token of `page_path` (or `path`)."""
        page = self.opener.open(self.base + (page_path or path)).read().decode()
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        pairs.append(("_csrf", re.search(r'name="_csrf" value="([^"]+)"', page).group(1)))
        return self.opener.open(self.base + path, urllib.parse.urlencode(pairs).encode())

    def close(self):
        self.server.terminate()
        self.server.wait(timeout=20)
        shutil.rmtree(self.data, ignore_errors=True)
