"""Browser test: proxy access as two people do it, each in their own browser. A patient invites a
caregiver; the caregiver creates an account from the emailed link, enters the code the patient read
to them, accepts the terms and opens a lab result; the patient sees that access in "Who has seen my
record" and ends the grant; the caregiver's next click is refused. Every page passes axe-core's
WCAG 2.1 A/AA checks.

Usage: test_proxy_flow.py PATH/TO/carevault
"""
import os, re, sys

from selenium.webdriver.common.by import By

from support import FIXTURES, PASSWORD, Browser, Site

BINARY = sys.argv[1]
BUNDLE, MRN, BIRTH = "synthea-buster-hoeger.json", "ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423", "1988-03-16"
CARER = "sam.carer@example.org"


def link_text(browser, text):
    """Follows the link in the page's main content whose text contains `text`."""
    browser.click(By.XPATH, f"//main//a[contains(normalize-space(.), '{text}')]")


def main():
    site = Site(BINARY)
    patient = carer = None
    try:
        site.cli("import", os.path.join(FIXTURES, BUNDLE))
        site.start()
        code = re.search(r"Activation code: (\S+)", site.cli("patient", "code", "--mrn", MRN)).group(1)
        patient = Browser()
        patient.register_and_sign_in(site, code, BIRTH, "buster@example.org")
        patient.assert_accessible("patient home")

        # The patient invites a caregiver: see the record only, confirmed by a code read aloud.
        link_text(patient, "Who can act for this patient")
        patient.assert_accessible("who can act for me")
        link_text(patient, "Invite someone")
        patient.assert_accessible("invite form")
        patient.fill("name", "Sam Carer")
        patient.fill("email", CARER)
        for box in patient.driver.find_elements(By.CSS_SELECTOR, "input[name=scopes]"):
            if box.is_selected() != (box.get_attribute("value") == "see-record"):
                box.click()
        patient.submit()
        assert "Invitation sent" in patient.driver.page_source, "the invitation was not sent"
        patient.assert_accessible("invitation sent")
        proxy_code = re.search(r"not by email: ([0-9A-Z]{4}-[0-9A-Z]{4})", patient.driver.page_source).group(1)
        mail = site.cli("outbox")
        link = re.search(r"To: " + re.escape(CARER) + r"[\s\S]*?(http://\S+/proxy-invitations/\S+)", mail).group(1)
        link = site.base + link[link.index("/proxy-invitations/"):]

        # The caregiver, in their own browser: the invitation, a new account, the code, the terms.
        carer = Browser()
        carer.driver.get(link)
        assert "Proxy access to" in carer.driver.page_source, "the invitation did not open"
        carer.assert_accessible("invitation (signed out)")
        link_text(carer, "Create an account")
        carer.assert_accessible("proxy sign-up")
        carer.fill("name", "Sam Carer")
        carer.fill("password", PASSWORD)
        carer.submit()
        carer.assert_accessible("sign in to accept")
        carer.fill("email", CARER)
        carer.fill("password", PASSWORD)
        carer.submit()
        assert "I agree to these terms" in carer.driver.page_source, "signing in did not come back to the invitation"
        carer.assert_accessible("invitation (signed in)")
        carer.fill("code", proxy_code)
        carer.driver.find_element(By.ID, "field-agree").click()
        carer.submit()
        assert "Viewing the record of" in carer.driver.page_source, "the caregiver did not land on the record"
        carer.assert_accessible("the record as a proxy")
        assert carer.width_at(360) <= 360, "the proxy's record page is wider than a phone"
        carer.driver.set_window_size(1100, 900)
        link_text(carer, "All test results")
        carer.assert_accessible("results as a proxy")
        first = carer.driver.find_elements(By.CSS_SELECTOR, "main table a")[0]
        carer.click(By.CSS_SELECTOR, "main table a")
        carer.assert_accessible("one result as a proxy")
        result_page = carer.driver.current_url

        # The patient sees that access, with the grant named, and ends it.
        patient.driver.get(site.base + "/")
        link_text(patient, "Who has seen this record")
        text = patient.driver.find_element(By.TAG_NAME, "main").text
        assert "Sam Carer, proxy" in text and "Proxy access (caregiver" in text, "the proxy's access is not in the history"
        patient.assert_accessible("who has seen my record")
        patient.driver.get(site.base + "/")
        link_text(patient, "Who can act for this patient")
        patient.click(By.XPATH, "//button[contains(., 'End Sam Carer')]")
        assert "Their next request for this record will be refused" in patient.driver.page_source
        patient.assert_accessible("after ending the access")

        # The caregiver's next click is refused, and they are still signed in to their own account.
        carer.driver.get(result_page)
        assert "Viewing the record of" not in carer.driver.page_source, "the ended grant still opened the record"
        carer.assert_accessible("refused")
        carer.driver.get(site.base + "/records")
        assert "Records you can open" in carer.driver.page_source
        carer.assert_accessible("records you can open")
        carer.screenshot("proxy-records.png")
    except Exception:
        for browser, name in ((patient, "proxy-patient-failure"), (carer, "proxy-carer-failure")):
            if browser:
                browser.save_failure(name)
        raise
    finally:
        for browser in (patient, carer):
            if browser:
                browser.quit()
        site.stop()
    print("browser: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
