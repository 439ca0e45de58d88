"""Browser test: sharing with a specialist, as two people do it. A patient shares a visit with
everything recorded at it (its documents too), checks the preview, and gets a link and an access code;
the doctor opens the link in their own browser, enters the code, reads the visit's items and
downloads the summary; the patient sees that access in "Who has seen my record" and ends the share;
the doctor's next click shows that it ended. Every page passes axe-core's WCAG 2.1 A/AA checks.

Usage: test_share_flow.py PATH/TO/carevault
"""
import os, re, sys, urllib.request

from selenium.webdriver.common.by import By

from support import FIXTURES, Browser, Site

BINARY = sys.argv[1]
BUNDLE, MRN, BIRTH = "synthea-buster-hoeger.json", "ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423", "1988-03-16"


def link_text(browser, text):
    """Follows the link in the page's main content whose text contains `text`."""
    browser.click(By.XPATH, f"//main//a[contains(normalize-space(.), '{text}')]")


def main():
    site = Site(BINARY)
    patient = doctor = None
    try:
        site.cli("import", os.path.join(FIXTURES, BUNDLE))
        site.start()
        code = re.search(r"Activation code: (\S+)", site.cli("patient", "code", "--mrn", MRN)).group(1)
        patient = Browser()
        patient.register_and_sign_in(site, code, BIRTH, "buster@example.org")

        # The patient chooses a visit, names who it is for, and checks the preview.
        link_text(patient, "Share records with a doctor")
        patient.assert_accessible("your shares (empty)")
        link_text(patient, "Share records")
        patient.assert_accessible("share form")
        patient.driver.find_element(By.CSS_SELECTOR, "input[name=visit]").click()
        patient.fill("label", "For Dr Okafor, cardiology")
        patient.submit()
        text = patient.driver.find_element(By.TAG_NAME, "main").text
        assert "Check what" in text and "Visits" in text, "the preview did not show the visit"
        patient.assert_accessible("share preview")
        patient.submit()
        assert "Your share is ready" in patient.driver.page_source, "the share was not made"
        patient.assert_accessible("share made")
        secrets = patient.driver.find_elements(By.CSS_SELECTOR, "code.secret")
        link, share_code = secrets[0].text, secrets[1].text
        assert "/s/" in link and re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", share_code), "no link and code"

        # The doctor, in their own browser and with no account: the link, the code, the records.
        doctor = Browser()
        doctor.driver.get(site.base + link[link.index("/s/"):])
        doctor.assert_accessible("share code form")
        doctor.fill("code", "WRNG-0000")
        doctor.submit()
        assert "That code does not match" in doctor.driver.page_source
        doctor.assert_accessible("wrong code")
        doctor.fill("code", share_code)
        doctor.submit()
        text = doctor.driver.find_element(By.TAG_NAME, "main").text
        assert "Health records of" in text and "For Dr Okafor, cardiology" in text, "the shared records did not open"
        doctor.assert_accessible("shared records")
        assert doctor.width_at(360) <= 360, "the shared records page is wider than a phone"
        doctor.driver.set_window_size(1100, 900)
        doctor.click(By.CSS_SELECTOR, "main table a")
        doctor.assert_accessible("one shared item")
        item_page = doctor.driver.current_url
        doctor.driver.back()
        # The summary downloads (with the doctor's session cookie), as a PDF.
        pdf = doctor.driver.find_element(By.XPATH, "//main//a[contains(., 'as a PDF')]").get_attribute("href")
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in doctor.driver.get_cookies())
        with urllib.request.urlopen(urllib.request.Request(pdf, headers={"Cookie": cookie})) as response:
            assert response.read(4) == b"%PDF", "the summary is not a PDF"

        # The patient sees that access, with the share named, and ends the share.
        patient.driver.get(site.base + "/")
        link_text(patient, "Who has seen this record")
        text = patient.driver.find_element(By.TAG_NAME, "main").text
        assert "Someone with “For Dr Okafor, cardiology”" in text and "Share link “For Dr Okafor, cardiology”" in text, \
            "the share's access is not in the history"
        patient.assert_accessible("who has seen my record (share)")
        patient.driver.get(site.base + "/")
        link_text(patient, "Share records with a doctor")
        assert "Opened once" in patient.driver.page_source
        patient.assert_accessible("your shares")
        patient.click(By.XPATH, "//button[contains(., 'End this share now')]")
        assert "The share was ended" in patient.driver.page_source
        patient.assert_accessible("after ending the share")

        # The doctor's next click shows that the share ended, and nothing of the record.
        doctor.driver.get(item_page)
        assert "This share has ended" in doctor.driver.page_source, "the ended share still opened"
        doctor.assert_accessible("share ended")
    except Exception:
        for browser, name in ((patient, "share-patient-failure"), (doctor, "share-doctor-failure")):
            if browser:
                browser.save_failure(name)
        raise
    finally:
        for browser in (patient, doctor):
            if browser:
                browser.quit()
        site.stop()
    print("browser: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
