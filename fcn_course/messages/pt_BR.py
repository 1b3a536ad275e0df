"""Brazilian Portuguese: every sentence students and instructors read (see ``fcn_course.messages``).

Keys are grouped by area, one section per area, in the order of the package's layers; keep each new key in
its area's section. Values are ``str.format`` templates: ``{name}`` is filled in by the caller, ``{{`` and
``}}`` print braces.
"""

MESSAGES = {
    # --- settings, profiles and environment (config, environment) -------------------------------------------

    # --- data (data, download, synthetic, voc) -----------------------------------------------------------------

    # --- the run folder, training and predictions (runs, engine, predict, experiments, report) ---------------
    "engine.ingredients_expected": (
        "esperava TrainingIngredients(model_classes, make_optimizer, compute_loss, make_criterion) com as suas "
        "quatro peças (as classes das FCNs num dicionário, por exemplo {{\"alexnet\": FCN_AlexNet}}, e as três "
        "funções do exercício 3), não {given}."),

    # --- figures (plots) ---------------------------------------------------------------------------------------

    # --- notebooks and definitions (definitions, widgets, colab) -----------------------------------------------

    # --- self-checks (checks/) ---------------------------------------------------------------------------------

    # --- instructor wing: build, grade, release, site, nbgrader (instructor/) --------------------------------
}
