"""The message catalogue: every key the code asks for exists, every key in the catalogue is used, and the
fields a caller fills in are the ones the template needs."""

import ast
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from fcn_course import checks, messages
from fcn_course.environment import LANG_ENV

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
    "fcn_course/experiments.py",
    "fcn_course/report.py",
    "fcn_course/config.py",
    "fcn_course/profiles.py",
    "fcn_course/environment.py",
    "fcn_course/files.py",
    "fcn_course/__main__.py",
    "fcn_course/instructor/course.py",
    "scripts/train.py",
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


# --------------------------------------------------------------------------------------------------
# No error is raised with a sentence written inline: what a student or an instructor reads when something
# goes wrong comes from the catalogue, in their language (issue 19, item 7)
# --------------------------------------------------------------------------------------------------
RAISING_CODE = [
    path
    for path in [*(ROOT / "fcn_course").rglob("*.py"), *(ROOT / "scripts").glob("*.py")]
    if "messages" not in path.relative_to(ROOT).parts  # the catalogue's own machinery
]
SENTENCE = re.compile(r"[A-Za-zÀ-ÿ]{2,}[^A-Za-zÀ-ÿ{}]+[A-Za-zÀ-ÿ]{2,}")  # two words in a row
# Errors nobody but a developer of the course ever sees, each with the reason: (file, function) -> why.
DEVELOPER_ONLY = {
    ("fcn_course/checks/exercise.py", "__post_init__"): "the exercise table is wrong: fails at import, in tests",
    ("fcn_course/checks/exercise.py", "register"): "the exercise table is wrong: fails at import, in tests",
    ("fcn_course/files.py", "relative"): "the course's own code named a file outside its output folder",
}


def inline_raises(path: Path) -> list:
    """``(function, line, what is raised)`` of every ``raise X("a sentence")`` / ``raise X(f"...")`` of
    ``path``: an exception built from a string literal (or an f-string, or a sum of them) holding words."""

    def literal_words(node) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return " ".join(literal_words(value) for value in node.values)
        if isinstance(node, ast.BinOp):
            return literal_words(node.left) + " " + literal_words(node.right)
        return ""

    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Raise) and isinstance(child.exc, ast.Call) and child.exc.args:
                if SENTENCE.search(literal_words(child.exc.args[0])):
                    found.append((function, child.lineno, ast.unparse(child.exc)[:100]))
            visit(child, function)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return found


def test_inline_raises_are_found_and_a_catalogue_sentence_is_not():
    """The scan below would prove nothing if it missed an f-string, a sum, or a message from the catalogue."""
    source = (
        "def f(x):\n"
        '    raise ValueError(f"the value {x} is wrong")\n'
        "def g(x):\n"
        '    raise TypeError("preds and " + "labels differ")\n'
        "def h(x):\n"
        '    raise ValueError(text("metrics.shapes_differ", preds=x, labels=x))\n'
        '    raise ValueError(f"{x}: {x}")\n'
        "    raise KeyError(x)\n"
    )
    path = ROOT / "tests" / "__inline_raises_probe__.py"
    try:
        path.write_text(source, encoding="utf-8")
        assert [(function, line) for function, line, _ in inline_raises(path)] == [("f", 2), ("g", 4)]
    finally:
        path.unlink()


def test_no_error_is_raised_with_a_sentence_written_inline():
    """Every ``raise`` of the course that says something in words asks the catalogue for it (``text(key)``),
    so a student reads it in Portuguese (or in English, in the English edition). Only :data:`DEVELOPER_ONLY`
    errors are exempt."""
    problems, used = [], set()
    for path in RAISING_CODE:
        name = path.relative_to(ROOT).as_posix()
        for function, line, raised in inline_raises(path):
            if (name, function) in DEVELOPER_ONLY:
                used.add((name, function))
            else:
                problems.append(f"{name}:{line} ({function}): raise {raised}")
    problems += [
        f"DEVELOPER_ONLY names {entry}, which raises nothing inline: remove it" for entry in set(DEVELOPER_ONLY) - used
    ]
    assert not problems, (
        "errors with an inline sentence (add the sentence to fcn_course/messages/pt_BR.py and en.py and raise "
        "X(text(key, ...))):\n  " + "\n  ".join(problems)
    )


# --------------------------------------------------------------------------------------------------
# Languages: every catalogue has the same keys and fields; how the language is chosen (issue 24)
# --------------------------------------------------------------------------------------------------
def catalogue_differences(first: dict, second: dict) -> list:
    """What keeps two catalogues from being translations of each other: missing keys, other fields."""
    problems = [f"{key!r} is missing" for key in first if key not in second]
    problems += [f"{key!r} is extra" for key in second if key not in first]
    problems += [
        f"{key!r} fills in {sorted(messages.fields_of(second[key]))}, not {sorted(messages.fields_of(first[key]))}"
        for key in first
        if key in second and messages.fields_of(first[key]) != messages.fields_of(second[key])
    ]
    return problems


@pytest.mark.parametrize("language", [name for name in messages.LANGUAGES if name != messages.DEFAULT_LANGUAGE])
def test_every_language_has_every_key_with_the_same_fields(language):
    problems = catalogue_differences(messages.catalogue(messages.DEFAULT_LANGUAGE), messages.catalogue(language))
    assert not problems, f"fcn_course/messages/{language}.py differs from pt_BR.py:\n" + "\n".join(problems)


def test_a_key_missing_in_one_language_or_a_changed_field_is_found():
    """The comparison above would prove nothing if it missed a key or a renamed field."""
    pt = {"a.one": "um {x}", "a.two": "dois"}
    assert catalogue_differences(pt, {"a.one": "one {x}"}) == ["'a.two' is missing"]
    assert catalogue_differences(pt, {"a.one": "one {y}", "a.two": "two", "a.three": "3"}) == [
        "'a.three' is extra",
        "'a.one' fills in ['y'], not ['x']",
    ]


def test_every_english_sentence_is_english():
    """en.py was written anew, not left in Portuguese: no template of it looks Portuguese."""
    left = [key for key, value in messages.catalogue("en").items() if looks_portuguese(value)]
    assert not left, f"en.py templates that look Portuguese: {left}"


def test_the_default_is_brazilian_portuguese_whatever_the_machine_locale(monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    monkeypatch.setenv("LANGUAGE", "en")
    assert messages.active_language() == "pt_BR"
    assert messages.text("cli.grid.quiet") == messages.catalogue("pt_BR")["cli.grid.quiet"]


def test_the_environment_variable_chooses_the_language(monkeypatch):
    monkeypatch.setenv(LANG_ENV, "en")
    assert messages.active_language() == "en"
    assert messages.text("checks.passed", title="X") == "✅ X: all correct!"
    assert messages.text("checks.passed", title="X", language="pt_BR") == "✅ X: tudo certo!"


def test_set_language_wins_over_the_environment_and_can_be_undone(monkeypatch):
    monkeypatch.setenv(LANG_ENV, "en")
    assert messages.set_language("pt-BR") == "pt_BR"  # the usual spelling of the tag is accepted too
    assert messages.text("checks.passed", title="X") == "✅ X: tudo certo!"
    assert messages.set_language(None) == "en"


def test_speaking_is_for_its_own_thread_wins_over_set_language_and_is_given_back():
    """Grading speaks each submission's language, several submissions at once in threads (``grade --jobs``):
    a ``speaking`` block changes the language of its own thread only, for the block only."""
    import threading

    messages.set_language("en")
    inside, seen = threading.Event(), {}

    def another_thread():
        inside.wait(10)
        seen["other thread"] = messages.active_language()

    thread = threading.Thread(target=another_thread)
    thread.start()
    with messages.speaking("pt_BR"):
        with messages.speaking("en"):
            seen["nested"] = messages.active_language()
        seen["block"] = messages.text("checks.passed", title="X")
        inside.set()
        thread.join(10)
    assert seen == {"nested": "en", "block": "✅ X: tudo certo!", "other thread": "en"}
    assert messages.active_language() == "en"


def test_an_unknown_language_is_refused_listing_the_available_ones(monkeypatch):
    with pytest.raises(ValueError, match="'fr'.*pt_BR, en"):
        messages.set_language("fr")
    with pytest.raises(ValueError, match="'fr'.*pt_BR, en"):
        messages.text("checks.passed", title="X", language="fr")
    monkeypatch.setenv(LANG_ENV, "klingon")
    with pytest.raises(ValueError, match="FCN_COURSE_LANG='klingon'.*pt_BR, en"):
        messages.text("checks.passed", title="X")


def test_a_third_language_is_one_catalogue_file_and_one_entry_in_languages(monkeypatch):
    """What README "Languages" promises: a module with MESSAGES, named in LANGUAGES, and text() and the
    checks speak it (a tiny fake language with two keys, registered for this test only)."""
    fake = types.ModuleType("fcn_course.messages.xx")
    fake.MESSAGES = {
        "checks.failed": "✗ {title}:",
        "checks.unknown_exercise": "no {key!r} here; try {keys}.",
    }
    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    monkeypatch.setattr(messages, "LANGUAGES", (*messages.LANGUAGES, "xx"))
    messages.set_language("xx")
    assert messages.text("checks.failed", title="T") == "✗ T:"
    result = checks.check("no-such-exercise", {}, verbose=False)
    assert (
        str(result)
        == "✗ no-such-exercise:\n   - no 'no-such-exercise' here; try "
        + ", ".join(row.key for row in checks.exercises())
        + "."
    )
    with pytest.raises(KeyError, match="xx.py"):
        messages.text("checks.passed", title="T")  # a key the fake language lacks is named, never mixed in


# --------------------------------------------------------------------------------------------------
# Every exercise's failure path speaks the chosen language (one representative wrong answer each)
# --------------------------------------------------------------------------------------------------
class _LinearNet(nn.Module):
    """A wrong FCN for every FCN exercise: a fully connected layer, no convolution."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        self.fc = nn.Linear(3, num_classes)

    def forward(self, x):
        return self.fc(x.movedim(1, -1)).movedim(-1, 1)


def _dataset_miou(labels, predictions, num_classes):
    """A wrong mIoU per image (the Desafio): one confusion matrix summed over all the images."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    for label, prediction in zip(labels, predictions):
        valid = label != 255
        pairs = num_classes * label[valid].astype(np.int64) + prediction[valid]
        matrix += np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)
    tp = np.diag(matrix).astype(float)
    union = matrix.sum(0) + matrix.sum(1) - tp
    return float(np.nanmean(np.where(union > 0, tp / np.maximum(union, 1), np.nan)))


def _resize_and_predict(model, images):
    """A wrong whole-image prediction (the Desafio): resizing to 64×64 changes the pixels."""
    size = images.shape[-2:]
    scores = model(nn.functional.interpolate(images, size=(64, 64), mode="bilinear"))
    return nn.functional.interpolate(scores, size=size, mode="bilinear")


def _conv_weights(features, side):
    """A wrong multiply-add count (the Desafio): the number of convolution weights."""
    return sum(layer.weight.numel() for layer in features.modules() if isinstance(layer, nn.Conv2d))


def _wrong_answers() -> dict:
    """``{exercise key: the names a notebook would define, one of them wrong}``: every exercise and every Desafio."""
    from fcn_course.checks.challenges import reference_min_input_size
    from solutions.fcn_alexnet import FCN_AlexNet
    from solutions.training import compute_loss, make_criterion, make_optimizer

    def recall(matrix):
        tp = np.diag(matrix).astype(float)
        return tp / matrix.sum(1), tp / matrix.sum(1)

    return {
        "iou": {"iou_and_dice_from_confusion": recall},
        "alexnet-noskip": {"FCN_AlexNet": _LinearNet},
        "alexnet-skip": {"FCN_AlexNet": _LinearNet},
        "optimizer": {
            "make_optimizer": lambda net, args: torch.optim.SGD(net.parameters(), lr=args["lr"]),
            "FCN_AlexNet": FCN_AlexNet,
        },
        "loss": {"compute_loss": compute_loss, "make_criterion": lambda: nn.CrossEntropyLoss()},
        "training": {
            "FCN_AlexNet": FCN_AlexNet,
            "make_optimizer": make_optimizer,
            "compute_loss": lambda outputs, labels, criterion: 0.0,  # a number, not the batch's loss tensor
            "make_criterion": make_criterion,
        },
        "upsampler": {"make_upsampler": lambda channels, factor, learnable: nn.Upsample(scale_factor=factor)},
        "class-weights": {"class_weights": lambda counts: torch.as_tensor(counts, dtype=torch.float32)},
        "dice-loss": {"dice_loss": lambda outputs, labels: outputs.sum() * 0.0 + 2.0},
        "vgg16-noskip": {"FCN_VGG16": _LinearNet},
        "vgg16-skip": {"FCN_VGG16": _LinearNet},
        "vgg16-scoresum": {"FCN8s_VGG16_Sum": _LinearNet},
        # the Desafios
        "miou-per-image": {"miou_per_image": _dataset_miou},
        "min-input-size": {"min_input_size": lambda features: reference_min_input_size(features) - 1},
        "focal-loss": {
            "focal_loss": lambda logits, labels, gamma: nn.functional.cross_entropy(logits, labels, ignore_index=255)
        },
        "whole-image": {"predict_whole_image": _resize_and_predict},
        "multiply-adds": {"count_multiply_adds": _conv_weights},
    }


ENGLISH_WORDS = {"the", "must", "should", "with", "use", "got", "is", "not", "of", "and", "expected", "your"}
# Short feedback ("use torch.optim.Adam (veio SGD)") may hold none of PORTUGUESE_WORDS: the feedback's own words.
PORTUGUESE_FEEDBACK_WORDS = PORTUGUESE_WORDS | {"veio", "crie", "como", "com", "deveria", "esperado", "devolva"}


@pytest.mark.slow
@pytest.mark.parametrize("language", messages.LANGUAGES)
@pytest.mark.parametrize("key", [row.key for row in checks.exercises()])
def test_every_exercise_fails_in_the_chosen_language(key, language):
    """A wrong answer's feedback (title and hints) is all in ``language``: no catalogue key left as it is,
    Portuguese words in pt_BR, none in English."""
    answers = _wrong_answers()
    assert set(answers) == {row.key for row in checks.exercises()}, "give every exercise a wrong answer here"
    messages.set_language(language)
    result = checks.check(key, answers[key], verbose=False)
    assert not result.passed, f"{key}: the wrong answer passed"
    said = str(result)
    assert said.startswith(messages.text("checks.failed", title=checks.get_exercise(key).title))
    leaked = [word for word in re.findall(r"[a-z_]+(?:\.[a-z_-]+)+", said) if word in messages.catalogue()]
    assert not leaked, f"catalogue keys shown instead of sentences: {leaked}"
    feedback = " ".join(result.messages)
    words = {word.lower() for word in WORD.findall(feedback)}
    if language == "pt_BR":
        assert looks_portuguese(feedback) or PORTUGUESE_FEEDBACK_WORDS & words, feedback
    else:
        assert not looks_portuguese(said), said
        assert ENGLISH_WORDS & words, feedback


def test_thousands_are_written_as_the_language_writes_them():
    assert messages.thousands(3060547, language="pt_BR") == "3.060.547"
    assert messages.thousands(3060547, language="en") == "3,060,547"
    assert messages.thousands(999, language="en") == "999"
