"""SMART Health Links, checked by a client written from the specification (HL7 SMART Health Links):
the patient shares records as a SMART Health Link; this client decodes the shlink:/ payload, asks for
the manifest with the passcode (a wrong one first: 401 with remainingAttempts), fetches every file,
decrypts each compact JWE with the link's key using jwcrypto (an independent JOSE implementation), and
validates the decrypted Bundles and every resource in them with fhirkit-rs. Then the patient ends the
share and the manifest answers 404.

Usage: smart_health_link.py PATH/TO/carevault
"""
import base64, html, json, re, sys, urllib.error, urllib.request

from jwcrypto import jwe, jwk

from portal import Portal
from validate_everything import validate


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def post_json(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def check(condition, message, results):
    results.append(condition)
    if not condition:
        print(f"shl check failed: {message}", file=sys.stderr)


def main():
    portal = Portal(sys.argv[1])
    results = []
    try:
        record = f"/patients/{portal.patient_id}"
        preview = portal.form(f"{record}/shares/preview", [("section", "immunizations"), ("section", "allergies"), ("label", "For my wallet"),
                                                           ("days", "7"), ("options", "download"), ("options", "healthLink")],
                              page_path=f"{record}/shares/new").read().decode()
        hidden = [(html.unescape(n), html.unescape(v)) for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', preview) if n != "_csrf"]
        created = portal.form(f"{record}/shares", hidden, page_path=f"{record}/shares/new").read().decode()
        uri = re.search(r"(shlink:/[A-Za-z0-9_-]+)", created).group(1)
        code = re.search(r'<code class="secret">([0-9A-Z]{4}-[0-9A-Z]{4})</code>', created).group(1)

        payload = json.loads(b64url_decode(uri[len("shlink:/"):]))
        key = b64url_decode(payload["key"])
        check(len(key) == 32 and len(payload["key"]) == 43, "the key is 32 bytes, base64url", results)
        check(len(payload["url"]) <= 128, "the manifest URL is at most 128 characters", results)
        check(len(b64url_decode(payload["url"].rsplit("/", 1)[1])) >= 32, "the manifest id carries at least 256 bits", results)
        check("P" in payload["flag"] and isinstance(payload["exp"], int) and payload["label"] == "For my wallet", "flag P, exp, label", results)

        status, body = post_json(payload["url"], {"recipient": "Wallet test", "passcode": "WRNG-0000"})
        check(status == 401 and body.get("remainingAttempts") == 4, f"a wrong passcode: 401 with remainingAttempts ({status} {body})", results)
        status, manifest = post_json(payload["url"], {"recipient": "Wallet test", "passcode": code})
        check(status == 200 and len(manifest.get("files", [])) == 2, f"the manifest lists the files ({status})", results)

        secret = jwk.JWK(kty="oct", k=payload["key"])
        bundles = []
        for file in manifest["files"]:
            with urllib.request.urlopen(file["location"]) as response:
                token = jwe.JWE()
                token.deserialize(response.read().decode(), key=secret)
                header = token.jose_header
                check(header.get("alg") == "dir" and header.get("enc") == "A256GCM", f"JWE header {header}", results)
                check(file["contentType"] == "application/fhir+json", "contentType", results)
                bundles.append(json.loads(token.payload))
        resources = [b for b in bundles] + [e["resource"] for b in bundles for e in b["entry"]]
        passed, failed = validate(resources)
        results += [True] * passed + [False] * failed
        check(any(r["resourceType"] == "Immunization" for r in resources), "the shared vaccinations are in the Bundle", results)
        check(not any(r["resourceType"] in ("Encounter", "Observation") for r in resources), "nothing that was not shared", results)
        check(any(r["resourceType"] == "DocumentReference" and r["content"][0]["attachment"]["contentType"] == "application/pdf"
                  and base64.b64decode(r["content"][0]["attachment"]["data"]).startswith(b"%PDF") for r in resources), "the readable PDF", results)

        shares = portal.opener.open(f"{portal.base}{record}/shares").read().decode()
        revoke = re.search(r'action="(/patients/[^"]+/revoke)"', shares).group(1)
        portal.form(revoke, {}, page_path=f"{record}/shares")
        status, _ = post_json(payload["url"], {"recipient": "Wallet test", "passcode": code})
        check(status == 404, f"an ended link answers 404 ({status})", results)
    finally:
        portal.close()
    print(f"shl: {results.count(True)} passed, {results.count(False)} failed")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
