"""The message catalogue: every key the code asks for exists, every key in the catalogue is used, and the
fields a caller fills in are the ones the template needs."""

import ast
import re
from pathlib import Path

import pytest

from fcn_course import messages

ROOT = Path(__file__).resolve().parents[1]
CODE = [path for folder in ("fcn_course", "solutions", "scripts") for path in (ROOT / folder).rglob("*.py")]


def _is_text_call(node) -> bool:
    if not isinstance(node, ast.Call) or not node.args:
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    return name == "text"


def _text_calls():
    """(file, line, key, field names or None when ``**`` hides them) of every ``text("key", ...)`` call."""
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not _is_text_call(node) or not isinstance(node.args[0], ast.Constant):
                continue
            if not isinstance(node.args[0].value, str):
                continue  # matplotlib's ax.text(x, y, ...), not a catalogue look-up
            keywords = [kw.arg for kw in node.keywords]
            fields = None if None in keywords else set(keywords) - {"language"}
            yield path.relative_to(ROOT), node.lineno, node.args[0].value, fields


def _key_families():
    """(file, line, prefix) of every ``text(f"prefix.{name}")`` call: a family of keys chosen at run time
    (``voc.class.bus``, ``voc.class.person``...); it uses every key that starts with ``prefix``."""
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _is_text_call(node) and isinstance(node.args[0], ast.JoinedStr):
                first = node.args[0].values[0] if node.args[0].values else None
                if isinstance(first, ast.Constant) and first.value:
                    yield path.relative_to(ROOT), node.lineno, first.value


def test_text_fills_in_fields_and_names_a_missing_key():
    catalogue = messages.catalogue()
    key = next(iter(catalogue), None)
    if key is None:
        pytest.skip("empty catalogue")
    with pytest.raises(KeyError, match="no-such-key.*pt_BR.py"):
        messages.text("no-such-key")


def test_an_unknown_language_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="pt_BR"):
        messages.catalogue("xx")


def test_every_key_the_code_asks_for_exists_with_the_fields_it_needs():
    catalogue = messages.catalogue()
    for path, line, key, fields in _text_calls():
        assert key in catalogue, f"{path}:{line} asks for {key!r}, missing from fcn_course/messages/pt_BR.py"
        if fields is not None:
            needed = messages.fields_of(catalogue[key])
            assert needed <= fields, f"{path}:{line}: {key!r} needs {sorted(needed - fields)}"


def test_every_family_of_keys_the_code_asks_for_has_keys():
    catalogue = messages.catalogue()
    for path, line, prefix in _key_families():
        assert any(key.startswith(prefix) for key in catalogue), f"{path}:{line}: no key starts with {prefix!r}"


def test_every_key_in_the_catalogue_is_used():
    used = {key for _, _, key, _ in _text_calls()}
    families = tuple(prefix for _, _, prefix in _key_families())
    source = "\n".join(path.read_text(encoding="utf-8") for path in CODE if "messages" not in path.parts)
    unused = [
        key
        for key in messages.catalogue()
        if key not in used and f'"{key}"' not in source and not key.startswith(families)
    ]
    assert not unused, f"keys nobody asks for (remove them): {unused}"


def test_fields_of_reads_format_fields():
    assert messages.fields_of("a {x} b {y!r} {z:.2f} {{literal}}") == {"x", "y", "z"}


# --------------------------------------------------------------------------------------------------
# The migration stays done: no Portuguese sentence outside the catalogue in the modules moved to it
# --------------------------------------------------------------------------------------------------
# Modules whose every sentence for people comes from the catalogue (add each module as it is migrated).
MIGRATED = [
    "fcn_course/backbones.py",
    "fcn_course/colab.py",
    "fcn_course/data.py",
    "fcn_course/definitions.py",
    "fcn_course/download.py",
    "fcn_course/synthetic.py",
    "fcn_course/voc.py",
    "fcn_course/widgets.py",
    "fcn_course/quiz.py",
    "fcn_course/engine.py",
    "fcn_course/runs.py",
    "fcn_course/predict.py",
    "fcn_course/instructor/__main__.py",
    "fcn_course/instructor/grade.py",
    "fcn_course/instructor/grade_class.py",
    "fcn_course/instructor/site.py",
    "fcn_course/instructor/grade_time.py",
    "fcn_course/instructor/lms.py",
]
ACCENTED = set("áàâãéêíóôõúüçÁÀÂÃÉÊÍÓÔÕÚÇ")
# Words common in Portuguese sentences and (nearly) absent from English code and messages.
PORTUGUESE_WORDS = {
    "de",
    "da",
    "das",
    "dos",
    "não",
    "nao",
    "você",
    "voce",
    "para",
    "uma",
    "está",
    "esta",
    "são",
    "pelo",
    "pela",
    "seu",
    "sua",
    "também",
    "nenhum",
    "nenhuma",
    "isso",
    "aqui",
    "então",
    "sem",
    "ao",
    "aos",
    "nos",
    "nas",
    "em",
    "foi",
    "ou",
    "que",
    "os",
}
# A word, not a piece of a dotted name (os.environ, github.com, voc.class.bus) nor of a number (1em).
WORD = re.compile(r"(?<![\w.])[^\W\d_]+(?!\w|\.\w)")


def _docstrings(tree) -> set:
    """The ids of the Constant nodes that are docstrings (module, class, function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def looks_portuguese(value: str) -> bool:
    """An accented Portuguese letter, or a common Portuguese word."""
    return bool(ACCENTED & set(value)) or any(word.lower() in PORTUGUESE_WORDS for word in WORD.findall(value))


def portuguese_strings(source: str) -> list:
    """(line, text) of every string constant of ``source`` that looks Portuguese, docstrings left out."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and looks_portuguese(node.value)
    ]


def test_the_heuristic_tells_portuguese_from_english_code():
    source = (
        '"""Módulo: a docstring may say célula."""\n'
        'def f():\n    """Nor is a function docstring counted: não."""\n'
        '    print("indexing the masks", "github.com", "1em", "key.de", "os.environ", "e.g.")\n'
        '    raise ValueError(f"o arquivo {path} não existe")\n'
        '    return "amostra de teste", "ônibus"\n'
    )
    assert sorted(text for _, text in portuguese_strings(source)) == [" não existe", "amostra de teste", "ônibus"]


@pytest.mark.parametrize("module", MIGRATED)
def test_a_migrated_module_writes_no_portuguese_outside_the_catalogue(module):
    found = portuguese_strings((ROOT / module).read_text(encoding="utf-8"))
    assert not found, (
        f"{module} has Portuguese text outside fcn_course/messages/pt_BR.py (move it there and "
        f"ask for it with text(key)): {found}"
    )
