"""Tests of fcn_course.experiments: the comparison grid on the synthetic VOC twin with tiny settings."""

from __future__ import annotations

import csv
import shutil
import urllib.error
from pathlib import Path

import pytest
import torch
import torchvision

from fcn_course.messages import speaking, text
from fcn_course import engine, experiments, runs
from fcn_course.config import course_args
from fcn_course.experiments import GridResult, RunResult, load_grid, run_grid
from fcn_course.report import REPORT_FILES
from helpers import tree_digest
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.fcn_vgg16 import FCN_VGG16
from solutions.training import compute_loss, make_criterion, make_optimizer

MODEL_CLASSES = {"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}
REFERENCE = engine.TrainingIngredients(MODEL_CLASSES, make_optimizer, compute_loss, make_criterion)
SCRATCH_RUNS = ["alexnet-noskip-scratch", "alexnet-skip-scratch"]
CLASSES = ("background", "bus", "person")


def tiny_args(root, **overrides):
    """One epoch on 6 images of 64x64 px (AlexNet needs at least 63 px)."""
    settings = dict(
        root=root,
        epoch_num=1,
        h_size=64,
        w_size=64,
        batch_size=3,
        max_samples=6,
        num_workers=0,
        device=torch.device("cpu"),
        seed=0,
        show_freq=0,
        lr=1e-3,
        smoke=False,
    )
    settings.update(overrides)
    return course_args(**settings)


def tiny_grid(args, out_dir, **options):
    """AlexNet, with and without skip, from scratch (unless options say otherwise)."""
    options = {"backbones": ("alexnet",), "skips": (False, True), "pretrained": (False,), **options}
    return run_grid(REFERENCE, args, out_dir, progress=False, **options)


@pytest.fixture(scope="module")
def finished_grid(synthetic_voc_root, tmp_path_factory):
    """A grid trained once for this module: (GridResult, its folder, its args)."""
    out_dir = tmp_path_factory.mktemp("grid")
    args = tiny_args(synthetic_voc_root)
    result = tiny_grid(args, out_dir)
    result.write_report()
    return result, out_dir, args


@pytest.fixture
def fit_spy(monkeypatch):
    """Records the keyword arguments of every call of engine.fit (and still trains)."""
    calls = []
    real_fit = engine.fit

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(engine, "fit", spy)
    return calls


@pytest.fixture
def offline_weights(monkeypatch, tmp_path):
    """No local ImageNet weights and a download that fails at once, as on a machine without internet."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(tmp_path / "no_weights_here"))
    (tmp_path / "no_weights_here").mkdir()

    def no_network(self, *args, **kwargs):
        raise urllib.error.URLError("no network in this test")

    monkeypatch.setattr(torchvision.models.WeightsEnum, "get_state_dict", no_network)


@pytest.mark.slow
def test_grid_rows_and_report_files(finished_grid):
    result, out_dir, _ = finished_grid
    rows = result.rows()
    assert [row["config"] for row in rows] == SCRATCH_RUNS
    for row in rows:
        assert row["status"] == "done" and row["epochs"] == 1 and row["best_epoch"] == 1
        for key in ("best_miou_fg", "final_miou_fg", "iou_background", "pixel_acc"):
            assert 0.0 <= row[key] <= 1.0, key
        assert row["parameters"] > 1_000_000 and row["sec_per_epoch"] > 0
        assert {"iou_bus", "iou_person", "dice_fg"} <= set(row)

    for name in REPORT_FILES:
        assert (out_dir / name).stat().st_size > 0, name
    report = (out_dir / "report.md").read_text()
    table_lines = [line for line in report.splitlines() if line.startswith("| ")]
    assert len(table_lines) == 1 + len(SCRATCH_RUNS)  # header + one line per run
    assert all(name in report for name in SCRATCH_RUNS)
    with open(out_dir / "report.csv", newline="") as file:
        assert [row["config"] for row in csv.DictReader(file)] == SCRATCH_RUNS

    for name in SCRATCH_RUNS:  # what resume and predict need
        for file in ("history.json", "last.pt", "best.pt", "run.json", "outcome.json"):
            assert (out_dir / name / file).is_file(), (name, file)


def epoch_results(epoch, miou_fg):
    """Plain per-epoch results as engine.fit records them (IoU per class: background, bus, person)."""
    return {
        "epoch": epoch,
        "loss_mean": 1.0 / epoch,
        "loss_std": 0.0,
        "miou_fg": miou_fg,
        "miou": miou_fg,
        "iou": [0.9, miou_fg - 0.1, miou_fg + 0.1],
        "dice": [0.95, miou_fg, miou_fg],
        "mdice": miou_fg,
        "pixel_acc": 0.5 + miou_fg / 2,
        "time": 2.0,
        "batch_losses": [1.0 / epoch],
    }


def history_with_the_best_epoch_in_the_middle():
    """Three epochs whose validation mIoU(fg) peaks at epoch 2 (the weights best.pt keeps), not at the last."""
    history = engine.History()
    for epoch, miou_fg in ((1, 0.2), (2, 0.6), (3, 0.4)):
        history.append(epoch_results(epoch, miou_fg), epoch_results(epoch, miou_fg))
    return history


def run_with_the_best_epoch_in_the_middle(folder) -> RunResult:
    return RunResult(
        "alexnet",
        True,
        False,
        "done",
        history=history_with_the_best_epoch_in_the_middle(),
        parameters=1000,
        run_dir=folder / "alexnet-skip-scratch",
    )


def test_the_best_epoch_is_reported_even_when_it_is_not_the_last(tmp_path):
    run = run_with_the_best_epoch_in_the_middle(tmp_path)
    assert run.best_val()["epoch"] == 2 and run.best_val()["miou_fg"] == 0.6
    assert run.final_val()["epoch"] == 3
    (row,) = GridResult([run], {"classes": CLASSES}, tmp_path).rows()
    assert (row["best_epoch"], row["best_miou_fg"], row["final_miou_fg"]) == (2, 0.6, 0.4)
    assert row["iou_person"] == pytest.approx(0.7) and row["pixel_acc"] == pytest.approx(0.8)  # epoch 2's


def test_the_best_epoch_survives_a_reload_of_the_grid_folder(tmp_path):
    run_dir = tmp_path / "alexnet-skip-scratch"
    runs.save_history(run_dir, history_with_the_best_epoch_in_the_middle())
    runs.write_outcome(run_dir, "done", 3, 1000)
    run = RunResult("alexnet", True, False, "done", parameters=1000, run_dir=run_dir)
    runs.write_grid_index(tmp_path, {"classes": CLASSES}, [run.to_dict()])
    (row,) = load_grid(tmp_path).rows()
    assert (row["best_epoch"], row["best_miou_fg"], row["final_miou_fg"]) == (2, 0.6, 0.4)


@pytest.mark.slow
def test_load_grid_rebuilds_the_same_rows(finished_grid):
    result, out_dir, _ = finished_grid
    again = load_grid(out_dir)
    assert [run.name for run in again.runs] == SCRATCH_RUNS
    for old, new in zip(result.rows(), again.rows()):
        for key in ("config", "status", "best_miou_fg", "final_miou_fg", "parameters", "iou_person"):
            assert old[key] == pytest.approx(new[key], nan_ok=True), key


@pytest.mark.slow
def test_rerun_reuses_finished_runs(finished_grid, tmp_path, fit_spy):
    _, out_dir, args = finished_grid
    copy = tmp_path / "grid"
    shutil.copytree(out_dir, copy)
    result = tiny_grid(args, copy)
    assert fit_spy == []  # nothing trained again
    assert all(run.reused and run.status == "done" for run in result.runs)


@pytest.mark.slow
def test_grid_folder_keeps_runs_of_earlier_calls(finished_grid, tmp_path, fit_spy):
    _, out_dir, args = finished_grid
    copy = tmp_path / "grid"
    shutil.copytree(out_dir, copy)
    assert [run.name for run in tiny_grid(args, copy, skips=(True,)).runs] == ["alexnet-skip-scratch"]
    assert [run.name for run in load_grid(copy).runs] == SCRATCH_RUNS


@pytest.mark.slow
def test_interrupted_run_is_resumed(finished_grid, tmp_path, fit_spy):
    _, out_dir, args = finished_grid
    copy = tmp_path / "grid"
    shutil.copytree(out_dir, copy)
    (copy / "alexnet-skip-scratch" / runs.OUTCOME_FILE).unlink()  # as if stopped before the end
    result = tiny_grid(args, copy)
    assert len(fit_spy) == 1 and fit_spy[0]["resume"] is True
    assert fit_spy[0]["run_dir"].name == "alexnet-skip-scratch"
    assert [run.status for run in result.runs] == ["done", "done"]


@pytest.mark.slow
def test_more_epochs_continue_from_last_checkpoint(finished_grid, tmp_path, fit_spy):
    _, out_dir, args = finished_grid
    copy = tmp_path / "grid"
    shutil.copytree(out_dir, copy)
    result = tiny_grid({**args, "epoch_num": 2}, copy, skips=(True,))
    assert [call["resume"] for call in fit_spy] == [True]
    assert len(result.runs[0].history) == 2


@pytest.mark.slow  # seconds on 2 CPU cores (issue #19: the fast lane under 2 minutes)
def test_other_settings_in_the_same_folder_are_refused(finished_grid, tmp_path, fit_spy):
    _, out_dir, args = finished_grid
    copy = tmp_path / "grid"
    shutil.copytree(out_dir, copy)
    with pytest.raises(ValueError, match="h_size: 64 -> 96"):
        tiny_grid({**args, "h_size": 96, "w_size": 96}, copy)
    assert fit_spy == []


def test_pretrained_without_weights_is_skipped(synthetic_voc_root, tmp_path, offline_weights, fit_spy):
    out_dir = tmp_path / "grid"
    result = tiny_grid(tiny_args(synthetic_voc_root), out_dir, skips=(True,), pretrained=(True,))
    (run,) = result.runs
    assert run.status == "skipped" and run.history is None
    assert "alexnet-owt-7be5be79.pth" in run.reason and "FCN_COURSE_WEIGHTS" in run.reason
    assert fit_spy == []  # never trained with random weights
    assert not list(out_dir.glob("*pretrained*/*.pt"))

    (row,) = result.rows()
    assert row["status"] == "skipped" and row["best_epoch"] is None
    result.write_report()
    report = (out_dir / "report.md").read_text()
    assert (
        "alexnet-skip-pretrained" in report
        and f"alexnet-skip-pretrained ({text('grid.status_skipped')})" in report
        and "alexnet-owt-7be5be79.pth" in report
    )
    assert load_grid(out_dir).runs[0].status == "skipped"


@pytest.mark.slow
def test_grid_adopts_a_notebook_run_with_the_same_settings(finished_grid, tmp_path, fit_spy):
    """Notebook 02 trains alexnet-skip-scratch in runs_dir; the grid of notebook 05 reports it instead of
    training it twice, but only when every defining setting matches."""
    from fcn_course.predict import load_run_models

    _, out_dir, args = finished_grid
    notebook_runs = tmp_path / "runs"
    shutil.copytree(out_dir / "alexnet-skip-scratch", notebook_runs / "alexnet-skip-scratch")
    result = tiny_grid(args, tmp_path / "grid", reuse_from=notebook_runs)
    assert [call["run_dir"].name for call in fit_spy] == ["alexnet-noskip-scratch"]  # only the other one trained
    adopted = result.runs[1]
    assert adopted.status == "done" and adopted.run_dir == notebook_runs / "alexnet-skip-scratch"
    assert load_grid(tmp_path / "grid").runs[1].run_dir.resolve() == adopted.run_dir.resolve()
    assert sorted(load_run_models(tmp_path / "grid", MODEL_CLASSES)) == SCRATCH_RUNS

    fit_spy.clear()
    tiny_grid({**args, "lr": 5e-4}, tmp_path / "other-grid", reuse_from=notebook_runs)
    assert len(fit_spy) == 2  # another learning rate: nothing adopted


def test_smoke_profile_never_downloads_weights(synthetic_voc_root, tmp_path, monkeypatch, fit_spy):
    """The smoke profile is quick and offline by design: a pretrained run without a local copy is skipped
    before any download is attempted (no network call at all)."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    monkeypatch.delenv("FCN_COURSE_WEIGHTS", raising=False)
    monkeypatch.setattr(
        torchvision.models.WeightsEnum,
        "get_state_dict",
        lambda *a, **k: pytest.fail("the smoke profile tried to download weights"),
    )
    result = tiny_grid(tiny_args(synthetic_voc_root, smoke=True), tmp_path / "grid", skips=(True,), pretrained=(True,))
    (run,) = result.runs
    assert run.status == "skipped" and "nunca baixa" in run.reason and "alexnet-owt-7be5be79.pth" in run.reason
    assert fit_spy == []


@pytest.mark.slow
def test_a_broken_run_is_reported_and_the_grid_goes_on(finished_grid, tmp_path):
    """A truncated last.pt of an interrupted run fails that run only; the others are still reported."""
    _, out_dir, args = finished_grid
    copy = tmp_path / "grid"
    shutil.copytree(out_dir, copy)
    broken = copy / "alexnet-noskip-scratch"
    (broken / runs.OUTCOME_FILE).unlink()  # interrupted...
    (broken / "last.pt").write_bytes((broken / "last.pt").read_bytes()[:1000])  # ...while writing, say
    result = tiny_grid(args, copy)
    assert [run.status for run in result.runs] == ["failed", "done"]
    hint = text("grid.failed_reason", error="", run_dir="").split(" ")[1]  # "Apague" / "Delete"
    assert "last.pt" in result.runs[0].reason and hint in result.runs[0].reason
    result.write_report()
    assert f"| {text('grid.status_failed')}" in (copy / "report.md").read_text()


def test_diverging_run_is_reported(synthetic_voc_root, tmp_path):
    def nan_loss(outputs, labels, criterion):
        return compute_loss(outputs, labels, criterion) * float("nan")

    ingredients = engine.TrainingIngredients(MODEL_CLASSES, make_optimizer, nan_loss, make_criterion)
    result = run_grid(
        ingredients,
        tiny_args(synthetic_voc_root),
        tmp_path / "grid",
        backbones=("alexnet",),
        skips=(False,),
        pretrained=(False,),
        progress=False,
    )
    (run,) = result.runs
    assert run.status == "diverged" and "nan" in run.reason.lower()
    result.write_report()
    assert f"({text('grid.status_diverged')})" in (tmp_path / "grid" / "report.md").read_text()


def test_the_older_call_forms_still_work(synthetic_voc_root, tmp_path, fit_spy):
    """Notebooks of earlier course versions pass the pieces one by one, with a criterion already made."""

    def nan_criterion(outputs, labels):
        return outputs.sum() * float("nan")  # a criterion that is used diverges at once

    args = tiny_args(synthetic_voc_root)
    result = run_grid(
        MODEL_CLASSES,
        make_optimizer,
        compute_loss,
        nan_criterion,
        args,
        tmp_path / "grid",
        backbones=("alexnet",),
        skips=(False,),
        pretrained=(False,),
        progress=False,
    )
    assert [run.status for run in result.runs] == ["diverged"]
    run = experiments.train_configuration(
        FCN_AlexNet,
        "alexnet",
        "8s",
        False,
        make_optimizer,
        compute_loss,
        nan_criterion,
        args,
        tmp_path / "options" / "base",
        progress=False,
    )
    assert run.status == "diverged" and run.run_dir == tmp_path / "options" / "base"
    assert [call["progress"] for call in fit_spy] == [False, False]


def test_smoke_mode_shrinks_the_grid(synthetic_voc_root, capsys):
    args = tiny_args(
        synthetic_voc_root, smoke=True, epoch_num=50, h_size=224, w_size=224, batch_size=8, max_samples=None
    )
    small = experiments.smoke_grid_args(args)
    assert (small["epoch_num"], small["h_size"], small["w_size"]) == (2, 64, 64)
    assert small["max_samples"] == 12 and small["batch_size"] == 4
    assert "perfil smoke" in capsys.readouterr().out
    assert args["epoch_num"] == 50  # the caller's dict is left alone
    tiny = experiments.smoke_grid_args(tiny_args(synthetic_voc_root, smoke=True))
    assert (tiny["epoch_num"], tiny["max_samples"]) == (1, 6)  # never enlarged


def test_unknown_backbone_is_refused(synthetic_voc_root, tmp_path):
    with pytest.raises(KeyError, match="resnet"):
        tiny_grid(tiny_args(synthetic_voc_root), tmp_path, backbones=("resnet",))


@pytest.mark.slow
def test_command_line(synthetic_voc_root, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FCN_COURSE_DATA", str(synthetic_voc_root))  # course_args() reads VOC from here
    monkeypatch.delenv("FCN_COURSE_SMOKE", raising=False)
    out_dir = tmp_path / "cli"
    code = experiments.main(
        [
            "--epochs",
            "1",
            "--size",
            "64",
            "--max-samples",
            "3",
            "--backbones",
            "alexnet",
            "--scratch-only",
            "--out",
            str(out_dir),
            "--quiet",
        ],
        ingredients=REFERENCE,
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert (
        f"| alexnet-noskip-scratch | {text('grid.status_done')} |" in printed
        and f"| alexnet-skip-scratch | {text('grid.status_done')} |" in printed
    )
    assert (out_dir / "report.md").is_file()

    assert experiments.main(["--backbones", "resnet", "--out", str(out_dir)], ingredients=REFERENCE) == 2
    assert text("grid.unknown_backbones", unknown="['resnet']", choices="alexnet, vgg16") in capsys.readouterr().err


@pytest.mark.parametrize(
    "statuses, code", [(("done", "skipped"), 0), (("done", "failed"), 1), (("diverged", "done"), 1)]
)
def test_command_line_exit_status_says_whether_every_run_ended_well(
    synthetic_voc_root, tmp_path, monkeypatch, capsys, statuses, code
):
    """A failed or diverged run makes the command exit non-zero (scripts and CI must see it); skipped does not."""
    monkeypatch.setenv("FCN_COURSE_DATA", str(synthetic_voc_root))
    monkeypatch.delenv("FCN_COURSE_SMOKE", raising=False)

    def grid_of(*args, **options):
        results = [
            RunResult("alexnet", skip, False, status, reason="why") for skip, status in zip((False, True), statuses)
        ]
        return GridResult(results, {"classes": CLASSES}, tmp_path)

    monkeypatch.setattr(experiments, "run_grid", grid_of)
    monkeypatch.setattr(GridResult, "write_report", lambda self, out_dir=None: {"report.md": tmp_path / "report.md"})
    assert experiments.main(["--backbones", "alexnet", "--out", str(tmp_path)], ingredients=REFERENCE) == code


@pytest.mark.slow
def test_command_line_with_the_students_notebooks(synthetic_voc_root, tmp_path, monkeypatch, capsys):
    """In the student release there is no solutions/: --models takes everything from the notebooks."""
    monkeypatch.setenv("FCN_COURSE_DATA", str(synthetic_voc_root))
    monkeypatch.delenv("FCN_COURSE_SMOKE", raising=False)
    notebook = Path(__file__).resolve().parent.parent / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb"
    out_dir = tmp_path / "mine"
    code = experiments.main(
        [
            "--epochs",
            "1",
            "--size",
            "64",
            "--max-samples",
            "3",
            "--scratch-only",
            "--out",
            str(out_dir),
            "--quiet",
            "--models",
            str(notebook),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    only = text("grid.only_defined", backbones="alexnet")
    assert only in printed and f"| alexnet-skip-scratch | {text('grid.status_done')} |" in printed
    assert "vgg16" not in printed.split(only)[1]

    notebook_01 = notebook.with_name("01_dados_e_metricas.ipynb")
    assert experiments.main(["--out", str(out_dir), "--models", str(notebook_01)]) == 2
    fix = text("grid.notebooks_lack", notebooks="", names="").split(";")[1]  # "pass the notebooks where ..."
    assert fix in capsys.readouterr().err


# ==================================================================================================
# Safety (issue #11, README "Safety"; marked `safety`):
# a grid resumes only what it is, and one broken run does not stop the others.
# Each test reproduces one fault and asserts the outcome: a clear error that names the file and the fix, or a
# correct result; where files were there before, every one of them is byte-identical afterwards.
# ==================================================================================================


@pytest.mark.safety
def test_grid_killed_in_its_first_run_refuses_other_settings(synthetic_voc_root, tmp_path):
    """Case 4b: a grid killed during its first run, rerun with other settings, mixed 64 px and 48 px epochs."""

    def killed(net, args):
        raise KeyboardInterrupt  # as a Ctrl-C (or a kill) during the first run

    out_dir = tmp_path / "grid"
    with pytest.raises(KeyboardInterrupt):
        run_grid(
            MODEL_CLASSES,
            killed,
            compute_loss,
            make_criterion(),
            tiny_args(synthetic_voc_root),
            out_dir,
            backbones=("alexnet",),
            skips=(False, True),
            pretrained=(False,),
            progress=False,
        )
    before = tree_digest(out_dir)
    assert "grid.json" in before
    with pytest.raises(runs.RunMismatchError, match="h_size: 64 -> 96"):
        tiny_grid(tiny_args(synthetic_voc_root, h_size=96, w_size=96), out_dir)
    assert tree_digest(out_dir) == before


@pytest.mark.slow
@pytest.mark.safety
def test_a_truncated_last_checkpoint_fails_its_run_and_the_grid_goes_on(synthetic_voc_root, tmp_path):
    """Case 8: a truncated last.pt gave a raw PytorchStreamReader error and aborted the whole grid.

    Neither fallback is taken: resuming from best.pt would lose the optimiser state and the epochs after the best
    one (not an exact resume), and restarting would overwrite that run's best.pt and history. The run is reported
    as failed with the file and the fix, every file of it is left as it was, and the other runs go on.
    """
    out_dir = tmp_path / "grid"
    tiny_grid(tiny_args(synthetic_voc_root), out_dir)
    broken = out_dir / "alexnet-noskip-scratch"
    last = broken / runs.LAST_CHECKPOINT
    last.write_bytes(last.read_bytes()[:1000])
    before = tree_digest(broken)
    result = tiny_grid(tiny_args(synthetic_voc_root, epoch_num=2), out_dir)
    status = {run.name: run for run in result.runs}
    assert status["alexnet-noskip-scratch"].status == "failed"
    assert str(last) in status["alexnet-noskip-scratch"].reason
    assert status["alexnet-skip-scratch"].status == "done" and len(status["alexnet-skip-scratch"].history) == 2
    assert tree_digest(broken) == before


def test_a_run_of_one_epoch_has_scores_and_a_run_without_epochs_none(tmp_path):
    """A one-epoch run (the smoke profile's VGG16, say) is scored like any other; an empty history is not."""
    history = engine.History()
    history.append(epoch_results(1, 0.3), epoch_results(1, 0.3))
    run = RunResult("alexnet", False, False, "done", history=history, run_dir=tmp_path / "run")
    assert run.has_scores() and run.best_val()["miou_fg"] == 0.3 and run.final_val()["epoch"] == 1
    empty = RunResult("alexnet", False, False, "failed", history=engine.History(), run_dir=tmp_path / "empty")
    assert not empty.has_scores() and empty.best_val() is None and empty.final_val() is None


def test_a_run_that_fails_is_announced_and_reported_and_the_grid_goes_on(
    synthetic_voc_root, tmp_path, monkeypatch, capsys
):
    """A damaged file (OSError) fails its configuration only: a line says which and why, the next one still runs."""
    trained = []

    def first_fails(ingredients, backbone, skip, pretrained, args, run_dir, **options):
        trained.append(run_dir.name)
        if not skip:
            raise OSError("disk full")
        return RunResult(backbone, skip, pretrained, "done", run_dir=run_dir)

    monkeypatch.setattr(experiments, "train_configuration", first_fails)
    result = tiny_grid(tiny_args(synthetic_voc_root), tmp_path / "grid")
    assert trained == SCRATCH_RUNS and [run.status for run in result.runs] == ["failed", "done"]
    assert "disk full" in result.runs[0].reason
    assert text("grid.failed", name="alexnet-noskip-scratch", error="OSError: disk full") in capsys.readouterr().out


@pytest.mark.parametrize("flags, pretrained", [([], (False, True)), (["--scratch-only"], (False,))])
def test_command_line_scratch_only_trains_the_scratch_runs_only(
    synthetic_voc_root, tmp_path, monkeypatch, flags, pretrained
):
    monkeypatch.setenv("FCN_COURSE_DATA", str(synthetic_voc_root))
    monkeypatch.delenv("FCN_COURSE_SMOKE", raising=False)
    asked = []

    def grid_of(ingredients, args, out_dir, **options):
        asked.append(options["pretrained"])
        return GridResult([RunResult("alexnet", False, False, "done")], {"classes": CLASSES}, tmp_path)

    monkeypatch.setattr(experiments, "run_grid", grid_of)
    monkeypatch.setattr(GridResult, "write_report", lambda self, out_dir=None: {"report.md": tmp_path / "report.md"})
    assert experiments.main(["--backbones", "alexnet", "--out", str(tmp_path), *flags], ingredients=REFERENCE) == 0
    assert asked == [pretrained]


def test_the_grid_table_speaks_the_readers_language_and_keeps_the_machine_values_in_the_rows(tmp_path):
    """Students of the Portuguese edition read the table in notebook 05 and report.md: its headers and the
    run statuses are labels from the catalogue; the rows (and report.csv) keep the language-neutral values."""
    run = run_with_the_best_epoch_in_the_middle(tmp_path)
    failed = RunResult("vgg16", False, False, "failed", reason="disk full\nmore")
    grid = GridResult([run, failed], {"classes": CLASSES}, tmp_path)
    assert [row["status"] for row in grid.rows()] == ["done", "failed"]
    for language in ("pt_BR", "en"):
        with speaking(language):
            header, rule, done_line, failed_line = grid.markdown_table().splitlines()
        columns = [cell.strip() for cell in header.strip("|").split("|")]
        assert columns[:2] == [text("grid.column_configuration", language), text("grid.column_status", language)]
        assert f"IoU {CLASSES[-1]}" in columns and len(columns) == 9 + len(CLASSES)
        assert rule.count("---") == len(columns)
        assert done_line.split("|")[2].strip() == text("grid.status_done", language)
        assert failed_line.split("|")[2].strip() == text("grid.status_failed", language) + ": disk full"
    assert text("grid.column_status", "pt_BR") != text("grid.column_status", "en")
