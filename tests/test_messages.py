"""The message catalogue: every key the code asks for exists, every key in the catalogue is used, and the
fields a caller fills in are the ones the template needs."""
import ast
from pathlib import Path

import pytest

from fcn_course import messages

ROOT = Path(__file__).resolve().parents[1]
CODE = [path for folder in ("fcn_course", "solutions", "scripts") for path in (ROOT / folder).rglob("*.py")]


def _text_calls():
    """(file, line, key, field names or None when ``**`` hides them) of every ``text("key", ...)`` call."""
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func  # text(...) imported from the catalogue, or messages.text(...); not matplotlib's ax.text
            is_text = (isinstance(func, ast.Name) and func.id == "text") or (
                isinstance(func, ast.Attribute) and func.attr == "text" and getattr(func.value, "id", "") == "messages")
            if not is_text or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            keywords = [kw.arg for kw in node.keywords]
            fields = None if None in keywords else set(keywords) - {"language"}
            yield path.relative_to(ROOT), node.lineno, node.args[0].value, fields


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


def test_every_key_in_the_catalogue_is_used():
    from fcn_course.checks import exercises

    used = {key for _, _, key, _ in _text_calls()} | {f"exercise.{row.key}" for row in exercises()}  # titles
    source = "\n".join(path.read_text(encoding="utf-8") for path in CODE if "messages" not in path.parts)
    unused = [key for key in messages.catalogue() if key not in used and f'"{key}"' not in source]
    assert not unused, f"keys nobody asks for (remove them): {unused}"


def test_fields_of_reads_format_fields():
    assert messages.fields_of("a {x} b {y!r} {z:.2f} {{literal}}") == {"x", "y", "z"}
