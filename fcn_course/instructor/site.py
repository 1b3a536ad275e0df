"""The course website: Sphinx + MyST-NB over the executed notebooks of a main-job run folder.

``python -m fcn_course.instructor site [--from RUN_FOLDER] [--instructor] [--out DIR]`` (and the main job,
at its end) builds it. The pages show the notebooks *as executed by the main job*, figures included:

* the **student site** (``RUN_FOLDER/site/``) renders each executed solution notebook after the same
  steps that make the student notebooks (``pipeline.STUDENT_PAGE``: solution regions become stubs, Markdown
  answers become placeholders, ``solution-only`` cells go), but keeps the outputs. Students
  see what every cell produces, never the solution code;
* the **instructor site** (``RUN_FOLDER/site-instructor/``) renders the solution notebooks unchanged, adds
  the rubric (the self-check registry) and says on every page that it holds the solutions.

Nothing is fetched when the site is read: MathJax is copied in (``instructor.mathjax``), the widgets' CDN
scripts are switched off, and remote badge images become plain links.

**Languages.** The main job runs one language (``course --lang``, default ``pt_BR``); a run folder keeps the
Portuguese executed notebooks at its root and a translation's in its ``<language>/`` folder
(``pairs.language_folder``). The site has every language whose notebooks are all in the run folder
(:func:`run_languages`), each built as its own Sphinx project:

* the default language (Portuguese; else the first language present) at the site's root, so the addresses
  ``site/index.html`` and ``site/notebooks/NN.html`` stay as they were, every other one in ``site/<language>/``
  (``site/en/index.html``, ``site/en/notebooks/NN.html``): :func:`site_layout`;
* each project has its Sphinx ``language`` (its search stemmer) and so its own search page and index
  (``site/searchindex.js``, ``site/en/searchindex.js``); its words (titles, landing page, stubs of the
  student pages) come from the message catalogue in that language (``messages.speaking``);
* with more than one language, every page of a project starts with a language switch that links the same
  page in the other languages (their landing page where that page does not exist): :func:`switch_links`,
  added by ``docs/site/conf.py`` through :func:`add_language_switch`. A site of one language has no switch.
"""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from fcn_course.files import NotOurFileError, OutputFolder
from fcn_course.instructor.pairs import language_folder
from fcn_course.instructor.leaks import secret_lines
from fcn_course.instructor.markers import BEGIN_MARKER, END_MARKER
from fcn_course.instructor.mathjax import FOLDER_NAME as MATHJAX_FOLDER
from fcn_course.instructor.mathjax import mathjax_source
from fcn_course.instructor.pairs import REFERENCE_PAGE, STUDENT_DIR
from fcn_course.instructor.pipeline import STUDENT_PAGE, transform
from fcn_course.messages import DEFAULT_LANGUAGE, LANGUAGES, speaking, text
from fcn_course.outline import COURSE_NOTEBOOKS

SITE_SOURCES = Path("docs") / "site"  # conf.py and the stylesheet, in the repository (the texts: the catalogue)
STUDENT_SITE, INSTRUCTOR_SITE = "site", "site-instructor"
SITE_MARK = ".fcn-course-site"  # written into every site folder (older versions knew their folders by it alone)
OWNER = "the site builder"  # how the site folder's record of its files names this module (files.OutputFolder)
PAGES_DIR = "notebooks"  # the folder of the pages inside the site (its addresses), not the repository's notebooks/
RUBRIC_PAGE = "rubrica"  # rubrica.md, instructor site only
SITE_CONFIG = "course_site.json"  # beside conf.py in each language's Sphinx source: language, titles, switch
SWITCH_CLASS = "language-switch"  # the HTML class of the language switch (docs/site/_static/course.css)
_REMOTE_BADGE = re.compile(r"\[!\[(?P<text>[^\]]*)\]\(https?://[^)]*\)\]\((?P<link>[^)]*)\)")


class SiteError(RuntimeError):
    """The website cannot be built (no run folder, missing notebooks, Sphinx failed...)."""


# --------------------------------------------------------------------------------------------------
# Which notebooks
# --------------------------------------------------------------------------------------------------
def run_has_course(folder: Path, names=COURSE_NOTEBOOKS) -> bool:
    return all((Path(folder) / f"{name}.ipynb").is_file() for name in names)


def run_languages(run_dir: Path, names=COURSE_NOTEBOOKS) -> list:
    """The languages (in ``messages.LANGUAGES``' order) whose executed notebooks are all in the run folder."""
    return [language for language in LANGUAGES if run_has_course(language_folder(run_dir, language), names)]


def latest_run(repo_root: Path, names=COURSE_NOTEBOOKS) -> Path:
    """The newest ``runs/course-*`` folder that holds every executed notebook of the course (in some language)."""
    candidates = sorted((Path(repo_root) / "runs").glob("course-*"), key=lambda p: p.stat().st_mtime)
    for folder in reversed(candidates):
        if run_languages(folder, names):
            return folder
    raise SiteError(text("site.no_finished_run", runs=Path(repo_root) / "runs"))


def executed_notebooks(run_dir: Path, names=COURSE_NOTEBOOKS) -> dict:
    """``{name: notebook}`` for the course notebooks executed in ``run_dir``."""
    missing = [name for name in names if not (Path(run_dir) / f"{name}.ipynb").is_file()]
    if missing:
        raise SiteError(text("site.missing_executed", run_dir=run_dir, missing=", ".join(missing)))
    return {name: nbformat.read(Path(run_dir) / f"{name}.ipynb", as_version=4) for name in names}


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------
def student_page(executed, name: str = "notebook"):
    """The executed solution notebook as students may see it: stubs instead of solutions, outputs kept."""
    return transform(executed, STUDENT_PAGE, name)


def machine_paths(repo_root: Path) -> list:
    """``[(absolute path, what the pages show instead)]``, longest first: the build machine's folders.

    The main job prints where the data and the runs are; on the website those would be the instructor's own
    folders, meaningless (and private) for a student: ``$FCN_COURSE_DATA``, ``.`` (the course folder) and
    ``~`` stand in for them.
    """
    from fcn_course.environment import read_environment

    places = {
        str(read_environment().data_dir): "$FCN_COURSE_DATA",
        str(Path(repo_root).resolve()): ".",
        str(Path(repo_root)): ".",
        str(Path.home()): "~",
    }
    return sorted(((path, shown) for path, shown in places.items() if len(path) > 1), key=lambda p: -len(p[0]))


def hide_machine_paths(nb, repo_root: Path):
    """In place: every output of ``nb`` with the build machine's folders replaced (see :func:`machine_paths`)."""
    replacements = machine_paths(repo_root)

    def clean(value):
        if isinstance(value, str):
            for path, shown in replacements:
                value = value.replace(path, shown)
            return value
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return type(value)({key: clean(item) for key, item in value.items()})
        return value

    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [clean(output) for output in cell.outputs]
    return nb


def offline_badges(nb) -> None:
    """Turn Markdown badges whose image is remote (the Colab badge) into plain links, in place."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _REMOTE_BADGE.sub(lambda m: f"[{m['text']}]({m['link']})", cell.source)


def title_and_objectives(nb) -> tuple:
    """The notebook's title (its first ``# `` heading) and its "Ao final ... você consegue" list.

    The list's heading is ``site.objectives_heading`` in the language spoken now (``messages.speaking``): a
    translated notebook writes its catalogue's words for it.
    """
    heading = text("site.objectives_heading")
    title, objectives = None, []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        if title is None:
            title = next((line[2:].strip() for line in lines if line.startswith("# ")), None)
        if not objectives and any(heading in line for line in lines):
            objectives = _numbered_items(lines[next(i for i, line in enumerate(lines) if heading in line) :])
    return title, objectives


def _numbered_items(lines) -> list:
    """The numbered list that follows the first line (continuation lines joined)."""
    items = []
    for line in lines[1:]:
        match = re.match(r"^\d+\.\s+(.*)$", line)
        if match:
            items.append(match.group(1).strip())
        elif items and line.startswith(" ") and line.strip():
            items[-1] += " " + line.strip()
        elif items and not line.strip():
            break
    return items


def landing_page(notebooks: dict, intro: str, instructor: bool, reference: bool = False) -> str:
    """index.md: the course, its outline with each notebook's learning objectives, and the table of contents.

    ``reference``: the site has the students' reference page (``notebooks/referencia.md``); link it.
    """
    title = text("site.course_title") + (text("site.instructor_title_suffix") if instructor else "")
    parts = [f"# {title}", "", intro.strip(), ""]
    if instructor:
        parts += ["```{warning}", text("site.instructor_warning", rubric=RUBRIC_PAGE), "```", ""]
    parts += [f"## {text('site.outline_heading')}", ""]
    for name, nb in notebooks.items():
        title, objectives = title_and_objectives(nb)
        parts += [f"### [{title or name}]({PAGES_DIR}/{name}.ipynb)", "", f"**{text('site.objectives_label')}**", ""]
        parts += [f"{number}. {item}" for number, item in enumerate(objectives, 1)] + [""]
    toc = [f"{PAGES_DIR}/{name}" for name in notebooks]
    if reference:
        parts += [text("site.reference_line", page=f"{PAGES_DIR}/{REFERENCE_PAGE.name}"), ""]
        toc.append(f"{PAGES_DIR}/{REFERENCE_PAGE.stem}")
    toc += [RUBRIC_PAGE] if instructor else []
    parts += ["```{toctree}", ":maxdepth: 1", ":caption: Notebooks", ":hidden:", "", *toc, "```", ""]
    return "\n".join(parts)


def rubric_page() -> str:
    """rubrica.md (instructor site only): every self-checked exercise and what the grader runs."""
    from fcn_course.checks import exercises

    rows = [
        f"# {text('site.rubric_title')}",
        "",
        text("site.rubric_intro"),
        "",
        text("site.rubric_header"),
        "| --- | --- | --- | --- | --- |",
    ]
    for exercise in exercises():
        names = ", ".join(f"`{name}`" for name in exercise.names)
        rows.append(
            f"| {exercise.number} | {exercise.notebook} | {exercise.title} | {names} | "
            f"{text('site.required_yes') if exercise.required else text('site.required_no')} |"
        )
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------------------------------
def site_layout(languages) -> dict:
    """``{language: its folder in the site}``: the default language (else the first one) at the root (``""``),
    every other one in ``<language>/``."""
    languages = list(languages)
    root = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in languages else languages[0]
    return {language: "" if language == root else f"{language}/" for language in languages}


def reference_page(repo_root: Path, language: str = DEFAULT_LANGUAGE):
    """The students' reference page the site of ``language`` shows: the language's own
    (``notebooks/<language>/referencia.md``) when there is one, else the Portuguese one; None without either."""
    candidates = [STUDENT_DIR / language / REFERENCE_PAGE.name] if language != DEFAULT_LANGUAGE else []
    for page in [*candidates, REFERENCE_PAGE]:
        if (Path(repo_root) / page).is_file():
            return Path(repo_root) / page
    return None


def page_names(repo_root: Path, names, instructor: bool, language: str = DEFAULT_LANGUAGE) -> list:
    """The documents of one language's Sphinx project (Sphinx's page names: no suffix, ``/`` separated)."""
    pages = ["index", *(f"{PAGES_DIR}/{name}" for name in names)]
    pages += [f"{PAGES_DIR}/{REFERENCE_PAGE.stem}"] if reference_page(repo_root, language) else []
    return pages + ([RUBRIC_PAGE] if instructor else [])


def switch_links(pagename: str, here: str, layout: dict, pages: dict) -> list:
    """``[(language, href)]``: the page ``pagename`` of language ``here`` in each other language of
    ``layout`` (:func:`site_layout`), relative to the page; that language's landing page when ``pages[language]``
    (its page names) lacks it. Empty for a site of one language."""
    up = "../" * (pagename.count("/") + layout[here].count("/"))
    return [
        (language, f"{up}{folder}{pagename if pagename in pages[language] else 'index'}.html")
        for language, folder in layout.items()
        if language != here
    ]


def _hreflang(language: str) -> str:
    return language.replace("_", "-")  # BCP 47, as HTML wants it (pt-BR)


def add_language_switch(switch: dict, pagename: str, context: dict) -> None:
    """Sphinx's ``html-page-context``: put the language switch at the top of the page's body, and tell search
    engines about the other languages (``<link rel="alternate" hreflang>``).

    ``switch``: what :func:`write_sources` wrote into ``course_site.json`` (this language, the layout, each
    language's pages and name, the switch's label).
    """
    pages = {language: set(names) for language, names in switch["pages"].items()}
    links = switch_links(pagename, switch["here"], switch["layout"], pages)
    if not links or "body" not in context:
        return
    anchors = " · ".join(
        f'<a href="{html.escape(href)}" hreflang="{_hreflang(language)}" lang="{_hreflang(language)}">'
        f"{html.escape(switch['names'][language])}</a>"
        for language, href in links
    )
    context["body"] = f'<p class="{SWITCH_CLASS}">{html.escape(switch["label"])} {anchors}</p>\n' + context["body"]
    alternates = "".join(
        f'<link rel="alternate" hreflang="{_hreflang(language)}" href="{html.escape(href)}" />\n'
        for language, href in links
    )
    context["metatags"] = context.get("metatags", "") + alternates


def site_config(language: str, instructor: bool, layout: dict, pages: dict) -> dict:
    """What ``docs/site/conf.py`` reads from ``course_site.json``, in ``language`` (from the catalogue)."""
    with speaking(language):
        title = text("site.short_title") + (text("site.instructor_title_suffix") if instructor else "")
        config = {
            "language": language,
            "project": text("site.short_title"),
            "title": title,
            "announcement": text("site.instructor_announcement") if instructor else None,
        }
        if len(layout) > 1:
            config["switch"] = {
                "here": language,
                "layout": layout,
                "pages": pages,
                "label": text("site.language_switch"),
                "names": {other: text("site.language_name", language=other) for other in layout},
            }
    return config


# --------------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------------
def _output_folder(out: Path) -> OutputFolder:
    """The site's folder; a folder that holds files and was never a site folder is refused (nothing changes)."""
    try:
        folder = OutputFolder(out, OWNER, adopt_marker=SITE_MARK)
    except NotADirectoryError as error:
        raise SiteError(str(error)) from None
    if out.is_dir() and any(out.iterdir()) and not (folder.files or folder.adopted):
        raise SiteError(text("site.foreign_output", out=out))
    return folder


def _replace_site(folder: OutputFolder, built: Path) -> None:
    """Put the freshly built pages ``built`` in place of the previous build's files.

    Only the site's own files are removed; files a person put beside them (or inside its folders) stay. A
    person's file where a new page goes is refused before anything is removed.
    """
    names = [path.relative_to(built).as_posix() for path in built.rglob("*") if path.is_file()]
    try:
        folder.check(names + [SITE_MARK])
    except NotOurFileError as error:
        raise SiteError(str(error)) from None
    folder.remove_own()
    folder.copy_tree(built)
    folder.write_text(SITE_MARK, "built by python -m fcn_course.instructor site\n")


def solution_lines_in(pages: dict, repo_root: Path) -> list:
    """``name:cell: line`` for every solution marker or solution line (``leaks.secret_lines``) in the pages."""
    secret = secret_lines(repo_root)
    found = []
    for name, nb in pages.items():
        for index, cell in enumerate(nb.cells):
            for line in cell.source.splitlines():
                if BEGIN_MARKER in line or END_MARKER in line or line.strip() in secret:
                    found.append(f"{name}:cell {index}: {line.strip()}")
    return found


def site_pages(repo_root: Path, notebooks: dict, instructor: bool) -> dict:
    """``{name: notebook}`` as the site shows them; the student pages are checked for solution lines."""
    pages = {name: copy.deepcopy(nb) if instructor else student_page(nb, name) for name, nb in notebooks.items()}
    for page in pages.values():
        offline_badges(page)
        hide_machine_paths(page, repo_root)
    if not instructor:
        leaks = solution_lines_in(pages, repo_root)
        if leaks:
            raise SiteError(text("site.solution_leak", lines="\n  ".join(leaks[:20])))
    return pages


def write_sources(
    source: Path, repo_root: Path, notebooks: dict, instructor: bool, language: str = DEFAULT_LANGUAGE, config=None
) -> None:
    """Fill the Sphinx source folder of ``language``: conf.py and course_site.json (``config``, else
    :func:`site_config` of a one-language site), index.md, the pages (and the rubric), MathJax."""
    templates = Path(repo_root) / SITE_SOURCES
    shutil.copy2(templates / "conf.py", source / "conf.py")
    config = config or site_config(language, instructor, {language: ""}, {})
    (source / SITE_CONFIG).write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    reference = reference_page(repo_root, language)
    with speaking(language):
        index = landing_page(notebooks, text("site.intro"), instructor, reference is not None)
        (source / "index.md").write_text(index, encoding="utf-8")
        (source / PAGES_DIR).mkdir()
        for name, page in site_pages(repo_root, notebooks, instructor).items():
            nbformat.write(page, source / PAGES_DIR / f"{name}.ipynb")
        if instructor:
            (source / f"{RUBRIC_PAGE}.md").write_text(rubric_page(), encoding="utf-8")
    if reference:  # next to the pages, so the notebooks' links work
        shutil.copy2(reference, source / PAGES_DIR / REFERENCE_PAGE.name)
    (source / "_static").mkdir()
    for static in sorted((templates / "_static").glob("*.css")):
        shutil.copy2(static, source / "_static" / static.name)
    (source / "_static" / MATHJAX_FOLDER).symlink_to(mathjax_source(), target_is_directory=True)


def run_sphinx(source: Path, out: Path, doctrees: Path, instructor: bool) -> None:
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(doctrees), str(source), str(out)]
    if instructor:
        command += ["-t", "instructor"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        if "No module named sphinx" in result.stderr:
            raise SiteError(text("site.no_sphinx"))
        raise SiteError(text("site.sphinx_failed", code=result.returncode, stderr=result.stderr[-4000:]))
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    if warnings:
        print(text("site.sphinx_warnings", count=len(warnings), warnings="\n   ".join(warnings[:10])))


def build_site(repo_root, run_dir=None, out_dir=None, instructor: bool = False, names=COURSE_NOTEBOOKS) -> Path:
    """Build the (student or instructor) website from the executed notebooks of ``run_dir``; returns its index.html.

    ``run_dir`` defaults to the newest finished ``runs/course-*``; the site goes to ``run_dir/site`` (or
    ``run_dir/site-instructor``) unless ``out_dir`` is given. Every language of the run folder
    (:func:`run_languages`) is one Sphinx project of the site (:func:`site_layout`).
    """
    repo_root = Path(repo_root)
    run_dir = Path(run_dir) if run_dir else latest_run(repo_root, names)
    out = Path(out_dir) if out_dir else run_dir / (INSTRUCTOR_SITE if instructor else STUDENT_SITE)
    languages = run_languages(run_dir, names) or [DEFAULT_LANGUAGE]  # none: executed_notebooks says what lacks
    notebooks = {language: executed_notebooks(language_folder(run_dir, language), names) for language in languages}
    layout = site_layout(languages)
    pages = {language: page_names(repo_root, names, instructor, language) for language in languages}
    tic = time.perf_counter()
    folder = _output_folder(out)
    with tempfile.TemporaryDirectory(prefix="fcn-course-site-") as work:
        for language in languages:
            source = Path(work) / "source" / language
            source.mkdir(parents=True)
            config = site_config(language, instructor, layout, pages)
            write_sources(source, repo_root, notebooks[language], instructor, language, config)
            html_dir = Path(work) / "html" / layout[language]
            run_sphinx(source, html_dir, Path(work) / "doctrees" / language, instructor)
        _replace_site(folder, Path(work) / "html")
    kind = text("site.kind_instructor") if instructor else text("site.kind_student")
    seconds = time.perf_counter() - tic
    print(text("site.built", kind=kind, languages=", ".join(languages), seconds=seconds, index=out / "index.html"))
    return out / "index.html"
