"""FHIR validation: import the Synthea fixture, sign in as its patient, download Patient/$everything,
and validate the Bundle and every resource with an R4 validator (fhirkit-rs, exact R4 4.0.1).

Usage: validate_everything.py PATH/TO/carevault
"""
import json, sys

import fhirkit

from portal import Portal


def validate(resources):
    """(passed, failed) over `resources`, each validated with fhirkit; failures printed."""
    passed = failed = 0
    for resource in resources:
        try:
            issues = fhirkit.validate(resource)
        except Exception as error:  # fhirkit raises on invalid input
            issues = [str(error)]
        if issues:
            failed += 1
            print(f"invalid {resource['resourceType']}/{resource.get('id')}: {issues}", file=sys.stderr)
        else:
            passed += 1
    return passed, failed


def main():
    portal = Portal(sys.argv[1])
    try:
        bundle = json.loads(portal.opener.open(f"{portal.base}/fhir/Patient/{portal.patient_id}/$everything").read())
        passed, failed = validate([bundle] + [e["resource"] for e in bundle["entry"]])
    finally:
        portal.close()
    print(f"fhir: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
