"""Browser test: patients whose records came from other systems as FHIR bundles (a Synthea record,
and the US Core test patient with most resource types) read every part of them on a 360-pixel
phone. Every section, visit, result history and the first items of each fit the screen, pass axe-core's
WCAG 2.1 A/AA checks, and none reads like machine output: SNOMED semantic tags, LOINC properties, machine-precision numbers, UCUM codes
as units.

Usage: test_record_pages.py PATH/TO/carevault
"""
import os, re, sys

from selenium.webdriver.common.by import By

from support import FIXTURES, Browser, Site

BINARY = sys.argv[1]
PATIENTS = [  # bundle, MRN, birth date
    ("synthea-buster-hoeger.json", "ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423", "1988-03-16"),
    ("inferno-us-quality-core-bundle.json", "12345", "1974-12-25"),
]
MACHINE_WORDS = [
    (re.compile(r"\((disorder|finding|procedure|situation|observable entity|regime/therapy)\)"), "a SNOMED semantic tag"),
    (re.compile(r"\d+\.\d{5,}"), "a machine-precision number"),
    (re.compile(r"mm\[Hg\]|\[lb_av\]|\[in_i\]|10\*\d+/u?L|kg/m2\b|\{beats\}"), "a UCUM code as a unit"),
    (re.compile(r"\[(#/volume|Mass/volume|Moles/volume|Entitic [a-z]+|Volume Fraction|Score|Ratio|Percentile|Presence)\]"),
     "a LOINC property"),
]
DOWNLOADS = (".pdf", ".csv", ".zip", "$everything", "/files/", "/fhir/")


def check(browser, label):
    """The page reads plainly and fits a 360-pixel screen."""
    text = browser.driver.find_element(By.TAG_NAME, "main").text
    # The lab's own name for a test is shown on purpose, labelled, beside the plain one.
    text = re.sub(r"(Name in the record|Named in the lab's record):?\s*[^\n]*", "", text)
    for pattern, what in MACHINE_WORDS:
        found = pattern.search(text)
        assert not found, f"{label} shows {what}: {found.group(0)!r}"
    browser.assert_accessible(label)
    width = browser.width_at(360)
    assert width <= 360, f"{label} is {width}px wide at a 360px viewport"
    # Results and readings tables read as one card per row on a phone: no value scrolled out of sight.
    hidden = browser.driver.execute_script(
        "return [...document.querySelectorAll('main table.stack td')].filter(td => td.getBoundingClientRect().right > 361).length")
    assert hidden == 0, f"{label} has {hidden} table cells beyond a 360px screen"
    if label.endswith("/results") or label == "home":
        assert browser.driver.find_elements(By.CSS_SELECTOR, "main table.stack td"), f"{label} has no results table to read as cards"
    browser.driver.set_window_size(1100, 900)


def links(browser, css, prefix):
    found = []
    for a in browser.driver.find_elements(By.CSS_SELECTOR, css):
        href = a.get_attribute("href") or ""
        if href.startswith(prefix) and not any(part in href for part in DOWNLOADS) and href not in found:
            found.append(href)
    return found


def walk(browser, site, home):
    """Home, every list it links to, and the first three items of each; returns the pages checked."""
    d = browser.driver
    d.get(home)
    check(browser, "home")
    patient_pages = site.base + "/patients/"
    checked = 1
    for section in links(browser, "main a", patient_pages):
        d.get(section)
        label = section.replace(site.base, "")
        check(browser, label)
        checked += 1
        for item in links(browser, "main table a, main ul a", patient_pages)[:3]:
            d.get(item)
            check(browser, item.replace(site.base, ""))
            checked += 1
    return checked


def main():
    site = Site(BINARY)
    browser = None
    passed = 0
    try:
        for bundle, _, _ in PATIENTS:
            site.cli("import", os.path.join(FIXTURES, bundle))
        site.start()
        browser = Browser()
        for bundle, mrn, birth in PATIENTS:
            code = re.search(r"Activation code: (\S+)", site.cli("patient", "code", "--mrn", mrn)).group(1)
            browser.driver.delete_all_cookies()
            browser.register_and_sign_in(site, code, birth, f"{mrn[:8]}@example.org")
            checked = walk(browser, site, browser.driver.current_url)
            assert checked >= 20, f"{bundle}: only {checked} pages reached"
            browser.screenshot(f"record-{mrn[:8]}-home.png")
            passed += 1
    except Exception:
        if browser:
            browser.save_failure("record-pages-failure")
        raise
    finally:
        if browser:
            browser.quit()
        site.stop()
    print(f"browser: {passed} passed, 0 failed")


if __name__ == "__main__":
    main()
