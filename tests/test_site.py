"""The course website and the HTML copies: offline math, no solution code for students, objectives, search.

Built from a tiny executed course (``site_fixture``); one test renders the real course notebooks as they are
committed (not executed: that would need the several-minute main job) to check them for solution lines.
The browser checks of the same site are in ``test_browser.py``.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("sphinx", reason="the website needs the instructor extra: pip install -e \".[dev,instructor]\"")

from fcn_course.instructor.markers import BEGIN_MARKER, END_MARKER  # noqa: E402
from fcn_course.instructor.pairs import language_folder  # noqa: E402
from fcn_course.instructor.site import (  # noqa: E402
    SWITCH_CLASS,
    SiteError,
    build_site,
    run_languages,
    site_layout,
    site_config,
    site_pages,
    solution_lines_in,
    switch_links,
    title_and_objectives,
)
from fcn_course.messages import DEFAULT_LANGUAGE, LANGUAGES, speaking, text  # noqa: E402
from fcn_course.outline import COURSE_NOTEBOOKS  # noqa: E402
from helpers import raised_in_each_language  # noqa: E402
from site_fixture import ANSWER_LINE, NAMES, SOLUTION_LINE, bilingual_site, tiny_site  # noqa: E402
from tiny_course import REPO_ROOT  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return tiny_site(tmp_path_factory.mktemp("tiny_site"))


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    return bilingual_site(tmp_path_factory.mktemp("bilingual_site"))


class _Page(HTMLParser):
    """Text and the URLs a page loads (scripts, stylesheets, images)."""

    def __init__(self):
        super().__init__()
        self.text, self.loads, self.lang, self.switch = [], [], None, []
        self._in_switch = False

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_switch = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p" and SWITCH_CLASS in (attrs.get("class") or "").split():
            self._in_switch = True
        if tag == "a" and self._in_switch:
            self.switch.append(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("script", "img") and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("rel") in ("stylesheet", "preload") and attrs.get("href"):
            self.loads.append(attrs["href"])

    def handle_data(self, data):
        self.text.append(data)


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.text = "".join(page.text)
    return page


@pytest.mark.kernel
@pytest.mark.subprocess
def test_html_copies_of_the_run_render_math_with_a_local_mathjax(built):
    for name in NAMES:
        page = read_page(built["run"] / f"{name}.html")
        mathjax = [url for url in page.loads if "MathJax.js" in url]
        assert mathjax and all(url.startswith("mathjax/") for url in mathjax), page.loads
        assert not [url for url in page.loads if re.match(r"(https?:)?//", url)], "loads something remote"
    assert (built["run"] / "mathjax" / "MathJax.js").is_file()


@pytest.mark.kernel
@pytest.mark.subprocess
def test_student_site_shows_outputs_and_stubs_but_no_solution(built):
    site = built["site"]
    page = read_page(site / "notebooks" / "01_demo.html")
    assert "raise NotImplementedError" in page.text  # the stub students write
    assert SOLUTION_LINE not in page.text and "math.pi * r" not in page.text
    assert ANSWER_LINE not in page.text and "Escreva sua resposta aqui" in page.text
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert BEGIN_MARKER not in text and END_MARKER not in text, html
        assert SOLUTION_LINE not in text, html
    figures = [url for url in page.loads if "_images/" in url]
    assert figures and all((html_dir := site / "notebooks", (html_dir / url).resolve().is_file())[1] for url in figures)


@pytest.mark.kernel
@pytest.mark.subprocess
def test_site_pages_load_nothing_from_the_internet(built, bilingual):
    for site in (built["site"], built["instructor_site"], bilingual["site"], bilingual["site"] / "en"):
        for html in site.rglob("*.html"):
            page = read_page(html)
            remote = [url for url in page.loads if re.match(r"(https?:)?//", url)]
            assert not remote, f"{html} loads {remote}"
            if html.parent.name == "notebooks" and html.stem != "referencia":  # the pages with math (the reference
                # page beside them writes its formulas in plain text)
                assert any("mathjax/MathJax.js" in url for url in page.loads), html
        assert (site / "_static" / "mathjax" / "MathJax.js").is_file()


@pytest.mark.kernel
@pytest.mark.subprocess
def test_landing_page_lists_each_notebook_with_its_learning_objectives(built):
    index = read_page(built["site"] / "index.html")
    assert index.lang and index.lang.replace("_", "-").lower() == "pt-br"
    assert "01 · Círculos" in index.text and "02 · Tensores" in index.text
    assert "desenhar a área em função do raio" in index.text
    assert "de raio" in index.text  # a continuation line of an objective is kept
    assert (built["site"] / "notebooks" / "02_demo.html").is_file()


@pytest.mark.kernel
@pytest.mark.subprocess
def test_site_shows_the_reference_page_next_to_the_notebooks_and_links_it(built):
    reference = read_page(built["site"] / "notebooks" / "referencia.html")
    assert "Glossário português ↔ inglês" in reference.text and "revocação" in reference.text
    index = (built["site"] / "index.html").read_text(encoding="utf-8")
    assert 'href="notebooks/referencia.html"' in index


@pytest.mark.kernel
@pytest.mark.subprocess
def test_site_has_a_portuguese_search_index(built):
    site = built["site"]
    assert (site / "search.html").is_file()
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    assert "gradient" in index  # "gradiente", stemmed by the Portuguese stemmer
    assert (site / "_static" / "portuguese-stemmer.js").is_file() or "portuguese" in (
        site / "_static" / "language_data.js"
    ).read_text(encoding="utf-8").lower()


@pytest.mark.kernel
@pytest.mark.subprocess
def test_instructor_site_holds_solutions_and_rubric_and_says_so(built):
    site = built["instructor_site"]
    page = read_page(site / "notebooks" / "01_demo.html")
    assert "math.pi * r" in page.text
    assert "versão do professor" in page.text.lower()
    rubric = read_page(site / "rubrica.html")
    assert "Rubrica" in rubric.text
    assert not (built["site"] / "rubrica.html").exists()


@pytest.mark.kernel
@pytest.mark.subprocess
def test_colab_badge_becomes_a_plain_link_in_the_site(built):
    text = (built["site"] / "notebooks" / "01_demo.html").read_text(encoding="utf-8")
    assert "colab-badge.svg" not in text and "Abrir no Colab" in text


@pytest.mark.kernel
@pytest.mark.subprocess
def test_site_refuses_to_replace_a_folder_it_did_not_build(built, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    with pytest.raises(SiteError, match="não foi feito pelo construtor do site"):
        build_site(built["repo"], built["run"], out_dir=mine, names=NAMES)
    assert (mine / "notes.txt").read_text() == "my notes"


@pytest.mark.kernel
@pytest.mark.subprocess
def test_student_pages_with_a_solution_line_are_refused(built):
    nb = nbformat.read(built["run"] / "01_demo.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(SOLUTION_LINE))  # a solution line outside any region
    assert solution_lines_in({"01_demo": nb}, built["repo"])
    with pytest.raises(SiteError, match="mostraria código das soluções"):
        site_pages(built["repo"], {"01_demo": nb}, instructor=False)


def test_real_course_notebooks_give_objectives_and_no_solution_line_to_students():
    """The real notebooks (committed, not executed): objectives found, student pages free of solutions."""
    notebooks = {
        name: nbformat.read(REPO_ROOT / "solutions" / "notebooks" / f"{name}.ipynb", as_version=4)
        for name in COURSE_NOTEBOOKS
    }
    for name, nb in notebooks.items():
        title, objectives = title_and_objectives(nb)
        assert title and title.startswith(name[:2]), (name, title)
        assert len(objectives) >= 3, (name, objectives)
    pages = site_pages(REPO_ROOT, notebooks, instructor=False)  # raises on a solution line
    assert not solution_lines_in(pages, REPO_ROOT)


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != DEFAULT_LANGUAGE])
def test_real_translated_notebooks_give_objectives_and_no_solution_line_to_students(language):
    """A translation's notebooks (once written by the build): the landing page finds their objectives by the
    catalogue's heading in that language, and their student pages hold no solution line."""
    folder = REPO_ROOT / "solutions" / "notebooks" / language
    paths = [folder / f"{name}.ipynb" for name in COURSE_NOTEBOOKS]
    if not all(path.is_file() for path in paths):
        pytest.skip(f"no {language} solution notebooks yet ({folder}): the translation is not finished")
    notebooks = {path.stem: nbformat.read(path, as_version=4) for path in paths}
    with speaking(language):
        for name, nb in notebooks.items():
            title, objectives = title_and_objectives(nb)
            heading = text("site.objectives_heading")
            assert title and title.startswith(name[:2]), (name, title)
            assert len(objectives) >= 3, f"{name}: no objectives under the heading {heading!r}"
        pages = site_pages(REPO_ROOT, notebooks, instructor=False)
    assert not solution_lines_in(pages, REPO_ROOT)


def test_pages_show_no_path_of_the_build_machine(tmp_path, monkeypatch):
    """Outputs printed by the main job name the home, data and run folders: the pages show them generically."""
    import nbformat

    from fcn_course.instructor.site import site_pages

    home, repo = tmp_path / "home" / "prof", tmp_path / "work" / "course"
    data = tmp_path / "elsewhere" / "voc-data"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("FCN_COURSE_DATA", str(data))
    cell = nbformat.v4.new_code_cell("print(args)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"dados em {data}/VOCdevkit\nrun: {repo}/runs/demo/a\n"),
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": f"PosixPath('{home}/fcn_course_data')"}, execution_count=1
        ),
        nbformat.v4.new_output("error", ename="OSError", evalue=f"{home}/x", traceback=[f"File {repo}/y.py"]),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), cell])
    for instructor in (False, True):
        page = site_pages(repo, {"01_x": nb}, instructor=instructor)["01_x"]
        shown = nbformat.writes(page)
        assert str(tmp_path) not in shown
        assert "$FCN_COURSE_DATA/VOCdevkit" in shown and "./runs/demo/a" in shown and "~/fcn_course_data" in shown


@pytest.mark.kernel
@pytest.mark.subprocess
@pytest.mark.safety
def test_rebuilding_a_site_keeps_the_files_a_person_put_beside_and_inside_it(built, tmp_path):
    """A folder with the site's marker (written by an older version) was emptied whole by the next build."""
    from fcn_course.instructor.site import SITE_MARK

    out = tmp_path / "site"
    out.mkdir()
    (out / SITE_MARK).write_text("built by an older version\n")
    (out / "my_notes.txt").write_text("notes of the instructor")
    build_site(built["repo"], built["run"], out_dir=out, names=NAMES)
    assert (out / "my_notes.txt").read_text() == "notes of the instructor"
    assert (out / "notebooks" / "01_demo.html").is_file()
    (out / "notebooks" / "comments.md").write_text("beside the pages")
    (out / "notebooks" / "01_demo.html").write_text("stale page of the previous build")
    build_site(built["repo"], built["run"], out_dir=out, names=NAMES)
    assert (out / "my_notes.txt").read_text() == "notes of the instructor"
    assert (out / "notebooks" / "comments.md").read_text() == "beside the pages"
    assert "stale page" not in (out / "notebooks" / "01_demo.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Languages: one Sphinx project per language of the run folder, a switch between them
# --------------------------------------------------------------------------------------------------
def _executed_course(folder: Path, names=NAMES) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        nbformat.write(nbformat.v4.new_notebook(), folder / f"{name}.ipynb")


def test_a_run_folder_holds_portuguese_at_its_root_and_each_other_language_in_its_folder(tmp_path):
    assert run_languages(tmp_path, NAMES) == []
    _executed_course(language_folder(tmp_path, "en"), NAMES[:1])  # English interrupted after one notebook
    assert run_languages(tmp_path, NAMES) == []
    _executed_course(language_folder(tmp_path, "en"))
    assert language_folder(tmp_path, "en") == tmp_path / "en" and run_languages(tmp_path, NAMES) == ["en"]
    _executed_course(language_folder(tmp_path, "pt_BR"))
    assert language_folder(tmp_path, "pt_BR") == tmp_path and run_languages(tmp_path, NAMES) == ["pt_BR", "en"]


def test_the_default_language_goes_at_the_site_root_and_the_others_in_their_folder():
    assert site_layout(["pt_BR", "en"]) == {"pt_BR": "", "en": "en/"}
    assert site_layout(["pt_BR"]) == {"pt_BR": ""}
    assert site_layout(["en"]) == {"en": ""}  # an English-only run: its site at the root, no empty root page


def test_the_switch_links_the_same_page_in_the_other_language_or_its_landing_page():
    layout = {"pt_BR": "", "en": "en/"}
    pages = {"pt_BR": {"index", "notebooks/01_demo"}, "en": {"index", "notebooks/01_demo", "notebooks/extra"}}
    assert switch_links("index", "pt_BR", layout, pages) == [("en", "en/index.html")]
    assert switch_links("notebooks/01_demo", "pt_BR", layout, pages) == [("en", "../en/notebooks/01_demo.html")]
    assert switch_links("notebooks/01_demo", "en", layout, pages) == [("pt_BR", "../../notebooks/01_demo.html")]
    assert switch_links("notebooks/extra", "en", layout, pages) == [("pt_BR", "../../index.html")]
    assert switch_links("index", "pt_BR", {"pt_BR": ""}, {"pt_BR": {"index"}}) == []  # one language: no switch


def test_each_language_gets_its_titles_from_the_catalogue_and_a_switch_only_beside_another_language():
    layout = {"pt_BR": "", "en": "en/"}
    pages = {"pt_BR": ["index"], "en": ["index"]}
    english = site_config("en", True, layout, pages)
    assert english["language"] == "en" and english["project"] == text("site.short_title", language="en")
    assert english["title"] == text("site.short_title", language="en") + text(
        "site.instructor_title_suffix", language="en"
    )
    assert english["announcement"] == text("site.instructor_announcement", language="en")
    assert english["switch"]["label"] == text("site.language_switch", language="en")
    assert english["switch"]["names"] == {
        "pt_BR": text("site.language_name", language="pt_BR"),
        "en": text("site.language_name", language="en"),
    }
    portuguese = site_config("pt_BR", False, {"pt_BR": ""}, {"pt_BR": ["index"]})
    assert portuguese["title"] == text("site.short_title", language="pt_BR") and portuguese["announcement"] is None
    assert "switch" not in portuguese


def _content_pages(site: Path) -> list:
    """The site's pages made from its documents (search and index pages are Sphinx's own)."""
    own = {"search.html", "genindex.html"}
    return [html for html in sorted(site.rglob("*.html")) if html.name not in own and "_static" not in html.parts]


@pytest.mark.kernel
@pytest.mark.subprocess
def test_a_site_of_one_language_shows_no_language_switch(built):
    for site in (built["site"], built["instructor_site"]):
        assert not (site / "en").exists()
        for html in _content_pages(site):
            assert not read_page(html).switch and SWITCH_CLASS not in html.read_text(encoding="utf-8"), html


@pytest.mark.kernel
@pytest.mark.subprocess
def test_every_page_of_a_bilingual_site_links_the_same_page_in_the_other_language(bilingual):
    site = bilingual["site"]
    pages = _content_pages(site)
    english = [html for html in pages if html.relative_to(site).parts[0] == "en"]
    assert {html.relative_to(site / "en").as_posix() for html in english} >= {
        "index.html",
        "notebooks/01_demo.html",
        "notebooks/02_demo.html",
    }
    for html in pages:
        links = read_page(html).switch
        assert len(links) == 1, (html, links)
        target = (html.parent / links[0]["href"]).resolve()
        assert target.is_file(), (html, links[0]["href"])
        in_english = html in english
        root, other_root = (site / "en", site) if in_english else (site, site / "en")
        assert target.relative_to(other_root.resolve()) == html.relative_to(root)  # the same page
        other = "pt_BR" if in_english else "en"
        assert links[0]["hreflang"].replace("_", "-") == other.replace("_", "-")
    portuguese_page = read_page(site / "notebooks" / "01_demo.html")
    assert text("site.language_name", language="en") in portuguese_page.text
    assert text("site.language_switch", language="pt_BR") in portuguese_page.text
    english_page = read_page(site / "en" / "notebooks" / "01_demo.html")
    assert text("site.language_name", language="pt_BR") in english_page.text
    assert text("site.language_switch", language="en") in english_page.text


@pytest.mark.kernel
@pytest.mark.subprocess
def test_the_english_site_speaks_english_and_lists_the_english_objectives(bilingual):
    index = read_page(bilingual["site"] / "en" / "index.html")
    assert index.lang and index.lang.lower().startswith("en")
    assert text("site.course_title", language="en") in index.text
    assert text("site.outline_heading", language="en") in index.text
    assert "01 · Circles" in index.text and "draw the area as a function of the radius" in index.text
    portuguese = read_page(bilingual["site"] / "index.html")
    assert portuguese.lang.replace("_", "-").lower() == "pt-br" and "01 · Círculos" in portuguese.text
    page = read_page(bilingual["site"] / "en" / "notebooks" / "01_demo.html")
    assert "raise NotImplementedError" in page.text and SOLUTION_LINE not in page.text  # students' page still


@pytest.mark.kernel
@pytest.mark.subprocess
def test_each_language_has_its_own_search_with_its_own_stemmer(bilingual):
    site = bilingual["site"]
    portuguese = (site / "searchindex.js").read_text(encoding="utf-8")
    english = (site / "en" / "searchindex.js").read_text(encoding="utf-8")
    assert (site / "search.html").is_file() and (site / "en" / "search.html").is_file()
    assert '"circl"' in english  # "Circles", stemmed by the English stemmer
    assert '"desenh"' in portuguese and '"desenh"' not in english  # "desenhar": on the Portuguese pages only
    assert "english" in (site / "en" / "_static" / "language_data.js").read_text(encoding="utf-8").lower()
    assert "portuguese" in (site / "_static" / "language_data.js").read_text(encoding="utf-8").lower()


# --------------------------------------------------------------------------------------------------
# The build's steps one by one, without a kernel or Sphinx (fast): which run, which pages, which sources,
# how Sphinx is called and how the site folder is replaced
# --------------------------------------------------------------------------------------------------
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402

from fcn_course.instructor import site as site_builder  # noqa: E402
from fcn_course.instructor.pairs import REFERENCE_PAGE  # noqa: E402

HEADING = "Ao final deste notebook você consegue"  # site_builder.objectives_heading in Portuguese


def _course_notebook(title="01 · Título", code="x = 1"):
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("# a comment, not a title"),
            nbformat.v4.new_markdown_cell(
                f"# {title}\n\n**{HEADING}**\n\n1. primeiro objetivo\n   que continua\n2. segundo\n\n3. não é objetivo"
            ),
            nbformat.v4.new_markdown_cell(f"# Outro título\n\n**{HEADING}**\n\n1. de outra célula"),
            nbformat.v4.new_code_cell(code),
        ]
    )


def _write_run(folder: Path, names=("01_x",), title="01 · Título") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        nbformat.write(_course_notebook(title), folder / f"{name}.ipynb")
    return folder


def test_latest_run_is_the_newest_run_that_finished_the_course(tmp_path):
    with pytest.raises(SiteError, match="nenhuma execução terminada do curso"):
        site_builder.latest_run(tmp_path, names=("01_x",))
    older = _write_run(tmp_path / "runs" / "course-a")
    newer = _write_run(tmp_path / "runs" / "course-b")
    unfinished = (tmp_path / "runs" / "course-c").mkdir() or tmp_path / "runs" / "course-c"
    for age, folder in enumerate((unfinished, newer, older)):
        os.utime(folder, (1e9 - age * 100, 1e9 - age * 100))
    assert site_builder.latest_run(tmp_path, names=("01_x",)) == newer


def test_executed_notebooks_are_read_and_the_missing_ones_named(tmp_path):
    _write_run(tmp_path, names=("01_x",))
    notebooks = site_builder.executed_notebooks(tmp_path, names=("01_x",))
    assert list(notebooks) == ["01_x"] and notebooks["01_x"].cells[3].source == "x = 1"
    with pytest.raises(SiteError, match="não tem o\\(s\\) notebook\\(s\\) executado\\(s\\)") as error:
        site_builder.executed_notebooks(tmp_path, names=("01_x", "02_y"))
    assert (
        str(error.value).split("executado(s)")[1].split(":")[0].strip().endswith("02_y")
        and "01_x" not in str(error.value).split("executado(s)")[1]
    )


def test_title_is_the_first_heading_and_objectives_the_first_numbered_list_under_the_heading():
    title, objectives = title_and_objectives(_course_notebook())
    assert title == "01 · Título"  # from the first Markdown cell (code comments are not headings)
    assert objectives == ["primeiro objetivo que continua", "segundo"]  # a blank line ends the list
    assert site_builder._numbered_items(["heading", "1. right under the heading"]) == ["right under the heading"]
    assert site_builder._numbered_items(["heading", "", "A sentence first.", "1. then the list"]) == ["then the list"]
    assert title_and_objectives(nbformat.v4.new_notebook()) == (None, [])
    list_first = nbformat.v4.new_markdown_cell(
        f"# T\n\n1. a list before the heading\n\n**{HEADING}**\n\n1. the objective"
    )
    assert title_and_objectives(nbformat.v4.new_notebook(cells=[list_first])) == ("T", ["the objective"])


def test_landing_page_lists_titles_objectives_reference_and_table_of_contents():
    untitled = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("no heading")])
    notebooks = {"01_x": _course_notebook(), "02_y": untitled}
    student = site_builder.landing_page(notebooks, "  Introdução.  ", instructor=False)
    lines = student.split("\n")
    assert lines[:3] == [f"# {text('site.course_title')}", "", "Introdução."]
    assert f"## {text('site.outline_heading')}" in lines
    assert "### [01 · Título](notebooks/01_x.ipynb)" in lines and "### [02_y](notebooks/02_y.ipynb)" in lines
    assert lines.count(f"**{text('site.objectives_label')}**") == 2
    assert "1. primeiro objetivo que continua" in lines and "2. segundo" in lines
    assert "```{warning}" not in lines and "referencia" not in student and "rubrica" not in student
    toc = lines[lines.index("```{toctree}") :]
    assert toc == ["```{toctree}", ":maxdepth: 1", ":caption: Notebooks", ":hidden:", "", "notebooks/01_x",
                   "notebooks/02_y", "```", ""]  # fmt: skip
    instructor = site_builder.landing_page(notebooks, "Introdução.", instructor=True, reference=True)
    lines = instructor.split("\n")
    assert lines[0] == f"# {text('site.course_title')}{text('site.instructor_title_suffix')}"
    assert lines[4:7] == ["```{warning}", text("site.instructor_warning", rubric="rubrica"), "```"]
    assert text("site.reference_line", page="notebooks/referencia.md") in lines
    assert lines[lines.index("```{toctree}") + 5 :] == ["notebooks/01_x", "notebooks/02_y", "notebooks/referencia",
                                                          "rubrica", "```", ""]  # fmt: skip


def test_rubric_lists_every_self_checked_exercise():
    from fcn_course.checks import exercises

    page = site_builder.rubric_page()
    rows = [line for line in page.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert page.endswith("|\n") and page.startswith(f"# {text('site.rubric_title')}\n")
    assert len(rows) == len(exercises())
    first = exercises()[0]
    assert rows[0].startswith(f"| {first.number} | {first.notebook} | {first.title} | ")


def test_reference_page_is_the_languages_own_else_the_portuguese_one(tmp_path):
    assert site_builder.reference_page(tmp_path) is None and site_builder.reference_page(tmp_path, "en") is None
    portuguese = tmp_path / REFERENCE_PAGE
    portuguese.parent.mkdir(parents=True)
    portuguese.write_text("# Referência")
    assert (
        site_builder.reference_page(tmp_path) == portuguese
        and site_builder.reference_page(tmp_path, "en") == portuguese
    )
    english = tmp_path / REFERENCE_PAGE.parent / "en" / REFERENCE_PAGE.name
    english.parent.mkdir()
    english.write_text("# Reference")
    assert (
        site_builder.reference_page(tmp_path, "en") == english and site_builder.reference_page(tmp_path) == portuguese
    )
    assert site_builder.page_names(tmp_path, ["01_x"], instructor=True) == [
        "index",
        "notebooks/01_x",
        "notebooks/referencia",
        "rubrica",
    ]
    english.unlink()
    portuguese.unlink()
    assert site_builder.page_names(tmp_path, ["01_x"], instructor=False, language="en") == ["index", "notebooks/01_x"]


def _switch():
    layout = {"pt_BR": "", "en": "en/"}
    pages = {language: ["index", "notebooks/01_x"] for language in layout}
    return json.loads(json.dumps(site_builder.site_config("pt_BR", False, layout, pages)["switch"]))


def test_language_switch_goes_first_in_the_body_and_names_the_other_languages_for_search_engines():
    context = {"body": "<p>page</p>", "metatags": "<meta>"}
    site_builder.add_language_switch(_switch(), "notebooks/01_x", context)
    name = text("site.language_name", language="en")
    assert context["body"] == (
        f'<p class="{SWITCH_CLASS}">{text("site.language_switch")} '
        f'<a href="../en/notebooks/01_x.html" hreflang="en" lang="en">{name}</a></p>\n<p>page</p>'
    )
    assert context["metatags"] == '<meta><link rel="alternate" hreflang="en" href="../en/notebooks/01_x.html" />\n'
    english = dict(_switch(), here="en")
    context = {"body": ""}
    site_builder.add_language_switch(english, "index", context)
    assert 'hreflang="pt-BR" lang="pt-BR"' in context["body"] and context["metatags"].count("pt-BR") == 1
    untouched = {"title": "no body"}
    site_builder.add_language_switch(_switch(), "index", untouched)  # pages without a body (search) are left alone
    assert untouched == {"title": "no body"}
    alone = dict(_switch(), layout={"pt_BR": ""})
    context = {"body": "<p>page</p>"}
    site_builder.add_language_switch(alone, "index", context)
    assert context == {"body": "<p>page</p>"}


def test_pages_keep_what_is_not_a_path_and_replace_the_longest_path_first(tmp_path, monkeypatch):
    data = tmp_path / "data"
    repo = data / "course"  # the course kept inside the data folder: its own paths are "."
    monkeypatch.setenv("HOME", "/h")  # a two-letter home is still a home
    monkeypatch.setenv("FCN_COURSE_DATA", str(data))
    cell = nbformat.v4.new_code_cell("print(1)", execution_count=7)
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/plain": f"{repo}/runs/a"}, execution_count=7),
        nbformat.v4.new_output("error", ename="OSError", evalue="e", traceback=[f"File {data}/x.py", "/h/y"]),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"{repo} in Markdown stays"), cell])
    assert site_builder.hide_machine_paths(nb, repo) is nb
    outputs = nb.cells[1].outputs
    assert outputs[0]["data"]["text/plain"] == "./runs/a" and outputs[0]["execution_count"] == 7
    assert outputs[1]["traceback"] == ["File $FCN_COURSE_DATA/x.py", "~/y"]
    assert nb.cells[0].source == f"{repo} in Markdown stays"


def test_solution_lines_in_pages_are_named_by_notebook_cell_and_line():
    secret = sorted(site_builder.secret_lines(REPO_ROOT))[0]
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("harmless"),
            nbformat.v4.new_code_cell(f"x = 1\n    {secret}"),
            nbformat.v4.new_code_cell(f"{BEGIN_MARKER}\n{END_MARKER}"),
        ]
    )
    assert solution_lines_in({"01_x": nb}, REPO_ROOT) == [
        f"01_x:cell 1: {secret}",
        f"01_x:cell 2: {BEGIN_MARKER}",
        f"01_x:cell 2: {END_MARKER}",
    ]


def test_student_pages_refuse_solution_lines_and_say_which_instructor_pages_keep_them():
    secret = sorted(site_builder.secret_lines(REPO_ROOT))[0]
    nb = _course_notebook(code="\n".join([secret] * 25))
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("[![Abrir no Colab](https://x.org/badge.svg)](https://colab)"))
    with pytest.raises(SiteError, match="o site dos alunos mostraria código das soluções") as error:
        site_pages(REPO_ROOT, {"01_x": nb}, instructor=False)
    assert str(error.value).count(secret) == 20  # the first 20 are enough to find them
    page = site_pages(REPO_ROOT, {"01_x": nb}, instructor=True)["01_x"]
    assert page.cells[0].source == "[Abrir no Colab](https://colab)" and secret in page.cells[-1].source


def test_sources_of_one_language_hold_conf_titles_landing_page_pages_styles_and_mathjax(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    notebooks = {"01_x": _course_notebook()}
    site_builder.write_sources(source, REPO_ROOT, notebooks, instructor=True)
    assert (source / "conf.py").read_bytes() == (REPO_ROOT / "docs" / "site" / "conf.py").read_bytes()
    config = site_builder.site_config(DEFAULT_LANGUAGE, True, {DEFAULT_LANGUAGE: ""}, {})
    written = (source / "course_site.json").read_text(encoding="utf-8")
    assert written == json.dumps(config, ensure_ascii=False, indent=1)  # readable accents
    assert (source / "index.md").read_text(encoding="utf-8") == site_builder.landing_page(
        notebooks, text("site.intro"), True, reference=True
    )
    assert nbformat.read(source / "notebooks" / "01_x.ipynb", as_version=4).cells[1].source.startswith("# 01")
    assert (source / "rubrica.md").read_text(encoding="utf-8") == site_builder.rubric_page()
    assert (source / "notebooks" / "referencia.md").read_bytes() == (REPO_ROOT / REFERENCE_PAGE).read_bytes()
    styles = sorted(path.name for path in (REPO_ROOT / "docs" / "site" / "_static").glob("*.css"))
    assert styles and sorted(path.name for path in (source / "_static").glob("*.css")) == styles
    assert (source / "_static" / "mathjax" / "MathJax.js").is_file()
    student = tmp_path / "student"
    student.mkdir()
    given = dict(config, title="given")
    site_builder.write_sources(student, REPO_ROOT, notebooks, instructor=False, config=given)
    assert json.loads((student / "course_site.json").read_text(encoding="utf-8")) == given
    assert not (student / "rubrica.md").exists()


class _FakeSphinx:
    def __init__(self, returncode=0, stderr=""):
        self.returncode, self.stderr, self.calls = returncode, stderr, []

    def __call__(self, command, **options):
        self.calls.append((command, options))
        return subprocess.CompletedProcess(command, self.returncode, "", self.stderr)


def test_sphinx_is_run_quietly_with_the_instructor_tag_and_its_failures_explained(tmp_path, monkeypatch, capsys):
    fake = _FakeSphinx(stderr="".join(f"x.md: WARNING: number {n}\n" for n in range(12)) + "other line\n")
    monkeypatch.setattr(site_builder.subprocess, "run", fake)
    site_builder.run_sphinx(tmp_path / "src", tmp_path / "out", tmp_path / "doctrees", instructor=True)
    command, options = fake.calls[0]
    assert command[1:] == ["-m", "sphinx", "-b", "html", "-q", "-d", str(tmp_path / "doctrees"),
                           str(tmp_path / "src"), str(tmp_path / "out"), "-t", "instructor"]  # fmt: skip
    assert options == {"capture_output": True, "text": True}
    printed = capsys.readouterr().out
    assert "avisos do Sphinx (12):" in printed and "number 9" in printed and "number 10" not in printed
    site_builder.run_sphinx(tmp_path / "src", tmp_path / "out", tmp_path / "doctrees", instructor=False)
    assert "-t" not in fake.calls[1][0]
    monkeypatch.setattr(site_builder.subprocess, "run", _FakeSphinx(1, "No module named sphinx"))
    with pytest.raises(SiteError, match="O Sphinx não está instalado"):
        site_builder.run_sphinx(tmp_path, tmp_path, tmp_path, instructor=False)
    monkeypatch.setattr(site_builder.subprocess, "run", _FakeSphinx(2, "Exception occurred: broken"))
    with pytest.raises(SiteError, match=r"o Sphinx falhou \(saída 2\):\nException occurred: broken"):
        site_builder.run_sphinx(tmp_path, tmp_path, tmp_path, instructor=False)


def _built(folder: Path, pages: dict) -> Path:
    for name, content in pages.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    return folder


def test_site_folder_is_replaced_by_the_new_build_and_a_persons_file_is_never_overwritten(tmp_path):
    out = tmp_path / "site"
    first = _built(tmp_path / "first", {"index.html": "1", "notebooks/old.html": "old"})
    site_builder._replace_site(site_builder._output_folder(out), first)
    assert (out / "notebooks" / "old.html").read_text() == "old" and (out / site_builder.SITE_MARK).is_file()
    second = _built(tmp_path / "second", {"index.html": "2", "notebooks/01_x.html": "new"})
    site_builder._replace_site(site_builder._output_folder(out), second)
    assert (out / "index.html").read_text() == "2" and (out / "notebooks" / "01_x.html").read_text() == "new"
    assert not (out / "notebooks" / "old.html").exists()  # a page of the previous build only: gone
    (out / "notebooks" / "mine.html").write_text("a person's file")
    third = _built(tmp_path / "third", {"index.html": "3", "notebooks/mine.html": "page"})
    with pytest.raises(SiteError, match="mine.html"):
        site_builder._replace_site(site_builder._output_folder(out), third)
    assert (out / "index.html").read_text() == "2" and (
        out / "notebooks" / "mine.html"
    ).read_text() == "a person's file"


def test_a_folder_an_older_version_built_is_accepted_and_a_persons_folder_refused(tmp_path):
    assert site_builder._output_folder(tmp_path / "new") is not None
    older = tmp_path / "older"
    older.mkdir()
    (older / site_builder.SITE_MARK).write_text("built by an older version\n")
    assert site_builder._output_folder(older).adopted
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("notes")
    with pytest.raises(SiteError, match="não foi feito pelo construtor do site"):
        site_builder._output_folder(mine)


def test_build_site_makes_one_project_per_language_of_the_run_and_puts_them_in_place(tmp_path, monkeypatch, capsys):
    run = _write_run(tmp_path / "run")
    _write_run(language_folder(run, "en"), title="01 · Title")
    projects = []

    def fake_sphinx(source, out, doctrees, instructor):
        config = json.loads((source / "course_site.json").read_text(encoding="utf-8"))
        projects.append((config["language"], instructor, sorted(path.name for path in source.iterdir())))
        out.mkdir(parents=True)
        (out / "index.html").write_text(config["language"])

    monkeypatch.setattr(site_builder, "run_sphinx", fake_sphinx)
    index = build_site(REPO_ROOT, run, names=("01_x",))
    assert index == run / "site" / "index.html" and index.read_text() == "pt_BR"
    assert (run / "site" / "en" / "index.html").read_text() == "en"
    assert [(language, instructor) for language, instructor, _ in projects] == [("pt_BR", False), ("en", False)]
    assert projects[0][2] == ["_static", "conf.py", "course_site.json", "index.md", "notebooks"]
    assert ">> site dos alunos (pt_BR, en) construído em" in capsys.readouterr().out
    instructor = build_site(REPO_ROOT, run, instructor=True, names=("01_x",))
    assert instructor == run / "site-instructor" / "index.html" and projects[-1][1] is True


# What stops the site's build is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_no_finished_run_and_a_run_without_notebooks_are_said_in_the_course_language(tmp_path):
    from fcn_course.instructor.site import executed_notebooks, latest_run

    portuguese, english = raised_in_each_language(SiteError, latest_run, tmp_path, NAMES)
    assert "nenhuma execução terminada do curso" in portuguese and "--from" in portuguese
    assert "no finished course run" in english and "--from" in english
    portuguese, english = raised_in_each_language(SiteError, executed_notebooks, tmp_path, NAMES)
    assert f"não tem o(s) notebook(s) executado(s) {', '.join(NAMES)}" in portuguese
    assert f"lacks the executed notebook(s) {', '.join(NAMES)}" in english


def test_a_foreign_output_folder_is_said_in_the_course_language(tmp_path):
    from fcn_course.instructor.site import _output_folder

    (tmp_path / "notes.txt").write_text("my notes")
    portuguese, english = raised_in_each_language(SiteError, _output_folder, tmp_path)
    assert "não foi feito pelo construtor do site; escolha outra --out" in portuguese
    assert "was not made by the site builder; choose another --out" in english


def test_solution_code_on_a_student_page_is_said_in_the_course_language(tmp_path, monkeypatch):
    from fcn_course.instructor import site

    monkeypatch.setattr(site, "solution_lines_in", lambda pages, repo_root: ["01_demo:cell 3: x = 42"])
    portuguese, english = raised_in_each_language(SiteError, site_pages, tmp_path, {}, instructor=False)
    assert "o site dos alunos mostraria código das soluções:\n  01_demo:cell 3: x = 42" in portuguese
    assert "the student site would show solution code:\n  01_demo:cell 3: x = 42" in english


@pytest.mark.parametrize(
    "stderr, portuguese_part, english_part",
    [
        ("No module named sphinx", "O Sphinx não está instalado", "Sphinx is not installed"),
        ("Exception occurred: boom", "o Sphinx falhou (saída 2):\nException", "Sphinx failed (exit 2):\nException"),
    ],
)
def test_a_sphinx_that_fails_is_said_in_the_course_language(
    tmp_path, monkeypatch, stderr, portuguese_part, english_part
):
    import subprocess

    from fcn_course.instructor import site

    failed = subprocess.CompletedProcess([], 2, stdout="", stderr=stderr)
    monkeypatch.setattr(site.subprocess, "run", lambda *args, **kwargs: failed)
    portuguese, english = raised_in_each_language(SiteError, site.run_sphinx, tmp_path, tmp_path, tmp_path, False)
    assert portuguese_part in portuguese
    assert english_part in english


def test_missing_mathjax_is_said_in_the_course_language(tmp_path, monkeypatch):
    import sys
    import types

    from fcn_course.instructor.mathjax import MathJaxMissing, mathjax_source

    monkeypatch.setitem(sys.modules, "jupyter_server_mathjax", None)  # not installed
    portuguese, english = raised_in_each_language(MathJaxMissing, mathjax_source)
    assert "não está instalado" in portuguese and 'pip install -e ".[dev,instructor]"' in portuguese
    assert "is not installed" in english and 'pip install -e ".[dev,instructor]"' in english
    broken = types.ModuleType("jupyter_server_mathjax")
    broken.__file__ = str(tmp_path / "__init__.py")  # installed, but without its static files
    monkeypatch.setitem(sys.modules, "jupyter_server_mathjax", broken)
    portuguese, english = raised_in_each_language(MathJaxMissing, mathjax_source)
    assert "MathJax.js não existe: reinstale o jupyter-server-mathjax" in portuguese
    assert "MathJax.js is missing: reinstall jupyter-server-mathjax" in english


def test_a_command_run_outside_the_course_repository_is_said_in_the_course_language(tmp_path, monkeypatch):
    import fcn_course.instructor as instructor

    monkeypatch.setattr(instructor, "REPO_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    portuguese, english = raised_in_each_language(SystemExit, instructor.repo_root)
    assert "erro: o repositório do curso (uma pasta com solutions/notebooks/) não foi encontrado" in portuguese
    assert "error: the course repository (a folder with solutions/notebooks/) was not found" in english
