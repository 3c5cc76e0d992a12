"""The claims report in a real browser: headless Chromium (Debian's chromium and chromium-driver).

.ci/run installs both; on a machine without them this module is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not try to download anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_claims_page_lists_every_claim_and_filters(browser, real_chain, tmp_path):
    from PIL import Image
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    rows = json.loads((real_chain / "build/claims.json").read_text())["claims"]
    browser.get((real_chain / "build/claims.html").as_uri())
    shown = browser.find_elements(By.CSS_SELECTOR, "#claims > tbody > tr")
    assert len(shown) == len(rows)

    Select(browser.find_element(By.ID, "filter-verdict")).select_by_value("reproduced")
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "#claims > tbody > tr") if r.is_displayed()]
    expected = sum(r["verdict"] == "reproduced" for r in rows)
    assert len(visible) == expected > 0
    assert browser.find_element(By.ID, "shown").text == f"{expected} of {len(rows)} claims"

    Select(browser.find_element(By.ID, "filter-section")).select_by_value("7")
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "#claims > tbody > tr") if r.is_displayed()]
    assert all(r.get_attribute("data-section") == "7" and r.get_attribute("data-verdict") == "reproduced" for r in visible)
    Select(browser.find_element(By.ID, "filter-verdict")).select_by_value("")
    Select(browser.find_element(By.ID, "filter-section")).select_by_value("")
    Select(browser.find_element(By.ID, "filter-basis")).select_by_value("the article's own figures")
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "#claims > tbody > tr") if r.is_displayed()]
    assert len(visible) == sum(r["basis"] == "the article's own figures" for r in rows) > 0
    assert "basis=the+article" in browser.current_url, "filters are kept in the URL"
    browser.get(browser.current_url)  # a reloaded link keeps the filter
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "#claims > tbody > tr") if r.is_displayed()]
    assert len(visible) == sum(r["basis"] == "the article's own figures" for r in rows)
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1400, f"the page is {width} px wide in a 1,400 px window"

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []

    shot = tmp_path / "claims.png"
    browser.save_screenshot(str(shot))
    image = Image.open(shot).convert("L")
    low, high = image.getextrema()
    assert high - low > 100, "the screenshot is blank"


def test_every_link_of_the_page_resolves(browser, real_chain):
    from urllib.parse import unquote, urlparse

    from selenium.webdriver.common.by import By

    browser.get((real_chain / "build/claims.html").as_uri())
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#claims a")]
    assert any("notebooks/" in link for link in links) and any(link.endswith(".png") for link in links)
    for link in set(links):
        if urlparse(link).path != urlparse(browser.current_url).path:  # permalinks stay on the page
            assert os.path.isfile(unquote(urlparse(link).path)), link
    notebook = next(link for link in links if "literature_shares.html" in link)
    browser.get(notebook)
    assert "Chinese literature" in browser.page_source
    claim = next(r for r in json.loads((real_chain / "build/claims.json").read_text())["claims"] if r["step"] == "timeline")
    cell = next(link for link in links if link.endswith(f"timeline.html#claim-{claim['id']}"))
    browser.get(cell)  # the 'notebook cell' link lands on the claim, not at the top of the notebook
    top = browser.execute_script("var a = document.getElementById(arguments[0]); return a && a.getBoundingClientRect().top;",
                                 f"claim-{claim['id']}")
    assert top is not None and -5 <= top < browser.execute_script("return window.innerHeight") - 40
    assert browser.execute_script("return window.scrollY") > 0


def test_start_page_links_the_report_every_notebook_figure_and_the_paper(browser, real_chain, tmp_path):
    from urllib.parse import unquote, urlparse

    from PIL import Image
    from selenium.webdriver.common.by import By

    from scs_compendium.engine.spec import load_pipeline
    from scs_compendium.outputs import paper
    from scs_compendium.outputs.landing import write_index

    paper.build(real_chain, log=lambda _: None)  # a no-op when an earlier test built it; it rewrites the page
    index = write_index(real_chain)
    browser.get_log("browser")  # forget what earlier pages (executed notebooks, offline) logged
    browser.get(index.as_uri())
    links = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a")}
    for link in links:
        assert os.path.isfile(unquote(urlparse(link).path)), link
    files = {unquote(urlparse(link).path) for link in links}
    pipeline = load_pipeline(real_chain)
    for name, step in pipeline.steps.items():
        assert str(real_chain / f"build/notebooks/{name}.html") in files, name
        for stem in step.figures:
            assert str(real_chain / f"figures/{stem}.png") in files, stem
            caption = browser.find_element(By.CSS_SELECTOR, f"#step-{name} .figures").text
            assert f"{stem}.png" in caption and name in caption
    for fmt in ("html", "pdf", "docx"):
        assert str(real_chain / f"paper/_build/paper.{fmt}") in files
    assert str(real_chain / "build/claims.html") in files
    assert browser.find_element(By.ID, "commit").text and browser.find_element(By.ID, "generated").text
    images = browser.find_elements(By.CSS_SELECTOR, ".figures img")
    assert images and all(browser.execute_script("return arguments[0].naturalWidth", img) > 0 for img in images)
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1400, f"the page is {width} px wide in a 1,400 px window"
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    shot = tmp_path / "index.png"
    browser.save_screenshot(str(shot))
    low, high = Image.open(shot).convert("L").getextrema()
    assert high - low > 100, "the screenshot is blank"

    claims = next(link for link in links if "claims.html?step=" in link)
    browser.get(claims)  # a step's link opens the report filtered to its claims
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "#claims > tbody > tr") if r.is_displayed()]
    step = claims.rsplit("=", 1)[1]
    assert visible and all(r.get_attribute("data-step") == step for r in visible)


def test_a_permalink_shows_its_claim_and_the_legend_filters(browser, real_chain):
    from selenium.webdriver.common.by import By

    rows = json.loads((real_chain / "build/claims.json").read_text())["claims"]
    target = next(r for r in rows if r["verdict"] == "not reproduced")
    page = (real_chain / "build/claims.html").as_uri()
    browser.get_log("browser")  # forget what earlier pages logged
    browser.get(f"{page}?verdict=reproduced#{target['id']}")  # the filter would hide it
    row = browser.find_element(By.ID, target["id"])
    assert row.is_displayed()
    assert row.find_element(By.TAG_NAME, "details").get_attribute("open") is not None
    assert browser.find_element(By.ID, "filter-verdict").get_attribute("value") == ""

    browser.get(page)
    browser.find_element(By.CSS_SELECTOR, '#verdict-counts tr[data-value="not reproduced"]').click()
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "#claims > tbody > tr") if r.is_displayed()]
    assert len(visible) == sum(r["verdict"] == "not reproduced" for r in rows) > 0
    assert "verdict=not+reproduced" in browser.current_url
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


FONT_STATUS = """
const done = arguments[arguments.length - 1];
document.querySelectorAll("details").forEach(d => { d.open = true; });  // quotes sit in folded details
document.fonts.ready.then(() => done({
  faces: [...document.fonts].filter(f => f.family.replace(/["']/g, "") === "SCS CJK").map(f => f.status),
  drawn: document.fonts.check('16px "SCS CJK"', "正在建设"),
}));
"""


def test_every_html_page_shows_chinese_in_the_projects_own_font(browser, real_chain):
    """No page relies on a CJK font of the machine: each carries the project's font as a web font and uses it."""
    import re

    from scs_compendium.outputs import paper

    paper.build(real_chain, formats=("html",), log=lambda _: None)
    notebooks = [p for p in sorted((real_chain / "build/notebooks").glob("*.html"))
                 if re.search(r"[\u4e00-\u9fff]", re.sub(r"<style.*?</style>", "", p.read_text(encoding="utf-8"), flags=re.S))]
    assert notebooks, "some notebook shows Chinese text"
    pages = [real_chain / "build/claims.html", real_chain / "paper/_build/paper.html", *notebooks]
    browser.set_script_timeout(60)
    for page in pages:
        browser.get(page.as_uri())
        status = browser.execute_async_script(FONT_STATUS)
        assert status["faces"] == ["loaded"] and status["drawn"], page.name  # one face, loaded for the page's CJK text
    browser.get((real_chain / "build/index.html").as_uri())
    assert browser.execute_async_script(FONT_STATUS)["faces"], "the start page declares the font too"


def test_a_permalink_lands_below_the_sticky_header(browser, real_chain):
    rows = json.loads((real_chain / "build/claims.json").read_text())["claims"]
    target = rows[len(rows) // 2]["id"]
    browser.get(f"{(real_chain / 'build/claims.html').as_uri()}#{target}")
    header, row = browser.execute_script(
        "return [document.querySelector('table.claims thead th').getBoundingClientRect().bottom,"
        " document.getElementById(arguments[0]).getBoundingClientRect().top];", target)
    assert row >= header - 1, (row, header)  # the claim's first line is not hidden under the header
