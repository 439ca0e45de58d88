"""Browser test: the clinic's side. An administrator holds new test results for a clinician's
sign-off (and a bad delay is refused, naming the field); records arrive; a clinician turns on
two-step sign-in as staff must, finds the patient, reads the record, and releases the held results
from the queue; the patient then sees them. Every page on the way passes axe-core's WCAG 2.1 A/AA
checks and fits a 360-pixel screen.

Usage: test_staff_pages.py PATH/TO/carevault
"""
import os, re, subprocess, sys, time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from support import FIXTURES, PASSWORD, Browser, Site, totp

BINARY = sys.argv[1]
BUNDLE = os.path.join(FIXTURES, "synthea-buster-hoeger.json")
MRN, BIRTH = "ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423", "1988-03-16"


def main():
    site = Site(BINARY)
    for role, email, name in [("admin", "ada@clinic.example", "Ada Admin"), ("clinician", "cleo@clinic.example", "Dr Cleo Reyes")]:
        subprocess.run([BINARY, "staff", "create", "--role", role, "--email", email, "--name", name, "--password-stdin"],
                       input=PASSWORD, env=site.env, capture_output=True, text=True, check=True)
    site.start()
    browser = Browser()
    d = browser.driver
    checked = []
    passed = 0

    def accessible(label):
        browser.assert_accessible(label)
        width = browser.width_at(360)
        assert width <= 360, f"{label} is {width}px wide at a 360px viewport: {browser.overflowing(360)}"
        d.set_window_size(1100, 1000)
        checked.append(label)

    secrets = {}

    def staff_sign_in(email):
        """Signs in with the password; the first time, turns on two-step sign-in, which staff must before
        anything else; later, enters a code (the next time step's: a code is never accepted twice)."""
        d.delete_all_cookies()
        d.get(site.base + "/signin")
        browser.fill("email", email)
        browser.fill("password", PASSWORD)
        browser.submit()
        if email in secrets:
            accessible("sign-in code")
            browser.fill("code", totp(secrets[email], time.time() + 30))
            browser.submit()
            assert "Enter your sign-in code" not in d.page_source, "the sign-in code was refused"
            return
        if not d.find_elements(By.ID, "manual-key"):
            d.get(site.base + "/account/two-factor")
        accessible(f"two-step sign-in enrolment ({email})")
        secret = secrets[email] = d.find_element(By.ID, "manual-key").text
        browser.fill("code", totp(secret, time.time()))
        browser.submit()
        assert len(d.find_elements(By.CSS_SELECTOR, "ul.recovery-codes li")) == 10, "no recovery codes after enrolment"

    try:
        # The administrator holds test results until a clinician releases them.
        staff_sign_in("ada@clinic.example")
        d.get(site.base + "/admin/release-rules")
        accessible("release rules")
        Select(d.find_element(By.NAME, "rule-imaging")).select_by_value("delay")
        browser.fill("hours-imaging", "0")
        browser.submit()
        assert d.find_elements(By.CSS_SELECTOR, "a[href='#field-hours-imaging']"), "a zero-hour delay was not refused by name"
        accessible("release rules with an error")
        browser.fill("hours-imaging", "72")
        Select(d.find_element(By.NAME, "rule-results")).select_by_value("sign-off")
        browser.submit()
        assert "After a clinician releases it" in d.find_element(By.TAG_NAME, "main").text
        d.get(site.base + "/admin/upload-retention")
        accessible("upload retention")
        passed += 1

        # Records arrive from another system; the patient gets an activation code.
        site.cli("import", BUNDLE)
        code = re.search(r"Activation code: (\S+)", site.cli("patient", "code", "--mrn", MRN)).group(1)

        # A clinician finds the patient and reads the record, held results included and marked.
        staff_sign_in("cleo@clinic.example")
        d.get(site.base + "/staff/patients")
        accessible("patients")
        browser.click(By.PARTIAL_LINK_TEXT, "Hoeger")
        accessible("a patient's page for staff")
        record = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "main a") if re.search(r"/patients/[0-9a-f-]{36}$", a.get_attribute("href") or "")]
        assert record, "the staff page does not link to the patient's record"
        d.get(record[0])
        accessible("a patient's record, as a clinician")
        d.get(record[0] + "/results")
        assert "Not released to the patient yet" in d.page_source, "held results are not marked for the clinician"
        accessible("results, as a clinician")
        d.get(site.base + "/staff/import")
        accessible("import")
        d.get(site.base + "/staff/review")
        accessible("review queue")
        passed += 1

        # The patient sees no results yet, only that some are waiting.
        d.delete_all_cookies()
        browser.register_and_sign_in(site, code, BIRTH, "buster@example.org")
        d.get(record[0] + "/results")
        assert "Not released to the patient yet" not in d.page_source and "waiting for your care team" in d.page_source, \
            "the patient sees held results, or no word that they are waiting"
        passed += 1

        # The clinician releases them all from the queue; the patient then sees them.
        staff_sign_in("cleo@clinic.example")
        d.get(site.base + "/staff/release-queue")
        accessible("release queue")
        boxes = d.find_elements(By.CSS_SELECTOR, "main input[type=checkbox]")
        assert boxes, "the release queue is empty"
        for box in boxes:
            box.click()
        browser.click(By.XPATH, "//main//button[normalize-space()='Release ticked items']")
        assert "Nothing is waiting for release" in d.page_source, "ticked items were left in the queue"
        accessible("release queue after releasing")
        browser.sign_in(site, "buster@example.org")
        d.get(record[0] + "/results")
        assert d.find_elements(By.CSS_SELECTOR, "main table.stack td"), "released results are not shown to the patient"
        assert "waiting for your care team" not in d.page_source
        passed += 1
    except Exception:
        browser.save_failure("staff-pages-failure")
        raise
    finally:
        browser.quit()
        site.stop()
    assert len(checked) == 14, f"accessibility checked on {len(checked)} pages: {checked}"
    print(f"browser: {passed} passed, 0 failed ({len(checked)} staff pages pass axe-core's WCAG 2.1 A/AA checks)")


if __name__ == "__main__":
    main()
