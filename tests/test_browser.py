"""In a real browser (Debian's Chromium, driven by Selenium): the course website and the notebook widgets.

(a) The tiny course website (``site_fixture``) opened from disk: every page shows its figures (images loaded,
    naturalWidth > 0) and its math (MathJax output, no raw ``$...$`` left), loads nothing from the network,
    and the table of contents, "next" link and search work. Screenshots go to ``<tmp_path>/screenshots``.
(b) JupyterLab on a loopback port with a token runs a small notebook that shows
    ``fcn_course.widgets.prediction_explorer`` and ``dataset_browser`` as real widgets (FCN_COURSE_STATIC
    unset); moving the explorer's dropdown and slider must change the picture it displays.

Marked ``browser``: about 1 minute in all on 2 cores. They need ``selenium`` and ``jupyterlab`` (the ``dev``
extra), Sphinx (the ``instructor`` extra) and Debian's Chromium with its driver (``.ci/run`` installs them);
without them they are skipped with the reason. Screenshots: ``<basetemp>/screenshots*/`` (printed; run
pytest with ``-s --basetemp=DIR`` to keep them in DIR).
"""

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOW_TO_GET_CHROMIUM = (
    "Chromium is missing: on Debian/Ubuntu run `apt-get install -y chromium chromium-driver` "
    "(.ci/run does it in CI), then rerun the tests"
)

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is missing: pip install -e \".[dev]\"")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from tiny_course import REPO_ROOT  # noqa: E402

RAW_MATH = re.compile(r"\$[^$\n]{1,80}\$")


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip(HOW_TO_GET_CHROMIUM)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        "--allow-file-access-from-files",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots in {folder}")
    return folder


# --------------------------------------------------------------------------------------------------
# (a) the website
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("sphinx", reason="the website needs the instructor extra: pip install -e \".[instructor]\"")
    from site_fixture import tiny_site

    return tiny_site(tmp_path_factory.mktemp("tiny_site"))["site"]


def typeset_math(driver, timeout=30) -> int:
    """Wait until MathJax 2 has typeset every formula of the page; returns how many it drew."""
    count = (
        "return [document.querySelectorAll('script[type^=\"math/tex\"]').length,"
        " document.querySelectorAll('.MathJax, .MathJax_SVG').length,"
        " document.querySelectorAll('.MathJax_Error, .merror').length]"
    )
    WebDriverWait(driver, timeout).until(lambda d: 0 < d.execute_script(count)[0] == d.execute_script(count)[1])
    sources, drawn, errors = driver.execute_script(count)
    assert errors == 0, "MathJax reports errors"
    return drawn


def images_state(driver):
    return driver.execute_script(
        "return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]);"
    )


def remote_requests(driver):
    return driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith('file:') && !n.startsWith('data:') && !n.startsWith('blob:'));"
    )


@pytest.mark.parametrize("page", ["index.html", "notebooks/01_demo.html", "notebooks/02_demo.html"])
def test_site_page_renders_figures_and_math_offline(browser, site, screenshots, page):
    browser.get((site / page).as_uri())
    if page.startswith("notebooks/"):
        assert typeset_math(browser) > 0
        images = images_state(browser)
        assert images, "no figure on a page whose notebook draws one"
        broken = [src for src, complete, width in images if not complete or width == 0]
        assert not broken, f"images not loaded: {broken}"
    text = browser.find_element(By.CSS_SELECTOR, "article, main, body").text
    assert not RAW_MATH.findall(text), f"raw TeX left in {page}: {RAW_MATH.findall(text)[:3]}"
    assert not remote_requests(browser), f"{page} fetched {remote_requests(browser)}"
    shot = screenshots / (page.replace("/", "_").replace(".html", ".png"))
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_long_code_lines_wrap_instead_of_being_cut_off(browser, site):
    browser.get((site / "notebooks/01_demo.html").as_uri())
    blocks = browser.find_elements(By.CSS_SELECTOR, "div.highlight pre")
    assert any("quadrado do raio" in block.text for block in blocks)
    cut = [
        block.text[:60]
        for block in blocks
        if browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth + 1", block)
    ]
    assert not cut, f"code blocks wider than the page: {cut}"


def test_html_copy_of_the_main_job_renders_math_offline(browser, site, screenshots):
    run = site.parent  # the run folder: executed notebooks, their HTML copies and mathjax/
    browser.get((run / "01_demo.html").as_uri())
    assert typeset_math(browser) > 0
    assert not RAW_MATH.findall(browser.find_element(By.TAG_NAME, "body").text)
    assert not remote_requests(browser)
    browser.save_screenshot(str(screenshots / "html-copy-01_demo.png"))


def test_site_navigation_and_search(browser, site, screenshots):
    browser.get((site / "index.html").as_uri())
    browser.find_element(By.PARTIAL_LINK_TEXT, "02 · Tensores").click()
    WebDriverWait(browser, 20).until(lambda d: d.current_url.endswith("notebooks/02_demo.html"))
    assert "02 · Tensores" in browser.title
    previous = browser.find_element(By.CSS_SELECTOR, "a.left-prev")  # the theme's "previous page" link
    previous.click()
    WebDriverWait(browser, 20).until(lambda d: d.current_url.endswith("notebooks/01_demo.html"))
    browser.get((site / "search.html").as_uri() + "?q=gradiente")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li a"))
    results = [link.get_attribute("href") for link in browser.find_elements(By.CSS_SELECTOR, "#search-results li a")]
    assert any("02_demo" in href for href in results), results
    browser.save_screenshot(str(screenshots / "search.png"))


def test_language_switch_leads_to_the_same_page_in_english_and_back(browser, tmp_path_factory, screenshots):
    pytest.importorskip("sphinx", reason="the website needs the instructor extra: pip install -e \".[instructor]\"")
    from site_fixture import bilingual_site

    site = bilingual_site(tmp_path_factory.mktemp("bilingual_site"))["site"]
    browser.get((site / "notebooks" / "01_demo.html").as_uri())
    browser.find_element(By.CSS_SELECTOR, "p.language-switch a[hreflang='en']").click()
    WebDriverWait(browser, 20).until(lambda d: d.current_url.endswith("/en/notebooks/01_demo.html"))
    assert "01 · Circles" in browser.title
    assert not remote_requests(browser)
    browser.save_screenshot(str(screenshots / "en-01_demo.png"))
    browser.find_element(By.CSS_SELECTOR, "p.language-switch a[hreflang='pt-BR']").click()
    WebDriverWait(browser, 20).until(lambda d: d.current_url.endswith("/site/notebooks/01_demo.html"))
    assert "01 · Círculos" in browser.title


# --------------------------------------------------------------------------------------------------
# (b) the widgets in JupyterLab
# --------------------------------------------------------------------------------------------------
WIDGET_NOTEBOOK = '''
# %%
import numpy as np
import torch

from fcn_course.widgets import dataset_browser, prediction_explorer


class TinySet(torch.utils.data.Dataset):
    """Four random 48x64 images with a label of three classes."""

    classes = ("background", "bus", "person")

    def __init__(self):
        generator = torch.Generator().manual_seed(0)
        self.images = torch.randn(4, 3, 48, 64, generator=generator)
        self.labels = torch.randint(0, 3, (4, 48, 64), generator=generator)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return self.images[index], self.labels[index]


def tiny_model(seed):
    torch.manual_seed(seed)
    return torch.nn.Conv2d(3, 3, kernel_size=1)


dataset = TinySet()
explorer = prediction_explorer({"modelo-a": tiny_model(1), "modelo-b": tiny_model(2)}, dataset)
explorer

# %%
dataset_browser(dataset)
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="JupyterLab is missing: pip install -e \".[dev]\"")
    import jupytext

    root = tmp_path_factory.mktemp("lab")
    notebook = jupytext.reads(WIDGET_NOTEBOOK.strip() + "\n", fmt="py:percent")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    jupytext.write(notebook, root / "widgets.ipynb")
    port, token = free_port(), hashlib.sha256(os.urandom(16)).hexdigest()[:32]
    env = {key: value for key, value in os.environ.items() if key != "FCN_COURSE_STATIC"}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        JUPYTER_CONFIG_DIR=str(root / ".config"),
        JUPYTER_RUNTIME_DIR=str(root / ".runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(root / ".workspaces"),
    )
    log = open(root / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.port_retries=0",
            "--allow-root",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert server.poll() is None, (root / "jupyterlab.log").read_text()
        time.sleep(0.5)
    yield url, token, root
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def explorer_picture(driver) -> str:
    """A hash of the pixels the explorer's image shows (its <img> drawn onto a canvas)."""
    return driver.execute_script("""
        const img = document.querySelectorAll('.jp-OutputArea img.widget-image')[0];
        if (!img || !img.complete || img.naturalWidth === 0) return null;
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        canvas.getContext('2d').drawImage(img, 0, 0);
        return canvas.toDataURL('image/png');""")


def accept_dialogs(driver, settle=3.0):
    """Accept the dialogs JupyterLab may open at start (kernel choice...), printing what they said."""
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        dialogs = driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog")
        if dialogs:
            print("JupyterLab dialog:", dialogs[0].text.replace("\n", " | "))
            dialogs[0].find_element(By.CSS_SELECTOR, ".jp-Dialog-button.jp-mod-accept").click()
            deadline = time.monotonic() + settle
        time.sleep(0.5)


def test_prediction_explorer_redraws_when_moved_in_jupyterlab(browser, jupyterlab, screenshots):
    url, token, root = jupyterlab
    browser.get(f"{url}/lab/tree/widgets.ipynb?token={token}")
    wait = WebDriverWait(browser, 90)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell"))
    wait.until(
        lambda d: (
            "Idle" in d.find_element(By.CSS_SELECTOR, "body").get_attribute("innerHTML")
            or d.find_elements(By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator[data-status='idle']")
        )
    )
    accept_dialogs(browser)
    browser.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell .jp-InputArea-editor")[0].click()
    cells = len(browser.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell"))
    for _ in range(cells):  # run every cell, as a student would
        ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
        time.sleep(0.5)
    try:
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea img.widget-image")) >= 2)
    finally:
        browser.save_screenshot(str(screenshots / "jupyterlab-run.png"))
    wait.until(lambda d: explorer_picture(d) is not None)
    before = explorer_picture(browser)
    browser.save_screenshot(str(screenshots / "jupyterlab-before.png"))

    dropdown = Select(browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea .widget-dropdown select")[0])
    assert [option.text for option in dropdown.options] == ["modelo-a", "modelo-b"]
    dropdown.select_by_visible_text("modelo-b")
    wait.until(lambda d: explorer_picture(d) not in (None, before))
    after_dropdown = explorer_picture(browser)

    slider = browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea .widget-slider .noUi-handle")[0]
    slider.click()
    slider.send_keys(Keys.ARROW_RIGHT)
    wait.until(lambda d: explorer_picture(d) not in (None, after_dropdown))
    readout = browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea .widget-readout")[0].text
    assert readout.strip() != "0"
    browser.save_screenshot(str(screenshots / "jupyterlab-after.png"))
