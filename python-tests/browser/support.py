"""What the browser tests share: a CareVault server on a free port with its own data folder, headless
Chromium, and the steps a person takes (fill a labelled field, submit, follow a link)."""
import base64, hashlib, hmac, importlib.util, os, shutil, socket, struct, subprocess, tempfile, time, urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "artifacts", "browser")
FIXTURES = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "CareVaultServerTests", "Fixtures"))
PASSWORD = "violet lantern quietly hums"
# axe-core from PyPI's axe-core-python (pip install axe-core-python): the script only, run in the page by WebDriver.
AXE_SOURCE = open(os.path.join(os.path.dirname(importlib.util.find_spec("axe_core_python").origin), "axe.min.js")).read()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def totp(secret_b32, at):
    key = base64.b32decode(secret_b32.replace(" ", "") + "=" * (-len(secret_b32.replace(" ", "")) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1_000_000)


class Site:
    """A server with a fresh data folder (SQLite), and the CLI against the same folder."""

    def __init__(self, binary):
        self.binary = binary
        self.data = tempfile.mkdtemp(prefix="carevault-browser-")
        self.env = dict(os.environ, CAREVAULT_DATA_DIR=self.data)
        self.env.pop("DATABASE_URL", None)
        self.server = None

    def cli(self, *arguments):
        return subprocess.run([self.binary, *arguments], env=self.env, capture_output=True, text=True, check=True).stdout

    def start(self):
        port = free_port()
        self.server = subprocess.Popen([self.binary, "--port", str(port)], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/health", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("server did not start")

    def stop(self):
        if self.server:
            self.server.terminate()
            self.server.wait(timeout=20)
        shutil.rmtree(self.data, ignore_errors=True)


class Browser:
    """Headless Chromium driven as a person would: through labelled fields and visible links."""

    def __init__(self):
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-extensions",
                    "--window-size=1100,1000"):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
        os.makedirs(ARTIFACTS, exist_ok=True)

    def fill(self, name, value):
        field = self.driver.find_element(By.NAME, name)
        label = self.driver.find_element(By.CSS_SELECTOR, f"label[for='{field.get_attribute('id')}']")
        assert label.text.strip(), f"field {name} has no label"
        field.clear()
        field.send_keys(value)

    def submit(self):
        self._wait_for_new_page(lambda: self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click())

    def click(self, by, value):
        self._wait_for_new_page(lambda: self.driver.find_element(by, value).click())

    def _wait_for_new_page(self, action):
        old = self.driver.find_element(By.TAG_NAME, "html")
        action()
        WebDriverWait(self.driver, 15).until(lambda d: old != d.find_element(By.TAG_NAME, "html"))

    def width_at(self, pixels):
        """The page's width with the window `pixels` wide."""
        self.driver.set_window_size(pixels, 900)
        return self.driver.execute_script("return document.documentElement.scrollWidth")

    def overflowing(self, pixels):
        """The innermost elements that reach past `pixels` (for a failure message)."""
        return self.driver.execute_script(
            "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > arguments[0] + 1"
            " && ![...e.children].some(c => c.getBoundingClientRect().right > arguments[0] + 1))"
            ".slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' “' + e.textContent.trim().slice(0, 40) + '”')",
            pixels)

    def accessibility_problems(self):
        """What axe-core (the engine behind Lighthouse and most accessibility audits) finds against WCAG 2.1
        A and AA on the page as shown, one line per rule and element. Injected by WebDriver, so the
        site's script-free Content-Security-Policy stays as it is."""
        self.driver.execute_script(AXE_SOURCE + "\nreturn true;")
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
            ".then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' – ' + v.nodes.map(n => n.target.join(' ')).join(', '))))"
            ".catch(e => done(['axe failed: ' + e]));")
        return result

    def assert_accessible(self, label):
        """Fails, naming the page and each problem, unless the page passes axe-core's WCAG 2.1 A/AA checks."""
        problems = self.accessibility_problems()
        assert not problems, f"{label} fails accessibility checks:\n  " + "\n  ".join(problems)

    def screenshot(self, name):
        self.driver.save_screenshot(os.path.join(ARTIFACTS, name))

    def save_failure(self, name="failure"):
        try:
            self.screenshot(name + ".png")
            with open(os.path.join(ARTIFACTS, name + ".html"), "w") as f:
                f.write(self.driver.page_source)
        except Exception:
            pass  # the browser itself is gone; the original error says why

    def quit(self):
        self.driver.quit()

    def register_and_sign_in(self, site, code, birth_date, email):
        """Signs up with an activation code and signs in (no second factor yet); ends on the patient's home page."""
        d = self.driver
        d.get(site.base + "/register/code")
        self.fill("code", code)
        self.fill("birthDate", birth_date)
        self.fill("email", email)
        self.fill("password", PASSWORD)
        self.submit()
        assert "Your account is ready" in d.page_source, "registration did not finish"
        self.fill("email", email)
        self.fill("password", PASSWORD)
        self.submit()

    def sign_in(self, site, email):
        """Signs in again with the password alone (an account without a second factor)."""
        self.driver.delete_all_cookies()
        self.driver.get(site.base + "/signin")
        self.fill("email", email)
        self.fill("password", PASSWORD)
        self.submit()
